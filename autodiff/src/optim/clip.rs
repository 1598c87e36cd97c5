//! Clipping by the global gradient norm.
//!
//! `norm = sqrt(sum over all parameters and elements of g^2)`; when
//! `norm > max_norm`, every gradient is scaled by `max_norm / norm`, so the
//! concatenated gradient keeps its direction and gets length `max_norm`.
//! The sum is accumulated in f64, parameters in order and elements in row-major
//! order, so the result does not depend on the thread count.

use crate::float::Float;
use crate::tensor::{Storage, Tensor};

/// Clips the gradients of `params` (those that have one) to global norm `max_norm`
/// and returns the norm before clipping.
///
/// A non-finite norm (an overflowing or NaN gradient) leaves the gradients as they
/// are and is returned for the caller to detect. Panics if `max_norm` is not a
/// finite number >= 0.
pub fn clip_grad_norm<T: Float>(params: &[Tensor<T>], max_norm: f64) -> f64 {
    assert!(max_norm.is_finite() && max_norm >= 0.0, "clip_grad_norm: max_norm {max_norm} must be finite and >= 0");
    let norm = params
        .iter()
        .filter_map(|p| p.0.grad.borrow().as_ref().map(squared_norm))
        .sum::<f64>()
        .sqrt();
    if norm.is_finite() && norm > max_norm {
        let scale = T::c(max_norm / norm);
        for p in params {
            if let Some(g) = p.0.grad.borrow_mut().as_mut() {
                scale_by(g, scale);
            }
        }
    }
    norm
}

/// `sum g^2` (in f64 on the host; in `T` on a device, then widened).
fn squared_norm<T: Float>(g: &Storage<T>) -> f64 {
    match g {
        Storage::Cpu(g) => g.iter().map(|&x| x.to_f64_lossless().powi(2)).sum::<f64>(),
        #[cfg(feature = "cuda")]
        Storage::Cuda(g) => crate::cuda::launch::sum_of_squares("clip_grad_norm", g),
    }
}

/// `g <- c g`, where `g` lives.
fn scale_by<T: Float>(g: &mut Storage<T>, c: T) {
    match g {
        Storage::Cpu(g) => g.mapv_inplace(|x| x * c),
        #[cfg(feature = "cuda")]
        Storage::Cuda(g) => *g = crate::cuda::launch::scale("clip_grad_norm", g, c.to_f64_lossless()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_close, param, set_grads};
    use super::*;

    fn grads(params: &[Tensor<f64>]) -> Vec<Vec<f64>> {
        params.iter().map(|p| p.grad().unwrap().iter().copied().collect()).collect()
    }

    fn assert_grad(p: &Tensor<f64>, want: &[f64]) {
        assert_close(&Tensor::constant(p.grad().unwrap()), want);
    }

    #[test]
    fn scales_all_gradients_down_to_max_norm() {
        let params = [param(&[0.0, 0.0]), param(&[0.0])];
        set_grads(&params, &[&[3.0, 0.0], &[-4.0]]);
        // norm = sqrt(9 + 0 + 16) = 5 > 2: scale = 2/5 = 0.4 -> [1.2, 0], [-1.6]
        assert_eq!(clip_grad_norm(&params, 2.0), 5.0);
        assert_grad(&params[0], &[1.2, 0.0]);
        assert_grad(&params[1], &[-1.6]);
        // Clipped once, the norm is now 2 (up to rounding) and a second clip leaves it.
        let again = clip_grad_norm(&params, 2.0);
        approx::assert_abs_diff_eq!(again, 2.0, epsilon = 1e-15);
    }

    #[test]
    fn leaves_small_gradients_and_skips_missing_ones() {
        let params = [param(&[0.0, 0.0]), param(&[7.0])];
        set_grads(&params[..1], &[&[0.6, 0.8]]);
        // norm = sqrt(0.36 + 0.64) = 1 <= 2: unchanged; the second parameter has no grad.
        assert_eq!(clip_grad_norm(&params, 2.0), 1.0);
        assert_eq!(grads(&params[..1]), vec![vec![0.6, 0.8]]);
        assert!(params[1].grad().is_none());
    }

    #[test]
    fn non_finite_norm_is_returned_untouched() {
        let params = [param(&[0.0, 0.0])];
        set_grads(&params, &[&[f64::INFINITY, 1.0]]);
        assert_eq!(clip_grad_norm(&params, 1.0), f64::INFINITY);
        assert_eq!(grads(&params), vec![vec![f64::INFINITY, 1.0]]);
    }
}
