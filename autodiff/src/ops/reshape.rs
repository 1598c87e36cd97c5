//! `reshape`: the same elements (row-major order) under a new shape with the same
//! number of elements; VJP `dx = reshape(g, shape(x))`.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use super::owned::single_input;
use crate::shape::copy;
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::DeviceArray;

/// Reshape to a fixed shape.
pub struct Reshape {
    pub shape: Vec<usize>,
}

impl Reshape {
    /// Panics unless an input of shape `from` holding `len` elements fits the target shape.
    fn check_count(&self, from: &[usize], len: usize) {
        assert_eq!(
            len,
            self.shape.iter().product::<usize>(),
            "reshape: cannot reshape {from:?} ({len} elements) to {:?}",
            self.shape
        );
    }
}

impl<T: Float> Primitive<T> for Reshape {
    fn name(&self) -> String {
        format!("reshape(to {:?})", self.shape)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        self.check_count(x.shape(), x.len());
        copy(x).into_shape_with_order(self.shape.clone()).expect("reshape: element count checked")
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        super::owned::backward_on_copy(self, v)
    }

    /// `dx = g` with the input's shape: `g`'s own buffer, no copy.
    fn backward_owned(&self, inputs: &[&ArrayD<T>], _output: &ArrayD<T>, grad: ArrayD<T>, needs: &[bool]) -> Vec<Option<ArrayD<T>>> {
        single_input(grad, needs, |g| g.into_shape_with_order(inputs[0].shape()).expect("reshape: gradient has the output's shape"))
    }

    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| grad.reshape(&inputs[0].shape()))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let x = inputs[0];
        self.check_count(x.shape(), x.len());
        x.copy("reshape").reshaped(&self.shape)
    }

    /// `dx = g` with the input's shape: `g`'s own buffer, no copy.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| grad.reshaped(inputs[0].shape()))]
    }
}

impl<T: Float> Tensor<T> {
    /// The same elements under `shape` (row-major order).
    pub fn reshape(&self, shape: &[usize]) -> Tensor<T> {
        Tensor::apply(Reshape { shape: shape.to_vec() }, &[self])
    }
}
