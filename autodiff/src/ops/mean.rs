//! `mean`: `y = (1/n) sum_{i in axis} x_i` with `n` the axis length (optionally keeping
//! the axis with size 1); VJP `dx = broadcast(g) / n` back along the axis.
//! `mean_all` averages every element.

use super::sum::Sum;
use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::axis_index;
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Mean over one axis: [`Sum`] scaled by `1/n`, forward and backward.
pub struct Mean(pub Sum);

impl Mean {
    fn count<T: Float>(&self, x: &ArrayD<T>) -> T {
        T::c(x.shape()[self.0.axis] as f64)
    }
}

impl<T: Float> Primitive<T> for Mean {
    fn name(&self) -> String {
        format!("mean(axis={})", self.0.axis)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let n = self.count(inputs[0]);
        self.0.forward(inputs).mapv_into(|s| s / n)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        let n = self.count(v.inputs[0]);
        let scaled = v.grad.mapv(|g| g / n);
        // Sum's VJP reads only the gradient and the input's shape.
        self.0.backward(&Vjp { grad: &scaled, ..*v })
    }

    fn vjp_graph(&self, inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        let n = T::c(inputs[0].shape()[self.0.axis] as f64);
        self.0.vjp_graph(inputs, output, &grad.mul_scalar(n.recip()), needs)
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let n = inputs[0].shape()[self.0.axis] as f64;
        launch::scale("mean", &self.0.forward_cuda(inputs), 1.0 / n)
    }

    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        let n = inputs[0].shape()[self.0.axis] as f64;
        self.0.backward_cuda(inputs, output, launch::scale("mean", &grad, 1.0 / n), needs)
    }
}

impl<T: Float> Tensor<T> {
    /// Mean over `axis` (negative counts from the end); `keepdim` keeps it with size 1.
    pub fn mean(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let axis = axis_index("mean", axis, &self.shape());
        Tensor::apply(Mean(Sum { axis, keepdim }), &[self])
    }

    /// Mean of all elements, as a 0-dimensional tensor.
    pub fn mean_all(&self) -> Tensor<T> {
        let n = self.len();
        self.reshape(&[n]).mean(0, false)
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn mean_over_an_axis_and_its_gradient() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let (y, dx) = value_and_grad(&[2, 3], &x, |x| x.mean(0, false));
        assert_close(&y, &[2.5, 3.5, 4.5]);
        assert_close(&dx, &[0.5; 6]);
        let (y, dx) = value_and_grad(&[2, 3], &x, |x| x.mean(-1, true));
        assert_close(&y, &[2.0, 5.0]);
        assert_close(&dx, &[1.0 / 3.0; 6]);
        let (y, dx) = value_and_grad(&[2, 3], &x, |x| x.mean_all());
        assert_close(&y, &[3.5]);
        assert_close(&dx, &[1.0 / 6.0; 6]);
    }
}
