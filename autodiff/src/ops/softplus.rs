//! `softplus`: `y = ln(1 + e^x)`, computed as `max(x, 0) + ln(1 + e^-|x|)` so that no
//! `exp` overflows; VJP `dx = g s(x)` with `s` the logistic sigmoid.

use super::sigmoid::logistic;
use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The smooth approximation of `relu`.
pub struct Softplus;

impl<T: Float> UnaryFn<T> for Softplus {
    fn name(&self) -> String {
        "softplus".into()
    }
    fn f(&self, x: T) -> T {
        x.max(T::zero()) + (-x.abs()).exp().ln_1p()
    }
    fn df(&self, x: T, _y: T) -> T {
        logistic(x)
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(&x.sigmoid())
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("softplus", "(x > T(0) ? x : T(0)) + log1p(exp(-fabs(x)))", "logistic(x)")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `ln(1 + e^x)`.
    pub fn softplus(&self) -> Tensor<T> {
        self.map_unary(Softplus)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn softplus_and_its_gradient() {
        // softplus(ln 3) = ln 4, softplus(-ln 3) = ln(4/3); 1000 would overflow e^x.
        let l3 = 3f64.ln();
        let (y, dx) = value_and_grad(&[3], &[l3, -l3, 1000.0], |x| x.softplus());
        assert_close(&y, &[4f64.ln(), (4.0f64 / 3.0).ln(), 1000.0]);
        assert_close(&dx, &[0.75, 0.25, 1.0]);
    }
}
