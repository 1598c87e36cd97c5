//! Numerically stable softmax, log-softmax and logsumexp over the last axis of a
//! row-major `[rows, cols]` buffer (`*_rows`), or over any axis of a row-major
//! tensor (`*_axis`: the tensor is viewed as `[outer, len, inner]` like the
//! reductions, and each lane `x[o, :, i]` is gathered into a contiguous scratch row,
//! so that one row function serves both layouts).
//!
//! With `m = max_j x_j`: `logsumexp(x) = m + ln sum_j exp(x_j - m)`,
//! `log_softmax(x)_j = x_j - logsumexp(x)`, `softmax(x)_j = exp(log_softmax(x)_j)`.
//! Subtracting the row maximum keeps every `exp` argument <= 0, so nothing overflows.

use crate::element::Element;
use crate::parallel::for_each_chunk_mut;
use crate::reduce::split_axis;

/// `(m, ln sum_j exp(x_j - m))` with `m` the row maximum. Keeping the two apart
/// avoids rounding `m + ln s` when `m` is large (f32 has 24 bits).
fn row_max_and_log_sum<T: Element>(row: &[T]) -> (T, T) {
    let m = row.iter().fold(T::neg_infinity(), |a, &b| a.max(b));
    if !m.is_finite() {
        return (m, T::zero());
    }
    (m, row.iter().fold(T::zero(), |a, &b| a + (b - m).exp()).ln())
}

fn row_logsumexp<T: Element>(row: &[T]) -> T {
    let (m, l) = row_max_and_log_sum(row);
    m + l
}

/// `out[r] = logsumexp(x[r, :])`.
pub fn logsumexp_rows<T: Element>(x: &[T], cols: usize, out: &mut [T]) {
    assert_eq!(x.len(), out.len() * cols, "logsumexp: {} elements is not {} rows of {cols}", x.len(), out.len());
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        for (j, oj) in o.iter_mut().enumerate() {
            *oj = row_logsumexp(&x[(off + j) * cols..(off + j + 1) * cols]);
        }
    });
}

/// `out[o, i] = logsumexp(x[o, :, i])` for `x` of row-major `shape`, reducing `axis`.
pub fn logsumexp_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T]) {
    let (outer, len, inner) = split_axis(shape, axis);
    assert_eq!(out.len(), outer * inner, "logsumexp: output has {} elements, expected {}", out.len(), outer * inner);
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        let mut lane = Vec::with_capacity(len);
        for (j, oj) in o.iter_mut().enumerate() {
            let (oi, ii) = ((off + j) / inner, (off + j) % inner);
            lane.clear();
            lane.extend((0..len).map(|k| x[(oi * len + k) * inner + ii]));
            *oj = row_logsumexp(&lane);
        }
    });
}

