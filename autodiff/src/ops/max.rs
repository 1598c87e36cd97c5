//! `max`: `y = max_{i in axis} x_i` (optionally keeping the axis with size 1);
//! VJP: `dx_i = g` at the first index `i` along the axis where `x_i = y`, 0 elsewhere,
//! so ties send the whole gradient to the first maximal element. A lane whose
//! maximum is NaN passes no gradient.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, axis_index, buffer, contiguous, zeroed};
use crate::tensor::Tensor;
use kernels::reduce::split_axis;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Maximum over one axis.
pub struct Max {
    pub axis: usize,
    pub keepdim: bool,
}

impl<T: Float> Primitive<T> for Max {
    fn name(&self) -> String {
        format!("max(axis={})", self.axis)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let mut shape = x.shape().to_vec();
        let (outer, _, inner) = split_axis(&shape, self.axis);
        let mut out = buffer(outer * inner);
        kernels::reduce::max_axis(&contiguous(x), &shape, self.axis, &mut out);
        if self.keepdim {
            shape[self.axis] = 1;
        } else {
            shape.remove(self.axis);
        }
        array(&shape, out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || {
            let shape = v.inputs[0].shape();
            let (outer, len, inner) = split_axis(shape, self.axis);
            let (x, y, g) = (contiguous(v.inputs[0]), contiguous(v.output), contiguous(v.grad));
            let mut dx = zeroed(x.len());
            for o in 0..outer {
                for i in 0..inner {
                    let j = o * inner + i;
                    let at = |k: usize| (o * len + k) * inner + i;
                    if let Some(k) = (0..len).find(|&k| x[at(k)] == y[j]) {
                        dx[at(k)] = g[j];
                    }
                }
            }
            array(shape, dx)
        })]
    }

    /// `g` (axis kept) times the one-hot of each lane's first maximum, a constant.
    fn vjp_graph(&self, inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        let one_hot = crate::second_order::constant_jacobian(self, inputs, output, needs);
        let g = if self.keepdim { grad.clone() } else { grad.unsqueeze(self.axis as isize) };
        one_hot.into_iter().map(|m| m.map(|m| g.mul(&m))).collect()
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        launch::reduce("max", kernels::cuda::ReduceOp::Max, inputs[0], self.axis, self.keepdim)
    }

    /// `g` to the first maximal element of each lane, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| {
            let x = inputs[0];
            let mut dx = DeviceArray::uninit("max", x.device(), x.shape());
            let d = x.device().kernels();
            launch::ok("max", x.device(), d.max_axis_backward(x.buffer(), output.buffer(), grad.buffer(), x.shape(), self.axis, dx.buffer_mut()));
            dx
        })]
    }
}

impl<T: Float> Tensor<T> {
    /// Maximum over `axis` (negative counts from the end); `keepdim` keeps it with size 1.
    pub fn max(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let axis = axis_index("max", axis, &self.shape());
        Tensor::apply(Max { axis, keepdim }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};

    #[test]
    fn max_routes_the_gradient_to_the_first_maximum() {
        // Columns of [[1, 5, 2], [3, 5, 0]]: maxima 3, 5 (a tie: the first row wins), 2.
        let x = [1.0, 5.0, 2.0, 3.0, 5.0, 0.0];
        let (y, dx) = value_and_grad(&[2, 3], &x, |x| x.max(0, false));
        assert_close(&y, &[3.0, 5.0, 2.0]);
        assert_close(&dx, &[0.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
        let (y, dx) = value_and_grad(&[2, 3], &x, |x| x.max(-1, true));
        assert_close(&y, &[5.0, 5.0]);
        assert_close(&dx, &[0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
    }
}
