//! Reductions over one axis of a contiguous row-major tensor.
//!
//! The tensor is viewed as `[outer, len, inner]` with the reduced axis in the middle;
//! `out[o, i] = fold(x[o, 0, i], ..., x[o, len-1, i])`, always folding in index order.
//! Output elements are independent, so splitting them across threads cannot change a
//! single bit.

use crate::element::Element;
use crate::broadcast::Broadcast;
use crate::parallel::{for_each_chunk_mut, worth_parallel, CHUNK};
use crate::simd::widest;
use rayon::prelude::*;

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
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
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

/// The adjoint of broadcasting: `out[j] = sum of x[i]` over every element `i` of `x`
/// (row-major `x_shape`) that reads `j` when `out` (row-major `out_shape`, which
/// broadcasts to `x_shape`) is broadcast to `x_shape`. Each `out[j]` adds its terms
/// in increasing `i` order, starting from zero.
///
/// Work is split by the leading axes that are not summed (each index owns a slab of
/// `x` and of `out`); when the leading axis is summed, it is cut into a number of
/// blocks that depends only on the sizes, whose partial sums are added in block order.
/// Either way the bits do not depend on the thread count.
pub fn sum_to_shape<T: Element>(x: &[T], x_shape: &[usize], out: &mut [T], out_shape: &[usize]) {
    assert!(
        crate::map::broadcast_shape(out_shape, x_shape).as_deref() == Some(x_shape),
        "sum_to_shape: shape {out_shape:?} does not broadcast to {x_shape:?}"
    );
    assert_eq!(x.len(), x_shape.iter().product::<usize>(), "sum_to_shape: buffer does not match {x_shape:?}");
    assert_eq!(out.len(), out_shape.iter().product::<usize>(), "sum_to_shape: output does not match {out_shape:?}");
    if x.is_empty() {
        // An empty axis sums to zero (out may still have elements, e.g. [0, 3] -> [1, 3]).
        out.fill(T::zero());
        return;
    }
    if out.len() == x.len() {
        out.copy_from_slice(x);
        return;
    }
    let walk = Broadcast::new(x_shape, [out_shape]);
    let kept_lead = walk.strides().iter().take_while(|s| s[0] != 0).count();
    let slabs: usize = walk.dims()[..kept_lead].iter().product();
    let (x_slab, out_slab) = (x.len() / slabs, out.len() / slabs);
    let slab = |p: usize, o: &mut [T]| widest(#[inline(always)] || accumulate(x, &walk, p * x_slab..(p + 1) * x_slab, o, p * out_slab));
    if slabs > 1 {
        let per = (CHUNK / x_slab).max(1);
        if worth_parallel(x.len()) {
            out.par_chunks_mut(per * out_slab).enumerate().for_each(|(c, o)| {
                o.chunks_mut(out_slab).enumerate().for_each(|(i, oi)| slab(c * per + i, oi))
            });
        } else {
            out.chunks_mut(out_slab).enumerate().for_each(|(p, o)| slab(p, o));
        }
        return;
    }
    // The leading axis is summed: partial sums over fixed blocks of it, added in order.
    let lead = walk.dims()[0];
    let blocks = (x.len() / (4 * CHUNK)).clamp(1, lead);
    if blocks == 1 {
        slab(0, out);
        return;
    }
    let rows = x.len() / lead;
    let block_range = |i: usize| (i * lead / blocks) * rows..((i + 1) * lead / blocks) * rows;
    let partial = |i: usize| {
        let mut o = vec![T::zero(); out.len()];
        widest(#[inline(always)] || accumulate(x, &walk, block_range(i), &mut o, 0));
        o
    };
    let partials: Vec<Vec<T>> = if worth_parallel(x.len()) {
        (0..blocks).into_par_iter().map(partial).collect()
    } else {
        (0..blocks).map(partial).collect()
    };
    out.copy_from_slice(&partials[0]);
    for p in &partials[1..] {
        for (o, &v) in out.iter_mut().zip(p) {
            *o = *o + v;
        }
    }
}

/// `out = 0`, then adds every element of `x` in `range` (increasing) into the element
/// of `out` it reads through `walk`, whose offsets start at `base`.
#[inline(always)]
fn accumulate<T: Element>(x: &[T], walk: &Broadcast<1>, range: std::ops::Range<usize>, out: &mut [T], base: usize) {
    out.fill(T::zero());
    let [step] = walk.inner_strides();
    walk.for_each_run(range, #[inline(always)] |xo, [oo], n| {
        let xs = &x[xo..xo + n];
        if step == 1 {
            for (o, &v) in out[oo - base..oo - base + n].iter_mut().zip(xs) {
                *o = *o + v;
            }
        } else {
            let o = &mut out[oo - base];
            *o = xs.iter().fold(*o, |a, &v| a + v);
        }
    });
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

    /// `out[j]` summed term by term from coordinates, in increasing index order.
    fn naive_sum_to_shape(x: &[f64], x_shape: &[usize], out_shape: &[usize]) -> Vec<f64> {
        let strides = crate::broadcast::broadcast_strides(out_shape, x_shape);
        let mut out = vec![0.0; out_shape.iter().product()];
        for (i, &v) in x.iter().enumerate() {
            let (mut rem, mut j) = (i, 0);
            for ax in (0..x_shape.len()).rev() {
                j += (rem % x_shape[ax]) * strides[ax];
                rem /= x_shape[ax];
            }
            out[j] += v;
        }
        out
    }

    #[test]
    fn sum_to_shape_matches_coordinate_sums() {
        // Small integers: every order of summation gives the same exact sums, so the
        // blocked path (leading axis summed, large) is compared exactly too.
        let cases: [(&[usize], &[usize]); 7] = [
            (&[16, 1024, 48], &[16, 1, 48]),
            (&[16, 1024, 1], &[16, 1, 1]),
            (&[300, 700], &[700]),
            (&[300, 700], &[300, 1]),
            (&[3, 4, 5, 6], &[4, 1, 6]),
            (&[5, 7], &[5, 7]),
            (&[2, 3], &[]),
        ];
        for (x_shape, out_shape) in cases {
            let x: Vec<f64> = (0..x_shape.iter().product::<usize>()).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
            let mut out = vec![f64::NAN; out_shape.iter().product()];
            sum_to_shape(&x, x_shape, &mut out, out_shape);
            assert_eq!(out, naive_sum_to_shape(&x, x_shape, out_shape), "{x_shape:?} -> {out_shape:?}");
        }
    }

    #[test]
    #[should_panic(expected = "sum_to_shape: shape [3] does not broadcast to [2, 4]")]
    fn sum_to_shape_names_incompatible_shapes() {
        sum_to_shape(&[0.0f32; 8], &[2, 4], &mut [0.0; 3], &[3]);
    }

    #[test]
    fn sum_to_shape_is_thread_count_independent() {
        let x: Vec<f32> = (0..600_000).map(|v| ((v as f32) * 0.37).sin()).collect();
        for (x_shape, out_shape) in [(&[600, 1000][..], &[1000][..]), (&[20, 1000, 30], &[20, 1, 30]), (&[20, 30000], &[20, 1])] {
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let mut out = vec![0.0f32; out_shape.iter().product()];
                pool.install(|| sum_to_shape(&x, x_shape, &mut out, out_shape));
                out.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            };
            assert_eq!(run(1), run(2), "{x_shape:?} -> {out_shape:?}");
        }
    }

    #[test]
    fn sum_all_is_thread_count_independent() {
        let x: Vec<f32> = (0..100_003).map(|v| ((v as f32) * 0.37).sin()).collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| sum_all(&x));
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(|| sum_all(&x));
        assert_eq!(one.to_bits(), two.to_bits());
    }
}
