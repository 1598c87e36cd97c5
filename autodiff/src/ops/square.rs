//! `square`: `y = x^2`; VJP `dx = 2 x g`.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The square.
pub struct Square;

impl<T: Float> UnaryFn<T> for Square {
    fn name(&self) -> String {
        "square".into()
    }
    fn f(&self, x: T) -> T {
        x * x
    }
    fn df(&self, x: T, _y: T) -> T {
        x + x
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(x).mul_scalar(T::c(2.0))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("square", "x * x", "x + x")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `x^2`.
    pub fn square(&self) -> Tensor<T> {
        self.map_unary(Square)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn square_and_its_gradient() {
        let (y, dx) = value_and_grad(&[2], &[1.5, -2.0], |x| x.square());
        assert_close(&y, &[2.25, 4.0]);
        assert_close(&dx, &[3.0, -4.0]);
    }
}
