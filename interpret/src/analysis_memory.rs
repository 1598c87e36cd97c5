//! How much memory `hnet classify`, `explain` and `draw` need for a network of `n`
//! inputs and `m` hidden neurons, estimated from its shape before it is analysed, so
//! that a network too large for the machine is refused with the estimate instead of
//! aborting in an allocation.
//!
//! With `S` = [`PROBE_SAMPLES`] probe inputs and `c = min(m, NEURON_CHUNK)`, in bytes:
//!
//! * the weights as loaded: `4 (m n + 2 m)`;
//! * the probe inputs `[S, n]` in f32: `4 S n` (three such batches for `explain`:
//!   the order parameters', the fit's and the test's);
//! * drawing a batch: `autodiff::Key::normal` holds the uniform and the normal draws
//!   in f64 before it converts them, `16 S n` at its peak, `12 S n` beyond the batch
//!   (measured: `classify` of n = 10^5, m = 2 peaks at 6.4 GB, the batch is 1.6 GB);
//! * one chunk of neurons (pre-activations, activations, one neuron's contribution):
//!   `4 S (2 c + 1)` ([`forward_in_chunks`](crate::probe::forward_in_chunks));
//! * the order parameters: about 64 bytes a neuron;
//! * `explain`: the formula's diffuse neurons evaluated at once, `4 S m` twice
//!   (their pre-activations and relus), and their directions `4 m n`;
//! * `draw`: the layout's input shares per neuron in f64, `8 m n`, and the SVG, about
//!   200 characters per drawn weight (`m n`), as much again for a heatmap.
//!
//! Sizes are multiplied in f64, so absurd shapes give huge estimates, never an overflow.

use crate::probe::{NEURON_CHUNK, PROBE_SAMPLES};
use hypernet::generator::memory::StepMemory;

/// Which analysis runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analysis {
    Classify,
    Explain,
    /// The graph drawing, and the weight heatmap when `heatmap`.
    Draw { heatmap: bool },
}

impl Analysis {
    /// What it is called in messages.
    pub fn name(self) -> &'static str {
        match self {
            Analysis::Classify => "classification",
            Analysis::Explain => "explanation",
            Analysis::Draw { .. } => "drawing",
        }
    }
}

/// SVG characters per drawn weight (an edge or a heatmap cell, with its tooltip).
const SVG_BYTES_PER_WEIGHT: f64 = 200.0;

/// The estimate for `analysis` of a network with `n` inputs and `m` hidden neurons.
pub fn analysis_memory(analysis: Analysis, n: usize, m: usize) -> StepMemory {
    let (n, m, s) = (n as f64, m as f64, PROBE_SAMPLES as f64);
    let chunk = m.min(NEURON_CHUNK as f64);
    let batches = if analysis == Analysis::Explain { 3.0 } else { 1.0 };
    let mut parts = vec![
        ("weights [m, n]", 4.0 * (m * n + 2.0 * m)),
        ("probe inputs [S, n]", 4.0 * batches * s * n),
        ("drawing a batch of probe inputs, f64 draws [S, n]", 12.0 * s * n),
        ("one chunk of neurons on the probe inputs [S, chunk]", 4.0 * s * (2.0 * chunk + 1.0)),
        ("order parameters per neuron", 64.0 * m),
    ];
    match analysis {
        Analysis::Classify => {}
        Analysis::Explain => parts.push(("the formula's diffuse neurons on the probe inputs [S, m]", 4.0 * (2.0 * s * m + m * n))),
        Analysis::Draw { heatmap } => {
            parts.push(("layout shares [m, n]", 8.0 * m * n));
            let drawings = if heatmap { 2.0 } else { 1.0 };
            parts.push(("SVG text, per weight", drawings * SVG_BYTES_PER_WEIGHT * m * n));
        }
    }
    StepMemory { parts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_is_bounded_in_the_width_and_drawing_is_not() {
        let (small, wide) = (analysis_memory(Analysis::Classify, 16, 48), analysis_memory(Analysis::Classify, 16, 1_000_000));
        assert!(small.total() < 3e6, "{}", small.total());
        // A million neurons: the weights and their order parameters, never [S, m] (16 GB).
        assert!(wide.total() < 0.2e9, "{}", wide.total());
        let draw = analysis_memory(Analysis::Draw { heatmap: true }, 16, 1_000_000);
        assert!(draw.total() > 6e9, "{}", draw.total());
        assert!(analysis_memory(Analysis::Explain, 16, 1_000_000).total() > 16e9);
        assert!(analysis_memory(Analysis::Classify, usize::MAX, usize::MAX).total().is_finite());
        // Many inputs: the f64 draws of the probe inputs (measured peak 6.4 GB at n = 10^5).
        let many_inputs = analysis_memory(Analysis::Classify, 100_000, 2);
        assert!(many_inputs.total() > 6e9, "{}", many_inputs.total());
        assert_eq!(many_inputs.largest().0, "drawing a batch of probe inputs, f64 draws [S, n]");
    }
}