/// Applies `f(lane_in, lane_out)` to every lane `x[o, :, i]` of `x` viewed as
/// `[outer, len, inner]`, writing `out[o, :, i]`. Lanes are contiguous rows when
/// `inner == 1`; otherwise each is gathered into scratch and scattered back. Whole
/// `[len, inner]` blocks are split across threads when large, so every lane is
/// computed by the same code whatever the thread count.
fn per_lane<T: Element>(x: &[T], len: usize, inner: usize, out: &mut [T], f: impl Fn(&[T], &mut [T]) + Sync) {
    assert_eq!(x.len(), out.len(), "softmax: input and output lengths differ");
    let block = len * inner;
    if block == 0 {
        return;
    }
    let chunk = (crate::parallel::CHUNK / block).max(1) * block;
    let work = |c: usize, o: &mut [T]| {
        let x = &x[c * chunk..c * chunk + o.len()];
        if inner == 1 {
            x.chunks(len).zip(o.chunks_mut(len)).for_each(|(xr, or)| f(xr, or));
            return;
        }
        let (mut lane_in, mut lane_out) = (vec![T::zero(); len], vec![T::zero(); len]);
        for (xb, ob) in x.chunks(block).zip(o.chunks_mut(block)) {
            for i in 0..inner {
                lane_in.iter_mut().enumerate().for_each(|(k, v)| *v = xb[k * inner + i]);
                f(&lane_in, &mut lane_out);
                lane_out.iter().enumerate().for_each(|(k, &v)| ob[k * inner + i] = v);
            }
        }
    };
    if crate::parallel::worth_parallel(x.len()) {
        use rayon::prelude::*;
        out.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| crate::simd::widest(#[inline(always)] || work(c, o)));
    } else {
        out.chunks_mut(chunk).enumerate().for_each(|(c, o)| crate::simd::widest(#[inline(always)] || work(c, o)));
    }
}

fn log_softmax_row<T: Element>(xr: &[T], or: &mut [T]) {
    let (m, l) = row_max_and_log_sum(xr);
    for (o, &v) in or.iter_mut().zip(xr) {
        *o = (v - m) - l;
    }
}

fn softmax_row<T: Element>(xr: &[T], or: &mut [T]) {
    let (m, l) = row_max_and_log_sum(xr);
    for (o, &v) in or.iter_mut().zip(xr) {
        *o = ((v - m) - l).exp();
    }
}

/// Row-wise log-softmax.
pub fn log_softmax_rows<T: Element>(x: &[T], cols: usize, out: &mut [T]) {
    per_lane(x, cols, 1, out, log_softmax_row);
}

/// Row-wise softmax.
pub fn softmax_rows<T: Element>(x: &[T], cols: usize, out: &mut [T]) {
    per_lane(x, cols, 1, out, softmax_row);
}

/// Log-softmax over `axis` of `x` with row-major `shape`.
pub fn log_softmax_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T]) {
    let (_, len, inner) = split_axis(shape, axis);
    per_lane(x, len, inner, out, log_softmax_row);
}

/// Softmax over `axis` of `x` with row-major `shape`.
pub fn softmax_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T]) {
    let (_, len, inner) = split_axis(shape, axis);
    per_lane(x, len, inner, out, softmax_row);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_for_huge_logits() {
        let x = [1000.0f32, 1000.0, -1000.0, 0.0, 0.0, 0.0];
        let mut s = [0.0f32; 6];
        softmax_rows(&x, 3, &mut s);
        assert!((s[0] - 0.5).abs() < 1e-6 && (s[1] - 0.5).abs() < 1e-6 && s[2] == 0.0, "{s:?}");
        assert!((s[3] - 1.0 / 3.0).abs() < 1e-7);
        let mut l = [0.0f32; 2];
        logsumexp_rows(&x, 3, &mut l);
        assert!((l[0] - (1000.0 + 2f32.ln())).abs() < 1e-3);
        let mut ls = [0.0f32; 6];
        log_softmax_rows(&x, 3, &mut ls);
        assert!((ls[0] + 2f32.ln()).abs() < 1e-6);
    }

    /// Over axis 0 of a `[rows, cols]` matrix, the axis variants equal the row
    /// variants applied to its transpose.
    #[test]
    fn axis_variants_match_rows_of_the_transpose() {
        let (rows, cols) = (3, 4);
        let x: Vec<f64> = (0..rows * cols).map(|v| ((v as f64) * 0.7).sin() * 3.0).collect();
        let xt: Vec<f64> = (0..rows * cols).map(|v| x[(v % rows) * cols + v / rows]).collect();
        let transpose_back = |t: &[f64]| -> Vec<f64> { (0..rows * cols).map(|v| t[(v % cols) * rows + v / cols]).collect() };
        let (mut by_axis, mut by_rows) = (vec![0.0; rows * cols], vec![0.0; rows * cols]);
        softmax_axis(&x, &[rows, cols], 0, &mut by_axis);
        softmax_rows(&xt, rows, &mut by_rows);
        assert_eq!(by_axis, transpose_back(&by_rows));
        log_softmax_axis(&x, &[rows, cols], 0, &mut by_axis);
        log_softmax_rows(&xt, rows, &mut by_rows);
        assert_eq!(by_axis, transpose_back(&by_rows));
        let (mut lse_axis, mut lse_rows) = (vec![0.0; cols], vec![0.0; cols]);
        logsumexp_axis(&x, &[rows, cols], 0, &mut lse_axis);
        logsumexp_rows(&xt, rows, &mut lse_rows);
        assert_eq!(lse_axis, lse_rows);
    }

    #[test]
    fn axis_variants_are_thread_count_independent() {
        let shape = [4, 5000, 3];
        let x: Vec<f32> = (0..60_000).map(|v| ((v as f32) * 0.37).sin() * 5.0).collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut soft = vec![0.0f32; x.len()];
                softmax_axis(&x, &shape, 1, &mut soft);
                let mut lse = vec![0.0f32; 12];
                logsumexp_axis(&x, &shape, 1, &mut lse);
                (soft, lse)
            })
        };
        assert_eq!(run(1), run(2));
    }
}
