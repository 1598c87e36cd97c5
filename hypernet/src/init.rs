//! Initial weights of target networks trained from scratch:
//! `W1 ~ N(0, 1/n)` (so each pre-activation has unit variance for unit-variance
//! inputs), `b1 = 0`, `w2 ~ N(0, 1/m)`, and `b2` at the mean target, so that training
//! starts from the best constant (nMSE about 1) instead of spending its first steps
//! on the offset.

use crate::problem::ProblemConfig;
use crate::target_batch::BatchedWeights;
use autodiff::{Float, Key, Tensor};
use ndarray::{ArrayD, IxDyn};

/// Inputs used to estimate the mean target.
pub const MEAN_TARGET_SAMPLES: usize = 16_384;
/// Seed of that estimate.
pub const MEAN_TARGET_SEED: u64 = 0xB1A5;

/// Mean of `y` over [`MEAN_TARGET_SAMPLES`] inputs drawn with [`MEAN_TARGET_SEED`].
pub fn mean_target(problem: &ProblemConfig) -> f64 {
    let (_, y) = problem.sample::<f64>(Key::new(MEAN_TARGET_SEED), 1, MEAN_TARGET_SAMPLES);
    y.mean().expect("at least one sample")
}

/// Trainable initial weights of one network per key (network `i` from `keys[i]`).
pub fn initial_weights<T: Float>(problem: &ProblemConfig, keys: &[Key]) -> BatchedWeights<T> {
    let (n, m, b) = (problem.inputs, problem.hidden, keys.len());
    let scaled_normal = |shape: &[usize], part: u64, scale: f64| {
        let data = keys.iter().flat_map(|k| k.fold_in(part).normal::<T>(shape).into_raw_vec_and_offset().0);
        let values: Vec<T> = data.map(|v| v * T::c(scale)).collect();
        let full: Vec<usize> = [b].iter().chain(shape).copied().collect();
        Tensor::param(ArrayD::from_shape_vec(IxDyn(&full), values).expect("one draw per network"))
    };
    BatchedWeights {
        w1: scaled_normal(&[m, n], 0, 1.0 / (n as f64).sqrt()),
        b1: Tensor::param(ArrayD::zeros(IxDyn(&[b, m]))),
        w2: scaled_normal(&[m], 1, 1.0 / (m as f64).sqrt()),
        b2: Tensor::param(ArrayD::from_elem(IxDyn(&[b]), T::c(mean_target(problem)))),
    }
}
