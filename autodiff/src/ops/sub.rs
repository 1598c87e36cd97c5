//! `sub`: `y = a - b` (broadcasting); VJP `da = sum_to_shape(g)`, `db = -sum_to_shape(g)`.

use super::binary::BinaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// Elementwise difference.
pub struct Sub;

impl<T: Float> BinaryFn<T> for Sub {
    fn name(&self) -> &'static str {
        "sub"
    }
    fn f(&self, a: T, b: T) -> T {
        a - b
    }
    fn da(&self, _a: T, _b: T, _y: T) -> T {
        T::one()
    }
    fn db(&self, _a: T, _b: T, _y: T) -> T {
        -T::one()
    }
    fn vjp_graph(&self, _a: &Tensor<T>, _b: &Tensor<T>, _y: &Tensor<T>, g: &Tensor<T>, needs: &[bool]) -> [Option<Tensor<T>>; 2] {
        [needs[0].then(|| g.clone()), needs[1].then(|| g.neg())]
    }
    fn constant_partials(&self) -> Option<(T, T)> {
        Some((T::one(), -T::one()))
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::BinaryOp {
        kernels::cuda::BinaryOp::Sub
    }
}

impl<T: Float> Tensor<T> {
    /// `self - other`, broadcasting.
    pub fn sub(&self, other: &Tensor<T>) -> Tensor<T> {
        Tensor::apply(super::binary::Binary(Sub), &[self, other])
    }
}

impl<T: Float> std::ops::Sub for &Tensor<T> {
    type Output = Tensor<T>;
    fn sub(self, rhs: &Tensor<T>) -> Tensor<T> {
        Tensor::sub(self, rhs)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::assert_close;
    use crate::Tensor;

    #[test]
    fn sub_broadcasts_and_sums_the_gradient_back() {
        let a = Tensor::param(Tensor::from_vec(&[2, 2], vec![1.0f64, 2.0, 3.0, 4.0]).to_array());
        let b = Tensor::param(Tensor::from_vec(&[2], vec![0.5f64, -1.0]).to_array());
        let y = &a - &b;
        assert_close(&y.to_vec(), &[0.5, 3.0, 2.5, 5.0]);
        y.sum_all().backward();
        assert_close(&a.grad().unwrap().iter().copied().collect::<Vec<_>>(), &[1.0; 4]);
        assert_close(&b.grad().unwrap().iter().copied().collect::<Vec<_>>(), &[-2.0, -2.0]);
    }

    #[test]
    #[should_panic(expected = "sub: shapes [2] and [3] do not broadcast")]
    fn sub_names_shapes_that_do_not_broadcast() {
        let _ = &Tensor::<f64>::zeros(&[2]) - &Tensor::zeros(&[3]);
    }
}
