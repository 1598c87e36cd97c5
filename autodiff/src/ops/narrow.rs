//! `narrow`: the slice `start .. start + len` of one axis:
//! `y[..., i, ...] = x[..., start + i, ...]` for `i < len`; VJP: `dx` is `g` placed
//! at `start` along the axis and zero elsewhere.

use super::axes::{copy_along_axis, resolve_axis, AxisSplit};
use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, buffer, contiguous, zeroed};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// A contiguous range of one axis.
pub struct Narrow {
    pub axis: usize,
    pub start: usize,
    pub len: usize,
}

impl Narrow {
    /// The shape of the window of `shape`; panics naming both if it does not fit.
    fn output_shape(&self, shape: &[usize]) -> Vec<usize> {
        assert!(
            self.axis < shape.len() && self.start + self.len <= shape[self.axis],
            "narrow: range {}..{} out of bounds for axis {} of a tensor of shape {:?}",
            self.start,
            self.start + self.len,
            self.axis,
            shape
        );
        let mut out = shape.to_vec();
        out[self.axis] = self.len;
        out
    }
}

impl<T: Float> Primitive<T> for Narrow {
    fn name(&self) -> String {
        format!("narrow(axis={}, {}..{})", self.axis, self.start, self.start + self.len)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let shape = self.output_shape(x.shape());
        let mut out = buffer(shape.iter().product());
        let range = self.start..self.start + self.len;
        copy_along_axis(
            &contiguous(x),
            AxisSplit::of(x.shape(), self.axis),
            range,
            &mut out,
            AxisSplit::of(&shape, self.axis),
            0,
        );
        array(&shape, out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || {
            let x = v.inputs[0];
            let mut dx = zeroed(x.len());
            let g_split = AxisSplit::of(v.grad.shape(), self.axis);
            copy_along_axis(
                &contiguous(v.grad),
                g_split,
                0..self.len,
                &mut dx,
                AxisSplit::of(x.shape(), self.axis),
                self.start,
            );
            array(x.shape(), dx)
        })]
    }

    /// `g` between constant zeros along the axis.
    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| {
            let shape = inputs[0].shape();
            let zeros = |len: usize| {
                let mut s = shape.clone();
                s[self.axis] = len;
                crate::second_order::full_like(grad, &s, T::zero())
            };
            let after = shape[self.axis] - self.start - self.len;
            let parts: Vec<Tensor<T>> = [(self.start > 0).then(|| zeros(self.start)), Some(grad.clone()), (after > 0).then(|| zeros(after))]
                .into_iter()
                .flatten()
                .collect();
            Tensor::concat(&parts.iter().collect::<Vec<_>>(), self.axis as isize)
        })]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let x = inputs[0];
        let mut out = DeviceArray::uninit("narrow", x.device(), &self.output_shape(x.shape()));
        launch::copy_along_axis("narrow", x, self.axis, self.start..self.start + self.len, &mut out, 0);
        out
    }

    /// `g` placed at `start` in zeros, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| {
            let mut dx = DeviceArray::zeros("narrow", grad.device(), inputs[0].shape());
            launch::copy_along_axis("narrow", &grad, self.axis, 0..self.len, &mut dx, self.start);
            dx
        })]
    }
}

impl<T: Float> Tensor<T> {
    /// Elements `start .. start + len` along `axis` (negative counts from the end).
    pub fn narrow(&self, axis: isize, start: usize, len: usize) -> Tensor<T> {
        let axis = resolve_axis("narrow", axis, &self.shape(), self.ndim());
        Tensor::apply(Narrow { axis, start, len }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::shape::array;
    use crate::Tensor;

    #[test]
    fn takes_the_middle_rows_and_pads_the_gradient() {
        let x = Tensor::param(array(&[4, 2], (0..8).map(f64::from).collect()));
        let y = x.narrow(0, 1, 2);
        assert_eq!((y.shape(), y.to_vec()), (vec![2, 2], vec![2.0, 3.0, 4.0, 5.0]));
        y.sum_all().backward();
        assert_eq!(x.grad().unwrap().into_raw_vec_and_offset().0, vec![0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    #[should_panic(expected = "narrow: range 2..5 out of bounds for axis 1 of a tensor of shape [2, 4]")]
    fn rejects_a_range_past_the_end() {
        Tensor::<f64>::zeros(&[2, 4]).narrow(1, 2, 3);
    }
}
