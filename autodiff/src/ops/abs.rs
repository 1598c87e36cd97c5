//! `abs`: `y = |x|`; VJP `dx = g sign(x)`, taking the subgradient 0 at `x = 0`.

use super::unary::{constant_derivative, UnaryFn};
use crate::float::Float;
use crate::tensor::Tensor;

/// The absolute value.
pub struct Abs;

impl<T: Float> UnaryFn<T> for Abs {
    fn name(&self) -> String {
        "abs".into()
    }
    fn f(&self, x: T) -> T {
        x.abs()
    }
    fn df(&self, x: T, _y: T) -> T {
        // Not `signum`, which is 1 at +0.
        if x > T::zero() {
            T::one()
        } else if x < T::zero() {
            -T::one()
        } else {
            T::zero()
        }
    }
    /// `g df`, with the sign as a constant.
    fn vjp_graph(&self, x: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(&constant_derivative(Abs, x, y))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("abs", "fabs(x)", "x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0))")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `|x|`.
    pub fn abs(&self) -> Tensor<T> {
        self.map_unary(Abs)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn abs_and_its_gradient() {
        let (y, dx) = value_and_grad(&[3], &[1.5, -2.0, 0.0], |x| x.abs());
        assert_close(&y, &[1.5, 2.0, 0.0]);
        assert_close(&dx, &[1.0, -1.0, 0.0]);
    }
}
