//! `concat`: joins `x_1, ..., x_k`, equal in shape except along `axis`, end to end
//! along it: `y[..., o_j + i, ...] = x_j[..., i, ...]` with `o_j = sum_{l<j} n_l` the
//! offset of input `j` (`n_l` its length along `axis`); VJP: `dx_j` is the slice
//! `g[..., o_j .. o_j + n_j, ...]`.

use super::axes::{copy_along_axis, resolve_axis, AxisSplit};
use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, buffer, contiguous};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Concatenation along one axis, of any number of inputs.
pub struct Concat {
    pub axis: usize,
}

impl Concat {
    /// The joined shape; panics naming the shapes unless they agree off `axis`.
    fn output_shape(&self, shapes: &[&[usize]]) -> Vec<usize> {
        let agree = |s: &[usize]| {
            s.len() == shapes[0].len()
                && s.iter().zip(shapes[0]).enumerate().all(|(ax, (a, b))| ax == self.axis || a == b)
        };
        assert!(
            !shapes.is_empty() && self.axis < shapes[0].len() && shapes.iter().all(|s| agree(s)),
            "concat: shapes {shapes:?} do not agree on every axis but axis {}",
            self.axis
        );
        let mut shape = shapes[0].to_vec();
        shape[self.axis] = shapes.iter().map(|s| s[self.axis]).sum();
        shape
    }
}

impl<T: Float> Primitive<T> for Concat {
    fn name(&self) -> String {
        format!("concat(axis={})", self.axis)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let shape = self.output_shape(&inputs.iter().map(|x| x.shape()).collect::<Vec<_>>());
        let mut out = buffer(shape.iter().product());
        let out_split = AxisSplit::of(&shape, self.axis);
        let mut at = 0;
        for x in inputs {
            let split = AxisSplit::of(x.shape(), self.axis);
            copy_along_axis(&contiguous(x), split, 0..split.len, &mut out, out_split, at);
            at += split.len;
        }
        array(&shape, out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        let g = contiguous(v.grad);
        let g_split = AxisSplit::of(v.grad.shape(), self.axis);
        let mut offset = 0;
        v.inputs
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let split = AxisSplit::of(x.shape(), self.axis);
                let from = offset..offset + split.len;
                offset += split.len;
                v.when(i, || {
                    let mut dx = buffer(x.len());
                    copy_along_axis(&g, g_split, from, &mut dx, split, 0);
                    array(x.shape(), dx)
                })
            })
            .collect()
    }

    /// Each needed `dx_j` is the window `narrow(g, axis, o_j, n_j)`.
    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        let mut offset = 0;
        inputs
            .iter()
            .zip(needs)
            .map(|(x, &need)| {
                let (start, len) = (offset, x.shape()[self.axis]);
                offset += len;
                need.then(|| grad.narrow(self.axis as isize, start, len))
            })
            .collect()
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let shape = self.output_shape(&inputs.iter().map(|x| x.shape()).collect::<Vec<_>>());
        let mut out = DeviceArray::uninit("concat", inputs[0].device(), &shape);
        let mut at = 0;
        for x in inputs {
            let len = x.shape()[self.axis];
            launch::copy_along_axis("concat", x, self.axis, 0..len, &mut out, at);
            at += len;
        }
        out
    }

    /// Each needed `dx_j` is its window of `g`, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        let mut offset = 0;
        inputs
            .iter()
            .zip(needs)
            .map(|(x, &need)| {
                let from = offset..offset + x.shape()[self.axis];
                offset = from.end;
                need.then(|| {
                    let mut dx = DeviceArray::uninit("concat", x.device(), x.shape());
                    launch::copy_along_axis("concat", &grad, self.axis, from, &mut dx, 0);
                    dx
                })
            })
            .collect()
    }
}

impl<T: Float> Tensor<T> {
    /// Joins `tensors` along `axis` (negative counts from the end); they must agree
    /// in shape on every other axis.
    pub fn concat(tensors: &[&Tensor<T>], axis: isize) -> Tensor<T> {
        assert!(!tensors.is_empty(), "concat: needs at least one tensor");
        let axis = resolve_axis("concat", axis, &tensors[0].shape(), tensors[0].ndim());
        Tensor::apply(Concat { axis }, tensors)
    }
}

#[cfg(test)]
mod tests {
    use crate::shape::array;
    use crate::Tensor;

    #[test]
    fn joins_columns_and_splits_the_gradient() {
        let a = Tensor::param(array(&[2, 1], vec![1.0, 2.0]));
        let b = Tensor::param(array(&[2, 2], vec![3.0, 4.0, 5.0, 6.0]));
        let y = Tensor::concat(&[&a, &b], -1);
        assert_eq!((y.shape(), y.to_vec()), (vec![2, 3], vec![1.0, 3.0, 4.0, 2.0, 5.0, 6.0]));
        y.backward_with(array(&[2, 3], vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0]));
        assert_eq!(a.grad().unwrap().into_raw_vec_and_offset().0, vec![10.0, 40.0]);
        assert_eq!(b.grad().unwrap().into_raw_vec_and_offset().0, vec![20.0, 30.0, 50.0, 60.0]);
    }

    #[test]
    #[should_panic(expected = "concat: shapes [[2, 1], [3, 2]] do not agree on every axis but axis 1")]
    fn rejects_mismatched_shapes() {
        Tensor::<f64>::concat(&[&Tensor::zeros(&[2, 1]), &Tensor::zeros(&[3, 2])], 1);
    }
}
