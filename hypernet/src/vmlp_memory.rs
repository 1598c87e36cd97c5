//! How much memory a variational-MLP sweep ([`crate::vmlp`]) needs, estimated from its
//! config before anything is allocated, so that `hnet train-vmlp` and `hnet landscape`
//! refuse a sweep too large for the machine with the estimate instead of aborting in
//! an allocation.
//!
//! With B networks trained together, N = `batch_size` inputs per network per step,
//! E = `eval_points`, n inputs, m hidden neurons and P = m n + 2 m + 1 weights per
//! network, in f32:
//!
//! * the training step, kept on the tape with gradients of the same sizes: the inputs
//!   and their squares `[B, N, n]`, and 8 `[B, N, m]` tensors under local
//!   reparameterisation (the means' and variances' pre-activations, the noise and its
//!   scaling, the activation and its square) or 3 with whole-network samples (the
//!   counts calibrated on measured peak memory, TESTING.md section 5);
//! * the complexity and the weight noise, per weight and with gradients: 10 `[B, P]`
//!   tensors (`exp(2 rho)` and the KL's terms), 4 more for whole-network samples;
//! * the evaluation, without gradients: the inputs broadcast to every network
//!   `[B, E, n]` and about 2.5 `[B, E, m]` alive at once (calibrated);
//! * the means and the free standard deviations (at most one per weight) with their
//!   gradients and Adam's two moments: `8 B P`.
//!
//! The parts are added although the evaluation starts after the last training step
//! has freed its tape, so the estimate errs high when both are large. Sizes are
//! multiplied in f64, so absurd configs give huge estimates, never an overflow.

use crate::generator::memory::StepMemory;
use crate::vmlp::{VmlpConfig, WeightNoise};

/// Bytes per element (f32).
const ELEMENT: f64 = 4.0;

impl VmlpConfig {
    /// The estimate for the config's own [`VmlpConfig::networks`] (betas x seeds).
    pub fn memory(&self) -> StepMemory {
        self.memory_for(self.networks())
    }

    /// The estimate for `networks` networks trained together with these settings (a
    /// landscape trains betas x starts x seeds of them at once).
    pub fn memory_for(&self, networks: usize) -> StepMemory {
        let f = |v: usize| v as f64;
        let (b, points, e) = (f(networks), f(self.batch_size), f(self.eval_points));
        let (n, m) = (f(self.problem.inputs), f(self.problem.hidden));
        let weights = m * n + 2.0 * m + 1.0;
        let (step_tensors, weight_tensors) = match self.noise {
            WeightNoise::Local => (8.0, 10.0),
            WeightNoise::Whole => (3.0, 14.0),
        };
        let with_gradients = |elements: f64| 2.0 * ELEMENT * elements;
        StepMemory {
            parts: vec![
                ("training step [B, N, m] with gradients", with_gradients(b * points * (2.0 * n + 1.0 + step_tensors * m))),
                ("complexity and weight noise [B, m, n] with gradients", with_gradients(b * weight_tensors * weights)),
                ("evaluation [B, E, m]", ELEMENT * b * e * (n + 1.0 + 2.5 * m)),
                ("means, sigmas, gradients and Adam moments", ELEMENT * 8.0 * b * weights),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::ProblemConfig;

    #[test]
    fn the_estimate_grows_with_each_size_and_stays_finite() {
        let base = VmlpConfig::default();
        let total = |c: &VmlpConfig| c.memory().total();
        // The default sweep (7 networks, 16 -> 48 -> 1): tens of MiB, not GiB.
        assert!(total(&base) > 1e6 && total(&base) < 100e6, "{}", total(&base));
        let huge_batch = VmlpConfig { batch_size: 100_000_000, ..base.clone() };
        assert_eq!(huge_batch.memory().largest().0, "training step [B, N, m] with gradients");
        let huge_eval = VmlpConfig { eval_points: 100_000_000, ..base.clone() };
        assert_eq!(huge_eval.memory().largest().0, "evaluation [B, E, m]");
        let wide = VmlpConfig { problem: ProblemConfig { inputs: 100_000, hidden: 100_000, ..ProblemConfig::default() }, ..base.clone() };
        assert_eq!(wide.memory().largest().0, "complexity and weight noise [B, m, n] with gradients");
        assert!(base.memory_for(70).total() > 9.0 * total(&base));
        let absurd = VmlpConfig { batch_size: usize::MAX, seeds: usize::MAX, ..base };
        assert!(total(&absurd).is_finite());
    }
}
