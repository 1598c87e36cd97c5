//! `neg`: `y = -x`; VJP `dx = -g`.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// Negation.
pub struct Neg;

impl<T: Float> UnaryFn<T> for Neg {
    fn name(&self) -> String {
        "neg".into()
    }
    fn f(&self, x: T) -> T {
        -x
    }
    fn df(&self, _x: T, _y: T) -> T {
        -T::one()
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, _x: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.neg()
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("neg", "-x", "T(-1)")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `-x`.
    pub fn neg(&self) -> Tensor<T> {
        self.map_unary(Neg)
    }
}

impl<T: Float> std::ops::Neg for &Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        Tensor::neg(self)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn neg_and_its_gradient() {
        let (y, dx) = value_and_grad(&[2], &[1.5, -2.0], |x| -x);
        assert_close(&y, &[-1.5, 2.0]);
        assert_close(&dx, &[-1.0, -1.0]);
    }
}
