//! Helpers for primitives whose VJP works over the output gradient's own buffer
//! (`backward_owned`): the borrowed `backward` in terms of it, on a copy, and the
//! bookkeeping of a one-input VJP.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{copy, recycle, standard};
use ndarray::ArrayD;

/// `op.backward_owned` on a copy of `v.grad`; no copy when no input needs a gradient.
pub fn backward_on_copy<T: Float>(op: &impl Primitive<T>, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
    if !v.needs.iter().any(|&n| n) {
        return vec![None; v.needs.len()];
    }
    op.backward_owned(v.inputs, v.output, copy(v.grad), v.needs)
}

/// The `backward_owned` of a one-input primitive: `[Some(f(g))]` with `g` the
/// gradient in standard layout (its buffer for `f` to overwrite or pass on), or
/// `[None]` with the buffer recycled when the input needs no gradient.
pub fn single_input<T: Float>(grad: ArrayD<T>, needs: &[bool], f: impl FnOnce(ArrayD<T>) -> ArrayD<T>) -> Vec<Option<ArrayD<T>>> {
    if !needs[0] {
        recycle(grad);
        return vec![None];
    }
    vec![Some(f(standard(grad)))]
}

/// `g`'s elements, for a kernel to overwrite in place (`g` is in standard layout).
pub fn elements<T: Float>(g: &mut ArrayD<T>) -> &mut [T] {
    g.as_slice_mut().expect("standard layout is contiguous")
}
