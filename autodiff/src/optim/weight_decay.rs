//! Weight decay, the two ways optimisers apply it.
//!
//! * L2 (coupled): the gradient of `wd/2 |p|^2` is added to the loss gradient before
//!   the optimiser sees it: `g <- g + wd p`. With Adam this decay is rescaled by the
//!   adaptive denominator (classic Adam with `weight_decay`).
//! * Decoupled (Loshchilov & Hutter, AdamW): the parameter shrinks directly, apart from
//!   the gradient step: `p <- p - lr wd p = (1 - lr wd) p`, then the usual update.
//!
//! Both reduce to two per-step numbers, `DecayTerms`, that an update applies to every
//! element without branching: `g' = g + l2 p` and `p' = shrink p - update`.

use super::optimizer::{require, OptimError};
use crate::float::Float;

/// How (and whether) an optimiser decays the weights.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum WeightDecay {
    #[default]
    None,
    /// `g <- g + wd p` before the update.
    L2(f64),
    /// `p <- (1 - lr wd) p` beside the update.
    Decoupled(f64),
}

/// The per-step coefficients of a [`WeightDecay`] at learning rate `lr`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct DecayTerms<T> {
    /// Added to the gradient times the parameter: `g' = g + l2 p`.
    pub l2: T,
    /// Multiplies the parameter before the update is subtracted.
    pub shrink: T,
}

impl WeightDecay {
    /// The coefficients for one step at learning rate `lr`.
    pub(crate) fn terms<T: Float>(self, lr: f64) -> DecayTerms<T> {
        let (l2, shrink) = self.coefficients(lr);
        DecayTerms { l2: T::c(l2), shrink: T::c(shrink) }
    }

    /// `(l2, shrink)` of [`DecayTerms`] in f64 (what the device kernels take).
    pub(crate) fn coefficients(self, lr: f64) -> (f64, f64) {
        match self {
            WeightDecay::None => (0.0, 1.0),
            WeightDecay::L2(wd) => (wd, 1.0),
            WeightDecay::Decoupled(wd) => (0.0, 1.0 - lr * wd),
        }
    }

    /// Checks that the decay rate is finite and non-negative; `who` names the optimiser.
    pub fn validate(self, who: &str) -> Result<(), OptimError> {
        match self {
            WeightDecay::None => Ok(()),
            WeightDecay::L2(wd) | WeightDecay::Decoupled(wd) => {
                require(wd.is_finite() && wd >= 0.0, || format!("{who}: weight decay {wd} must be finite and >= 0"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_of_each_kind() {
        assert_eq!(WeightDecay::None.terms::<f64>(0.1), DecayTerms { l2: 0.0, shrink: 1.0 });
        assert_eq!(WeightDecay::L2(0.5).terms::<f64>(0.1), DecayTerms { l2: 0.5, shrink: 1.0 });
        // 1 - 0.1 * 0.5 = 0.95
        assert_eq!(WeightDecay::Decoupled(0.5).terms::<f64>(0.1), DecayTerms { l2: 0.0, shrink: 0.95 });
    }

    #[test]
    fn negative_decay_is_rejected() {
        let err = WeightDecay::L2(-1.0).validate("sgd").unwrap_err();
        assert!(err.to_string().contains("sgd: weight decay -1"), "{err}");
    }
}
