//! `mul_scalar`: `y = c x` for a constant `c`; VJP `dx = c g`.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// Scaling by a constant.
pub struct MulScalar<T>(pub T);

impl<T: Float> UnaryFn<T> for MulScalar<T> {
    fn name(&self) -> String {
        format!("mul_scalar({})", self.0)
    }
    fn f(&self, x: T) -> T {
        x * self.0
    }
    fn df(&self, _x: T, _y: T) -> T {
        self.0
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, _x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul_scalar(self.0)
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("mul_scalar", "x * p", "p").with_param(self.0.to_f64_lossless())
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `c * x`.
    pub fn mul_scalar(&self, c: T) -> Tensor<T> {
        self.map_unary(MulScalar(c))
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn mul_scalar_and_its_gradient() {
        let (y, dx) = value_and_grad(&[2], &[1.5, -2.0], |x| x.mul_scalar(-3.0));
        assert_close(&y, &[-4.5, 6.0]);
        assert_close(&dx, &[-3.0, -3.0]);
    }
}
