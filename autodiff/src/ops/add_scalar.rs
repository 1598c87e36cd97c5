//! `add_scalar`: `y = x + c` for a constant `c`; VJP `dx = g`.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// Adding a constant.
pub struct AddScalar<T>(pub T);

impl<T: Float> UnaryFn<T> for AddScalar<T> {
    fn name(&self) -> String {
        format!("add_scalar({})", self.0)
    }
    fn f(&self, x: T) -> T {
        x + self.0
    }
    fn df(&self, _x: T, _y: T) -> T {
        T::one()
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, _x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.clone()
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("add_scalar", "x + p", "T(1)").with_param(self.0.to_f64_lossless())
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `x + c`.
    pub fn add_scalar(&self, c: T) -> Tensor<T> {
        self.map_unary(AddScalar(c))
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn add_scalar_and_its_gradient() {
        let (y, dx) = value_and_grad(&[2], &[1.5, -2.0], |x| x.add_scalar(0.25));
        assert_close(&y, &[1.75, -1.75]);
        assert_close(&dx, &[1.0, 1.0]);
    }
}
