//! The inputs every interpretation pass probes a network with, and the error measure
//! they report: `x ~ N(0, I_n)`, target `y = sum_i |x_i|` (the paper's L1 task), and
//! `nMSE = mean((y_hat - y)^2) / Var(y)` with `Var(y) = n (1 - 2/pi)`.

use autodiff::Key;
use hypernet::task::{InputDistribution, L1Norm, Task};
use hypernet::TargetWeights;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Ix2};

/// Inputs per probe batch, unless a caller asks otherwise: enough that a fraction
/// such as "positive on 99% of inputs" is measured to about +-0.2%.
pub const PROBE_SAMPLES: usize = 4096;

/// Seed of the default probe inputs, so every pass run twice on the same weights
/// reports the same numbers.
pub const PROBE_SEED: u64 = 0x1A7E_9B0B;

/// Hidden neurons evaluated together by [`forward_in_chunks`]: their pre-activations
/// and activations, `[samples, NEURON_CHUNK]` each (16 MiB apiece at
/// [`PROBE_SAMPLES`]), are all that is held at once, whatever the network's width.
pub const NEURON_CHUNK: usize = 1024;

/// `net`'s outputs on the inputs `x` (`[samples, n]`), computed [`NEURON_CHUNK`]
/// hidden neurons at a time; `visit(first, pre, act)` sees each chunk's pre-activations
/// and activations (`[samples, chunk]`, neurons `first..first + chunk`). Equal to
/// `net.forward(x)` bit for bit while `m <= NEURON_CHUNK`; beyond, the chunks' sums are
/// added in order.
pub fn forward_in_chunks(net: &TargetWeights, x: ArrayView2<f32>, mut visit: impl FnMut(usize, ArrayView2<f32>, ArrayView2<f32>)) -> Array1<f32> {
    let mut sum: Option<Array1<f32>> = None;
    for first in (0..net.hidden()).step_by(NEURON_CHUNK) {
        let rows = first..(first + NEURON_CHUNK).min(net.hidden());
        let pre = x.dot(&net.w1.slice(s![rows.clone(), ..]).t()) + net.b1.slice(s![rows.clone()]);
        let act = pre.mapv(|u| net.activation.apply(u));
        visit(first, pre.view(), act.view());
        let part = act.dot(&net.w2.slice(s![rows]));
        sum = Some(match sum {
            Some(total) => total + part,
            None => part,
        });
    }
    sum.unwrap_or_else(|| Array1::zeros(x.nrows())) + net.b2
}

/// `count` inputs `x ~ N(0, I_n)` drawn with `key`, shape `[count, n]`.
pub fn gaussian_inputs(key: Key, count: usize, n: usize) -> Array2<f32> {
    InputDistribution::Gaussian
        .sample::<f32>(key, &[count, n])
        .into_dimensionality::<Ix2>()
        .expect("sampled with two axes")
}

/// `y = sum_i |x_i|` for each row of `x`.
pub fn l1_targets(x: ArrayView2<f32>) -> Array1<f32> {
    x.rows().into_iter().map(|r| r.iter().map(|v| v.abs()).sum()).collect()
}

/// `Var(y) = n (1 - 2/pi)` of the L1 norm of `n` standard normal inputs.
pub fn l1_variance(n: usize) -> f64 {
    L1Norm.closed_form_variance(n, InputDistribution::Gaussian).expect("the L1 norm has a closed-form variance")
}

/// `mean((a - b)^2) / (n (1 - 2/pi))`: a mean squared difference in units of the
/// L1 task's variance for `n` inputs.
pub fn normalised_mse(a: ArrayView1<f32>, b: ArrayView1<f32>, n: usize) -> f64 {
    assert_eq!(a.len(), b.len(), "normalised_mse: {} predictions against {} targets", a.len(), b.len());
    let mse = a.iter().zip(b).map(|(p, t)| (*p as f64 - *t as f64).powi(2)).sum::<f64>() / a.len() as f64;
    mse / l1_variance(n)
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;

    #[test]
    fn chunked_outputs_are_the_networks_and_every_neuron_is_visited_once() {
        for m in [3, NEURON_CHUNK, 2 * NEURON_CHUNK + 5] {
            let key = Key::new(m as u64);
            let w1 = gaussian_inputs(key.fold_in(0), m, 4);
            let (b1, w2) = (gaussian_inputs(key.fold_in(1), 1, m).row(0).to_owned(), gaussian_inputs(key.fold_in(2), 1, m).row(0).to_owned());
            let net = TargetWeights { w1, b1, w2, b2: 0.5, activation: hypernet::Activation::Silu };
            let x = gaussian_inputs(key.fold_in(3), 64, 4);
            let mut visited = Vec::new();
            let y = forward_in_chunks(&net, x.view(), |first, pre, act| {
                assert_eq!((pre.dim(), act.nrows()), (act.dim(), 64));
                visited.extend(first..first + pre.ncols());
            });
            assert_eq!(visited, (0..m).collect::<Vec<_>>(), "m = {m}");
            let reference = net.forward(x.view());
            if m <= NEURON_CHUNK {
                assert_eq!(y, reference, "one chunk: bit for bit");
            }
            assert!(y.iter().zip(&reference).all(|(a, b)| abs_diff_eq!(a, b, epsilon = 1e-3 * (1.0 + b.abs()))), "m = {m}");
        }
    }

    #[test]
    fn l1_targets_have_the_closed_form_variance() {
        let n = 5;
        let y = l1_targets(gaussian_inputs(Key::new(3), 20_000, n).view());
        let mean = y.mean().unwrap();
        let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / y.len() as f32;
        assert!(abs_diff_eq!(var as f64 / l1_variance(n), 1.0, epsilon = 0.05), "var {var} vs {}", l1_variance(n));
        let constant = Array1::from_elem(y.len(), mean);
        assert!(abs_diff_eq!(normalised_mse(constant.view(), y.view(), n), 1.0, epsilon = 0.05));
    }
}
