//! Shape helpers shared by primitives: contiguous buffers, result buffers reused
//! from earlier results, broadcasting and its adjoint (summing a gradient back down
//! to an input's shape).

use crate::float::Float;
use ndarray::{ArrayD, IxDyn};
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

/// A buffer of `len` elements for a primitive's result, reused from earlier results
/// where possible (`kernels::pool`). Its contents are unspecified: the caller writes
/// every element.
pub fn buffer<T: Float>(len: usize) -> Vec<T> {
    kernels::pool::take(len)
}

/// A reused buffer of `len` zeros (for results written only in part).
pub fn zeroed<T: Float>(len: usize) -> Vec<T> {
    kernels::pool::take_zeroed(len)
}

/// `x` broadcast to `shape` (numpy rules), as a standard-layout array in a reused
/// buffer. Panics naming both shapes when `x` does not broadcast to `shape`.
pub fn broadcast<T: Float>(x: &ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
    let mut out = buffer(shape.iter().product());
    kernels::map::broadcast(&contiguous(x), x.shape(), &mut out, shape);
    array(shape, out)
}

/// Gives an array's memory back for reuse by [`buffer`].
pub fn recycle<T: Float>(a: ArrayD<T>) {
    kernels::pool::give(a.into_raw_vec_and_offset().0);
}

/// `a` itself when it is in standard (row-major contiguous) layout, else a
/// standard-layout copy (and `a`'s buffer is recycled). Owned gradients go through
/// this before a kernel overwrites them in place.
pub fn standard<T: Float>(a: ArrayD<T>) -> ArrayD<T> {
    if a.is_standard_layout() {
        return a;
    }
    let copy = copy(&a);
    recycle(a);
    copy
}

/// A standard-layout copy of `a` in a reused buffer.
pub fn copy<T: Float>(a: &ArrayD<T>) -> ArrayD<T> {
    let mut data = buffer(a.len());
    match a.as_slice() {
        Some(s) => data.copy_from_slice(s),
        None => data.iter_mut().zip(a.iter()).for_each(|(d, &v)| *d = v),
    }
    array(a.shape(), data)
}

/// `acc += g` for two arrays of one shape (gradients of a value used twice), then
/// `g`'s buffer back to the pool. A parallel kernel when both are in standard layout.
pub fn accumulate<T: Float>(acc: &mut ArrayD<T>, g: ArrayD<T>) {
    let same_shape = g.shape() == acc.shape();
    match (g.as_slice(), acc.as_slice_mut()) {
        (Some(x), Some(a)) if same_shape => kernels::map::add_assign(a, x),
        _ => *acc += &g,
    }
    recycle(g);
}

/// The adjoint of broadcasting: sums `g` over the axes along which an array of
/// `shape` was broadcast to `g`'s shape (leading axes, and axes of size 1).
pub fn sum_to_shape<T: Float>(g: &ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
    let mut out = buffer(shape.iter().product());
    kernels::reduce::sum_to_shape(&contiguous(g), g.shape(), &mut out, shape);
    array(shape, out)
}

/// [`sum_to_shape`] of a gradient the caller owns: returned as it is when it already
/// has `shape` (no copy), else summed and its buffer recycled.
pub fn sum_to_shape_owned<T: Float>(g: ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
    if g.shape() == shape {
        return g;
    }
    let out = sum_to_shape(&g, shape);
    recycle(g);
    out
}

/// Normalises a possibly negative axis against `shape`'s rank, panicking with `op`'s
/// name and the shape.
pub fn axis_index(op: &str, axis: isize, shape: &[usize]) -> usize {
    let ndim = shape.len();
    let a = if axis < 0 { axis + ndim as isize } else { axis };
    assert!(a >= 0 && (a as usize) < ndim, "{op}: axis {axis} out of range for a tensor of shape {shape:?}");
    a as usize
}
