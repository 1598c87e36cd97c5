//! `broadcast_to`: `y = x` repeated to `shape` by numpy's rules (leading axes added,
//! size-1 axes stretched): `y[i] = x[i mod x.shape]` over the trailing axes; VJP
//! `dx = sum_to_shape(g, x.shape)`, the sum over every broadcast axis. The output
//! is a fresh array in standard layout.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{broadcast, sum_to_shape};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Broadcast to a fixed shape.
pub struct BroadcastTo {
    pub shape: Vec<usize>,
}

impl<T: Float> Primitive<T> for BroadcastTo {
    fn name(&self) -> String {
        format!("broadcast_to({:?})", self.shape)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        broadcast(inputs[0], &self.shape)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || sum_to_shape(v.grad, v.inputs[0].shape()))]
    }

    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| grad.sum_to(&inputs[0].shape()))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        launch::broadcast("broadcast_to", inputs[0], &self.shape)
    }

    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| launch::sum_to_shape("broadcast_to", grad, inputs[0].shape()))]
    }
}

impl<T: Float> Tensor<T> {
    /// `self` repeated to `shape` by numpy's broadcasting rules.
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor<T> {
        Tensor::apply(BroadcastTo { shape: shape.to_vec() }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::shape::array;
    use crate::Tensor;

    #[test]
    fn a_column_broadcast_to_a_matrix_sums_back() {
        let x = Tensor::param(array(&[2, 1], vec![1.0, 2.0]));
        let y = x.broadcast_to(&[3, 2, 3]);
        assert_eq!(y.shape(), vec![3, 2, 3]);
        assert_eq!(y.to_vec()[..6], [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
        assert!(y.value().is_standard_layout());
        y.sum_all().backward();
        assert_eq!(x.grad().unwrap().into_raw_vec_and_offset().0, vec![9.0, 9.0]);
    }

    #[test]
    #[should_panic(expected = "broadcast_to: cannot broadcast shape [2, 3] to [3, 3]")]
    fn rejects_an_incompatible_shape() {
        Tensor::<f64>::zeros(&[2, 3]).broadcast_to(&[3, 3]);
    }
}
