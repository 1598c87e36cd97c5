//! The device work primitives share, each a kernel launch (or a few) returning a new
//! [`DeviceArray`]. `op` names the primitive in panic messages.

pub(crate) use super::array::ok;
use super::array::DeviceArray;
use crate::float::Float;
use kernels::cuda::{BinaryOp, Operand, ReduceOp, StridedCopy, UnaryOp};
use std::ops::Range;

/// `y_i = f(x_i)`.
pub(crate) fn unary<T: Float>(op: &str, f: UnaryOp, x: &DeviceArray<T>) -> DeviceArray<T> {
    let mut y = DeviceArray::uninit(op, x.device(), x.shape());
    ok(op, x.device(), x.device().kernels().unary_forward(f, x.buffer(), y.buffer_mut()));
    y
}

/// `dx_i = g_i f'(x_i)` from the forward's input `x` and output `y`.
pub(crate) fn unary_backward<T: Float>(
    op: &str, f: UnaryOp, x: &DeviceArray<T>, y: &DeviceArray<T>, g: &DeviceArray<T>,
) -> DeviceArray<T> {
    let mut dx = DeviceArray::uninit(op, x.device(), x.shape());
    ok(op, x.device(), x.device().kernels().unary_backward(f, x.buffer(), y.buffer(), g.buffer(), dx.buffer_mut()));
    dx
}

/// `c x`.
pub(crate) fn scale<T: Float>(op: &str, x: &DeviceArray<T>, c: f64) -> DeviceArray<T> {
    unary(op, crate::ops::unary::UnaryFn::<T>::cuda(&crate::ops::mul_scalar::MulScalar(T::c(c))), x)
}

/// `y = f(a, b)`, broadcasting; panics naming `op` and both shapes if they do not
/// broadcast.
pub(crate) fn binary<T: Float>(op: &str, f: BinaryOp, a: &DeviceArray<T>, b: &DeviceArray<T>) -> DeviceArray<T> {
    let shape = kernels::map::broadcast_shape(a.shape(), b.shape())
        .unwrap_or_else(|| panic!("{op}: shapes {:?} and {:?} do not broadcast", a.shape(), b.shape()));
    let mut y = DeviceArray::uninit(op, a.device(), &shape);
    let d = a.device().kernels();
    ok(op, a.device(), d.binary_forward(f, a.buffer(), a.shape(), b.buffer(), b.shape(), y.buffer_mut()));
    y
}

/// `sum_to_shape(g df/d operand)`, with the operand's shape.
pub(crate) fn binary_backward<T: Float>(
    op: &str, f: BinaryOp, operand: Operand, a: &DeviceArray<T>, b: &DeviceArray<T>, g: &DeviceArray<T>,
) -> DeviceArray<T> {
    let shape = if operand == Operand::A { a.shape() } else { b.shape() };
    let mut grad = DeviceArray::uninit(op, a.device(), shape);
    let d = a.device().kernels();
    ok(op, a.device(), d.binary_backward(f, operand, a.buffer(), a.shape(), b.buffer(), b.shape(), g.buffer(), grad.buffer_mut()));
    grad
}

/// `g` summed over the axes along which an array of `shape` was broadcast to `g`'s
/// shape; `g` itself when it already has `shape`.
pub(crate) fn sum_to_shape<T: Float>(op: &str, g: DeviceArray<T>, shape: &[usize]) -> DeviceArray<T> {
    if g.shape() == shape {
        return g;
    }
    let mut out = DeviceArray::uninit(op, g.device(), shape);
    ok(op, g.device(), g.device().kernels().sum_to_shape(g.buffer(), g.shape(), shape, out.buffer_mut()));
    out
}

/// The shape after reducing `axis` of `shape`: kept with size 1, or removed.
pub(crate) fn reduced_shape(shape: &[usize], axis: usize, keepdim: bool) -> Vec<usize> {
    let mut out = shape.to_vec();
    if keepdim {
        out[axis] = 1;
    } else {
        out.remove(axis);
    }
    out
}

/// Sum or max over `axis`.
pub(crate) fn reduce<T: Float>(op: &str, fold: ReduceOp, x: &DeviceArray<T>, axis: usize, keepdim: bool) -> DeviceArray<T> {
    let mut out = DeviceArray::uninit(op, x.device(), &reduced_shape(x.shape(), axis, keepdim));
    ok(op, x.device(), x.device().kernels().reduce_axis(fold, x.buffer(), x.shape(), axis, out.buffer_mut()));
    out
}

