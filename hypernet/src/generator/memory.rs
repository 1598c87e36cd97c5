//! How much memory one generator training step needs, estimated from the config
//! before anything is allocated, so that a run too large for the machine is refused
//! up front with the estimate instead of dying hours later (or swapping).
//!
//! The tape keeps every intermediate of the forward pass until backward, and backward
//! makes gradients of the same sizes, so a step holds about twice the forward
//! activations. With B networks, N points, input size n (the largest of
//! `train_inputs`), m = hidden_per_input * n hidden neurons, T = n + m + 1 nodes,
//! width d, H heads, L blocks and noise size z, the forward activations in f32 are
//! about (counting the tensors each stage makes):
//!
//! * node features: `B T (z + 3 d)` (noise, projection, type embedding);
//! * attention scores: `3 L B H T^2` (scores, scaled, softmax; per block);
//! * the rest of the blocks: `60 L B T d` (norms, FiLM, q/k/v, head splits, MLP of
//!   width 2d; the count of 60 is calibrated on measured peak memory);
//! * weight readout and complexity: `22 B m n` (pointer or slot W1, sigma, KL terms);
//! * target networks: `B N (5 m + n)` (inputs, hidden pre-activations, activations);
//!
//! plus the parameters with their gradients and Adam's two moments (`4 P`, with
//! `P ~ L (8 d^2 + 4 c d + 11 d) + 2 f d k + (z + 10) d + c^2 + 4 c` for cond width c,
//! key width k and f bilinear forms' worth of W1 readout (see `w1_forms`): the
//! blocks' linear maps, biases and FiLM, the W1 readout, the noise projection and
//! embeddings, the beta code).
//! Sizes are multiplied in f64, so absurd configs give huge estimates, never an
//! overflow.
//!
//! The `node-latent` measure decodes twice after the first block (at the latent means
//! and at a sample): `2 L - 1` block passes and two readouts; `hierarchical-vae` runs
//! the blocks once and reads out twice (last latent at its mean and sampled).

use super::config::{ComplexityMeasure, W1Readout};
use super::train::GeneratorTrainConfig;
use std::fmt;

/// Bytes per element (f32).
const ELEMENT: f64 = 4.0;

/// The estimated bytes of a job, by part: one generator training step
/// ([`StepMemory::estimate`]), or any other job whose parts its caller lists (an
/// analysis of a network, a baseline's training).
#[derive(Clone, Debug, PartialEq)]
pub struct StepMemory {
    /// (what, bytes), forward activations doubled for their gradients.
    pub parts: Vec<(&'static str, f64)>,
}

/// The W1 readout's parameters in units of one bilinear form (`2 d k`): two for the
/// pointers and plain signed slots (logits and signs, or the two slot forms), three with
/// the spare column's dense rows.
fn w1_forms(readout: W1Readout) -> f64 {
    match readout {
        W1Readout::Pointer | W1Readout::BalancedPointer | W1Readout::SignedSlots => 2.0,
        W1Readout::SignedSlotsSpare => 3.0,
    }
}

impl StepMemory {
    /// The estimate for `config`.
    pub fn estimate(config: &GeneratorTrainConfig) -> StepMemory {
        let f = |v: usize| v as f64;
        let g = &config.generator;
        let (c, k) = (f(g.cond_width), f(g.key_dim));
        let (b, points) = (f(config.networks), f(config.points));
        let n = f(config.train_inputs.iter().copied().max().unwrap_or(0));
        let m = f(config.hidden_per_input) * n;
        let t = n + m + 1.0;
        let (d, h, l, z) = (f(g.width), f(g.heads), f(g.blocks), f(g.noise_dim));
        let activations = |elements: f64| 2.0 * ELEMENT * elements;
        let (passes, readouts) = match g.complexity {
            ComplexityMeasure::NodeLatent => (2.0 * l - 1.0, 2.0),
            ComplexityMeasure::HierarchicalVae => (l, 2.0),
            _ => (l, 1.0),
        };
        let params = l * (8.0 * d * d + 4.0 * c * d + 11.0 * d) + 2.0 * w1_forms(g.w1_readout) * d * k + (z + 10.0) * d + c * c + 4.0 * c;
        StepMemory {
            parts: vec![
                ("node features [B, T, d]", activations(b * t * (z + 3.0 * d))),
                ("attention scores [B, H, T, T]", activations(3.0 * passes * b * h * t * t)),
                ("transformer blocks [B, T, d]", activations(60.0 * passes * b * t * d)),
                ("weight readout and complexity [B, m, n]", activations(readouts * 22.0 * b * m * n)),
                ("target networks [B, N, m]", activations(b * points * (5.0 * m + n))),
                ("parameters, gradients and Adam moments", 4.0 * ELEMENT * params),
            ],
        }
    }

    /// All parts together.
    pub fn total(&self) -> f64 {
        self.parts.iter().map(|(_, bytes)| bytes).sum()
    }

    /// The largest part.
    pub fn largest(&self) -> (&'static str, f64) {
        self.parts.iter().copied().fold(("nothing", 0.0), |best, part| if part.1 > best.1 { part } else { best })
    }

    /// `Ok` if the step fits in `limit` bytes, else a message giving the estimate, its
    /// largest part, the limit (`limit_source` says where it came from) and what to
    /// shrink.
    pub fn check(&self, limit: f64, limit_source: &str) -> Result<(), String> {
        self.check_for(
            "one training step",
            "reduce networks, points, train_inputs, hidden_per_input or the generator's width, heads or blocks",
            limit,
            limit_source,
        )
    }

