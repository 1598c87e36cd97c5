//! Axis arithmetic shared by the shape primitives: resolving an axis argument, and
//! copying a range of one axis between row-major buffers (the work of `concat` and
//! `narrow`, forward and backward).
//!
//! A buffer of shape `[..., n, ...]` split at the axis is `[outer, n, inner]`; the
//! copy is `dst[o, at + j, i] = src[o, from.start + j, i]` for every `o`, every
//! `j < from.len()` and every `i`, a contiguous run of `from.len() * inner` elements
//! per `o`.

use std::ops::Range;

/// Resolves `axis` (negative counts from the end) among `slots` positions of a
/// tensor of `shape` (`slots` is `shape.len()`, or one more for an axis to insert).
/// Panics naming `op` and the shape when it is out of range.
pub fn resolve_axis(op: &str, axis: isize, shape: &[usize], slots: usize) -> usize {
    let resolved = if axis < 0 { axis + slots as isize } else { axis };
    assert!(
        (0..slots as isize).contains(&resolved),
        "{op}: axis {axis} out of range for a tensor of shape {shape:?} (valid: {} to {})",
        -(slots as isize),
        slots as isize - 1
    );
    resolved as usize
}

/// A row-major buffer seen as `[outer, len, inner]` around one axis.
#[derive(Clone, Copy, Debug)]
pub struct AxisSplit {
    pub len: usize,
    pub inner: usize,
}

impl AxisSplit {
    /// The split of `shape` at `axis`.
    pub fn of(shape: &[usize], axis: usize) -> AxisSplit {
        AxisSplit { len: shape[axis], inner: shape[axis + 1..].iter().product() }
    }
}

/// Copies `src[o, from, :]` into `dst[o, at..at + from.len(), :]` for every `o`.
pub fn copy_along_axis<T: Copy>(
    src: &[T],
    src_split: AxisSplit,
    from: Range<usize>,
    dst: &mut [T],
    dst_split: AxisSplit,
    at: usize,
) {
    let (inner, run) = (src_split.inner, from.len() * src_split.inner);
    debug_assert_eq!(inner, dst_split.inner, "copy_along_axis: inner sizes differ");
    debug_assert!(
        from.end <= src_split.len && at + from.len() <= dst_split.len,
        "copy_along_axis: range out of bounds"
    );
    if run == 0 {
        return;
    }
    let (src_block, dst_block) = (src_split.len * inner, dst_split.len * inner);
    for (s, d) in src.chunks_exact(src_block).zip(dst.chunks_exact_mut(dst_block)) {
        d[at * inner..at * inner + run].copy_from_slice(&s[from.start * inner..from.start * inner + run]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_the_middle_of_axis_1() {
        // src [2, 3, 2] = 0..12; take axis-1 rows 1..3 into dst [2, 4, 2] at row 1.
        let src: Vec<u32> = (0..12).collect();
        let mut dst = vec![99u32; 16];
        copy_along_axis(&src, AxisSplit::of(&[2, 3, 2], 1), 1..3, &mut dst, AxisSplit::of(&[2, 4, 2], 1), 1);
        assert_eq!(dst, [99, 99, 2, 3, 4, 5, 99, 99, 99, 99, 8, 9, 10, 11, 99, 99]);
    }
}
