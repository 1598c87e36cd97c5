//! `div`: `y = a / b` (broadcasting); VJP `da = sum_to_shape(g / b)`,
//! `db = sum_to_shape(-g a / b^2) = sum_to_shape(-g y / b)`.

use super::binary::BinaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// Elementwise quotient.
pub struct Div;

impl<T: Float> BinaryFn<T> for Div {
    fn name(&self) -> &'static str {
        "div"
    }
    fn f(&self, a: T, b: T) -> T {
        a / b
    }
    fn da(&self, _a: T, b: T, _y: T) -> T {
        b.recip()
    }
    fn db(&self, _a: T, b: T, y: T) -> T {
        -y / b
    }
    fn vjp_graph(&self, _a: &Tensor<T>, b: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>, needs: &[bool]) -> [Option<Tensor<T>>; 2] {
        [needs[0].then(|| g.div(b)), needs[1].then(|| g.mul(y).div(b).neg())]
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::BinaryOp {
        kernels::cuda::BinaryOp::Div
    }
}

impl<T: Float> Tensor<T> {
    /// `self / other` elementwise, broadcasting.
    pub fn div(&self, other: &Tensor<T>) -> Tensor<T> {
        Tensor::apply(super::binary::Binary(Div), &[self, other])
    }
}

impl<T: Float> std::ops::Div for &Tensor<T> {
    type Output = Tensor<T>;
    fn div(self, rhs: &Tensor<T>) -> Tensor<T> {
        Tensor::div(self, rhs)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::assert_close;
    use crate::Tensor;

    #[test]
    fn div_broadcasts_and_sums_the_gradient_back() {
        let a = Tensor::param(Tensor::from_vec(&[2, 2], vec![1.0f64, 2.0, 3.0, 4.0]).to_array());
        let b = Tensor::param(Tensor::from_vec(&[2, 1], vec![2.0f64, -4.0]).to_array());
        let y = &a / &b;
        assert_close(&y.to_vec(), &[0.5, 1.0, -0.75, -1.0]);
        y.sum_all().backward();
        assert_close(&a.grad().unwrap().iter().copied().collect::<Vec<_>>(), &[0.5, 0.5, -0.25, -0.25]);
        // db_r = -sum_c a_rc / b_r^2: row 0: -(1 + 2) / 4, row 1: -(3 + 4) / 16.
        assert_close(&b.grad().unwrap().iter().copied().collect::<Vec<_>>(), &[-0.75, -7.0 / 16.0]);
    }
}
