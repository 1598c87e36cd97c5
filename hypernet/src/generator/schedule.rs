//! What training schedules set for one call of the generator, passed with the call
//! instead of kept in the model: the gain `g` on the pointer and slot logits
//! ([`super::GeneratorConfig::pointer_gain_at`]) and the factor `alpha_b` on the
//! output weights of network b's neurons that read a `-` slot
//! ([`super::GeneratorTrainConfig::minus_slot_gates_at`], the pudding curriculum).

use super::config::GeneratorConfig;

/// The schedule values for one call.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// Gain on the pointer and slot logits.
    pub pointer_gain: f64,
    /// One factor per network on its `-` readers' output weights; empty: 1 for every
    /// network (no gate).
    pub minus_slot_gate: Vec<f64>,
}

impl Schedule {
    /// No schedule running: the configured final gain, no gate (a fresh generator, and
    /// any generator trained without an anneal).
    pub fn fixed(config: &GeneratorConfig) -> Schedule {
        Schedule::with_gain(config.pointer_gain)
    }

    /// The gain `pointer_gain`, no gate.
    pub fn with_gain(pointer_gain: f64) -> Schedule {
        Schedule { pointer_gain, minus_slot_gate: Vec::new() }
    }
}
