//! `tanh`: `y = tanh x`; VJP `dx = g (1 - y^2)`.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The hyperbolic tangent.
pub struct Tanh;

impl<T: Float> UnaryFn<T> for Tanh {
    fn name(&self) -> String {
        "tanh".into()
    }
    fn f(&self, x: T) -> T {
        x.tanh()
    }
    fn df(&self, _x: T, y: T) -> T {
        T::one() - y * y
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, _x: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(&y.square().neg().add_scalar(T::one()))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("tanh", "tanh(x)", "T(1) - y * y")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise hyperbolic tangent.
    pub fn tanh(&self) -> Tensor<T> {
        self.map_unary(Tanh)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn tanh_and_its_gradient() {
        // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5.
        let (y, dx) = value_and_grad(&[2], &[0.0, 2f64.ln()], |x| x.tanh());
        assert_close(&y, &[0.0, 0.6]);
        assert_close(&dx, &[1.0, 0.64]);
    }
}
