//! `sqrt`: `y = sqrt(x)` (NaN for `x < 0`); VJP `dx = g / (2 y)`.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The square root.
pub struct Sqrt;

impl<T: Float> UnaryFn<T> for Sqrt {
    fn name(&self) -> String {
        "sqrt".into()
    }
    fn f(&self, x: T) -> T {
        x.sqrt()
    }
    fn df(&self, _x: T, y: T) -> T {
        (y + y).recip()
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, _x: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.div(y).mul_scalar(T::c(0.5))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("sqrt", "sqrt(x)", "T(1) / (y + y)")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise square root.
    pub fn sqrt(&self) -> Tensor<T> {
        self.map_unary(Sqrt)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn sqrt_and_its_gradient() {
        let (y, dx) = value_and_grad(&[2], &[4.0, 0.25], |x| x.sqrt());
        assert_close(&y, &[2.0, 0.5]);
        assert_close(&dx, &[0.25, 1.0]);
    }
}
