//! One landscape measurement: for one complexity measure, every (beta, start, seed)
//! network trained together as one batch of variational MLPs with the generator's
//! objective `nMSE + beta * bits / W`, then evaluated and labelled.
//!
//! Network `i = (beta index * starts + start index) * seeds + seed index`; every beta
//! begins from the same start networks, so the betas differ only in the price of bits.
//! A network's final label is the most common label of `label_samples` whole-network
//! weight samples (as the generator's networks are judged: sampled, not by their mean
//! weights), with the share of samples that carry it.

use crate::classify::{classify, Label};
use crate::landscape::config::LandscapeConfig;
use crate::landscape::starts::Start;
use crate::studies::keys::{LANDSCAPE_LABELS, LANDSCAPE_STARTS};
use crate::studies::vmlp_sweep::sample_gaussian_weights;
use autodiff::Key;
use hypernet::posterior::Posterior;
use hypernet::vmlp::{evaluate, optimise, SigmaSharing};
use rayon::prelude::*;

/// One trained network of the landscape (a row of `landscape.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct LandscapeRow {
    pub measure: SigmaSharing,
    pub log10_beta: f64,
    pub start: Start,
    pub seed: usize,
    /// The most common label of the network's weight samples.
    pub final_label: Label,
    /// The share of samples carrying `final_label`.
    pub label_share: f64,
    /// The label of the network with every weight at its mean.
    pub mean_label: Label,
    /// nMSE of whole-network weight samples.
    pub nmse: f64,
    /// nMSE of the mean network.
    pub nmse_mean: f64,
    pub bits: f64,
    /// `nmse + beta * bits / W`, the objective the network was trained on.
    pub loss: f64,
}

/// Trains and labels every network of one measure.
pub fn run_measure(cfg: &LandscapeConfig, measure: SigmaSharing) -> Result<Vec<LandscapeRow>, String> {
    let training = cfg.training(measure);
    let sp = training.priors();
    let root = Key::new(cfg.seed);
    let mut cells = Vec::new();
    for &log10_beta in &cfg.log10_betas {
        for &start in &cfg.starts {
            for seed in 0..cfg.seeds {
                cells.push((log10_beta, start, seed));
            }
        }
    }
    let starts: Vec<_> = (cells.iter())
        .map(|&(_, start, seed)| {
            let key = root.fold_in(LANDSCAPE_STARTS).fold_in(start as u64).fold_in(seed as u64);
            start.network(&cfg.problem, cfg.start_sharpness as f32, cfg.start_noise, sp, key)
        })
        .collect();
    let posterior = Posterior::from_networks(&starts, sp, cfg.initial_sigma_fraction, measure);
    let log10_betas: Vec<f64> = cells.iter().map(|c| c.0).collect();
    optimise(&training, &posterior, &log10_betas, |_| Ok(())).map_err(|e| format!("landscape, {}: {e}", measure.name()))?;
    let evaluations = evaluate(&training, &posterior);
    let label_key = root.fold_in(LANDSCAPE_LABELS);
    Ok((cells.into_par_iter().zip(evaluations).enumerate())
        .map(|(i, ((log10_beta, start, seed), e))| {
            let labels: Vec<Label> = (0..cfg.label_samples)
                .map(|s| classify(&sample_gaussian_weights(&e.mean, &e.sigma, label_key.fold_in(i as u64).fold_in(s as u64))).label)
                .collect();
            let (final_label, count) = most_common(&labels);
            LandscapeRow {
                measure,
                log10_beta,
                start,
                seed,
                final_label,
                label_share: count as f64 / labels.len() as f64,
                mean_label: classify(&e.mean).label,
                nmse: e.nmse_sampled,
                nmse_mean: e.nmse_mean,
                bits: e.bits,
                loss: e.nmse_sampled + 10f64.powf(log10_beta) * e.bits / training.complexity_normaliser,
            }
        })
        .collect())
}

/// The most common label and its count (ties go to the first in [`Label::ALL`]).
fn most_common(labels: &[Label]) -> (Label, usize) {
    let count = |l: &Label| labels.iter().filter(|x| *x == l).count();
    let mut best = (Label::ALL[0], count(&Label::ALL[0]));
    for l in &Label::ALL[1..] {
        if count(l) > best.1 {
            best = (*l, count(l));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_label_wins_and_ties_follow_the_label_order() {
        use Label::*;
        assert_eq!(most_common(&[Convexity, Other, Convexity]), (Convexity, 2));
        assert_eq!(most_common(&[Convexity, DoubleSided]), (DoubleSided, 1));
    }
}
