//! Pareto conditioning: the generator as a function of beta.
//!
//! A small MLP maps the normalised `l = (log10 beta - center) / halfwidth` to a
//! code `c = silu(W2 silu(W1 l + b1) + b2)`. Every block modulates its layer norms
//! with `(1 + gamma(c)) * norm(h) + shift(c)` (FiLM), and the per-tensor sigmas are
//! read from `c`, so one set of weights covers the whole range of beta.

use super::linear::Linear;
use crate::params::{constant_on, ParamStore};
use autodiff::{Device, Float, Key, Tensor};

/// The MLP of log beta.
pub struct BetaCode<F: Float = f32> {
    first: Linear<F>,
    second: Linear<F>,
    center: F,
    halfwidth: F,
}

impl<F: Float> BetaCode<F> {
    pub fn new(store: &mut ParamStore<F>, width: usize, center: f64, halfwidth: f64, key: Key) -> BetaCode<F> {
        let k = key.split(2);
        BetaCode {
            first: Linear::new(store, "beta_code.first", 1, width, 1.0, 0.0, k[0]),
            second: Linear::new(store, "beta_code.second", width, width, 1.0, 0.0, k[1]),
            center: F::c(center),
            halfwidth: F::c(halfwidth),
        }
    }

    /// The code `[B, width]` for each network's log10 beta, on `device`.
    pub fn forward(&self, log10_beta: &[F], device: &Device) -> Tensor<F> {
        let l: Vec<F> = log10_beta.iter().map(|&v| (v - self.center) / self.halfwidth).collect();
        let l = constant_on(device, ndarray::Array2::from_shape_vec((l.len(), 1), l).expect("one column").into_dyn());
        self.second.forward(&self.first.forward(&l).silu()).silu()
    }
}

/// A FiLM modulation of a layer norm: `(1 + gamma(c)) * layer_norm(h) + shift(c)`.
pub struct Film<F: Float = f32> {
    map: Linear<F>,
    width: usize,
}

impl<F: Float> Film<F> {
    /// Starts as the identity modulation (small weights, zero bias).
    pub fn new(store: &mut ParamStore<F>, name: &str, code_width: usize, width: usize, key: Key) -> Film<F> {
        Film { map: Linear::new(store, name, code_width, 2 * width, 0.1, 0.0, key), width }
    }

    /// Normalises `h: [B, T, d]` over d and modulates it with the code `c: [B, cw]`.
    pub fn forward(&self, h: &Tensor<F>, code: &Tensor<F>) -> Tensor<F> {
        let b = code.shape()[0];
        let gs = self.map.forward(code).reshape(&[b, 1, 2 * self.width]);
        let gamma = gs.narrow(2, 0, self.width);
        let shift = gs.narrow(2, self.width, self.width);
        let normed = h.layer_norm(F::c(1e-5));
        normed.add(&normed.mul(&gamma)).add(&shift)
    }
}
