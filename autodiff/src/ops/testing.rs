//! Helpers for the primitives' unit tests: evaluate a function of one tensor and
//! the gradient of the sum of its output.

use crate::Tensor;

/// `(f(x), d sum(f(x)) / dx)` at `x` of `shape`, both row-major.
pub fn value_and_grad(shape: &[usize], x: &[f64], f: impl Fn(&Tensor<f64>) -> Tensor<f64>) -> (Vec<f64>, Vec<f64>) {
    let x = Tensor::param(Tensor::from_vec(shape, x.to_vec()).to_array());
    let y = f(&x);
    y.sum_all().backward();
    let grad = x.grad().expect("input requires grad").iter().copied().collect();
    (y.to_vec(), grad)
}

/// Asserts elementwise `|actual - expected| <= 1e-12 (1 + |expected|)`.
pub fn assert_close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "lengths differ: {actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        approx::assert_abs_diff_eq!(a, e, epsilon = 1e-12 * (1.0 + e.abs()));
    }
}
