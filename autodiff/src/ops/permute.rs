//! `permute`: axis `k` of `y` is axis `p[k]` of `x`: `y.shape[k] = x.shape[p[k]]` and
//! `y[j] = x[i]` with `i[p[k]] = j[k]`; VJP `dx = permute(g, p^{-1})`.
//! `transpose(a, b)` is the permutation swapping two axes. The output is a fresh
//! array in standard layout.

use super::axes::resolve_axis;
use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::tensor::Tensor;
use crate::shape::{array, buffer, contiguous};
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Reorders axes: axis `k` of the output is axis `axes[k]` of the input.
pub struct Permute {
    pub axes: Vec<usize>,
}

impl Permute {
    /// The inverse permutation `p^{-1}` (the VJP's axes).
    fn inverse(&self) -> Vec<usize> {
        let mut inverse = vec![0; self.axes.len()];
        for (k, &a) in self.axes.iter().enumerate() {
            inverse[a] = k;
        }
        inverse
    }
}

fn permuted<T: Float>(x: &ArrayD<T>, axes: &[usize]) -> ArrayD<T> {
    let mut out = buffer(x.len());
    kernels::permute::permute(&contiguous(x), x.shape(), axes, &mut out);
    array(&kernels::permute::permuted_shape(x.shape(), axes), out)
}

impl<T: Float> Primitive<T> for Permute {
    fn name(&self) -> String {
        format!("permute({:?})", self.axes)
    }

    /// Panics (in the kernel) naming the axes and the shape if `axes` is not a permutation.
    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        permuted(inputs[0], &self.axes)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || permuted(v.grad, &self.inverse()))]
    }

    fn vjp_graph(&self, _inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| grad.permute(&self.inverse()))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        launch::permute("permute", inputs[0], &self.axes)
    }

    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, _inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| launch::permute("permute", &grad, &self.inverse()))]
    }
}

impl<T: Float> Tensor<T> {
    /// Reorders the axes: axis `k` of the result is axis `axes[k]` of `self`.
    pub fn permute(&self, axes: &[usize]) -> Tensor<T> {
        Tensor::apply(Permute { axes: axes.to_vec() }, &[self])
    }

    /// Swaps axes `a` and `b` (negative counts from the end).
    pub fn transpose(&self, a: isize, b: isize) -> Tensor<T> {
        let shape = self.shape();
        let mut axes: Vec<usize> = (0..shape.len()).collect();
        axes.swap(resolve_axis("transpose", a, &shape, shape.len()), resolve_axis("transpose", b, &shape, shape.len()));
        self.permute(&axes)
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn transpose_of_a_matrix_and_its_gradient() {
        let x = Tensor::param(crate::shape::array(&[2, 3], (0..6).map(f64::from).collect()));
        let y = x.transpose(0, -1);
        assert_eq!(y.shape(), vec![3, 2]);
        assert_eq!(y.to_vec(), vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
        assert!(y.value().is_standard_layout());
        let seed = crate::shape::array(&[3, 2], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        y.backward_with(seed);
        assert_eq!(x.grad().unwrap().into_raw_vec_and_offset().0, vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    }

    #[test]
    fn permute_moves_axes() {
        let x = Tensor::<f64>::zeros(&[2, 3, 4]);
        assert_eq!(x.permute(&[2, 0, 1]).shape(), vec![4, 2, 3]);
    }

    #[test]
    #[should_panic(
        expected = "permute: axes [0, 0, 1] are not a permutation of the 3 axes of a tensor of shape [2, 3, 4]"
    )]
    fn permute_rejects_a_repeated_axis() {
        Tensor::<f64>::zeros(&[2, 3, 4]).permute(&[0, 0, 1]);
    }
}
