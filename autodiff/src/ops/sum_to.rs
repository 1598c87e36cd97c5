//! `sum_to`: sums `x` over the axes along which an array of `shape` broadcasts to
//! `x`'s shape (leading axes, and axes where `shape` has size 1), the adjoint of
//! broadcasting: `y = sum_to(x, shape)` with `y[j] = sum_{i broadcast from j} x[i]`;
//! VJP `dx = broadcast_to(g, x.shape)`. It is the VJP of `broadcast_to` and of the
//! broadcasting binary ops, written as a primitive so that those VJPs can be
//! differentiated again.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{broadcast, sum_to_shape};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Summing to a shape that broadcasts to the input's.
pub struct SumTo {
    pub shape: Vec<usize>,
}

impl<T: Float> Primitive<T> for SumTo {
    fn name(&self) -> String {
        format!("sum_to({:?})", self.shape)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        sum_to_shape(inputs[0], &self.shape)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || broadcast(v.grad, v.inputs[0].shape()))]
    }

    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| grad.broadcast_to(&inputs[0].shape()))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        launch::sum_to_shape("sum_to", inputs[0].copy("sum_to"), &self.shape)
    }

    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| launch::broadcast("sum_to", &grad, inputs[0].shape()))]
    }
}

impl<T: Float> Tensor<T> {
    /// Sums over the axes along which `shape` broadcasts to this tensor's shape, giving
    /// a tensor of `shape` (the tensor itself when the shapes are equal). Panics naming
    /// both shapes when `shape` does not broadcast to this one.
    pub fn sum_to(&self, shape: &[usize]) -> Tensor<T> {
        let own = self.shape();
        if own == shape {
            return self.clone();
        }
        assert!(
            kernels::map::broadcast_shape(shape, &own).is_some_and(|s| s == own),
            "sum_to: shape {shape:?} does not broadcast to the tensor's shape {own:?}"
        );
        Tensor::apply(SumTo { shape: shape.to_vec() }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::shape::array;
    use crate::Tensor;

    #[test]
    fn sums_the_broadcast_axes_and_broadcasts_the_gradient_back() {
        // [[1, 2, 3], [4, 5, 6]] summed to [1, 3] is [[5, 7, 9]]; to [2, 1] is [[6], [15]].
        let x = Tensor::param(array(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        assert_eq!(x.sum_to(&[1, 3]).to_vec(), vec![5.0, 7.0, 9.0]);
        let y = x.sum_to(&[2, 1]);
        assert_eq!((y.shape(), y.to_vec()), (vec![2, 1], vec![6.0, 15.0]));
        assert_eq!(x.sum_to(&[3]).to_vec(), vec![5.0, 7.0, 9.0]);
        y.backward_with(array(&[2, 1], vec![10.0, 20.0]));
        assert_eq!(x.grad().unwrap().into_raw_vec_and_offset().0, vec![10.0, 10.0, 10.0, 20.0, 20.0, 20.0]);
    }

    #[test]
    #[should_panic(expected = "sum_to: shape [2] does not broadcast to the tensor's shape [2, 3]")]
    fn rejects_a_shape_that_does_not_broadcast() {
        Tensor::<f64>::zeros(&[2, 3]).sum_to(&[2]);
    }
}
