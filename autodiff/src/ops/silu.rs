//! `silu` (swish): `y = x s(x)` with `s` the logistic sigmoid;
//! VJP `dx = g s(x) (1 + x (1 - s(x)))`.

use super::sigmoid::logistic;
use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The sigmoid-weighted linear unit.
pub struct Silu;

impl<T: Float> UnaryFn<T> for Silu {
    fn name(&self) -> String {
        "silu".into()
    }
    fn f(&self, x: T) -> T {
        x * logistic(x)
    }
    fn df(&self, x: T, _y: T) -> T {
        let s = logistic(x);
        s * (T::one() + x * (T::one() - s))
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        let s = x.sigmoid();
        g.mul(&s.mul(&x.mul(&s.neg().add_scalar(T::one())).add_scalar(T::one())))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("silu", "x * logistic(x)", "logistic(x) * (T(1) + x * (T(1) - logistic(x)))")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `x * sigmoid(x)`.
    pub fn silu(&self) -> Tensor<T> {
        self.map_unary(Silu)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn silu_and_its_gradient() {
        // s(ln 3) = 3/4: y = 0.75 ln 3, dy/dx = 0.75 (1 + ln 3 / 4).
        let l3 = 3f64.ln();
        let (y, dx) = value_and_grad(&[2], &[0.0, l3], |x| x.silu());
        assert_close(&y, &[0.0, 0.75 * l3]);
        assert_close(&dx, &[0.5, 0.75 * (1.0 + l3 / 4.0)]);
    }
}
