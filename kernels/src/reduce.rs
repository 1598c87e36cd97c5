//! Reductions over one axis of a contiguous row-major tensor.
//!
//! The tensor is viewed as `[outer, len, inner]` with the reduced axis in the middle;
//! `out[o, i] = fold(x[o, 0, i], ..., x[o, len-1, i])`, always folding in index order.
//! Output elements are independent, so splitting them across threads cannot change a
//! single bit.

use crate::element::Element;
use crate::parallel::for_each_chunk_mut;

/// `(outer, len, inner)` for reducing `axis` of `shape`.
pub fn split_axis(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    assert!(axis < shape.len(), "reduce: axis {axis} out of range for shape {shape:?}");
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    (outer, shape[axis], inner)
}

/// Folds `axis` with `f`, starting from `init`, into `out` (`outer * inner` elements).
pub fn fold_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T], init: T, f: impl Fn(T, T) -> T + Sync) {
    let (outer, len, inner) = split_axis(shape, axis);
    assert_eq!(out.len(), outer * inner, "reduce: output has {} elements, expected {}", out.len(), outer * inner);
    for_each_chunk_mut(out, |off, o| {
        for (j, oj) in o.iter_mut().enumerate() {
            let (oi, ii) = ((off + j) / inner.max(1), (off + j) % inner.max(1));
            let base = oi * len * inner + ii;
            let mut acc = init;
            for k in 0..len {
                acc = f(acc, x[base + k * inner]);
            }
            *oj = acc;
        }
    });
}

/// Sum over `axis`.
pub fn sum_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T]) {
    fold_axis(x, shape, axis, out, T::zero(), |a, b| a + b);
}

/// Maximum over `axis` (NaN-propagating: a NaN anywhere gives NaN).
pub fn max_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T]) {
    fold_axis(x, shape, axis, out, T::neg_infinity(), |a, b| if a.is_nan() || b.is_nan() { T::nan() } else { a.max(b) });
}

/// Sum of all elements, in fixed chunks combined in order.
pub fn sum_all<T: Element>(x: &[T]) -> T {
    crate::parallel::map_chunks(x.len(), |r| x[r].iter().fold(T::zero(), |a, &b| a + b))
        .into_iter()
        .fold(T::zero(), |a, b| a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_maxes_each_axis() {
        let x: Vec<f64> = (0..24).map(|v| v as f64).collect();
        let shape = [2, 3, 4];
        let mut out = vec![0.0; 8];
        sum_axis(&x, &shape, 1, &mut out);
        assert_eq!(out[0], 0.0 + 4.0 + 8.0);
        assert_eq!(out[7], 15.0 + 19.0 + 23.0);
        let mut out = vec![0.0; 6];
        max_axis(&x, &shape, 2, &mut out);
        assert_eq!(out, vec![3.0, 7.0, 11.0, 15.0, 19.0, 23.0]);
        assert_eq!(sum_all(&x), 276.0);
    }

    #[test]
    fn sum_all_is_thread_count_independent() {
        let x: Vec<f32> = (0..100_003).map(|v| ((v as f32) * 0.37).sin()).collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| sum_all(&x));
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(|| sum_all(&x));
        assert_eq!(one.to_bits(), two.to_bits());
    }
}
