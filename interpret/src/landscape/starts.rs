//! Where a landscape run starts: the mean weights of one of the paper's algorithms
//! (built by [`crate::reference`] at a modest sharpness, widened to the run's m with
//! neurons at the prior's mean, zero), plus a little Gaussian noise, or the random
//! start every other variational MLP uses ([`hypernet::init`]).
//!
//! A start is only where training begins: a network may leave its basin, so every run
//! is labelled again at the end ([`crate::landscape::run`]).

use crate::reference::{alternating_signs, convexity, double_sided, pudding};
use autodiff::Key;
use hypernet::init::initial_weights;
use hypernet::problem::ProblemConfig;
use hypernet::TargetWeights;
use ndarray::{concatenate, Array1, Array2, Axis};
use serde::{Deserialize, Serialize};

/// A start: a reference algorithm, or random.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Start {
    DoubleSided,
    PositivePudding,
    NegativePudding,
    MixedPudding,
    Convexity,
    Random,
}

impl Start {
    pub const ALL: [Start; 6] = [Start::DoubleSided, Start::PositivePudding, Start::NegativePudding, Start::MixedPudding, Start::Convexity, Start::Random];

    /// The name in configs and result files.
    pub fn name(self) -> &'static str {
        match self {
            Start::DoubleSided => "double-sided",
            Start::PositivePudding => "positive-pudding",
            Start::NegativePudding => "negative-pudding",
            Start::MixedPudding => "mixed-pudding",
            Start::Convexity => "convexity",
            Start::Random => "random",
        }
    }

    /// Hidden neurons the start uses at `n` inputs (the rest of m are left at zero).
    pub fn neurons(self, n: usize) -> usize {
        match self {
            Start::DoubleSided => 2 * n,
            Start::PositivePudding | Start::NegativePudding | Start::MixedPudding => n + 1,
            Start::Convexity | Start::Random => 0,
        }
    }

    /// The start's mean weights for `problem` (n inputs, m hidden neurons): the
    /// reference network at sharpness `s` with `m` neurons (the unused ones all zero),
    /// plus `noise * sp_t * N(0, 1)` on every weight of tensor t (priors `sp`); the
    /// random start ignores `s` and `noise`. `key` draws the noise and convexity's
    /// directions.
    pub fn network(self, problem: &ProblemConfig, s: f32, noise: f64, sp: [f64; 4], key: Key) -> TargetWeights {
        let (n, m) = (problem.inputs, problem.hidden);
        let reference = match self {
            Start::Random => return initial_weights::<f32>(problem, &[key]).to_targets(problem.activation).remove(0),
            Start::DoubleSided => double_sided(n, s),
            Start::PositivePudding => pudding(&vec![1.0; n], s),
            Start::NegativePudding => pudding(&vec![-1.0; n], s),
            Start::MixedPudding => pudding(&alternating_signs(n), s),
            Start::Convexity => convexity(n, m, s, key.fold_in(0)),
        };
        assert!(reference.hidden() <= m, "the {} start needs {} neurons, the problem has m = {m}", self.name(), reference.hidden());
        let mut net = with_zero_neurons(&reference, m);
        let k = key.fold_in(1).split(4);
        let jitter = |key: Key, len: usize, sp: f64| Array1::from(key.normal_f64(len).iter().map(|&e| (noise * sp * e) as f32).collect::<Vec<f32>>());
        net.w1 = &net.w1 + &jitter(k[0], m * n, sp[0]).into_shape_with_order((m, n)).expect("m * n values");
        net.b1 = &net.b1 + &jitter(k[1], m, sp[1]);
        net.w2 = &net.w2 + &jitter(k[2], m, sp[2]);
        net.b2 += jitter(k[3], 1, sp[3])[0];
        net
    }
}

/// `net` widened to `m` neurons with all-zero rows (the prior's mean: free of bits).
fn with_zero_neurons(net: &TargetWeights, m: usize) -> TargetWeights {
    let (old, n) = net.w1.dim();
    TargetWeights {
        w1: concatenate![Axis(0), net.w1, Array2::zeros((m - old, n))],
        b1: concatenate![Axis(0), net.b1, Array1::zeros(m - old)],
        w2: concatenate![Axis(0), net.w2, Array1::zeros(m - old)],
        b2: net.b2,
        activation: net.activation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{classify, Label};
    use crate::studies::family::Family;

    /// Every reference start is labelled as its own algorithm, noise included, and the
    /// random start is none of the three.
    #[test]
    fn each_start_is_labelled_as_its_algorithm() {
        let problem = ProblemConfig::default();
        let sp = hypernet::prior::WeightPriors::default().at_width(problem.hidden);
        for start in Start::ALL {
            let net = start.network(&problem, 3.0, 0.05, sp, Key::new(7));
            assert_eq!(net.w1.dim(), (problem.hidden, problem.inputs));
            let label = classify(&net).label;
            let expected = match start {
                Start::DoubleSided => Some(Label::DoubleSided),
                Start::PositivePudding => Some(Label::PositivePudding),
                Start::NegativePudding => Some(Label::NegativePudding),
                Start::MixedPudding => Some(Label::MixedPudding),
                Start::Convexity => Some(Label::Convexity),
                Start::Random => None,
            };
            match expected {
                Some(l) => assert_eq!(label, l, "{} start", start.name()),
                None => assert_eq!(Family::of(label), Family::Other, "random start labelled {label}"),
            }
        }
    }

    #[test]
    fn names_round_trip_and_noise_follows_the_key() {
        for start in Start::ALL {
            let text = toml::to_string(&std::collections::BTreeMap::from([("s", start)])).unwrap();
            assert!(text.contains(start.name()), "{text}");
        }
        let problem = ProblemConfig::default();
        let sp = [1.0, 1.0, 0.1, 10.0];
        let a = Start::DoubleSided.network(&problem, 3.0, 0.05, sp, Key::new(1));
        assert_eq!(a, Start::DoubleSided.network(&problem, 3.0, 0.05, sp, Key::new(1)));
        assert_ne!(a, Start::DoubleSided.network(&problem, 3.0, 0.05, sp, Key::new(2)));
        assert_eq!(Start::DoubleSided.network(&problem, 3.0, 0.0, sp, Key::new(2)).w1[[0, 0]], 3.0);
    }
}
