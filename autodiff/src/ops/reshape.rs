//! `reshape`: the same elements (row-major order) under a new shape with the same
//! number of elements; VJP `dx = reshape(g, shape(x))`.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, contiguous};
use crate::tensor::Tensor;
use ndarray::ArrayD;

/// Reshape to a fixed shape.
pub struct Reshape {
    pub shape: Vec<usize>,
}

impl<T: Float> Primitive<T> for Reshape {
    fn name(&self) -> String {
        format!("reshape(to {:?})", self.shape)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        assert_eq!(
            x.len(),
            self.shape.iter().product::<usize>(),
            "reshape: cannot reshape {:?} ({} elements) to {:?}",
            x.shape(), x.len(), self.shape
        );
        array(&self.shape, contiguous(x).into_owned())
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || array(v.inputs[0].shape(), contiguous(v.grad).into_owned()))]
    }
}

impl<T: Float> Tensor<T> {
    /// The same elements under `shape` (row-major order).
    pub fn reshape(&self, shape: &[usize]) -> Tensor<T> {
        Tensor::apply(Reshape { shape: shape.to_vec() }, &[self])
    }
}
