//! Numerically stable softmax, log-softmax and logsumexp over the last axis of a
//! row-major `[rows, cols]` buffer (`*_rows`), or over any axis of a row-major
//! tensor (`*_axis`: the tensor is viewed as `[outer, len, inner]` like the
//! reductions, and each lane `x[o, :, i]` is gathered into a contiguous scratch row,
//! so that one row function serves both layouts), and their VJPs.
//!
//! With `m = max_j x_j`, `e_j = exp(x_j - m)` and `s = sum_j e_j`:
//! `logsumexp(x) = m + ln s`, `log_softmax(x)_j = (x_j - m) - ln s`,
//! `softmax(x)_j = e_j / s`. Subtracting the row maximum keeps every `exp` argument
//! <= 0, so nothing overflows. The exponentials are computed in a vectorised loop
//! (`Element::fast_exp`) and summed in interleaved partials (`lanes`), in an order
//! fixed by the code. A row whose maximum is infinite keeps `ln s = 0`.
//!
//! VJPs, per lane, with `y` the forward output and `g` the output gradient:
//! softmax `dx_j = y_j (g_j - sum_k g_k y_k)`; log-softmax
//! `dx_j = g_j - e^(y_j) sum_k g_k`; logsumexp `dx_j = g e^(x_j - y)`.

use crate::broadcast::Broadcast;
use crate::element::Element;
use crate::lanes;
use crate::parallel::for_each_chunk_mut;
use crate::reduce::split_axis;

/// `(m, ln s)` for the row `x`, leaving `e_j` in `exps` (untouched when `m` is not
/// finite, where `ln s` is taken as 0). Keeping `m` and `ln s` apart avoids
/// rounding `m + ln s` when `m` is large (f32 has 24 bits).
#[inline(always)]
fn max_and_log_sum<T: Element>(x: &[T], exps: &mut [T]) -> (T, T) {
    let m = lanes::max(x);
    if !m.is_finite() {
        return (m, T::zero());
    }
    for (e, &v) in exps.iter_mut().zip(x) {
        *e = (v - m).fast_exp();
    }
    (m, lanes::sum(exps).ln())
}

/// `out[r] = logsumexp(x[r, :])`.
pub fn logsumexp_rows<T: Element>(x: &[T], cols: usize, out: &mut [T]) {
    assert_eq!(x.len(), out.len() * cols, "logsumexp: {} elements is not {} rows of {cols}", x.len(), out.len());
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        let mut exps = vec![T::zero(); cols];
        for (j, oj) in o.iter_mut().enumerate() {
            let (m, l) = max_and_log_sum(&x[(off + j) * cols..(off + j + 1) * cols], &mut exps);
            *oj = m + l;
        }
    });
}

/// `out[o, i] = logsumexp(x[o, :, i])` for `x` of row-major `shape`, reducing `axis`.
pub fn logsumexp_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T]) {
    let (outer, len, inner) = split_axis(shape, axis);
    assert_eq!(out.len(), outer * inner, "logsumexp: output has {} elements, expected {}", out.len(), outer * inner);
    for_each_chunk_mut(out, #[inline(always)] |off, o| {
        let (mut lane, mut exps) = (vec![T::zero(); len], vec![T::zero(); len]);
        for (j, oj) in o.iter_mut().enumerate() {
            let (oi, ii) = ((off + j) / inner, (off + j) % inner);
            lane.iter_mut().enumerate().for_each(|(k, v)| *v = x[(oi * len + k) * inner + ii]);
            let (m, l) = max_and_log_sum(&lane, &mut exps);
            *oj = m + l;
        }
    });
}

