//! Elementwise loops compiled for the widest vector unit the CPU has.
//!
//! The crate is built for the baseline x86-64 (SSE2, 4 f32 lanes). [`widest`] runs a
//! closure inside a function compiled with AVX-512 or AVX2 enabled, chosen once at
//! run time, so that the loops inlined into it use 16 or 8 lanes. Only the vector
//! width changes: additions, multiplications, divisions and comparisons are exactly
//! rounded at any width, no fused multiply-add is enabled (Rust never contracts
//! `a * b + c` on its own), and no loop is reordered, so every path gives the same bits.
//!
//! Only code inlined into the wide function is compiled wide: closures passed down
//! are marked `#[inline(always)]`, and hot loops are `for` loops rather than
//! `iter().for_each(..)`, whose `fold` may stay a separate, baseline function.

/// Calls `f`, compiled for AVX-512 or AVX2 when the CPU has it.
#[inline(always)]
pub fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512bw") {
            // SAFETY: the CPU has the features the function is compiled for.
            return unsafe { with_avx512(f) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { with_avx2(f) };
        }
    }
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,avx")]
unsafe fn with_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx")]
unsafe fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An elementwise chain with exp, division and a select, and an in-order sum;
    /// inlined into each caller, so compiled once for the baseline and once wide.
    #[inline(always)]
    fn work(x: &[f32], out: &mut [f32]) -> f32 {
        for (o, &v) in out.iter_mut().zip(x) {
            let e = crate::exp::exp_f32(-v.abs());
            let s = if v >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
            *o = v * s + v * v * 0.25 - 1.0;
        }
        out.iter().fold(0.0, |a, &b| a + b)
    }

    #[test]
    fn widest_gives_the_same_bits_as_the_baseline_build() {
        let x: Vec<f32> = (0..10_007).map(|i| ((i as f32) * 0.731).sin() * 40.0).collect();
        let (mut base, mut wide) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let base_sum = work(&x, &mut base);
        let wide_sum = widest(#[inline(always)] || work(&x, &mut wide));
        assert_eq!(base_sum.to_bits(), wide_sum.to_bits());
        assert!(base.iter().zip(&wide).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
