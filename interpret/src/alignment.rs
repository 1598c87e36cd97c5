//! When a neuron reads one input: the alignment threshold `max_i |d_i| >= a` of a
//! neuron direction `d`, chosen per input size `n` so that a uniformly random direction
//! passes it rarely (`docs/order-parameters.md`, "Noisy samples").

/// A neuron reads one input when that input carries at least this share of its
/// direction: `0.95 = cos 18 deg`. Random directions reach it by chance only for
/// tiny `n` (about 40% of them at `n = 2`, 5% at `n = 4`, 0.07% at `n = 8`). The
/// threshold used at small `n`, and the largest [`aligned_min_alignment`] returns.
pub const ALIGNED_MIN_ALIGNMENT: f32 = 0.95;
/// The smallest alignment threshold at any `n`: `0.85 = cos 32 deg`, the dominant
/// input still carrying 72% of the row's squared norm. An axis-aligned row with
/// noise of 30% of its norm stays above it (all but 0.04% of such rows at `n = 8`,
/// none measured at `n = 16`; 1% of them fall below 0.90 at `n = 8`).
pub const ALIGNED_MIN_ALIGNMENT_FLOOR: f32 = 0.85;
/// The alignment threshold at `n` inputs is the lowest (down to
/// [`ALIGNED_MIN_ALIGNMENT_FLOOR`]) that a uniformly random direction reaches with at
/// most this probability. A few random neurons read as aligned do little harm: a
/// network is axis-aligned only when 75% of its weight is, while one aligned neuron
/// lost to noise removes a side of an input.
pub const RANDOM_ALIGNED_MAX_PROBABILITY: f64 = 0.05;

/// `P(max_i |d_i| >= a)` for a direction `d` uniform on the unit sphere of `R^n`: the
/// solid angle of the `2n` cones of half-angle `acos a` around the axis directions,
/// exact for `a > 1/sqrt(2)` (the cones are then disjoint), an upper bound below.
/// One cone is `int_0^theta sin^(n-2) phi d phi / int_0^pi sin^(n-2) phi d phi`.
pub fn random_alignment_tail(n: usize, a: f32) -> f64 {
    assert!(n >= 1, "random_alignment_tail: n must be positive");
    if n == 1 {
        return 1.0;
    }
    let a = f64::from(a).clamp(0.0, 1.0);
    // int_0^theta sin^k, by I_k = -sin^(k-1) cos / k + (k-1)/k I_(k-2).
    let integral = |k: usize, theta: f64| -> f64 {
        let (s, c) = theta.sin_cos();
        let (mut value, mut j) = if k.is_multiple_of(2) { (theta, 2) } else { (1.0 - c, 3) };
        while j <= k {
            value = -s.powi(j as i32 - 1) * c / j as f64 + (j - 1) as f64 / j as f64 * value;
            j += 2;
        }
        value
    };
    let k = n - 2;
    (2.0 * n as f64 * integral(k, a.acos()) / integral(k, std::f64::consts::PI)).min(1.0)
}

/// The alignment from which a neuron of an `n`-input network reads one input: the
/// smallest `a` between [`ALIGNED_MIN_ALIGNMENT_FLOOR`] and [`ALIGNED_MIN_ALIGNMENT`]
/// with [`random_alignment_tail`]`(n, a)` at most [`RANDOM_ALIGNED_MAX_PROBABILITY`]:
/// 0.95 for `n <= 4`, then 0.917 (`n = 5`), 0.884 (6), 0.853 (7) and 0.85 from `n = 8` on.
pub fn aligned_min_alignment(n: usize) -> f32 {
    let accept = |a: f32| random_alignment_tail(n, a) <= RANDOM_ALIGNED_MAX_PROBABILITY;
    if accept(ALIGNED_MIN_ALIGNMENT_FLOOR) {
        return ALIGNED_MIN_ALIGNMENT_FLOOR;
    }
    if !accept(ALIGNED_MIN_ALIGNMENT) {
        return ALIGNED_MIN_ALIGNMENT;
    }
    let (mut lo, mut hi) = (ALIGNED_MIN_ALIGNMENT_FLOOR, ALIGNED_MIN_ALIGNMENT);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if accept(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::abs_diff_eq;
    use autodiff::Key;

    #[test]
    fn random_alignment_tail_is_the_measured_fraction_of_random_directions() {
        // n = 2: the four cones of half-angle acos(a) cover 4 acos(a) / pi of the circle.
        for a in [0.8f32, 0.9, 0.95] {
            let exact = 4.0 * f64::from(a).acos() / std::f64::consts::PI;
            assert!(abs_diff_eq!(random_alignment_tail(2, a), exact, epsilon = 1e-6), "a = {a}");
        }
        for n in [3, 4, 8, 16] {
            let count = 20_000;
            let directions = crate::reference::random_directions(Key::new(n as u64), count, n);
            for a in [0.8f32, 0.85, 0.9, 0.95] {
                let hits = directions.rows().into_iter().filter(|d| d.iter().any(|v| v.abs() >= a)).count();
                let (measured, exact) = (hits as f64 / count as f64, random_alignment_tail(n, a));
                assert!((measured - exact).abs() < 4.0 * (exact / count as f64).sqrt() + 1e-4, "n = {n}, a = {a}: {measured} vs {exact}");
            }
        }
    }

    #[test]
    fn the_alignment_threshold_widens_with_n_down_to_the_floor() {
        for n in 1..=4 {
            assert_eq!(aligned_min_alignment(n), ALIGNED_MIN_ALIGNMENT, "n = {n}");
        }
        let thresholds: Vec<f32> = (4..=8).map(aligned_min_alignment).collect();
        assert!(thresholds.windows(2).all(|w| w[1] < w[0]), "{thresholds:?}");
        for n in [5, 6, 7] {
            let a = aligned_min_alignment(n);
            assert!(abs_diff_eq!(random_alignment_tail(n, a), RANDOM_ALIGNED_MAX_PROBABILITY, epsilon = 1e-4), "n = {n}: {a}");
        }
        for n in [8, 16, 32, 100] {
            assert_eq!(aligned_min_alignment(n), ALIGNED_MIN_ALIGNMENT_FLOOR, "n = {n}");
        }
    }
}
