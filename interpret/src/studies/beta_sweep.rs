//! The beta sweep: for log-spaced betas, sample networks from a trained generator and
//! measure their error, complexity and algorithm.
//!
//! For each `log10 beta` the generator emits S networks (one weight sample each:
//! convexity networks keep W1 near the prior, so they are judged as sampled, not by
//! their mean weights); each is evaluated on its own fresh inputs (normalised MSE)
//! and classified. The point also records collapse: the mean |cos| between W1 rows of
//! different networks and of the same network ([`RowCosines`], live neurons only).
//! [`measure_networks`] measures any batch of networks the same way
//! (the variational-MLP baseline's samples, say).

use crate::classify::{classify, Label};
use crate::studies::label_counts::LabelCounts;
use crate::studies::row_cosines::RowCosines;
use autodiff::{no_grad, Key, Tensor};
use hypernet::generator::{Generator, Schedule, TrainedGenerator};
use hypernet::problem::ProblemConfig;
use hypernet::target_batch::BatchedWeights;
use hypernet::task::normalised_mse;
use hypernet::TargetWeights;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Mean and standard deviation of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub mean: f64,
    pub std: f64,
}

impl Spread {
    pub fn of(v: &[f64]) -> Spread {
        let n = v.len().max(1) as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        Spread { mean, std: var.sqrt() }
    }
}

/// One network of a sweep.
#[derive(Clone, Debug)]
pub struct SweptNetwork {
    pub weights: TargetWeights,
    pub nmse: f64,
    pub bits: f64,
    pub label: Label,
}

/// Everything measured at one beta.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    pub log10_beta: f64,
    pub nmse: Spread,
    pub bits: Spread,
    pub labels: LabelCounts,
    /// Mean |cos| between W1 rows, across and within networks (collapse, `R2`).
    pub cosines: RowCosines,
    pub networks: Vec<SweptNetwork>,
}

/// `count` values evenly spaced from `lo` to `hi` inclusive.
pub fn linspace(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    match count {
        0 => vec![],
        1 => vec![lo],
        _ => (0..count).map(|i| lo + (hi - lo) * i as f64 / (count - 1) as f64).collect(),
    }
}

/// Which weights of a generated network a sweep measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emitted {
    /// One sample `mu + sigma * eps` per network: what the trained generator emits.
    Sampled,
    /// The means `mu`: what a generator trained with deterministic weights emits (its
    /// complexity warmup).
    Mean,
}

/// Samples `samples` networks of `problem`'s size at each `log10 beta` and measures
/// them on `points` fresh inputs each.
pub fn sweep_generator(generator: &TrainedGenerator, problem: &ProblemConfig, log10_betas: &[f64], samples: usize, points: usize, key: Key) -> Vec<SweepPoint> {
    sweep_generator_emitting((&generator.generator, &generator.schedule()), problem, log10_betas, (samples, points), key, Emitted::Sampled)
}

/// [`sweep_generator`] for a generator and the schedule to run it with, measuring the
/// chosen weights of `samples` networks on `points` inputs each per beta.
pub fn sweep_generator_emitting(
    (generator, schedule): (&Generator, &Schedule),
    problem: &ProblemConfig,
    log10_betas: &[f64],
    (samples, points): (usize, usize),
    key: Key,
    emitted: Emitted,
) -> Vec<SweepPoint> {
    log10_betas
        .iter()
        .enumerate()
        .map(|(i, &lb)| {
            let k = key.fold_in(i as u64).split(2);
            let g = no_grad(|| generator.generate(&vec![lb as f32; samples], problem.inputs, problem.hidden, schedule, k[0]));
            let bits = g.bits.to_vec().iter().map(|&b| b as f64).collect();
            let weights = match emitted {
                Emitted::Sampled => &g.sample,
                Emitted::Mean => &g.mean,
            };
            SweepPoint::of(lb, measure_networks(weights, bits, problem, points, k[1]))
        })
        .collect()
}

/// Evaluates B networks, each on its own `points` fresh inputs drawn with `key`
/// (normalised MSE), and classifies them; `bits` is each network's complexity.
pub fn measure_networks(weights: &BatchedWeights<f32>, bits: Vec<f64>, problem: &ProblemConfig, points: usize, key: Key) -> Vec<SweptNetwork> {
    assert_eq!(bits.len(), weights.count(), "measure_networks: {} networks but {} complexities", weights.count(), bits.len());
    let nmse = no_grad(|| {
        let (x, y) = problem.sample::<f32>(key, weights.count(), points);
        let pred = weights.forward(&Tensor::constant(x), problem.activation);
        normalised_mse(&pred, &Tensor::constant(y), problem.variance().value).to_vec()
    });
    weights
        .to_targets(problem.activation)
        .into_par_iter()
        .zip(nmse.par_iter().zip(&bits))
        .map(|(weights, (&e, &b))| {
            let label = classify(&weights).label;
            SweptNetwork { weights, nmse: e as f64, bits: b, label }
        })
        .collect()
}

impl SweepPoint {
    /// The point at `log10_beta` made of `networks`.
    pub fn of(log10_beta: f64, networks: Vec<SweptNetwork>) -> SweepPoint {
        SweepPoint {
            log10_beta,
            nmse: Spread::of(&networks.iter().map(|n| n.nmse).collect::<Vec<_>>()),
            bits: Spread::of(&networks.iter().map(|n| n.bits).collect::<Vec<_>>()),
            labels: LabelCounts::new(networks.iter().map(|n| n.label)),
            cosines: RowCosines::of(networks.iter().map(|n| &n.weights)),
            networks,
        }
    }
}
