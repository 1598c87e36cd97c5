//! `sin`: `y = sin x`; VJP `dx = g cos x`. Its graph VJP writes `cos x` as
//! `sin(x + pi/2)`, so that it can be differentiated again without a `cos` primitive.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The sine.
pub struct Sin;

impl<T: Float> UnaryFn<T> for Sin {
    fn name(&self) -> String {
        "sin".into()
    }
    fn f(&self, x: T) -> T {
        x.sin()
    }
    fn df(&self, x: T, _y: T) -> T {
        x.cos()
    }
    /// `g cos x = g sin(x + pi/2)`.
    fn vjp_graph(&self, x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(&x.add_scalar(T::c(std::f64::consts::FRAC_PI_2)).sin())
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("sin", "sin(x)", "cos(x)")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `sin x`.
    pub fn sin(&self) -> Tensor<T> {
        self.map_unary(Sin)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn sin_and_its_gradient() {
        // sin(0) = 0, cos(0) = 1; sin(pi/6) = 1/2, cos(pi/6) = sqrt(3)/2; sin(pi/2) = 1, cos(pi/2) = 0.
        let (p6, p2) = (std::f64::consts::FRAC_PI_6, std::f64::consts::FRAC_PI_2);
        let (y, dx) = value_and_grad(&[3], &[0.0, p6, p2], |x| x.sin());
        assert_close(&y, &[0.0, 0.5, 1.0]);
        assert_close(&dx, &[1.0, 3f64.sqrt() / 2.0, 0.0]);
    }
}
