//! `exp`: `y = e^x`; VJP `dx = g * y`.

use super::unary::UnaryFn;
use crate::float::Float;
use crate::tensor::Tensor;

/// The exponential.
pub struct Exp;

impl<T: Float> UnaryFn<T> for Exp {
    fn name(&self) -> String {
        "exp".into()
    }
    fn f(&self, x: T) -> T {
        x.exp()
    }
    fn df(&self, _x: T, y: T) -> T {
        y
    }
    /// `g df` with tensor operations.
    fn vjp_graph(&self, _x: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T> {
        g.mul(y)
    }
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp {
        kernels::cuda::UnaryOp::new("exp", "exp(x)", "y")
    }
}

impl<T: Float> Tensor<T> {
    /// Elementwise `e^x`.
    pub fn exp(&self) -> Tensor<T> {
        self.map_unary(Exp)
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn exp_and_its_gradient() {
        let x = Tensor::param(ndarray::arr1(&[0.0f64, 1.0]).into_dyn());
        let y = x.exp();
        assert_eq!(y.to_vec(), vec![1.0, 1f64.exp()]);
        y.sum_all().backward();
        assert_eq!(x.grad().unwrap().into_raw_vec_and_offset().0, vec![1.0, 1f64.exp()]);
    }
}