    /// [`StepMemory::check`] for any job the estimate describes: `what` names it,
    /// `remedy` says what to shrink.
    pub fn check_for(&self, what: &str, remedy: &str, limit: f64, limit_source: &str) -> Result<(), String> {
        if self.total() <= limit {
            return Ok(());
        }
        let (part, bytes) = self.largest();
        Err(format!(
            "{what} needs an estimated {} (largest part: {part}, {}), more than the {} {limit_source}; {remedy}",
            Bytes(self.total()),
            Bytes(bytes),
            Bytes(limit)
        ))
    }
}

/// A byte count printed with a binary unit, e.g. `1.50 GiB`.
pub struct Bytes(pub f64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        let mut value = self.0;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < units.len() {
            value /= 1024.0;
            unit += 1;
        }
        if unit == 0 {
            write!(f, "{value:.0} B")
        } else {
            write!(f, "{value:.2} {}", units[unit])
        }
    }
}

/// Parses a byte count such as `512M`, `8GiB`, `1.5G` or `4096` (K, M, G, T are
/// binary: 1K = 1024 bytes).
pub fn parse_bytes(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let scale = match unit.trim().to_ascii_lowercase().trim_end_matches("ib").trim_end_matches('b') {
        "" => 1.0,
        "k" => 1024f64,
        "m" => 1024f64.powi(2),
        "g" => 1024f64.powi(3),
        "t" => 1024f64.powi(4),
        _ => return Err(format!("`{text}` is not a byte count; write e.g. 4096, 512M, 8G or 1.5GiB")),
    };
    match number.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v * scale),
        _ => Err(format!("`{text}` is not a positive byte count; write e.g. 4096, 512M, 8G or 1.5GiB")),
    }
}

/// Memory available to a new process: `MemAvailable` from `/proc/meminfo`, or `None`
/// where that file is missing or unreadable (not Linux).
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{GeneratorConfig, Generator};
    use autodiff::Key;

    #[test]
    fn the_parameter_term_follows_the_real_count() {
        let tiny = GeneratorConfig { width: 8, blocks: 1, heads: 2, key_dim: 4, cond_width: 4, ..GeneratorConfig::default() };
        let every_readout = W1Readout::ALL.map(|w1_readout| GeneratorConfig { w1_readout, ..tiny.clone() });
        for generator in [GeneratorConfig::default(), tiny.clone()].into_iter().chain(every_readout) {
            let actual = Generator::new(generator.clone(), Key::new(0)).params.count() as f64;
            let config = GeneratorTrainConfig { generator, ..GeneratorTrainConfig::default() };
            let estimated = StepMemory::estimate(&config).parts.last().unwrap().1 / (4.0 * ELEMENT);
            assert!((0.9..1.1).contains(&(actual / estimated)), "{:?}: actual {actual} parameters, estimated {estimated}", config.generator.w1_readout);
        }
    }

    #[test]
    fn the_estimate_grows_with_every_size_and_attention_dominates_large_n() {
        let base = GeneratorTrainConfig::default();
        let total = |c: &GeneratorTrainConfig| StepMemory::estimate(c).total();
        let bigger = [
            GeneratorTrainConfig { networks: base.networks * 2, ..base.clone() },
            GeneratorTrainConfig { points: base.points * 2, ..base.clone() },
            GeneratorTrainConfig { train_inputs: vec![64], ..base.clone() },
            GeneratorTrainConfig { hidden_per_input: 6, ..base.clone() },
        ];
        for c in &bigger {
            assert!(total(c) > total(&base), "{c:?}");
        }
        let huge = GeneratorTrainConfig { train_inputs: vec![4096], ..base.clone() };
        assert_eq!(StepMemory::estimate(&huge).largest().0, "attention scores [B, H, T, T]");
    }

    #[test]
    fn a_step_over_the_limit_is_refused_with_the_estimate() {
        let c = GeneratorTrainConfig { train_inputs: vec![100_000], ..GeneratorTrainConfig::default() };
        let estimate = StepMemory::estimate(&c);
        let err = estimate.check(8.0 * 1024f64.powi(3), "given by --max-memory").unwrap_err();
        assert!(err.contains("8.00 GiB given by --max-memory") && err.contains("attention scores"), "{err}");
        assert!(err.contains(&Bytes(estimate.total()).to_string()), "{err}");
        assert!(StepMemory::estimate(&GeneratorTrainConfig::default()).check(8.0 * 1024f64.powi(3), "").is_ok());
    }

    #[test]
    fn absurd_sizes_give_a_huge_finite_estimate() {
        let c = GeneratorTrainConfig { networks: usize::MAX, points: usize::MAX, train_inputs: vec![usize::MAX], ..GeneratorTrainConfig::default() };
        let total = StepMemory::estimate(&c).total();
        assert!(total.is_finite() && total > 1e30, "{total}");
    }

    #[test]
    fn byte_counts_parse_with_binary_units() {
        assert_eq!(parse_bytes("4096").unwrap(), 4096.0);
        assert_eq!(parse_bytes("512M").unwrap(), 512.0 * 1024.0 * 1024.0);
        assert_eq!(parse_bytes("1.5GiB").unwrap(), 1.5 * 1024f64.powi(3));
        assert_eq!(parse_bytes("2 GB").unwrap(), 2.0 * 1024f64.powi(3));
        for bad in ["", "lots", "-1G", "0", "3X"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
        assert_eq!(Bytes(1536.0).to_string(), "1.50 KiB");
        assert_eq!(Bytes(12.0).to_string(), "12 B");
    }
}
