//! `softmax`: `y_i = e^(x_i) / sum_j e^(x_j)` over one axis, computed with the axis
//! maximum subtracted (`kernels::softmax`, strided lanes for a non-last axis);
//! VJP `dx = y (g - sum_j g_j y_j)`.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use super::owned::{elements, single_input};
use crate::shape::{array, axis_index, buffer, contiguous};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};
#[cfg(feature = "cuda")]
use kernels::cuda::SoftmaxKind;

/// Softmax over one axis.
pub struct Softmax {
    pub axis: usize,
}

impl<T: Float> Primitive<T> for Softmax {
    fn name(&self) -> String {
        format!("softmax(axis={})", self.axis)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let mut out = buffer(x.len());
        kernels::softmax::softmax_axis(&contiguous(x), x.shape(), self.axis, &mut out);
        array(x.shape(), out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        super::owned::backward_on_copy(self, v)
    }

    /// `dx = y (g - sum_axis(g y))`, over `g`'s buffer.
    fn backward_owned(&self, inputs: &[&ArrayD<T>], output: &ArrayD<T>, grad: ArrayD<T>, needs: &[bool]) -> Vec<Option<ArrayD<T>>> {
        single_input(grad, needs, |mut g| {
            kernels::softmax::softmax_backward_axis(&contiguous(output), inputs[0].shape(), self.axis, elements(&mut g));
            g
        })
    }

    /// `y (g - sum(g y))`.
    fn vjp_graph(&self, _inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| output.mul(&grad.sub(&grad.mul(output).sum(self.axis as isize, true))))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let x = inputs[0];
        let mut y = DeviceArray::uninit("softmax", x.device(), x.shape());
        let d = x.device().kernels();
        launch::ok("softmax", x.device(), d.softmax_axis(SoftmaxKind::Softmax, x.buffer(), x.shape(), self.axis, y.buffer_mut()));
        y
    }

    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| {
            let x = inputs[0];
            let mut dx = DeviceArray::uninit("softmax", x.device(), x.shape());
            let d = x.device().kernels();
            launch::ok("softmax", x.device(), d.softmax_axis_backward(SoftmaxKind::Softmax, output.buffer(), grad.buffer(), x.shape(), self.axis, dx.buffer_mut()));
            dx
        })]
    }
}

impl<T: Float> Tensor<T> {
    /// Softmax over `axis` (negative counts from the end).
    pub fn softmax(&self, axis: isize) -> Tensor<T> {
        let axis = axis_index("softmax", axis, &self.shape());
        Tensor::apply(Softmax { axis }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn softmax_over_each_axis_and_its_gradient() {
        // Columns of [[0, ln 3], [ln 3, 0]] hold logits (0, ln 3) and (ln 3, 0).
        let l3 = 3f64.ln();
        let (y, dx) = value_and_grad(&[2, 2], &[0.0, l3, l3, 0.0], |x| x.softmax(0));
        assert_close(&y, &[0.25, 0.75, 0.75, 0.25]);
        // The outputs sum to 1 along the axis, so the gradient of their sum is 0.
        assert_close(&dx, &[0.0; 4]);
        // Weighting the outputs by (1, 0) along the last axis: dx = y (w - y_0).
        let (_, dx) = value_and_grad(&[1, 2], &[0.0, l3], |x| {
            x.softmax(-1).mul(&crate::Tensor::from_vec(&[2], vec![1.0, 0.0]))
        });
        assert_close(&dx, &[0.25 * 0.75, -0.75 * 0.25]);
    }
}
