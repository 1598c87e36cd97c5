//! Systematic generalisation: the generators, trained on some input sizes, emit
//! networks at every size of the study (trained and unseen; hidden width
//! `m = hidden_per_input * n` as in training), at a few betas; each network's nMSE
//! and label is measured as in the beta sweep.

use crate::studies::beta_sweep::{sweep_generator, Spread};
use crate::studies::keys::GENERALISATION;
use crate::studies::label_counts::LabelCounts;
use crate::studies::reproduce_config::ReproduceConfig;
use autodiff::Key;
use hypernet::generator::TrainedGenerator;

/// The networks generated at one input size and one beta.
#[derive(Clone, Debug, PartialEq)]
pub struct SizeResult {
    pub n: usize,
    pub trained: bool,
    pub log10_beta: f64,
    /// Each generator's mean nMSE, in seed order.
    pub per_seed_nmse: Vec<f64>,
    /// Spread of `per_seed_nmse` (seed to seed).
    pub nmse: Spread,
    /// Labels of every generator's networks together.
    pub labels: LabelCounts,
}

/// Generates at every size of [`ReproduceConfig::generalisation_sizes`] and beta of
/// the study with each `(seed, generator)`; calls `on_progress` after each size of
/// each generator. Results in order of size, then beta.
pub fn generalise(cfg: &ReproduceConfig, generators: &[(u64, TrainedGenerator)], mut on_progress: impl FnMut()) -> Vec<SizeResult> {
    let g = &cfg.generalisation;
    let mut results = Vec::new();
    for (n, trained) in cfg.generalisation_sizes() {
        let problem = cfg.training.problem_at(n);
        let sweeps: Vec<_> = generators
            .iter()
            .map(|(seed, generator)| {
                let key = Key::new(*seed).fold_in(GENERALISATION).fold_in(n as u64);
                let sweep = sweep_generator(generator, &problem, &g.log10_betas, g.samples, g.eval_points, key);
                on_progress();
                sweep
            })
            .collect();
        for (k, &log10_beta) in g.log10_betas.iter().enumerate() {
            let per_seed_nmse: Vec<f64> = sweeps.iter().map(|s| s[k].nmse.mean).collect();
            results.push(SizeResult {
                n,
                trained,
                log10_beta,
                nmse: Spread::of(&per_seed_nmse),
                labels: LabelCounts::pooled(sweeps.iter().map(|s| &s[k].labels)),
                per_seed_nmse,
            });
        }
    }
    results
}
