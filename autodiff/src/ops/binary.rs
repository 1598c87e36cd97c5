//! The shared shape of elementwise binary primitives with broadcasting.
//!
//! A binary primitive states `f(a, b)` and its partial derivatives once. Inputs
//! broadcast by numpy's rules to the output shape; the VJP is
//! `da = sum_to_shape(g * df/da)`, `db = sum_to_shape(g * df/db)`, where the sum
//! runs over the axes along which each input was broadcast.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, contiguous, sum_to_shape};
use ndarray::{ArrayD, IxDyn, Zip};

/// An elementwise binary function and its partial derivatives.
pub trait BinaryFn<T: Float>: 'static {
    /// Name used in messages.
    fn name(&self) -> &'static str;
    /// `y = f(a, b)`.
    fn f(&self, a: T, b: T) -> T;
    /// `dy/da` at `(a, b)` with `y = f(a, b)`.
    fn da(&self, a: T, b: T, y: T) -> T;
    /// `dy/db` at `(a, b)` with `y = f(a, b)`.
    fn db(&self, a: T, b: T, y: T) -> T;
}

/// The primitive made from a [`BinaryFn`].
pub struct Binary<F>(pub F);

impl<T: Float, F: BinaryFn<T> + Sync> Primitive<T> for Binary<F> {
    fn name(&self) -> String {
        self.0.name().to_string()
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let (a, b) = (inputs[0], inputs[1]);
        let shape = kernels::map::broadcast_shape(a.shape(), b.shape()).unwrap_or_else(|| {
            panic!("{}: shapes {:?} and {:?} do not broadcast", self.0.name(), a.shape(), b.shape())
        });
        let mut out = vec![T::zero(); shape.iter().product()];
        kernels::map::binary_broadcast(&contiguous(a), a.shape(), &contiguous(b), b.shape(), &mut out, |x, y| self.0.f(x, y));
        array(&shape, out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        let shape = IxDyn(v.output.shape());
        let a = v.inputs[0].broadcast(shape.clone()).expect("broadcast checked in forward");
        let b = v.inputs[1].broadcast(shape).expect("broadcast checked in forward");
        let partial = |d: &dyn Fn(T, T, T) -> T| {
            Zip::from(&a).and(&b).and(v.output).and(v.grad).map_collect(|&x, &y, &o, &g| g * d(x, y, o))
        };
        vec![
            v.when(0, || sum_to_shape(&partial(&|x, y, o| self.0.da(x, y, o)), v.inputs[0].shape())),
            v.when(1, || sum_to_shape(&partial(&|x, y, o| self.0.db(x, y, o)), v.inputs[1].shape())),
        ]
    }
}
