//! The affine layer `y = x W + b` over the last axis, `x: [..., d_in] -> [..., d_out]`.

use crate::params::ParamStore;
use autodiff::{Key, Tensor};

/// An affine map with weight `[d_in, d_out]` and bias `[d_out]`.
#[derive(Clone)]
pub struct Linear {
    pub weight: Tensor<f32>,
    pub bias: Tensor<f32>,
}

impl Linear {
    /// Weight `N(0, gain^2 / d_in)`, bias `bias_init`.
    pub fn new(store: &mut ParamStore, name: &str, d_in: usize, d_out: usize, gain: f64, bias_init: f32, key: Key) -> Linear {
        Linear {
            weight: store.normal(&format!("{name}.weight"), &[d_in, d_out], gain / (d_in as f64).sqrt(), key),
            bias: store.constant(&format!("{name}.bias"), &[d_out], bias_init),
        }
    }

    /// `x W + b`, for `x` with two or more axes.
    pub fn forward(&self, x: &Tensor<f32>) -> Tensor<f32> {
        x.matmul(&self.weight).add(&self.bias)
    }
}
