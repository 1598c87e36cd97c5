//! Pareto conditioning: the generator as a function of beta.
//!
//! A small MLP maps the normalised `l = (log10 beta - center) / halfwidth` to a
//! code `c = silu(W2 silu(W1 l + b1) + b2)`. Every block modulates its layer norms
//! with `(1 + gamma(c)) * norm(h) + shift(c)` (FiLM), and the per-tensor sigmas are
//! read from `c`, so one set of weights covers the whole range of beta.

use super::linear::Linear;
use crate::params::ParamStore;
use autodiff::{Key, Tensor};

/// The MLP of log beta.
pub struct BetaCode {
    first: Linear,
    second: Linear,
    center: f32,
    halfwidth: f32,
}

impl BetaCode {
    pub fn new(store: &mut ParamStore, width: usize, center: f64, halfwidth: f64, key: Key) -> BetaCode {
        let k = key.split(2);
        BetaCode {
            first: Linear::new(store, "beta_code.first", 1, width, 1.0, 0.0, k[0]),
            second: Linear::new(store, "beta_code.second", width, width, 1.0, 0.0, k[1]),
            center: center as f32,
            halfwidth: halfwidth as f32,
        }
    }

    /// The code `[B, width]` for each network's log10 beta.
    pub fn forward(&self, log10_beta: &[f32]) -> Tensor<f32> {
        let l: Vec<f32> = log10_beta.iter().map(|v| (v - self.center) / self.halfwidth).collect();
        let l = Tensor::from_vec(&[l.len(), 1], l);
        self.second.forward(&self.first.forward(&l).silu()).silu()
    }
}

/// A FiLM modulation of a layer norm: `(1 + gamma(c)) * layer_norm(h) + shift(c)`.
pub struct Film {
    map: Linear,
    width: usize,
}

impl Film {
    /// Starts as the identity modulation (small weights, zero bias).
    pub fn new(store: &mut ParamStore, name: &str, code_width: usize, width: usize, key: Key) -> Film {
        Film { map: Linear::new(store, name, code_width, 2 * width, 0.1, 0.0, key), width }
    }

    /// Normalises `h: [B, T, d]` over d and modulates it with the code `c: [B, cw]`.
    pub fn forward(&self, h: &Tensor<f32>, code: &Tensor<f32>) -> Tensor<f32> {
        let b = code.shape()[0];
        let gs = self.map.forward(code).reshape(&[b, 1, 2 * self.width]);
        let gamma = gs.narrow(2, 0, self.width);
        let shift = gs.narrow(2, self.width, self.width);
        let normed = h.layer_norm(1e-5);
        normed.add(&normed.mul(&gamma)).add(&shift)
    }
}
