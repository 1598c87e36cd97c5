//! Baseline: one target MLP trained directly with Adam on the normalised MSE, each
//! step on a fresh batch of inputs (no data set, so no overfitting). The paper reports
//! that such networks compute the norm but show no clean algorithmic structure.
//!
//! Randomness, all from `Key::new(seed)`: `fold_in(0)` initialises the weights
//! ([`crate::init`]), `fold_in(1).fold_in(step)` draws step `step`'s inputs, and
//! `fold_in(2)` the evaluation inputs.

use crate::generator::memory::StepMemory;
use crate::init::initial_weights;
use crate::log::MetricsLog;
use crate::optim_config::OptimConfig;
use crate::problem::ProblemConfig;
use crate::target::TargetWeights;
use crate::target_batch::BatchedWeights;
use crate::task::normalised_mse;
use crate::train_error::{check_finite, TrainError};
use autodiff::optim::Optimizer;
use autodiff::{no_grad, Key, Tensor};
use serde::{Deserialize, Serialize};

/// Settings of a direct training run (TOML, every default written out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpConfig {
    pub seed: u64,
    pub steps: usize,
    /// Inputs per step.
    pub batch_size: usize,
    /// Steps between log records (each averages the training nMSE since the last).
    pub log_every: usize,
    /// Fresh inputs for the final evaluation.
    pub eval_points: usize,
    pub problem: ProblemConfig,
    pub optimizer: OptimConfig,
}

impl Default for MlpConfig {
    fn default() -> Self {
        MlpConfig {
            seed: 0,
            steps: 4000,
            batch_size: 1024,
            log_every: 100,
            eval_points: 16_384,
            problem: ProblemConfig::default(),
            optimizer: OptimConfig::default(),
        }
    }
}

impl MlpConfig {
    /// The memory [`train_mlp`] needs, estimated from the config before anything is
    /// allocated. With batch B, evaluation inputs E, n inputs and m hidden neurons, in
    /// f32: a step keeps the batch and its targets and about five `[B, m]` tensors
    /// (pre-activations, biased, activations, and the activation's intermediates), with
    /// gradients of the same sizes; the evaluation holds `[E, n]` and three `[E, m]`
    /// without gradients; the parameters come with their gradients and Adam's moments.
    pub fn memory(&self) -> StepMemory {
        let f = |v: usize| v as f64;
        let (b, e, n, m) = (f(self.batch_size), f(self.eval_points), f(self.problem.inputs), f(self.problem.hidden));
        StepMemory {
            parts: vec![
                ("training step [B, m] with gradients", 2.0 * 4.0 * b * (n + 1.0 + 5.0 * m)),
                ("evaluation [E, m]", 4.0 * e * (n + 1.0 + 3.0 * m)),
                ("parameters, gradients and Adam moments", 4.0 * 4.0 * (m * n + 2.0 * m + 1.0)),
            ],
        }
    }

    /// Checks every setting, naming the first bad one.
    pub fn validate(&self) -> Result<(), TrainError> {
        self.problem.validate().map_err(TrainError::Config)?;
        for (name, v) in [("steps", self.steps), ("batch_size", self.batch_size), ("log_every", self.log_every), ("eval_points", self.eval_points)] {
            if v == 0 {
                return Err(TrainError::Config(format!("{name} must be at least 1")));
            }
        }
        self.optimizer.schedule(self.steps).map(|_| ())
    }
}

/// One log record: the mean training nMSE over the steps since the previous record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpRecord {
    pub step: usize,
    pub nmse: f64,
    pub learning_rate: f64,
}

/// The trained network, its log, and its nMSE on `eval_points` fresh inputs.
#[derive(Clone, Debug)]
pub struct MlpOutcome {
    pub weights: TargetWeights,
    pub history: Vec<MlpRecord>,
    pub eval_nmse: f64,
}

/// Trains one network; writes each record to `log` if given.
pub fn train_mlp(cfg: &MlpConfig, mut log: Option<&mut MetricsLog>) -> Result<MlpOutcome, TrainError> {
    cfg.validate()?;
    let (problem, root) = (&cfg.problem, Key::new(cfg.seed));
    let variance = problem.variance().value;
    let weights: BatchedWeights<f32> = initial_weights(problem, &[root.fold_in(0)]);
    let mut adam = cfg.optimizer.adam(weights.tensors().map(Tensor::clone).to_vec())?;
    let schedule = cfg.optimizer.schedule(cfg.steps)?;
    let (mut history, mut since_log) = (Vec::new(), Vec::new());
    for step in 0..cfg.steps {
        let (x, y) = problem.sample::<f32>(root.fold_in(1).fold_in(step as u64), 1, cfg.batch_size);
        adam.zero_grad();
        let pred = weights.forward(&Tensor::constant(x), problem.activation);
        let loss = normalised_mse(&pred, &Tensor::constant(y), variance).sum_all();
        since_log.push(check_finite(loss.item() as f64, step)?);
        loss.backward();
        let learning_rate = schedule.lr(step as u64);
        adam.set_lr(learning_rate);
        adam.step();
        if (step + 1) % cfg.log_every == 0 || step + 1 == cfg.steps {
            let nmse = since_log.iter().sum::<f64>() / since_log.len() as f64;
            since_log.clear();
            let record = MlpRecord { step: step + 1, nmse, learning_rate };
            if let Some(log) = log.as_deref_mut() {
                log.write(&record)?;
            }
            history.push(record);
        }
    }
    let eval_nmse = no_grad(|| {
        let (x, y) = problem.sample::<f32>(root.fold_in(2), 1, cfg.eval_points);
        normalised_mse(&weights.forward(&Tensor::constant(x), problem.activation), &Tensor::constant(y), variance).item() as f64
    });
    let weights = weights.to_targets(problem.activation).pop().expect("one network");
    Ok(MlpOutcome { weights, history, eval_nmse })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short() -> MlpConfig {
        let optimizer = OptimConfig { warmup_steps: 10, ..OptimConfig::default() };
        MlpConfig { steps: 300, batch_size: 256, log_every: 50, eval_points: 4096, optimizer, ..MlpConfig::default() }
    }

    #[test]
    fn loss_falls_and_the_network_computes_the_norm() {
        let out = train_mlp(&short(), None).unwrap();
        let (first, last) = (out.history.first().unwrap().nmse, out.history.last().unwrap().nmse);
        assert_eq!(out.history.len(), 6);
        assert!(last < 0.5 * first, "training nMSE went from {first} to {last}");
        assert!(out.eval_nmse < 0.2, "held-out nMSE {}", out.eval_nmse);
        out.weights.validate().unwrap();
    }

    #[test]
    fn same_seed_same_bits_other_seed_other_weights() {
        let cfg = MlpConfig { steps: 20, log_every: 10, ..short() };
        let (a, b) = (train_mlp(&cfg, None).unwrap(), train_mlp(&cfg, None).unwrap());
        assert_eq!(a.weights, b.weights);
        let c = train_mlp(&MlpConfig { seed: 1, ..cfg }, None).unwrap();
        assert_ne!(a.weights, c.weights);
    }

    #[test]
    fn bad_settings_are_named() {
        let err = train_mlp(&MlpConfig { batch_size: 0, ..short() }, None).unwrap_err();
        assert!(err.to_string().contains("batch_size"), "{err}");
    }

    #[test]
    fn config_toml_round_trip() {
        let text = toml::to_string(&MlpConfig::default()).unwrap();
        assert!(text.contains("[problem]") && text.contains("learning_rate"), "{text}");
        assert_eq!(toml::from_str::<MlpConfig>(&text).unwrap(), MlpConfig::default());
    }
}
