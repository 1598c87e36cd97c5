//! `logsumexp`: `y = ln sum_{i in axis} e^(x_i)`, computed as `m + ln sum e^(x_i - m)`
//! with `m` the axis maximum (`kernels::softmax`), optionally keeping the axis with
//! size 1; VJP `dx = g softmax(x) = g e^(x - y)`, `g` and `y` broadcast along the axis.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, axis_index, buffer, contiguous};
use crate::tensor::Tensor;
use kernels::reduce::split_axis;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Log-sum-exp over one axis.
pub struct LogSumExp {
    pub axis: usize,
    pub keepdim: bool,
}

impl<T: Float> Primitive<T> for LogSumExp {
    fn name(&self) -> String {
        format!("logsumexp(axis={})", self.axis)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let mut shape = x.shape().to_vec();
        let (outer, _, inner) = split_axis(&shape, self.axis);
        let mut out = buffer(outer * inner);
        kernels::softmax::logsumexp_axis(&contiguous(x), &shape, self.axis, &mut out);
        if self.keepdim {
            shape[self.axis] = 1;
        } else {
            shape.remove(self.axis);
        }
        array(&shape, out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || {
            let x = v.inputs[0];
            let mut dx = buffer(x.len());
            kernels::softmax::logsumexp_backward_axis(&contiguous(x), x.shape(), self.axis, &contiguous(v.output), &contiguous(v.grad), &mut dx);
            array(x.shape(), dx)
        })]
    }

    /// `g e^(x - y)`, `g` and `y` with the axis kept.
    fn vjp_graph(&self, inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| {
            let kept = |t: &Tensor<T>| if self.keepdim { t.clone() } else { t.unsqueeze(self.axis as isize) };
            inputs[0].sub(&kept(output)).exp().mul(&kept(grad))
        })]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let x = inputs[0];
        let mut y = DeviceArray::uninit("logsumexp", x.device(), &launch::reduced_shape(x.shape(), self.axis, self.keepdim));
        let d = x.device().kernels();
        launch::ok("logsumexp", x.device(), d.logsumexp_axis(x.buffer(), x.shape(), self.axis, y.buffer_mut()));
        y
    }

    /// `dx = g e^(x - y)`, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| {
            let x = inputs[0];
            let mut dx = DeviceArray::uninit("logsumexp", x.device(), x.shape());
            let d = x.device().kernels();
            launch::ok("logsumexp", x.device(), d.logsumexp_axis_backward(x.buffer(), output.buffer(), grad.buffer(), x.shape(), self.axis, dx.buffer_mut()));
            dx
        })]
    }
}

impl<T: Float> Tensor<T> {
    /// `ln sum exp` over `axis` (negative counts from the end); `keepdim` keeps it with size 1.
    pub fn logsumexp(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let axis = axis_index("logsumexp", axis, &self.shape());
        Tensor::apply(LogSumExp { axis, keepdim }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn logsumexp_and_its_gradient() {
        // Columns of [[0, 1000], [ln 3, 1000]]: ln 4 and 1000 + ln 2 (no overflow).
        let l3 = 3f64.ln();
        let (y, dx) = value_and_grad(&[2, 2], &[0.0, 1000.0, l3, 1000.0], |x| x.logsumexp(0, false));
        assert_close(&y, &[4f64.ln(), 1000.0 + 2f64.ln()]);
        assert_close(&dx, &[0.25, 0.5, 0.75, 0.5]);
        let (y, _) = value_and_grad(&[2, 2], &[0.0, 1000.0, l3, 1000.0], |x| x.logsumexp(1, true));
        assert_close(&y, &[1000.0, 1000.0]);
    }
}
