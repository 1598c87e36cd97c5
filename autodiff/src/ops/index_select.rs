//! `index_select`: gathers entries of one axis by index (indices may repeat or be
//! left out): `y[..., j, ...] = x[..., idx[j], ...]`; VJP scatter-adds,
//! `dx[..., i, ...] = sum_{j : idx[j] = i} g[..., j, ...]` (zero for unpicked `i`),
//! summed in increasing `j`, so the result is deterministic.

use super::axes::{resolve_axis, AxisSplit};
use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, buffer, contiguous, zeroed};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Gather along one axis.
pub struct IndexSelect {
    pub axis: usize,
    pub indices: Vec<usize>,
}

impl IndexSelect {
    /// Calls `visit(x_start, y_start)` for every run of `inner` elements: the run of
    /// `x` at `(o, idx[j])` and the run of `y` at `(o, j)`.
    fn for_each_run(&self, x_split: AxisSplit, outer: usize, mut visit: impl FnMut(usize, usize)) {
        let (inner, k) = (x_split.inner, self.indices.len());
        for o in 0..outer {
            for (j, &i) in self.indices.iter().enumerate() {
                visit((o * x_split.len + i) * inner, (o * k + j) * inner);
            }
        }
    }
}

impl IndexSelect {
    /// The gathered shape; panics naming the shape if the axis or an index is out of range.
    fn output_shape(&self, shape: &[usize]) -> Vec<usize> {
        assert!(self.axis < shape.len(), "index_select: axis {} out of range for a tensor of shape {shape:?}", self.axis);
        let len = shape[self.axis];
        if let Some(bad) = self.indices.iter().find(|&&i| i >= len) {
            panic!("index_select: index {bad} out of range for axis {} of a tensor of shape {shape:?}", self.axis);
        }
        let mut out = shape.to_vec();
        out[self.axis] = self.indices.len();
        out
    }
}

impl IndexSelect {
    /// The scatter-add into an array of `x_shape`: `dx[..., i, ...] = sum_{j : idx[j] =
    /// i} g[..., j, ...]`, summed in increasing `j` (deterministic).
    pub(super) fn scatter_add<T: Float>(&self, g: &ArrayD<T>, x_shape: &[usize]) -> ArrayD<T> {
        let split = AxisSplit::of(x_shape, self.axis);
        let outer = x_shape[..self.axis].iter().product();
        let (g, inner) = (contiguous(g), split.inner);
        let mut dx = zeroed(x_shape.iter().product());
        self.for_each_run(split, outer, |to, from| {
            for (d, &s) in dx[to..to + inner].iter_mut().zip(&g[from..from + inner]) {
                *d += s;
            }
        });
        array(x_shape, dx)
    }

    /// [`IndexSelect::scatter_add`] on the device, summed in the same order.
    #[cfg(feature = "cuda")]
    pub(super) fn scatter_add_cuda<T: Float>(&self, g: &DeviceArray<T>, x_shape: &[usize]) -> DeviceArray<T> {
        let mut dx = DeviceArray::uninit("index_select", g.device(), x_shape);
        let d = g.device().kernels();
        launch::ok("index_select", g.device(), d.index_select_backward(g.buffer(), x_shape, self.axis, &self.indices, dx.buffer_mut()));
        dx
    }
}

impl<T: Float> Primitive<T> for IndexSelect {
    fn name(&self) -> String {
        format!("index_select(axis={}, {:?})", self.axis, self.indices)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let shape = self.output_shape(x.shape());
        let split = AxisSplit::of(x.shape(), self.axis);
        let outer = x.shape()[..self.axis].iter().product();
        let (xs, inner) = (contiguous(x), split.inner);
        let mut out = buffer(shape.iter().product());
        self.for_each_run(split, outer, |from, to| out[to..to + inner].copy_from_slice(&xs[from..from + inner]));
        array(&shape, out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || self.scatter_add(v.grad, v.inputs[0].shape()))]
    }

    /// `dx = index_add(g)`, the scatter-add as a primitive.
    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| grad.index_add(self.axis as isize, self.indices.clone(), inputs[0].shape()[self.axis]))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let x = inputs[0];
        let mut y = DeviceArray::uninit("index_select", x.device(), &self.output_shape(x.shape()));
        let d = x.device().kernels();
        launch::ok("index_select", x.device(), d.index_select(x.buffer(), x.shape(), self.axis, &self.indices, y.buffer_mut()));
        y
    }

    /// The scatter-add, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| self.scatter_add_cuda(&grad, inputs[0].shape()))]
    }
}

impl<T: Float> Tensor<T> {
    /// Entries `indices` (in that order, repeats allowed) along `axis` (negative
    /// counts from the end).
    pub fn index_select(&self, axis: isize, indices: Vec<usize>) -> Tensor<T> {
        let axis = resolve_axis("index_select", axis, &self.shape(), self.ndim());
        Tensor::apply(IndexSelect { axis, indices }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::shape::array;
    use crate::Tensor;

    #[test]
    fn gathers_columns_and_scatter_adds_repeats() {
        let x = Tensor::param(array(&[2, 3], (0..6).map(f64::from).collect()));
        let y = x.index_select(1, vec![2, 0, 2]);
        assert_eq!((y.shape(), y.to_vec()), (vec![2, 3], vec![2.0, 0.0, 2.0, 5.0, 3.0, 5.0]));
        y.sum_all().backward();
        assert_eq!(x.grad().unwrap().into_raw_vec_and_offset().0, vec![1.0, 0.0, 2.0, 1.0, 0.0, 2.0]);
    }

    #[test]
    #[should_panic(expected = "index_select: index 3 out of range for axis 1 of a tensor of shape [2, 3]")]
    fn rejects_an_index_past_the_end() {
        Tensor::<f64>::zeros(&[2, 3]).index_select(1, vec![0, 3]);
    }
}
