//! `sigmoid`: `y = 1 / (1 + e^-x)`; VJP `dx = g y (1 - y)`.
//! Computed as `e^x / (1 + e^x)` for `x < 0`, so that `e^-x` never overflows.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The logistic sigmoid of one number, stable for any `x` (also used by `silu` and
/// `softplus`).
pub fn logistic<T: Float>(x: T) -> T {
    if x >= T::zero() {
        (T::one() + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// The logistic sigmoid.
pub struct Sigmoid;

impl<T: Float> UnaryFn<T> for Sigmoid {
    fn name(&self) -> String {
        "sigmoid".into()
    }
    fn f(&self, x: T) -> T {
        logistic(x)
    }
    fn df(&self, _x: T, y: T) -> T {
        y * (T::one() - y)
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise logistic sigmoid.
    pub fn sigmoid(&self) -> Tensor<T> {
        self.map_unary(Sigmoid)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn sigmoid_and_its_gradient() {
        // sigmoid(ln 3) = 3/4, sigmoid(-ln 3) = 1/4; huge inputs saturate without NaN.
        let l3 = 3f64.ln();
        let (y, dx) = value_and_grad(&[4], &[0.0, l3, -l3, -1000.0], |x| x.sigmoid());
        assert_close(&y, &[0.5, 0.75, 0.25, 0.0]);
        assert_close(&dx, &[0.25, 0.1875, 0.1875, 0.0]);
    }
}
