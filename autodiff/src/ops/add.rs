//! `add`: `y = a + b` (broadcasting); VJP `da = sum_to_shape(g)`, `db = sum_to_shape(g)`.

use super::binary::BinaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// Elementwise sum.
pub struct Add;

impl<T: Float> BinaryFn<T> for Add {
    fn name(&self) -> &'static str {
        "add"
    }
    fn f(&self, a: T, b: T) -> T {
        a + b
    }
    fn da(&self, _a: T, _b: T, _y: T) -> T {
        T::one()
    }
    fn db(&self, _a: T, _b: T, _y: T) -> T {
        T::one()
    }
    fn vjp_graph(&self, _a: &Tensor<T>, _b: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>, needs: &[bool]) -> [Option<Tensor<T>>; 2] {
        [needs[0].then(|| g.clone()), needs[1].then(|| g.clone())]
    }
    fn constant_partials(&self) -> Option<(T, T)> {
        Some((T::one(), T::one()))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::BinaryOp {
        kernels::cuda::BinaryOp::Add
    }
}

impl<T: Float> Tensor<T> {
    /// `self + other`, broadcasting.
    pub fn add(&self, other: &Tensor<T>) -> Tensor<T> {
        Tensor::apply(super::binary::Binary(Add), &[self, other])
    }
}

impl<T: Float> std::ops::Add for &Tensor<T> {
    type Output = Tensor<T>;
    fn add(self, rhs: &Tensor<T>) -> Tensor<T> {
        Tensor::add(self, rhs)
    }
}