/// Copies `src` into `dst` along `walk`.
fn strided_copy<T: Float>(op: &str, src: &DeviceArray<T>, dst: &mut DeviceArray<T>, walk: &StridedCopy) {
    ok(op, src.device(), src.device().kernels().strided_copy(src.buffer(), dst.buffer_mut(), walk));
}

/// `x` repeated to `shape` by numpy's rules; panics naming `op` and both shapes if
/// `x` does not broadcast to `shape`.
pub(crate) fn broadcast<T: Float>(op: &str, x: &DeviceArray<T>, shape: &[usize]) -> DeviceArray<T> {
    let fits = kernels::map::broadcast_shape(x.shape(), shape).is_some_and(|s| s == shape);
    assert!(fits, "{op}: cannot broadcast shape {:?} to {shape:?}", x.shape());
    let own = StridedCopy::contiguous_strides(x.shape());
    let lead = shape.len() - x.shape().len();
    let src_strides = (0..shape.len())
        .map(|ax| if ax < lead || x.shape()[ax - lead] == 1 { 0 } else { own[ax - lead] })
        .collect();
    let walk = StridedCopy {
        dims: shape.to_vec(),
        src_strides,
        src_offset: 0,
        dst_strides: StridedCopy::contiguous_strides(shape),
        dst_offset: 0,
    };
    let mut y = DeviceArray::uninit(op, x.device(), shape);
    strided_copy(op, x, &mut y, &walk);
    y
}

/// Axis `k` of the result is axis `axes[k]` of `x` (`axes` is a permutation).
pub(crate) fn permute<T: Float>(op: &str, x: &DeviceArray<T>, axes: &[usize]) -> DeviceArray<T> {
    let mut seen = vec![false; x.shape().len()];
    let valid = axes.len() == seen.len() && axes.iter().all(|&a| a < seen.len() && !std::mem::replace(&mut seen[a], true));
    assert!(valid, "{op}: axes {axes:?} are not a permutation of the {} axes of a tensor of shape {:?}", seen.len(), x.shape());
    let own = StridedCopy::contiguous_strides(x.shape());
    let shape: Vec<usize> = axes.iter().map(|&a| x.shape()[a]).collect();
    let walk = StridedCopy {
        src_strides: axes.iter().map(|&a| own[a]).collect(),
        src_offset: 0,
        dst_strides: StridedCopy::contiguous_strides(&shape),
        dst_offset: 0,
        dims: shape.clone(),
    };
    let mut y = DeviceArray::uninit(op, x.device(), &shape);
    strided_copy(op, x, &mut y, &walk);
    y
}

/// `dst[o, at + j, i] = src[o, from.start + j, i]` around `axis` (both arrays agree
/// on every other axis), as the CPU `ops::axes::copy_along_axis`.
pub(crate) fn copy_along_axis<T: Float>(
    op: &str, src: &DeviceArray<T>, axis: usize, from: Range<usize>, dst: &mut DeviceArray<T>, at: usize,
) {
    let split = |shape: &[usize]| -> (usize, usize, usize) { kernels::reduce::split_axis(shape, axis) };
    let ((outer, src_len, inner), (_, dst_len, _)) = (split(src.shape()), split(dst.shape()));
    let walk = StridedCopy {
        dims: vec![outer, from.len(), inner],
        src_strides: vec![src_len * inner, inner, 1],
        src_offset: from.start * inner,
        dst_strides: vec![dst_len * inner, inner, 1],
        dst_offset: at * inner,
    };
    strided_copy(op, src, dst, &walk);
}

/// `sum x^2` over every element, read back to the host (one scalar).
pub(crate) fn sum_of_squares<T: Float>(op: &str, x: &DeviceArray<T>) -> f64 {
    let squares = unary(op, crate::ops::unary::UnaryFn::<T>::cuda(&crate::ops::square::Square), x).reshaped(&[x.len()]);
    let total = reduce(op, ReduceOp::Sum, &squares, 0, false);
    ok(op, x.device(), total.download()).iter().map(|v| v.to_f64_lossless()).sum()
}