/// Applies `f(x_lane, out_lane)` to every lane `[o, :, i]` of `x` and `out`, both
/// viewed as `[outer, len, inner]`; `out_lane` holds `out`'s values on entry (a VJP
/// reads them) and is written back. Lanes are contiguous rows when `inner == 1`;
/// otherwise each is gathered into scratch and scattered back. Whole `[len, inner]`
/// blocks are split across threads when large, so every lane is computed by the same
/// code whatever the thread count.
fn per_lane<T: Element, F: Fn(&[T], &mut [T]) + Sync>(x: &[T], len: usize, inner: usize, out: &mut [T], f: F) {
    assert_eq!(x.len(), out.len(), "softmax: input and output lengths differ");
    let block = len * inner;
    if block == 0 {
        return;
    }
    let chunk = (crate::parallel::CHUNK / block).max(1) * block;
    if crate::parallel::worth_parallel(x.len()) {
        use rayon::prelude::*;
        out.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| {
            crate::simd::widest(#[inline(always)] || lanes_of_chunk(&x[c * chunk..c * chunk + o.len()], len, inner, o, &f))
        });
    } else {
        out.chunks_mut(chunk).enumerate().for_each(|(c, o)| {
            crate::simd::widest(#[inline(always)] || lanes_of_chunk(&x[c * chunk..c * chunk + o.len()], len, inner, o, &f))
        });
    }
}

/// [`per_lane`]'s work on one chunk of whole `[len, inner]` blocks.
#[inline(always)]
fn lanes_of_chunk<T: Element, F: Fn(&[T], &mut [T])>(x: &[T], len: usize, inner: usize, o: &mut [T], f: &F) {
    // `for` loops, not `for_each`: the closure's body must be inlined here, into
    // the wide (`simd::widest`) build, not left in a separate baseline function.
    if inner == 1 {
        for (xr, or) in x.chunks(len).zip(o.chunks_mut(len)) {
            f(xr, or);
        }
        return;
    }
    let (mut lane_in, mut lane_out) = (vec![T::zero(); len], vec![T::zero(); len]);
    for (xb, ob) in x.chunks(len * inner).zip(o.chunks_mut(len * inner)) {
        for i in 0..inner {
            for k in 0..len {
                (lane_in[k], lane_out[k]) = (xb[k * inner + i], ob[k * inner + i]);
            }
            f(&lane_in, &mut lane_out);
            for k in 0..len {
                ob[k * inner + i] = lane_out[k];
            }
        }
    }
}

#[inline(always)]
fn log_softmax_row<T: Element>(xr: &[T], or: &mut [T]) {
    let (m, l) = max_and_log_sum(xr, or);
    for (o, &v) in or.iter_mut().zip(xr) {
        *o = (v - m) - l;
    }
}

#[inline(always)]
fn softmax_row<T: Element>(xr: &[T], or: &mut [T]) {
    let (m, l) = max_and_log_sum(xr, or);
    if !m.is_finite() {
        for (o, &v) in or.iter_mut().zip(xr) {
            *o = ((v - m) - l).fast_exp();
        }
        return;
    }
    let inv = lanes::sum(or).recip();
    for o in or.iter_mut() {
        *o = *o * inv;
    }
}

/// Row-wise log-softmax.
pub fn log_softmax_rows<T: Element>(x: &[T], cols: usize, out: &mut [T]) {
    per_lane(x, cols, 1, out, #[inline(always)] |x, o| log_softmax_row(x, o));
}

/// Row-wise softmax.
pub fn softmax_rows<T: Element>(x: &[T], cols: usize, out: &mut [T]) {
    per_lane(x, cols, 1, out, #[inline(always)] |x, o| softmax_row(x, o));
}

/// Log-softmax over `axis` of `x` with row-major `shape`.
pub fn log_softmax_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T]) {
    let (_, len, inner) = split_axis(shape, axis);
    per_lane(x, len, inner, out, #[inline(always)] |x, o| log_softmax_row(x, o));
}

/// Softmax over `axis` of `x` with row-major `shape`.
pub fn softmax_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, out: &mut [T]) {
    let (_, len, inner) = split_axis(shape, axis);
    per_lane(x, len, inner, out, #[inline(always)] |x, o| softmax_row(x, o));
}

/// The softmax VJP in place: `g <- y (g - sum_axis(g y))`, with `y` the softmax output.
pub fn softmax_backward_axis<T: Element>(y: &[T], shape: &[usize], axis: usize, g: &mut [T]) {
    let (_, len, inner) = split_axis(shape, axis);
    per_lane(y, len, inner, g, #[inline(always)] |yr, gr| {
        let dot = lanes::dot(gr, yr);
        for (g, &y) in gr.iter_mut().zip(yr) {
            *g = y * (*g - dot);
        }
    });
}

/// The log-softmax VJP in place: `g <- g - e^y sum_axis(g)`, with `y` the log-softmax output.
pub fn log_softmax_backward_axis<T: Element>(y: &[T], shape: &[usize], axis: usize, g: &mut [T]) {
    let (_, len, inner) = split_axis(shape, axis);
    per_lane(y, len, inner, g, #[inline(always)] |yr, gr| {
        let total = lanes::sum(gr);
        for (g, &y) in gr.iter_mut().zip(yr) {
            *g = *g - y.fast_exp() * total;
        }
    });
}

