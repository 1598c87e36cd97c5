//! Hessian-vector products and Hessians of a scalar function, by reverse over reverse.

use super::grad;
use crate::float::Float;
use crate::tensor::Tensor;
use ndarray::{Array2, ArrayD, IxDyn};

/// A scalar function at one point: its value, and its gradient `g(x)` with the graph
/// of the backward pass that made it, from which `H v = d/dx (g(x) . v)` takes one
/// more reverse sweep for any `v` (the forward and first backward pass are not
/// repeated, which is what power iteration on the spectrum wants).
pub struct Curvature<T: Float> {
    x: Tensor<T>,
    value: T,
    gradient: Tensor<T>,
}

impl<T: Float> Curvature<T> {
    /// Evaluates `f` at the leaf `x` (made with [`Tensor::param`], on any device; any
    /// shape) and records its gradient's graph. `f` must return one element.
    pub fn at(f: impl FnOnce(&Tensor<T>) -> Tensor<T>, x: Tensor<T>) -> Self {
        assert!(
            x.is_leaf() && x.requires_grad(),
            "Curvature::at: x must be a leaf that requires a gradient; make it with Tensor::param"
        );
        let y = f(&x);
        assert_eq!(y.len(), 1, "Curvature::at: f returned shape {:?}; it must return one element (a scalar loss)", y.shape());
        let gradient = grad(&y, &[&x], None, true).remove(0);
        Curvature { value: y.item(), x, gradient }
    }

    /// `f(x)`.
    pub fn value(&self) -> T {
        self.value
    }

    /// `df/dx`, shaped as `x`.
    pub fn gradient(&self) -> ArrayD<T> {
        self.gradient.to_array()
    }

    /// The number of entries of `x` (the Hessian is `dim x dim`).
    pub fn dim(&self) -> usize {
        self.x.len()
    }

    /// `H v`, shaped as `x`: one reverse sweep from `g(x) . v` through the recorded
    /// gradient. `v` must have `x`'s shape.
    pub fn hvp(&self, v: &ArrayD<T>) -> ArrayD<T> {
        assert_eq!(v.shape(), &self.x.shape()[..], "hvp: direction of shape {:?} for x of shape {:?}", v.shape(), self.x.shape());
        let v = Tensor::constant_on(v.clone(), &self.x.device());
        let along = self.gradient.mul(&v).sum_all();
        grad(&along, &[&self.x], None, false).remove(0).to_array()
    }

    /// The Hessian `H[i][j] = d^2 f / dx_i dx_j` over the flattened `x` (row-major),
    /// column `j` from `H e_j`: `dim` reverse sweeps, so for small `x` only. Returned as
    /// computed, not symmetrised, so that an asymmetry shows a wrong second-order rule.
    pub fn hessian(&self) -> Array2<T> {
        let (n, shape) = (self.dim(), self.x.shape());
        let mut h = Array2::zeros((n, n));
        for j in 0..n {
            let mut e = ArrayD::zeros(IxDyn(&shape));
            e.as_slice_mut().expect("fresh array is contiguous")[j] = T::one();
            for (i, v) in self.hvp(&e).iter().enumerate() {
                h[[i, j]] = *v;
            }
        }
        h
    }
}

/// `H v` for the Hessian `H` of the scalar function `f` at `x` (`v` shaped as `x`).
pub fn hvp<T: Float>(f: impl FnOnce(&Tensor<T>) -> Tensor<T>, x: &ArrayD<T>, v: &ArrayD<T>) -> ArrayD<T> {
    Curvature::at(f, Tensor::param(x.clone())).hvp(v)
}

/// The Hessian of the scalar function `f` at `x`, over the flattened `x` (`n x n` for
/// `n` entries; one reverse sweep per column, so for small `x`).
pub fn hessian<T: Float>(f: impl FnOnce(&Tensor<T>) -> Tensor<T>, x: &ArrayD<T>) -> Array2<T> {
    Curvature::at(f, Tensor::param(x.clone())).hessian()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::array;

    /// `f(x) = x0^2 x1 + x1^3`, whose Hessian is `[[2 x1, 2 x0], [2 x0, 6 x1]]`.
    fn cubic(x: &Tensor<f64>) -> Tensor<f64> {
        let (x0, x1) = (x.narrow(0, 0, 1), x.narrow(0, 1, 1));
        x0.square().mul(&x1).add(&x1.powf(3.0)).sum_all()
    }

    #[test]
    fn hessian_of_a_cubic_by_hand() {
        // At (1, 2): H = [[4, 2], [2, 12]].
        let h = hessian(cubic, &array(&[2], vec![1.0, 2.0]));
        assert_eq!(h.into_raw_vec_and_offset().0, vec![4.0, 2.0, 2.0, 12.0]);
        let hv = hvp(cubic, &array(&[2], vec![1.0, 2.0]), &array(&[2], vec![1.0, -1.0]));
        assert_eq!(hv.into_raw_vec_and_offset().0, vec![2.0, -10.0]);
    }

    #[test]
    fn a_linear_function_has_zero_curvature_and_its_gradient() {
        let c = Curvature::at(|x| x.mul_scalar(3.0).sum_all(), Tensor::param(array(&[3], vec![1.0, 2.0, 3.0])));
        assert_eq!((c.value(), c.gradient().into_raw_vec_and_offset().0), (18.0, vec![3.0; 3]));
        assert_eq!(c.hessian().into_raw_vec_and_offset().0, vec![0.0; 9]);
    }

    #[test]
    #[should_panic(expected = "it must return one element")]
    fn a_vector_function_is_refused() {
        Curvature::at(|x| x.square(), Tensor::param(array(&[2], vec![1.0, 2.0])));
    }
}
