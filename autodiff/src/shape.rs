//! Shape helpers shared by primitives: contiguous buffers, broadcasting and its
//! adjoint (summing a gradient back down to an input's shape).

use crate::float::Float;
use ndarray::{ArrayD, Axis, IxDyn};
use std::borrow::Cow;

/// The elements of `a` as a row-major slice, copying only if `a` is not already
/// in standard layout.
pub fn contiguous<T: Float>(a: &ArrayD<T>) -> Cow<'_, [T]> {
    match a.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(a.iter().copied().collect()),
    }
}

/// Builds an array from a shape and row-major data.
pub fn array<T: Float>(shape: &[usize], data: Vec<T>) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("array: data length matches shape")
}

/// The adjoint of broadcasting: sums `g` over the axes along which an array of
/// `shape` was broadcast to `g`'s shape (leading axes, and axes of size 1).
pub fn sum_to_shape<T: Float>(g: &ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
    if g.shape() == shape {
        return g.clone();
    }
    let lead = g.ndim() - shape.len();
    let mut out = g.clone();
    for _ in 0..lead {
        out = out.sum_axis(Axis(0));
    }
    for (ax, &d) in shape.iter().enumerate() {
        if d == 1 && out.shape()[ax] != 1 {
            out = out.sum_axis(Axis(ax)).insert_axis(Axis(ax));
        }
    }
    out
}

/// Normalises a possibly negative axis against `ndim`, panicking with `op`'s name.
pub fn axis_index(op: &str, axis: isize, ndim: usize) -> usize {
    let a = if axis < 0 { axis + ndim as isize } else { axis };
    assert!(a >= 0 && (a as usize) < ndim, "{op}: axis {axis} out of range for a tensor with {ndim} axes");
    a as usize
}
