//! `sigmoid`: `y = 1 / (1 + e^-x)`; VJP `dx = g y (1 - y)`.
//! Computed from `e = e^-|x|`, which never overflows: `1 / (1 + e)` for `x >= 0`,
//! `e / (1 + e)` for `x < 0`, both evaluated and one selected, with no branch, so that
//! loops over it vectorise (`Element::fast_exp`).

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The logistic sigmoid of one number, stable for any `x` (also used by `silu` and
/// `softplus`).
#[inline(always)]
pub fn logistic<T: Float>(x: T) -> T {
    let e = (-x.abs()).fast_exp();
    let r = (T::one() + e).recip();
    if x >= T::zero() {
        r
    } else {
        e * r
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
    /// `g df` with tensor operations.
    fn vjp_graph(&self, _x: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(&y.sub(&y.square()))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("sigmoid", "logistic(x)", "y * (T(1) - y)")
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
