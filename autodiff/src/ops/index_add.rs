//! `index_add`: scatter-adds entries of one axis into a new axis of length `len`
//! (zeros where no index points): `y[..., i, ...] = sum_{j : idx[j] = i} x[..., j, ...]`,
//! summed in increasing `j`; VJP `dx = index_select(g, idx)`, the gather. It is the VJP
//! of `index_select`, written as a primitive so that that VJP can be differentiated
//! again (and the two are each other's VJP).

use super::axes::resolve_axis;
use super::index_select::IndexSelect;
use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::DeviceArray;

/// Scatter-add along one axis into `len` entries.
pub struct IndexAdd {
    pub select: IndexSelect,
    pub len: usize,
}

impl IndexAdd {
    /// The output shape; panics naming the shape unless the axis holds one entry per
    /// index and every index is below `len`.
    fn output_shape(&self, shape: &[usize]) -> Vec<usize> {
        let (axis, indices) = (self.select.axis, &self.select.indices);
        assert!(
            axis < shape.len() && shape[axis] == indices.len(),
            "index_add: axis {axis} of a tensor of shape {shape:?} must hold one entry per index ({} indices)",
            indices.len()
        );
        if let Some(bad) = indices.iter().find(|&&i| i >= self.len) {
            panic!("index_add: index {bad} out of range for an axis of length {}", self.len);
        }
        let mut out = shape.to_vec();
        out[axis] = self.len;
        out
    }
}

impl<T: Float> Primitive<T> for IndexAdd {
    fn name(&self) -> String {
        format!("index_add(axis={}, {:?}, len={})", self.select.axis, self.select.indices, self.len)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        self.select.scatter_add(inputs[0], &self.output_shape(inputs[0].shape()))
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || Primitive::<T>::forward(&self.select, &[v.grad]))]
    }

    fn vjp_graph(&self, _inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| grad.index_select(self.select.axis as isize, self.select.indices.clone()))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        self.select.scatter_add_cuda(inputs[0], &self.output_shape(inputs[0].shape()))
    }

    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, _inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| Primitive::<T>::forward_cuda(&self.select, &[&grad]))]
    }
}

impl<T: Float> Tensor<T> {
    /// Scatter-adds entry `j` along `axis` (negative counts from the end) into entry
    /// `indices[j]` of a new axis of length `len`; the axis must hold one entry per index.
    pub fn index_add(&self, axis: isize, indices: Vec<usize>, len: usize) -> Tensor<T> {
        let axis = resolve_axis("index_add", axis, &self.shape(), self.ndim());
        Tensor::apply(IndexAdd { select: IndexSelect { axis, indices }, len }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::shape::array;
    use crate::Tensor;

    #[test]
    fn scatter_adds_repeats_and_gathers_the_gradient() {
        // Columns [0, 1, 2] of [[0, 1, 2], [3, 4, 5]] go to entries [2, 0, 2] of 4:
        // [[1, 0, 0 + 2, 0], [4, 0, 3 + 5, 0]].
        let x = Tensor::param(array(&[2, 3], (0..6).map(f64::from).collect()));
        let y = x.index_add(1, vec![2, 0, 2], 4);
        assert_eq!((y.shape(), y.to_vec()), (vec![2, 4], vec![1.0, 0.0, 2.0, 0.0, 4.0, 0.0, 8.0, 0.0]));
        y.backward_with(array(&[2, 4], vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]));
        assert_eq!(x.grad().unwrap().into_raw_vec_and_offset().0, vec![30.0, 10.0, 30.0, 70.0, 50.0, 70.0]);
    }

    #[test]
    #[should_panic(expected = "index_add: index 4 out of range for an axis of length 4")]
    fn rejects_an_index_past_the_end() {
        Tensor::<f64>::zeros(&[2, 2]).index_add(1, vec![0, 4], 4);
    }
}
