//! Drawings: each picked network ([`crate::studies::exemplars`]: one per algorithm
//! found by the generators, and one per algorithm found by the variational MLPs) as a
//! force-directed graph with its formula read-out, and, for contrast, one network
//! trained directly with Adam at the sweep's size (no complexity term).

use crate::classify::{classify, Label};
use crate::draw::network_svg;
use crate::formula::explain;
use crate::studies::exemplars::Exemplar;
use crate::studies::reproduce_config::ReproduceConfig;
use hypernet::log::MetricsLog;
use hypernet::train_mlp::{train_mlp, MlpConfig};
use hypernet::TargetWeights;

/// One drawn network.
#[derive(Clone, Debug)]
pub struct Drawing {
    /// File-name-safe identifier, e.g. `generator-double-sided` or `adam`.
    pub id: String,
    /// Where the network came from, in words.
    pub source: String,
    pub label: Label,
    pub nmse: f64,
    /// Complexity in bits (none for the Adam network, which has no weight noise).
    pub bits: Option<f64>,
    /// The formula read-out and its checks, as `hnet explain` prints them.
    pub explanation: String,
    pub svg: String,
    pub weights: TargetWeights,
}

/// Draws and explains one network.
fn drawing(id: String, source: String, nmse: f64, bits: Option<f64>, weights: TargetWeights) -> Drawing {
    let classification = classify(&weights);
    let explanation = explain(&weights, &classification.params).to_string();
    let svg = network_svg(&weights, &classification);
    Drawing { id, source, label: classification.label, nmse, bits, explanation, svg, weights }
}

/// The drawing of a picked network; `method` (`generator`, `variational-mlp`) starts
/// its id.
pub fn draw_exemplar(method: &str, e: &Exemplar) -> Drawing {
    let source = format!("{}, log10 beta {:+.2}", e.origin, e.log10_beta);
    drawing(format!("{method}-{}", e.label.name()), source, e.nmse, Some(e.bits), e.weights.clone())
}

/// The Adam baseline's configuration at the sweep's size.
pub fn adam_config(cfg: &ReproduceConfig) -> MlpConfig {
    MlpConfig {
        seed: cfg.seed,
        steps: cfg.adam.steps,
        batch_size: cfg.adam.batch_size,
        log_every: (cfg.adam.steps / 50).max(1),
        eval_points: cfg.sweep.eval_points,
        problem: cfg.training.problem_at(cfg.sweep.inputs),
        optimizer: cfg.adam.optimizer.clone(),
    }
}

/// Trains the Adam baseline (logging to `log`) and draws it.
pub fn draw_adam(cfg: &ReproduceConfig, log: Option<&mut MetricsLog>) -> Result<Drawing, String> {
    let mcfg = adam_config(cfg);
    let outcome = train_mlp(&mcfg, log).map_err(|e| format!("Adam baseline: {e}"))?;
    let source = format!("trained directly with Adam, {} steps, seed {}", mcfg.steps, mcfg.seed);
    Ok(drawing("adam".into(), source, outcome.eval_nmse, None, outcome.weights))
}
