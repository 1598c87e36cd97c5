//! `mse`: `y = (1/N) sum_i (p_i - t_i)^2` over all `N` elements of equal-shape
//! prediction `p` and target `t`, a 0-dimensional tensor;
//! VJP `dp = g 2 (p - t) / N`, `dt = -dp`.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, buffer, contiguous};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};
#[cfg(feature = "cuda")]
use kernels::cuda::{BinaryOp, ReduceOp};
#[cfg(feature = "cuda")]
use super::{neg::Neg, square::Square, unary::UnaryFn};

/// Mean squared error.
pub struct Mse;

impl<T: Float> Primitive<T> for Mse {
    fn name(&self) -> String {
        "mse".into()
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let (p, t) = (inputs[0], inputs[1]);
        assert_eq!(p.shape(), t.shape(), "mse: prediction shape {:?} and target shape {:?} differ", p.shape(), t.shape());
        let mut squares = buffer(p.len());
        kernels::map::zip(&contiguous(p), &contiguous(t), &mut squares, |a, b| (a - b) * (a - b));
        let mean = kernels::reduce::sum_all(&squares) / T::c(p.len() as f64);
        kernels::pool::give(squares);
        array(&[], vec![mean])
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        let (p, t) = (v.inputs[0], v.inputs[1]);
        let scale = v.grad.first().copied().expect("mse: 0-d gradient") * T::c(2.0 / p.len() as f64);
        let dp = || {
            let mut d = buffer(p.len());
            kernels::map::zip(&contiguous(p), &contiguous(t), &mut d, |a, b| (a - b) * scale);
            array(p.shape(), d)
        };
        vec![v.when(0, dp), v.when(1, || -dp())]
    }

    /// `dp = 2 g (p - t) / N`, `dt = -dp`.
    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        if !needs.iter().any(|&n| n) {
            return vec![None, None];
        }
        let (p, t) = (&inputs[0], &inputs[1]);
        let dp = p.sub(t).mul(grad).mul_scalar(T::c(2.0 / p.len() as f64));
        vec![needs[0].then(|| dp.clone()), needs[1].then(|| dp.neg())]
    }

    /// `sum((p - t)^2) / N` from device kernels: difference, square, sum, scale.
    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let (p, t) = (inputs[0], inputs[1]);
        assert_eq!(p.shape(), t.shape(), "mse: prediction shape {:?} and target shape {:?} differ", p.shape(), t.shape());
        let squares = launch::unary("mse", UnaryFn::<T>::cuda(&Square), &launch::binary("mse", BinaryOp::Sub, p, t));
        let total = launch::reduce("mse", ReduceOp::Sum, &squares.reshaped(&[p.len()]), 0, false);
        launch::scale("mse", &total, 1.0 / p.len() as f64)
    }

    /// `dp = (p - t) (g 2 / N)`, `dt = -dp`, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        let (p, t) = (inputs[0], inputs[1]);
        let scale = launch::scale("mse", &grad, 2.0 / p.len() as f64);
        let dp = launch::binary("mse", BinaryOp::Mul, &launch::binary("mse", BinaryOp::Sub, p, t), &scale);
        let dt = needs[1].then(|| launch::unary("mse", UnaryFn::<T>::cuda(&Neg), &dp));
        vec![needs[0].then_some(dp), dt]
    }
}

impl<T: Float> Tensor<T> {
    /// Mean squared error of `self` (prediction) against `target` (same shape).
    pub fn mse(&self, target: &Tensor<T>) -> Tensor<T> {
        Tensor::apply(Mse, &[self, target])
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::assert_close;
    use crate::Tensor;

    #[test]
    fn mse_and_its_gradients() {
        let p = Tensor::param(Tensor::from_vec(&[2], vec![1.0f64, 2.0]).to_array());
        let t = Tensor::param(Tensor::from_vec(&[2], vec![0.0f64, 4.0]).to_array());
        let loss = p.mse(&t);
        assert_eq!(loss.shape(), Vec::<usize>::new());
        assert_close(&loss.to_vec(), &[2.5]);
        loss.backward();
        assert_close(&p.grad().unwrap().iter().copied().collect::<Vec<_>>(), &[1.0, -2.0]);
        assert_close(&t.grad().unwrap().iter().copied().collect::<Vec<_>>(), &[-1.0, 2.0]);
    }

    #[test]
    #[should_panic(expected = "mse: prediction shape [2, 3] and target shape [3, 2] differ")]
    fn mse_names_both_shapes() {
        let _ = Tensor::<f64>::zeros(&[2, 3]).mse(&Tensor::zeros(&[3, 2]));
    }
}