/// The logsumexp VJP: `dx[o, k, i] = g[o, i] e^(x[o, k, i] - y[o, i])` for `x` of
/// row-major `shape` reduced over `axis` into `y` (and its gradient `g`, `[outer, inner]`).
pub fn logsumexp_backward_axis<T: Element>(x: &[T], shape: &[usize], axis: usize, y: &[T], g: &[T], dx: &mut [T]) {
    let (outer, len, inner) = split_axis(shape, axis);
    assert!(
        x.len() == dx.len() && y.len() == outer * inner && g.len() == outer * inner,
        "logsumexp backward: buffers of {}, {}, {} and {} elements for shape {shape:?} over axis {axis}",
        x.len(), y.len(), g.len(), dx.len()
    );
    // dx reads y and g through the broadcast of [outer, 1, inner] to [outer, len, inner].
    let walk = Broadcast::new(&[outer, len, inner], [&[outer, 1, inner]]);
    let [step] = walk.inner_strides();
    for_each_chunk_mut(dx, #[inline(always)] |off, d| {
        walk.for_each_run(off..off + d.len(), #[inline(always)] |start, [r], n| {
            let (d, x) = (&mut d[start - off..start - off + n], &x[start..start + n]);
            if step == 0 {
                let (gr, yr) = (g[r], y[r]);
                for (d, &x) in d.iter_mut().zip(x) {
                    *d = gr * (x - yr).fast_exp();
                }
            } else {
                let (g, y) = (&g[r..r + n], &y[r..r + n]);
                for (((d, &x), &g), &y) in d.iter_mut().zip(x).zip(g).zip(y) {
                    *d = g * (x - y).fast_exp();
                }
            }
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_for_huge_logits() {
        let x = [1000.0f32, 1000.0, -1000.0, 0.0, 0.0, 0.0];
        let mut s = [0.0f32; 6];
        softmax_rows(&x, 3, &mut s);
        approx::assert_abs_diff_eq!(&s[..3], &[0.5, 0.5, 0.0][..], epsilon = 1e-6);
        assert_eq!(s[2], 0.0, "{s:?}");
        approx::assert_abs_diff_eq!(s[3], 1.0 / 3.0, epsilon = 1e-7);
        let mut l = [0.0f32; 2];
        logsumexp_rows(&x, 3, &mut l);
        approx::assert_abs_diff_eq!(l[0], 1000.0 + 2f32.ln(), epsilon = 1e-3);
        let mut ls = [0.0f32; 6];
        log_softmax_rows(&x, 3, &mut ls);
        approx::assert_abs_diff_eq!(ls[0], -(2f32.ln()), epsilon = 1e-6);
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

    /// The VJP kernels against the formulas written out per lane, over a middle axis.
    #[test]
    fn vjps_match_their_formulas() {
        let shape = [2, 5, 3];
        let (outer, len, inner) = (2, 5, 3);
        let x: Vec<f64> = (0..30).map(|v| ((v as f64) * 0.9).sin() * 2.0).collect();
        let g: Vec<f64> = (0..30).map(|v| ((v as f64) * 0.4).cos()).collect();
        let at = |o: usize, k: usize, i: usize| (o * len + k) * inner + i;
        let (mut soft, mut log_soft) = (vec![0.0; 30], vec![0.0; 30]);
        softmax_axis(&x, &shape, 1, &mut soft);
        log_softmax_axis(&x, &shape, 1, &mut log_soft);
        let (mut ds, mut dl) = (g.clone(), g.clone());
        softmax_backward_axis(&soft, &shape, 1, &mut ds);
        log_softmax_backward_axis(&log_soft, &shape, 1, &mut dl);
        let mut lse = vec![0.0; outer * inner];
        logsumexp_axis(&x, &shape, 1, &mut lse);
        let g_lse: Vec<f64> = (0..outer * inner).map(|r| r as f64 - 2.5).collect();
        let mut dx = vec![0.0; 30];
        logsumexp_backward_axis(&x, &shape, 1, &lse, &g_lse, &mut dx);
        for o in 0..outer {
            for i in 0..inner {
                let dot: f64 = (0..len).map(|k| g[at(o, k, i)] * soft[at(o, k, i)]).sum();
                let total: f64 = (0..len).map(|k| g[at(o, k, i)]).sum();
                for k in 0..len {
                    let j = at(o, k, i);
                    approx::assert_abs_diff_eq!(ds[j], soft[j] * (g[j] - dot), epsilon = 1e-12);
                    approx::assert_abs_diff_eq!(dl[j], g[j] - log_soft[j].exp() * total, epsilon = 1e-12);
                    let r = o * inner + i;
                    approx::assert_abs_diff_eq!(dx[j], g_lse[r] * (x[j] - lse[r]).exp(), epsilon = 1e-12);
                }
            }
        }
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
