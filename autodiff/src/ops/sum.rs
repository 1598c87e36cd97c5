//! `sum`: `y = sum_{i in axis} x_i` (optionally keeping the axis with size 1);
//! VJP `dx = broadcast(g)` back along the summed axis. `sum_all` sums every element.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, axis_index, buffer, contiguous};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Sum over one axis.
pub struct Sum {
    pub axis: usize,
    pub keepdim: bool,
}

impl<T: Float> Primitive<T> for Sum {
    fn name(&self) -> String {
        format!("sum(axis={})", self.axis)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let mut shape = x.shape().to_vec();
        let (outer, _, inner) = kernels::reduce::split_axis(&shape, self.axis);
        let mut out = buffer(outer * inner);
        kernels::reduce::sum_axis(&contiguous(x), &shape, self.axis, &mut out);
        if self.keepdim {
            shape[self.axis] = 1;
        } else {
            shape.remove(self.axis);
        }
        array(&shape, out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || {
            let mut kept = v.grad.shape().to_vec();
            if !self.keepdim {
                kept.insert(self.axis, 1);
            }
            let shape = v.inputs[0].shape();
            let mut dx = buffer(shape.iter().product());
            kernels::map::broadcast(&contiguous(v.grad), &kept, &mut dx, shape);
            array(shape, dx)
        })]
    }

    /// `g` (axis kept) broadcast back along the axis.
    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| {
            let kept = if self.keepdim { grad.clone() } else { grad.unsqueeze(self.axis as isize) };
            kept.broadcast_to(&inputs[0].shape())
        })]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        launch::reduce("sum", kernels::cuda::ReduceOp::Sum, inputs[0], self.axis, self.keepdim)
    }

    /// `dx = broadcast(g)` along the summed axis, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        let shape = inputs[0].shape();
        vec![needs[0].then(|| launch::broadcast("sum", &grad.reshaped(&launch::reduced_shape(shape, self.axis, true)), shape))]
    }
}

impl<T: Float> Tensor<T> {
    /// Sum over `axis` (negative counts from the end); `keepdim` keeps it with size 1.
    pub fn sum(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let axis = axis_index("sum", axis, &self.shape());
        Tensor::apply(Sum { axis, keepdim }, &[self])
    }

    /// Sum of all elements, as a 0-dimensional tensor.
    pub fn sum_all(&self) -> Tensor<T> {
        let n = self.len();
        self.reshape(&[n]).sum(0, false)
    }
}
