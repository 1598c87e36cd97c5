//! Training the generator over a range of beta.
//!
//! One step: draw B values `log10 beta_b` uniformly in `[log10_beta_min, log10_beta_max]`
//! (beta log-uniform), an input size n from `train_inputs` (m = hidden_per_input * n),
//! generate B networks (one weight sample each), evaluate each on its own N inputs, and
//! minimise
//!
//! `loss = mean_b [ nMSE_b + beta_b * bits_b / W ]`   (`loss.rs`)
//!
//! with `W = m (n + 2) + 1` the number of target weights (so beta prices bits per
//! weight). During the first `complexity_warmup_fraction` of the steps the complexity term
//! is off and the mean weights are evaluated:
//! the generator first learns to build working networks.
//!
//! On a GPU ([`GeneratorTrainer::to_device`]) the random draws (beta, n, node and
//! weight noise, data) are made on the CPU from the same keys and uploaded, so a run
//! sees the same inputs on every device; only the logged scalars (loss, nMSE, bits,
//! gradient norm) are read back during a step.
//!
//! A step whose loss or gradient is NaN or infinite changes nothing and returns
//! [`TrainError::NonFiniteStep`]; the caller stops, or moves on with
//! [`GeneratorTrainer::skip_step`].

use super::loss::{objective, Objective};
use super::model::Generator;
use super::schedule::Schedule;
pub use super::train_config::GeneratorTrainConfig;
use crate::train_error::{NonFiniteStep, TrainError};
use autodiff::optim::{clip_grad_norm, Adam, Optimizer, WarmupCosine};
use autodiff::{Device, Key};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one training step measured (a metrics-log record).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: usize,
    pub n: usize,
    pub lr: f64,
    pub loss: f64,
    pub mean_log10_beta: f64,
    pub nmse: f64,
    pub bits: f64,
    pub grad_norm: f64,
}

/// A fault injected on purpose at a chosen step, to test how runs handle non-finite
/// numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The loss is multiplied by NaN.
    NanLoss,
    /// A NaN gradient is added to the first parameter (the loss stays finite).
    NanGradient,
}

/// A generator with its optimiser, advanced one step at a time.
pub struct GeneratorTrainer {
    pub config: GeneratorTrainConfig,
    pub generator: Generator,
    pub optimizer: Adam<f32>,
    schedule: WarmupCosine,
    /// Steps done so far (the next step's index).
    pub step: usize,
    /// `Var(y)` per input size, computed once (it may be a Monte-Carlo estimate).
    variances: BTreeMap<usize, f64>,
    /// Faults to inject, by step (empty in real runs).
    pub faults: BTreeMap<usize, Fault>,
}

impl GeneratorTrainer {
    /// A fresh run: generator initialised from the config's seed.
    pub fn new(config: GeneratorTrainConfig) -> Result<GeneratorTrainer, TrainError> {
        config.validate()?;
        let generator = Generator::new(config.generator.clone(), Key::new(config.seed).fold_in(0));
        let first = config.problem_at(config.train_inputs[0]);
        generator.init_output_bias(crate::init::mean_target(&first), first.hidden);
        GeneratorTrainer::with_generator(config, generator)
    }

    /// A run at step 0 that trains `generator` (a fresh optimiser).
    pub fn with_generator(config: GeneratorTrainConfig, generator: Generator) -> Result<GeneratorTrainer, TrainError> {
        let optimizer = config.optimizer.adam(generator.params.tensors())?;
        let schedule = config.optimizer.schedule(config.steps)?;
        Ok(GeneratorTrainer { config, generator, optimizer, schedule, step: 0, variances: BTreeMap::new(), faults: BTreeMap::new() })
    }

    /// This run with its generator and optimiser state moved to `device`; the run
    /// itself (the same value on the CPU) when it is already there. Checkpoints still
    /// hold host arrays ([`GeneratorTrainer::checkpoint`] reads the device back).
    pub fn to_device(mut self, device: &Device) -> Result<GeneratorTrainer, String> {
        if self.generator.params.device() == device {
            return Ok(self);
        }
        let state = self.optimizer.state();
        self.generator = self.generator.to_device(device)?;
        self.optimizer = self.config.optimizer.adam(self.generator.params.tensors()).map_err(|e| e.to_string())?;
        self.optimizer.load_state(state).map_err(|e| format!("moving the optimiser state to {device}: {e}"))?;
        Ok(self)
    }

