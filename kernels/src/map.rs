//! Elementwise maps: unary `out[i] = f(x[i])` and broadcasting binary
//! `out[idx] = f(a[idx mod shape_a], b[idx mod shape_b])` (numpy broadcasting rules).

use crate::element::Element;
use crate::parallel::for_each_chunk_mut;

/// `out[i] = f(x[i])`, in parallel over fixed chunks when large.
pub fn unary<T: Element>(x: &[T], out: &mut [T], f: impl Fn(T) -> T + Sync) {
    assert_eq!(x.len(), out.len(), "map::unary: input has {} elements, output {}", x.len(), out.len());
    for_each_chunk_mut(out, |off, o| {
        let x = &x[off..off + o.len()];
        for (oi, &xi) in o.iter_mut().zip(x) {
            *oi = f(xi);
        }
    });
}

/// `out[i] = f(a[i], b[i])` for equal-length buffers, in parallel when large.
pub fn zip<T: Element>(a: &[T], b: &[T], out: &mut [T], f: impl Fn(T, T) -> T + Sync) {
    assert!(a.len() == out.len() && b.len() == out.len(), "map::zip: lengths {} and {} into {}", a.len(), b.len(), out.len());
    for_each_chunk_mut(out, |off, o| {
        let n = o.len();
        let (a, b) = (&a[off..off + n], &b[off..off + n]);
        for ((oi, &ai), &bi) in o.iter_mut().zip(a).zip(b) {
            *oi = f(ai, bi);
        }
    });
}

/// The shape two shapes broadcast to, or `None` if they are incompatible.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| if i + s.len() < rank { 1 } else { s[i + s.len() - rank] };
    (0..rank)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// Row-major strides of `shape` seen through `out_shape`: 0 on broadcast axes.
pub fn broadcast_strides(shape: &[usize], out_shape: &[usize]) -> Vec<usize> {
    let lead = out_shape.len() - shape.len();
    let mut strides = vec![0; out_shape.len()];
    let mut s = 1;
    for i in (0..shape.len()).rev() {
        strides[lead + i] = if shape[i] == 1 { 0 } else { s };
        s *= shape[i];
    }
    strides
}

/// Broadcasting binary map over contiguous row-major buffers.
pub fn binary_broadcast<T: Element>(
    a: &[T], a_shape: &[usize], b: &[T], b_shape: &[usize], out: &mut [T], f: impl Fn(T, T) -> T + Sync,
) -> Vec<usize> {
    let shape = broadcast_shape(a_shape, b_shape)
        .unwrap_or_else(|| panic!("binary map: shapes {a_shape:?} and {b_shape:?} do not broadcast"));
    if a_shape == b_shape {
        zip(a, b, out, f);
        return shape;
    }
    let (sa, sb) = (broadcast_strides(a_shape, &shape), broadcast_strides(b_shape, &shape));
    assert_eq!(out.len(), shape.iter().product::<usize>(), "binary map: output buffer does not match {shape:?}");
    for_each_chunk_mut(out, |off, o| {
        for (j, oi) in o.iter_mut().enumerate() {
            // Decompose the flat index into per-axis offsets.
            let (mut rem, mut ia, mut ib) = (off + j, 0, 0);
            for ax in (0..shape.len()).rev() {
                let d = rem % shape[ax];
                rem /= shape[ax];
                ia += d * sa[ax];
                ib += d * sb[ax];
            }
            *oi = f(a[ia], b[ib]);
        }
    });
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_shapes_follow_numpy() {
        assert_eq!(broadcast_shape(&[3, 1, 5], &[4, 1]), Some(vec![3, 4, 5]));
        assert_eq!(broadcast_shape(&[], &[2]), Some(vec![2]));
        assert_eq!(broadcast_shape(&[3], &[4]), None);
    }

    #[test]
    fn binary_broadcast_adds_row_to_matrix() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [10.0, 20.0, 30.0];
        let mut out = [0.0f64; 6];
        binary_broadcast(&a, &[2, 3], &b, &[3], &mut out, |x, y| x + y);
        assert_eq!(out, [11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
        let c = [100.0, 200.0];
        binary_broadcast(&a, &[2, 3], &c, &[2, 1], &mut out, |x, y| x * y);
        assert_eq!(out, [100.0, 200.0, 300.0, 800.0, 1000.0, 1200.0]);
    }
}
