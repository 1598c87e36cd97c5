//! Transformations of a target network used to probe the interpretation passes:
//! relabelling (the function is unchanged), selecting neurons, and noise.
//!
//! * `permute_inputs(net, p)`: new input `k` is old input `p[k]`, i.e.
//!   `W1'[:, k] = W1[:, p[k]]`; the network computes `y'(x') = y(x)` with
//!   `x'_k = x_{p[k]}`, so an L1-norm network stays one.
//! * `select_neurons(net, idx)`: the hidden neurons `idx` in that order (a permutation
//!   when `idx` is one, a pruning when it omits some).
//! * `drop_inputs_neurons(net, inputs)`: without the neurons that read only `inputs`
//!   (an axis-aligned neuron of one of them), keeping those that also read other
//!   inputs (a pudding's linear neuron): a network with partial coverage.
//! * `add_weight_noise(net, sigma, key)`: `W1`, `b1` get i.i.d.
//!   `N(0, (sigma rms(W1))^2)` and `w2` gets `N(0, (sigma rms(w2))^2)`, where `rms` is
//!   the root mean square over the tensor's entries; `b2` is left as is. So `sigma` is
//!   the noise relative to the typical weight of each layer.
//! * `add_row_noise(net, r, key)`: noise relative to each neuron, the size a sampled
//!   network carries: row `W1_j` gets i.i.d. `N(0, (r |W1_j| / sqrt(n))^2)` per entry
//!   (a noise vector of norm about `r |W1_j|`, so a direction turned by about
//!   `atan r`), `b1_j` gets `N(0, (r max(|b1_j|, |W1_j| / sqrt(n)))^2)` (relative to the
//!   bias, but at least what one entry of its row gets, so a zero bias is jittered
//!   too) and `w2_j` gets `N(0, (r w2_j)^2)` (a zero output weight, a dead padding
//!   neuron, stays zero); `b2` is left as is.

use autodiff::Key;
use hypernet::TargetWeights;
use ndarray::{Array1, Array2, Axis};

/// `net` with inputs relabelled: new input `k` is old input `perm[k]`.
pub fn permute_inputs(net: &TargetWeights, perm: &[usize]) -> TargetWeights {
    assert_permutation("permute_inputs", perm, net.inputs());
    TargetWeights { w1: net.w1.select(Axis(1), perm), ..net.clone() }
}

/// `net` keeping only the hidden neurons `neurons`, in that order.
pub fn select_neurons(net: &TargetWeights, neurons: &[usize]) -> TargetWeights {
    let m = net.hidden();
    assert!(neurons.iter().all(|&j| j < m), "select_neurons: indices {neurons:?} out of range for {m} neurons");
    TargetWeights {
        w1: net.w1.select(Axis(0), neurons),
        b1: net.b1.select(Axis(0), neurons),
        w2: net.w2.select(Axis(0), neurons),
        ..net.clone()
    }
}

/// `net` without the neurons whose input weights are nonzero only on `inputs` (all-zero
/// rows are kept).
pub fn drop_inputs_neurons(net: &TargetWeights, inputs: &[usize]) -> TargetWeights {
    let keep: Vec<usize> = (0..net.hidden())
        .filter(|&j| {
            let row = net.w1.row(j);
            let reads = |i: usize| row[i] != 0.0;
            !(0..row.len()).any(reads) || (0..row.len()).any(|i| reads(i) && !inputs.contains(&i))
        })
        .collect();
    select_neurons(net, &keep)
}

/// A permutation of `0..len` drawn with `key` (Fisher-Yates on Philox uniforms).
pub fn random_permutation(key: Key, len: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..len).collect();
    let u = key.uniform_f64(len);
    for i in (1..len).rev() {
        let j = ((u[i] * (i + 1) as f64) as usize).min(i);
        p.swap(i, j);
    }
    p
}

/// `net` with Gaussian weight noise of relative size `sigma` (see the module docs).
pub fn add_weight_noise(net: &TargetWeights, sigma: f32, key: Key) -> TargetWeights {
    let rms = |v: &mut dyn Iterator<Item = &f32>| -> f32 {
        let (sum, count) = v.fold((0.0f64, 0usize), |(s, c), x| (s + (*x as f64).powi(2), c + 1));
        (sum / count.max(1) as f64).sqrt() as f32
    };
    let input_scale = sigma * rms(&mut net.w1.iter());
    let output_scale = sigma * rms(&mut net.w2.iter());
    let (m, n) = net.w1.dim();
    let keys = key.split(3);
    let noise = |k: Key, len: usize, scale: f32| -> Vec<f32> { k.normal_f64(len).into_iter().map(|z| scale * z as f32).collect() };
    TargetWeights {
        w1: &net.w1 + &Array2::from_shape_vec((m, n), noise(keys[0], m * n, input_scale)).expect("m * n samples"),
        b1: &net.b1 + &Array1::from(noise(keys[1], m, input_scale)),
        w2: &net.w2 + &Array1::from(noise(keys[2], m, output_scale)),
        ..net.clone()
    }
}

