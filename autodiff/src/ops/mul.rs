//! `mul`: `y = a * b` (broadcasting); VJP `da = sum_to_shape(g * b)`, `db = sum_to_shape(g * a)`.

use super::binary::BinaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// Elementwise product.
pub struct Mul;

impl<T: Float> BinaryFn<T> for Mul {
    fn name(&self) -> &'static str {
        "mul"
    }
    fn f(&self, a: T, b: T) -> T {
        a * b
    }
    fn da(&self, _a: T, b: T, _y: T) -> T {
        b
    }
    fn db(&self, a: T, _b: T, _y: T) -> T {
        a
    }
    fn vjp_graph(&self, a: &Tensor<T>, b: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>, needs: &[bool]) -> [Option<Tensor<T>>; 2] {
        [needs[0].then(|| g.mul(b)), needs[1].then(|| g.mul(a))]
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::BinaryOp {
        kernels::cuda::BinaryOp::Mul
    }
}

impl<T: Float> Tensor<T> {
    /// `self * other` elementwise, broadcasting.
    pub fn mul(&self, other: &Tensor<T>) -> Tensor<T> {
        Tensor::apply(super::binary::Binary(Mul), &[self, other])
    }
}

impl<T: Float> std::ops::Mul for &Tensor<T> {
    type Output = Tensor<T>;
    fn mul(self, rhs: &Tensor<T>) -> Tensor<T> {
        Tensor::mul(self, rhs)
    }
}
