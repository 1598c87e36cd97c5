//! `log_softmax`: `y_i = x_i - logsumexp_j(x_j)` over one axis, computed with the axis
//! maximum subtracted (`kernels::softmax`, strided lanes for a non-last axis);
//! VJP `dx = g - softmax(x) sum_j g_j`, with `softmax(x) = e^y`.

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

/// Log-softmax over one axis.
pub struct LogSoftmax {
    pub axis: usize,
}

impl<T: Float> Primitive<T> for LogSoftmax {
    fn name(&self) -> String {
        format!("log_softmax(axis={})", self.axis)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let mut out = buffer(x.len());
        kernels::softmax::log_softmax_axis(&contiguous(x), x.shape(), self.axis, &mut out);
        array(x.shape(), out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        super::owned::backward_on_copy(self, v)
    }

    /// `dx = g - e^y sum_axis(g)`, over `g`'s buffer.
    fn backward_owned(&self, inputs: &[&ArrayD<T>], output: &ArrayD<T>, grad: ArrayD<T>, needs: &[bool]) -> Vec<Option<ArrayD<T>>> {
        single_input(grad, needs, |mut g| {
            kernels::softmax::log_softmax_backward_axis(&contiguous(output), inputs[0].shape(), self.axis, elements(&mut g));
            g
        })
    }

    /// `g - e^y sum(g)`.
    fn vjp_graph(&self, _inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| grad.sub(&output.exp().mul(&grad.sum(self.axis as isize, true))))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let x = inputs[0];
        let mut y = DeviceArray::uninit("log_softmax", x.device(), x.shape());
        let d = x.device().kernels();
        launch::ok("log_softmax", x.device(), d.softmax_axis(SoftmaxKind::LogSoftmax, x.buffer(), x.shape(), self.axis, y.buffer_mut()));
        y
    }

    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| {
            let x = inputs[0];
            let mut dx = DeviceArray::uninit("log_softmax", x.device(), x.shape());
            let d = x.device().kernels();
            launch::ok("log_softmax", x.device(), d.softmax_axis_backward(SoftmaxKind::LogSoftmax, output.buffer(), grad.buffer(), x.shape(), self.axis, dx.buffer_mut()));
            dx
        })]
    }
}

impl<T: Float> Tensor<T> {
    /// Log-softmax over `axis` (negative counts from the end).
    pub fn log_softmax(&self, axis: isize) -> Tensor<T> {
        let axis = axis_index("log_softmax", axis, &self.shape());
        Tensor::apply(LogSoftmax { axis }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn log_softmax_and_its_gradient() {
        // Logits (0, ln 3): softmax (1/4, 3/4); the gradient of the sum is 1 - 2 softmax.
        let l3 = 3f64.ln();
        let (y, dx) = value_and_grad(&[2], &[0.0, l3], |x| x.log_softmax(0));
        assert_close(&y, &[-4f64.ln(), (0.75f64).ln()]);
        assert_close(&dx, &[0.5, -0.5]);
    }
}