    /// The schedule to evaluate this run's generator with now (see
    /// [`GeneratorTrainConfig::evaluation_schedule`]).
    pub fn schedule(&self) -> Schedule {
        self.config.evaluation_schedule(self.step)
    }

    /// Steps of this run (resumed or not) that were skipped as non-finite: the run's
    /// steps minus the optimiser's.
    pub fn skipped_steps(&self) -> usize {
        self.step - self.optimizer.steps_taken() as usize
    }

    /// Whether every configured step has been taken.
    pub fn finished(&self) -> bool {
        self.step >= self.config.steps
    }

    /// One optimisation step. Stops with [`TrainError::NonFiniteStep`] (parameters
    /// and optimiser untouched, step not advanced) if the loss or the gradient is not
    /// finite.
    pub fn train_step(&mut self) -> Result<StepRecord, TrainError> {
        let cfg = &self.config;
        let keys = Key::new(cfg.seed).fold_in(1).fold_in(self.step as u64).split(4);
        let n = cfg.train_inputs[(keys[0].bits(1)[0] as usize) % cfg.train_inputs.len()];
        let problem = cfg.problem_at(n);
        let variance = *self.variances.entry(n).or_insert_with(|| problem.variance().value);
        let (lo, hi) = cfg.log10_beta_range_at(self.step);
        let log10_beta: Vec<f32> = keys[1].uniform_f64(cfg.networks).iter().map(|u| (lo + (hi - lo) * u) as f32).collect();
        let complexity_on = self.step >= cfg.complexity_warmup_steps();
        let fault = self.faults.get(&self.step).copied();
        let non_finite = |quantity: String, value: f64| {
            let (lo, hi) = log10_beta.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
            let context = format!("n = {n}, log10 beta in [{lo:.3}, {hi:.3}]");
            TrainError::NonFiniteStep(NonFiniteStep { step: self.step, quantity, value, context })
        };

        self.optimizer.zero_grad();
        let schedule = Schedule { pointer_gain: cfg.generator.pointer_gain_at(self.step, cfg.steps), minus_slot_gate: cfg.minus_slot_gates_at(self.step, &log10_beta) };
        let generated = self.generator.generate(&log10_beta, n, problem.hidden, &schedule, keys[2]);
        let data = problem.sample::<f32>(keys[3], cfg.networks, cfg.points);
        let Objective { mut loss, nmse } = objective(&generated, &log10_beta, &problem, data, variance, complexity_on);
        if fault == Some(Fault::NanLoss) {
            loss = loss.mul_scalar(f32::NAN);
        }
        let loss_value = loss.item() as f64;
        if !loss_value.is_finite() {
            return Err(non_finite("loss".into(), loss_value));
        }
        loss.backward();
        if fault == Some(Fault::NanGradient) {
            self.optimizer.params()[0].sum_all().mul_scalar(f32::NAN).backward();
        }
        let grad_norm = clip_grad_norm(self.optimizer.params(), cfg.clip_norm);
        if !grad_norm.is_finite() {
            let first = self.generator.params.iter().find(|(_, p)| p.grad().is_some_and(|g| g.iter().any(|v| !v.is_finite())));
            let name = first.map_or("?", |(name, _)| name.as_str());
            return Err(non_finite(format!("gradient norm (first non-finite: `{name}`)"), grad_norm));
        }
        let lr = self.schedule.lr(self.step as u64);
        self.optimizer.set_lr(lr);
        self.optimizer.step();
        let mean = |v: Vec<f32>| v.iter().map(|x| *x as f64).sum::<f64>() / v.len() as f64;
        let record = StepRecord {
            step: self.step,
            n,
            lr,
            loss: loss_value,
            mean_log10_beta: mean(log10_beta),
            nmse: mean(nmse.to_vec()),
            bits: mean(generated.bits.to_vec()),
            grad_norm,
        };
        self.step += 1;
        Ok(record)
    }

    /// Moves past a step that returned [`TrainError::NonFiniteStep`], updating
    /// nothing (the skip-and-log policy for non-finite steps).
    pub fn skip_step(&mut self) {
        self.optimizer.zero_grad();
        self.step += 1;
    }
}
