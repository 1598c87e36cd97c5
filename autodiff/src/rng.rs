//! Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11) with
//! JAX-style keys that are split and folded, never mutated.
//!
//! A [`Key`] is two 32-bit words. Element `i` of a sample drawn with key `k` is a pure
//! function of `(k, i)`: block `i / 4` of the Philox stream (counter
//! `[i/4 low, i/4 high, 0, 0]`), word `i % 4`. So the same key gives the same numbers
//! on any backend and at any parallelism, and samples can be made in any order.
//!
//! * uniform: `u = (w + 0.5) / 2^32` in the open interval (0, 1), computed in f64.
//! * normal: Box-Muller on words `(0, 1)` and `(2, 3)` of a block:
//!   `r = sqrt(-2 ln u0)`, `z0 = r cos(2 pi u1)`, `z1 = r sin(2 pi u1)`.
//! * `fold_in(k, d)` = the first two words of Philox(counter `[d, 0, 1, 0]`, key `k`);
//!   `split(k, n)` = `fold_in` with counter `[j, 0, 2, 0]` for `j in 0..n`.

use crate::float::Float;
use ndarray::{ArrayD, IxDyn};

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = a as u64 * b as u64;
    ((p >> 32) as u32, p as u32)
}

/// The Philox4x32 bijection with 10 rounds: one 128-bit counter block to 128
/// pseudo-random bits under a 64-bit key.
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let (mut c, mut k) = (counter, key);
    for round in 0..10 {
        if round > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        let (hi0, lo0) = mulhilo(M0, c[0]);
        let (hi1, lo1) = mulhilo(M1, c[2]);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// A random key. Copy it freely: drawing from a key does not change it, so derive a
/// fresh key (`split`, `fold_in`) for each independent use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(pub [u32; 2]);

impl Key {
    /// The key for a 64-bit seed.
    pub fn new(seed: u64) -> Key {
        Key([seed as u32, (seed >> 32) as u32])
    }

    /// A new key determined by this key and `data` (e.g. a step number or an index).
    pub fn fold_in(self, data: u64) -> Key {
        let w = philox4x32_10([data as u32, (data >> 32) as u32, 1, 0], self.0);
        Key([w[0], w[1]])
    }

    /// `n` independent keys.
    pub fn split(self, n: usize) -> Vec<Key> {
        (0..n as u64)
            .map(|j| {
                let w = philox4x32_10([j as u32, (j >> 32) as u32, 2, 0], self.0);
                Key([w[0], w[1]])
            })
            .collect()
    }

    /// Block `b` of this key's sampling stream.
    fn block(self, b: u64) -> [u32; 4] {
        philox4x32_10([b as u32, (b >> 32) as u32, 0, 0], self.0)
    }

    /// `n` raw 32-bit words: word `i` is word `i % 4` of block `i / 4`.
    pub fn bits(self, n: usize) -> Vec<u32> {
        (0..n.div_ceil(4) as u64).flat_map(|b| self.block(b)).take(n).collect()
    }

    /// `n` uniform samples in (0, 1), in f64.
    pub fn uniform_f64(self, n: usize) -> Vec<f64> {
        self.bits(n).into_iter().map(|w| (w as f64 + 0.5) / 4_294_967_296.0).collect()
    }

    /// `n` standard normal samples, in f64.
    pub fn normal_f64(self, n: usize) -> Vec<f64> {
        let u = self.uniform_f64(n.div_ceil(4) * 4);
        u.chunks(2)
            .flat_map(|p| {
                let r = (-2.0 * p[0].ln()).sqrt();
                let t = 2.0 * std::f64::consts::PI * p[1];
                [r * t.cos(), r * t.sin()]
            })
            .take(n)
            .collect()
    }

    /// Uniform samples in `[lo, hi)` with the given shape.
    pub fn uniform<T: Float>(self, shape: &[usize], lo: f64, hi: f64) -> ArrayD<T> {
        let n = shape.iter().product();
        let v = self.uniform_f64(n).into_iter().map(|u| T::c(lo + (hi - lo) * u)).collect();
        ArrayD::from_shape_vec(IxDyn(shape), v).expect("shape matches sample count")
    }

    /// Standard normal samples with the given shape.
    pub fn normal<T: Float>(self, shape: &[usize]) -> ArrayD<T> {
        let n = shape.iter().product();
        let v = self.normal_f64(n).into_iter().map(T::c).collect();
        ArrayD::from_shape_vec(IxDyn(shape), v).expect("shape matches sample count")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors from the Random123 distribution (kat_vectors, philox4x32 10).
    #[test]
    fn philox_known_answers() {
        assert_eq!(philox4x32_10([0; 4], [0; 2]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
        assert_eq!(philox4x32_10([u32::MAX; 4], [u32::MAX; 2]), [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
        assert_eq!(
            philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }

    #[test]
    fn keys_are_pure_and_distinct() {
        let k = Key::new(42);
        assert_eq!(k.normal_f64(10), k.normal_f64(10));
        assert_eq!(k.normal_f64(3), k.normal_f64(10)[..3].to_vec());
        let s = k.split(3);
        assert_ne!(s[0], s[1]);
        assert_ne!(k.fold_in(0), s[0]);
        assert_ne!(k.fold_in(1), k.fold_in(2));
    }

    #[test]
    fn normal_moments() {
        let z = Key::new(7).normal_f64(200_000);
        let mean = z.iter().sum::<f64>() / z.len() as f64;
        let var = z.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / z.len() as f64;
        approx::assert_abs_diff_eq!(mean, 0.0, epsilon = 0.01);
        approx::assert_abs_diff_eq!(var, 1.0, epsilon = 0.01);
        let u = Key::new(8).uniform_f64(100_000);
        assert!(u.iter().all(|&v| v > 0.0 && v < 1.0));
        approx::assert_abs_diff_eq!(u.iter().sum::<f64>() / 1e5, 0.5, epsilon = 0.005);
    }
}
