//! Reductions of a slice in [`LANES`] interleaved partials (`s_l` over the elements
//! at positions `l mod LANES`), combined in order `s_0, s_1, ...` at the end. The order
//! is fixed by this code alone, so results are reproducible at any thread count and
//! vector width, and the loop vectorises (a single running sum could not: reordering
//! floating-point additions changes the result, so the compiler keeps them serial).

use crate::element::Element;

/// Partials per reduction.
pub const LANES: usize = 16;

/// `fold` over `x` in interleaved partials starting from `init`, combined with `fold`.
#[inline(always)]
fn interleaved<T: Element>(x: &[T], init: T, fold: impl Fn(T, T) -> T) -> T {
    let mut lanes = [init; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..LANES {
            lanes[l] = fold(lanes[l], c[l]);
        }
    }
    for (l, &v) in rest.iter().enumerate() {
        lanes[l] = fold(lanes[l], v);
    }
    lanes.iter().fold(init, |a, &b| fold(a, b))
}

/// `sum_i x_i`.
#[inline(always)]
pub fn sum<T: Element>(x: &[T]) -> T {
    interleaved(x, T::zero(), |a, b| a + b)
}

/// `max_i x_i`, ignoring NaN (like `f32::max`); `-inf` for an empty slice.
#[inline(always)]
pub fn max<T: Element>(x: &[T]) -> T {
    interleaved(x, T::neg_infinity(), |a, b| a.max(b))
}

/// `sum_i x_i y_i` (over the shorter length).
#[inline(always)]
pub fn dot<T: Element>(x: &[T], y: &[T]) -> T {
    let mut lanes = [T::zero(); LANES];
    let (xc, yc) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (xs, ys) in xc.zip(yc) {
        for l in 0..LANES {
            lanes[l] = lanes[l] + xs[l] * ys[l];
        }
    }
    for (l, (&a, &b)) in xr.iter().zip(yr).enumerate() {
        lanes[l] = lanes[l] + a * b;
    }
    lanes.iter().fold(T::zero(), |s, &v| s + v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_match_plain_loops_on_exact_values() {
        for n in [0, 1, 15, 16, 17, 100] {
            let x: Vec<f64> = (0..n).map(|i| ((i * 7) % 13) as f64 - 6.0).collect();
            let y: Vec<f64> = (0..n).map(|i| ((i * 5) % 11) as f64 - 5.0).collect();
            assert_eq!(sum(&x), x.iter().sum::<f64>());
            assert_eq!(dot(&x, &y), x.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>());
            assert_eq!(max(&x), x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)));
        }
        assert_eq!(max(&[1.0, f64::NAN, 3.0]), 3.0);
    }
}
