//! The inputs every interpretation pass probes a network with, and the error measure
//! they report: `x ~ N(0, I_n)`, target `y = sum_i |x_i|` (the paper's L1 task), and
//! `nMSE = mean((y_hat - y)^2) / Var(y)` with `Var(y) = n (1 - 2/pi)`.

use autodiff::Key;
use hypernet::task::{InputDistribution, L1Norm, Task};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Ix2};

/// Inputs per probe batch, unless a caller asks otherwise: enough that a fraction
/// such as "positive on 99% of inputs" is measured to about +-0.2%.
pub const PROBE_SAMPLES: usize = 4096;

/// Seed of the default probe inputs, so every pass run twice on the same weights
/// reports the same numbers.
pub const PROBE_SEED: u64 = 0x1A7E_9B0B;

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
