//! Numerically stable softmax, log-softmax and logsumexp over the last axis of a
//! row-major `[rows, cols]` buffer.
//!
//! With `m = max_j x_j`: `logsumexp(x) = m + ln sum_j exp(x_j - m)`,
//! `log_softmax(x)_j = x_j - logsumexp(x)`, `softmax(x)_j = exp(log_softmax(x)_j)`.
//! Subtracting the row maximum keeps every `exp` argument <= 0, so nothing overflows.

use crate::element::Element;
use crate::parallel::for_each_chunk_mut;

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
    for_each_chunk_mut(out, |off, o| {
        for (j, oj) in o.iter_mut().enumerate() {
            *oj = row_logsumexp(&x[(off + j) * cols..(off + j + 1) * cols]);
        }
    });
}

/// Applies `f(row_in, row_out)` to each row, rows split across threads when large.
fn per_row<T: Element>(x: &[T], cols: usize, out: &mut [T], f: impl Fn(&[T], &mut [T]) + Sync) {
    assert_eq!(x.len(), out.len(), "softmax: input and output lengths differ");
    if cols == 0 {
        return;
    }
    let rows_per_chunk = (crate::parallel::CHUNK / cols).max(1);
    let chunk = rows_per_chunk * cols;
    let work = |c: usize, o: &mut [T]| {
        for (r, orow) in o.chunks_mut(cols).enumerate() {
            let start = c * chunk + r * cols;
            f(&x[start..start + cols], orow);
        }
    };
    if crate::parallel::worth_parallel(x.len()) {
        use rayon::prelude::*;
        out.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| work(c, o));
    } else {
        out.chunks_mut(chunk).enumerate().for_each(|(c, o)| work(c, o));
    }
}

/// Row-wise log-softmax.
pub fn log_softmax_rows<T: Element>(x: &[T], cols: usize, out: &mut [T]) {
    per_row(x, cols, out, |xr, or| {
        let (m, l) = row_max_and_log_sum(xr);
        for (o, &v) in or.iter_mut().zip(xr) {
            *o = (v - m) - l;
        }
    });
}

/// Row-wise softmax.
pub fn softmax_rows<T: Element>(x: &[T], cols: usize, out: &mut [T]) {
    per_row(x, cols, out, |xr, or| {
        let (m, l) = row_max_and_log_sum(xr);
        for (o, &v) in or.iter_mut().zip(xr) {
            *o = ((v - m) - l).exp();
        }
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
        assert!((s[0] - 0.5).abs() < 1e-6 && (s[1] - 0.5).abs() < 1e-6 && s[2] == 0.0, "{s:?}");
        assert!((s[3] - 1.0 / 3.0).abs() < 1e-7);
        let mut l = [0.0f32; 2];
        logsumexp_rows(&x, 3, &mut l);
        assert!((l[0] - (1000.0 + 2f32.ln())).abs() < 1e-3);
        let mut ls = [0.0f32; 6];
        log_softmax_rows(&x, 3, &mut ls);
        assert!((ls[0] + 2f32.ln()).abs() < 1e-6);
    }
}
