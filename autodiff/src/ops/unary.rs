//! The shared shape of elementwise unary primitives.
//!
//! A unary primitive states its function once: `f(x)` and its derivative `df(x, y)`
//! (given the input `x` and output `y = f(x)`, whichever is cheaper). The forward is
//! `y_i = f(x_i)`, the VJP is `dx_i = g_i * df(x_i, y_i)`.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, contiguous};
use crate::tensor::Tensor;
use ndarray::{ArrayD, Zip};

/// An elementwise function and its derivative.
pub trait UnaryFn<T: Float>: 'static {
    /// Name used in messages.
    fn name(&self) -> String;
    /// `y = f(x)`.
    fn f(&self, x: T) -> T;
    /// `dy/dx` at `x`, where `y = f(x)`.
    fn df(&self, x: T, y: T) -> T;
}

/// The primitive made from a [`UnaryFn`].
pub struct Unary<F>(pub F);

impl<T: Float, F: UnaryFn<T> + Sync> Primitive<T> for Unary<F> {
    fn name(&self) -> String {
        self.0.name()
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = contiguous(inputs[0]);
        let mut out = vec![T::zero(); x.len()];
        kernels::map::unary(&x, &mut out, |v| self.0.f(v));
        array(inputs[0].shape(), out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || {
            Zip::from(v.inputs[0])
                .and(v.output)
                .and(v.grad)
                .map_collect(|&x, &y, &g| g * self.0.df(x, y))
        })]
    }
}

impl<T: Float> Tensor<T> {
    /// Applies an elementwise function given as a [`UnaryFn`].
    pub fn map_unary(&self, f: impl UnaryFn<T> + Sync) -> Tensor<T> {
        Tensor::apply(Unary(f), &[self])
    }
}
