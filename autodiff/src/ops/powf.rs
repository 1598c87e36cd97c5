//! `powf`: `y = x^p` for a constant real exponent `p`; VJP `dx = g p x^(p-1)`.
//! As for `f64::powf`, a negative `x` with a non-integer `p` gives NaN.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// Power with a constant exponent.
pub struct Powf<T>(pub T);

impl<T: Float> UnaryFn<T> for Powf<T> {
    fn name(&self) -> String {
        format!("powf({})", self.0)
    }
    fn f(&self, x: T) -> T {
        x.powf(self.0)
    }
    fn df(&self, x: T, _y: T) -> T {
        self.0 * x.powf(self.0 - T::one())
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(&x.powf(self.0 - T::one())).mul_scalar(self.0)
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("powf", "pow(x, p)", "p * pow(x, p - T(1))").with_param(self.0.to_f64_lossless())
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `x^p`.
    pub fn powf(&self, p: T) -> Tensor<T> {
        self.map_unary(Powf(p))
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn powf_and_its_gradient() {
        let (y, dx) = value_and_grad(&[2], &[4.0, 0.25], |x| x.powf(1.5));
        assert_close(&y, &[8.0, 0.125]);
        assert_close(&dx, &[3.0, 0.75]);
    }
}
