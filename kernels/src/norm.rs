//! Layer normalisation over the last axis of a row-major `[rows, cols]` buffer, and
//! its VJP, in parallel over blocks of whole rows.
//!
//! Per row, with `n = cols`: `mu = (1/n) sum_j x_j`,
//! `sigma = sqrt((1/n) sum_j (x_j - mu)^2 + eps)`, `y_j = (x_j - mu) / sigma`.
//! VJP: `dx_j = (g_j - mean(g) - y_j mean(g y)) / sigma`. Sums run in interleaved
//! partials (`lanes`), in an order fixed by the code.

use crate::element::Element;
use crate::lanes;
use crate::parallel::for_each_row_block_mut;

/// `(mu, sigma)` of one row.
#[inline(always)]
fn moments<T: Element>(row: &[T], eps: T, scratch: &mut [T]) -> (T, T) {
    let n = T::from_usize(row.len()).expect("row length fits the float type");
    let mu = lanes::sum(row) / n;
    for (s, &v) in scratch.iter_mut().zip(row) {
        *s = (v - mu) * (v - mu);
    }
    (mu, (lanes::sum(scratch) / n + eps).sqrt())
}

/// `out = layer_norm(x)` row by row.
pub fn layer_norm_rows<T: Element>(x: &[T], cols: usize, eps: T, out: &mut [T]) {
    assert_eq!(x.len(), out.len(), "layer_norm: input has {} elements, output {}", x.len(), out.len());
    for_each_row_block_mut(out, cols, #[inline(always)] |first, o| {
        for (r, or) in o.chunks_mut(cols).enumerate() {
            let xr = &x[(first + r) * cols..(first + r + 1) * cols];
            let (mu, sigma) = moments(xr, eps, or);
            for (o, &v) in or.iter_mut().zip(xr) {
                *o = (v - mu) / sigma;
            }
        }
    });
}

/// The VJP in place: `g <- (g - mean(g) - y mean(g y)) / sigma` row by row, with `x`
/// the input and `y` the output of [`layer_norm_rows`].
pub fn layer_norm_backward_rows<T: Element>(x: &[T], y: &[T], cols: usize, eps: T, g: &mut [T]) {
    assert!(x.len() == g.len() && y.len() == g.len(), "layer_norm backward: buffers of {}, {} and {} elements", x.len(), y.len(), g.len());
    let n = T::from_usize(cols.max(1)).expect("row length fits the float type");
    for_each_row_block_mut(g, cols, #[inline(always)] |first, gb| {
        let mut scratch = vec![T::zero(); cols];
        for (r, gr) in gb.chunks_mut(cols).enumerate() {
            let rows = (first + r) * cols..(first + r + 1) * cols;
            let (xr, yr) = (&x[rows.clone()], &y[rows]);
            let (_, sigma) = moments(xr, eps, &mut scratch);
            let (mean_g, mean_gy) = (lanes::sum(gr) / n, lanes::dot(gr, yr) / n);
            for (g, &y) in gr.iter_mut().zip(yr) {
                *g = (*g - mean_g - y * mean_gy) / sigma;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_rows_and_matches_the_vjp_formula() {
        let cols = 5;
        let x: Vec<f64> = (0..15).map(|v| ((v as f64) * 1.3).sin() * 3.0).collect();
        let g: Vec<f64> = (0..15).map(|v| ((v as f64) * 0.7).cos()).collect();
        let mut y = vec![0.0; 15];
        layer_norm_rows(&x, cols, 1e-5, &mut y);
        let mut dx = g.clone();
        layer_norm_backward_rows(&x, &y, cols, 1e-5, &mut dx);
        for r in 0..3 {
            let (xr, yr, gr) = (&x[r * cols..][..cols], &y[r * cols..][..cols], &g[r * cols..][..cols]);
            let mu = xr.iter().sum::<f64>() / 5.0;
            let sigma = (xr.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / 5.0 + 1e-5).sqrt();
            let (mg, mgy) = (gr.iter().sum::<f64>() / 5.0, gr.iter().zip(yr).map(|(a, b)| a * b).sum::<f64>() / 5.0);
            for j in 0..cols {
                approx::assert_abs_diff_eq!(yr[j], (xr[j] - mu) / sigma, epsilon = 1e-12);
                approx::assert_abs_diff_eq!(dx[r * cols + j], (gr[j] - mg - yr[j] * mgy) / sigma, epsilon = 1e-12);
            }
        }
    }
}