/// `net` with per-neuron Gaussian noise of relative size `r` (see the module docs).
pub fn add_row_noise(net: &TargetWeights, r: f32, key: Key) -> TargetWeights {
    let (m, n) = net.w1.dim();
    let keys = key.split(3);
    let z = |k: Key, len: usize| -> Vec<f32> { k.normal_f64(len).into_iter().map(|v| v as f32).collect() };
    let (z_w1, z_b1, z_w2) = (z(keys[0], m * n), z(keys[1], m), z(keys[2], m));
    let mut noisy = net.clone();
    for j in 0..m {
        // The root mean square entry of the row.
        let entry = net.w1.row(j).dot(&net.w1.row(j)).sqrt() / (n as f32).sqrt();
        for i in 0..n {
            noisy.w1[[j, i]] += r * entry * z_w1[j * n + i];
        }
        noisy.b1[j] += r * net.b1[j].abs().max(entry) * z_b1[j];
        noisy.w2[j] += r * net.w2[j].abs() * z_w2[j];
    }
    noisy
}

fn assert_permutation(op: &str, perm: &[usize], len: usize) {
    let mut seen = vec![false; len];
    let ok = perm.len() == len && perm.iter().all(|&k| k < len && !std::mem::replace(&mut seen[k], true));
    assert!(ok, "{op}: {perm:?} is not a permutation of 0..{len}");
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use crate::probe::gaussian_inputs;
    use crate::reference::double_sided;

    #[test]
    fn relabelling_keeps_the_function() {
        let net = add_weight_noise(&double_sided(5, 3.0), 0.3, Key::new(1));
        let x = gaussian_inputs(Key::new(2), 64, 5);
        let perm = random_permutation(Key::new(3), 5);
        let moved = select_neurons(&permute_inputs(&net, &perm), &random_permutation(Key::new(4), 10));
        let y = net.forward(x.view());
        let y_moved = moved.forward(x.select(Axis(1), &perm).view());
        assert!(y.iter().zip(&y_moved).all(|(a, b)| abs_diff_eq!(a, b, epsilon = 1e-4)), "{y} vs {y_moved}");
    }

    #[test]
    fn dropping_an_inputs_neurons_keeps_the_neurons_reading_others() {
        let ds = drop_inputs_neurons(&double_sided(4, 3.0), &[1, 3]);
        assert_eq!(ds.w1, double_sided(4, 3.0).w1.select(Axis(0), &[0, 1, 4, 5]));
        let p = crate::reference::pudding(&[1.0, -1.0, 1.0], 3.0);
        assert_eq!(drop_inputs_neurons(&p, &[0]).w1, p.w1.select(Axis(0), &[1, 2, 3]), "the linear neuron stays");
    }

    #[test]
    fn row_noise_is_relative_to_each_row_and_leaves_zero_output_weights() {
        let net = crate::reference::pad_with_dead_neurons(&crate::reference::pudding(&[1.0; 16], 10.0), 48, Key::new(1));
        let noisy = add_row_noise(&net, 0.3, Key::new(2));
        for j in 0..net.hidden() {
            let norm = |w: &Array2<f32>| w.row(j).dot(&w.row(j)).sqrt();
            let relative = (&noisy.w1 - &net.w1).row(j).dot(&(&noisy.w1 - &net.w1).row(j)).sqrt() / norm(&net.w1);
            assert!((0.1..0.5).contains(&relative), "neuron {j}: noise {relative} of the row's norm");
        }
        assert!(noisy.w2.iter().zip(&net.w2).all(|(a, b)| (*b == 0.0) == (*a == 0.0)));
        assert_eq!(add_row_noise(&net, 0.0, Key::new(2)), net);
    }

    #[test]
    fn random_permutation_is_a_permutation_and_depends_on_the_key() {
        let p = random_permutation(Key::new(5), 50);
        let mut sorted = p.clone();
        sorted.sort();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(p, random_permutation(Key::new(6), 50));
    }

    #[test]
    #[should_panic(expected = "not a permutation")]
    fn permute_inputs_rejects_a_repeated_index() {
        permute_inputs(&double_sided(3, 1.0), &[0, 0, 1]);
    }
}
