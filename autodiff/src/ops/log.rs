//! `log`: `y = ln x` (NaN for `x < 0`, `-inf` at 0); VJP `dx = g / x`.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The natural logarithm.
pub struct Log;

impl<T: Float> UnaryFn<T> for Log {
    fn name(&self) -> String {
        "log".into()
    }
    fn f(&self, x: T) -> T {
        x.ln()
    }
    fn df(&self, x: T, _y: T) -> T {
        x.recip()
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.div(x)
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("log", "log(x)", "T(1) / x")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise natural logarithm.
    pub fn log(&self) -> Tensor<T> {
        self.map_unary(Log)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn log_and_its_gradient() {
        let e = 1f64.exp();
        let (y, dx) = value_and_grad(&[2], &[1.0, e], |x| x.log());
        assert_close(&y, &[0.0, 1.0]);
        assert_close(&dx, &[1.0, 1.0 / e]);
    }
}
