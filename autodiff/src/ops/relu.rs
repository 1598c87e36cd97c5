//! `relu`: `y = max(x, 0)`; VJP `dx = g [x > 0]` (0 at the kink `x = 0`).

use super::unary::{constant_derivative, UnaryFn};
use crate::float::Float;
use crate::tensor::Tensor;

/// The rectified linear unit.
pub struct Relu;

impl<T: Float> UnaryFn<T> for Relu {
    fn name(&self) -> String {
        "relu".into()
    }
    fn f(&self, x: T) -> T {
        x.max(T::zero())
    }
    fn df(&self, x: T, _y: T) -> T {
        if x > T::zero() {
            T::one()
        } else {
            T::zero()
        }
    }
    /// `g df`, with the step `[x > 0]` as a constant.
    fn vjp_graph(&self, x: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(&constant_derivative(Relu, x, y))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("relu", "x > T(0) ? x : T(0)", "x > T(0) ? T(1) : T(0)")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `max(x, 0)`.
    pub fn relu(&self) -> Tensor<T> {
        self.map_unary(Relu)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn relu_and_its_gradient() {
        let (y, dx) = value_and_grad(&[3], &[1.5, -2.0, 0.0], |x| x.relu());
        assert_close(&y, &[1.5, 0.0, 0.0]);
        assert_close(&dx, &[1.0, 0.0, 0.0]);
    }
}
