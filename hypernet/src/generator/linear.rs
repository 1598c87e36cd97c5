//! The affine layer `y = x W + b` over the last axis, `x: [..., d_in] -> [..., d_out]`.

use crate::params::ParamStore;
use autodiff::{Float, Key, Tensor};

/// An affine map with weight `[d_in, d_out]` and bias `[d_out]`.
#[derive(Clone)]
pub struct Linear<F: Float = f32> {
    pub weight: Tensor<F>,
    pub bias: Tensor<F>,
}

impl<F: Float> Linear<F> {
    /// Weight `N(0, gain^2 / d_in)`, bias `bias_init`.
    pub fn new(store: &mut ParamStore<F>, name: &str, d_in: usize, d_out: usize, gain: f64, bias_init: f64, key: Key) -> Linear<F> {
        Linear {
            weight: store.normal(&format!("{name}.weight"), &[d_in, d_out], gain / (d_in as f64).sqrt(), key),
            bias: store.constant(&format!("{name}.bias"), &[d_out], F::c(bias_init)),
        }
    }

    /// `x W + b`, for `x` with two or more axes.
    pub fn forward(&self, x: &Tensor<F>) -> Tensor<F> {
        x.matmul(&self.weight).add(&self.bias)
    }
}
