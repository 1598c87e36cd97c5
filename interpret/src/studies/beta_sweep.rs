//! The beta sweep: for log-spaced betas, sample networks from a trained generator and
//! measure their error, complexity and algorithm.
//!
//! For each `log10 beta` the generator emits S networks (one weight sample each:
//! convexity networks keep W1 near the prior, so they are judged as sampled, not by
//! their mean weights); each is evaluated on its own fresh inputs (normalised MSE)
//! and classified.

use crate::classify::{classify, Label};
use crate::studies::label_counts::LabelCounts;
use autodiff::{no_grad, Key, Tensor};
use hypernet::generator::Generator;
use hypernet::problem::ProblemConfig;
use hypernet::target_batch::forward;
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

/// Samples `samples` networks of `problem`'s size at each `log10 beta` and measures
/// them on `points` fresh inputs each.
pub fn sweep_generator(generator: &Generator, problem: &ProblemConfig, log10_betas: &[f64], samples: usize, points: usize, key: Key) -> Vec<SweepPoint> {
    let variance = problem.variance().value;
    log10_betas
        .iter()
        .enumerate()
        .map(|(i, &lb)| {
            let k = key.fold_in(i as u64).split(2);
            let (nets, nmse, bits) = no_grad(|| {
                let g = generator.generate(&vec![lb as f32; samples], problem.inputs, problem.hidden, k[0]);
                let (x, y) = problem.sample::<f32>(k[1], samples, points);
                let s = &g.sample;
                let pred = forward(&Tensor::constant(x), &s.w1, &s.b1, &s.w2, &s.b2, problem.activation);
                let nmse = normalised_mse(&pred, &Tensor::constant(y), variance);
                (s.to_targets(problem.activation), nmse.to_vec(), g.bits.to_vec())
            });
            let networks: Vec<SweptNetwork> = nets
                .into_par_iter()
                .zip(nmse.par_iter().zip(&bits))
                .map(|(weights, (&e, &b))| {
                    let label = classify(&weights).label;
                    SweptNetwork { weights, nmse: e as f64, bits: b as f64, label }
                })
                .collect();
            SweepPoint {
                log10_beta: lb,
                nmse: Spread::of(&networks.iter().map(|n| n.nmse).collect::<Vec<_>>()),
                bits: Spread::of(&networks.iter().map(|n| n.bits).collect::<Vec<_>>()),
                labels: LabelCounts::new(networks.iter().map(|n| n.label)),
                networks,
            }
        })
        .collect()
}
