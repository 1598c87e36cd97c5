//! The per-tensor Gaussian priors `N(0, sp_t^2)` of a target network's weights, which
//! both complexity-priced trainers (the variational MLPs and the generator) share.
//!
//! Defaults (ours, from `docs/prototypes.md` §2): `W1` sp 1, `b1` sp 1, `w2` sp 1/sqrt(m),
//! `b2` sp 10. A weight left at its prior costs 0 bits (`docs/kl-in-bits.md`).

use serde::{Deserialize, Serialize};

/// Prior standard deviations (a TOML table `priors`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeightPriors {
    pub w1: f64,
    pub b1: f64,
    /// `w2`'s prior is `w2_sqrt_m / sqrt(m)`, so the output's scale does not grow with m.
    pub w2_sqrt_m: f64,
    pub b2: f64,
}

impl Default for WeightPriors {
    fn default() -> Self {
        WeightPriors { w1: 1.0, b1: 1.0, w2_sqrt_m: 1.0, b2: 10.0 }
    }
}

impl WeightPriors {
    /// `[sp_W1, sp_b1, sp_w2, sp_b2]` for hidden width m.
    pub fn at_width(&self, m: usize) -> [f64; 4] {
        [self.w1, self.b1, self.w2_sqrt_m / (m as f64).sqrt(), self.b2]
    }

    /// Every prior must be a finite positive number; `owner` names the table in messages.
    pub fn validate(&self, owner: &str) -> Result<(), String> {
        for (name, v) in [("w1", self.w1), ("b1", self.b1), ("w2_sqrt_m", self.w2_sqrt_m), ("b2", self.b2)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{owner}.priors.{name} must be finite and > 0, got {v}"));
            }
        }
        Ok(())
    }
}
