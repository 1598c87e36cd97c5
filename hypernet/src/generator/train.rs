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

use super::config::{GeneratorConfig, W1Readout};
use super::loss::{objective, Objective};
use super::model::Generator;
use crate::optim_config::OptimConfig;
use crate::problem::ProblemConfig;
use crate::train_error::{NonFiniteStep, TrainError};
use autodiff::optim::{clip_grad_norm, Adam, Optimizer, WarmupCosine};
use autodiff::{Device, Key};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a generator training run needs (a TOML document).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneratorTrainConfig {
    pub seed: u64,
    pub steps: usize,
    /// Networks generated per step (B).
    pub networks: usize,
    /// Inputs per network per step (N).
    pub points: usize,
    pub log10_beta_min: f64,
    pub log10_beta_max: f64,
    /// Input sizes n trained on (one drawn per step); the hidden width is
    /// `hidden_per_input * n`.
    pub train_inputs: Vec<usize>,
    pub hidden_per_input: usize,
    /// Fraction of the steps, at the start, with the complexity term switched off and
    /// deterministic weights (the means) evaluated: a generator that first learns to
    /// build networks from its node noise alone (NOTES.md E3-E7).
    pub complexity_warmup_fraction: f64,
    /// A curriculum from high beta: over the first `beta_curriculum_fraction` of the
    /// steps the lower end of the sampled log10 beta range moves linearly from
    /// `log10_beta_max` down to `log10_beta_min` ([`GeneratorTrainConfig::log10_beta_range_at`]);
    /// 0 samples the whole range from the start.
    pub beta_curriculum_fraction: f64,
    /// A curriculum that starts from puddings (signed-slot readouts): over the first part of
    /// this fraction of the steps the neurons reading a `-` slot have their output weights
    /// multiplied by 0, then, over its last `pudding_curriculum_ramp` share, by a factor
    /// rising linearly to 1 ([`GeneratorTrainConfig::minus_slot_gate_at`]), so the
    /// generator first builds networks without `-` neurons (puddings, or convexity) and is
    /// then freed; 0 (the default) is off, and it must stay below 1. Generation never gates.
    /// The gate scales the mean output weights only: with the complexity term on, a gated
    /// neuron's weight noise still reaches the output (E46 and E51 close it during the
    /// deterministic warm start, where there is none). E41 in NOTES.md.
    pub pudding_curriculum_fraction: f64,
    /// The share of the pudding curriculum spent opening the gate (0.5 by default; 0 opens
    /// it at once, so no raw weight can grow to compensate a partly open gate: E51).
    pub pudding_curriculum_ramp: f64,
    /// A beta-dependent start (builds an answer in; test it for hysteresis): only networks
    /// drawn at `log10 beta >= pudding_curriculum_min_log10_beta` are gated by the pudding
    /// curriculum, the others train ungated from the first step
    /// ([`GeneratorTrainConfig::minus_slot_gates_at`]). Off (every network gated) at its
    /// default, minus infinity, which is left out of written configs so that runs without
    /// it keep their checkpoint bytes. E53 in NOTES.md.
    #[serde(default = "minus_infinity", skip_serializing_if = "is_minus_infinity")]
    pub pudding_curriculum_min_log10_beta: f64,
    /// Global gradient-norm clip.
    pub clip_norm: f64,
    /// Task, input distribution and activation (its `inputs`/`hidden` are overridden
    /// per step by `train_inputs`).
    pub problem: ProblemConfig,
    pub optimizer: OptimConfig,
    pub generator: GeneratorConfig,
}

impl Default for GeneratorTrainConfig {
    fn default() -> Self {
        GeneratorTrainConfig {
            seed: 0,
            steps: 8000,
            networks: 16,
            points: 256,
            log10_beta_min: -6.0,
            log10_beta_max: 1.0,
            train_inputs: vec![16],
            hidden_per_input: 3,
            complexity_warmup_fraction: 0.5,
            beta_curriculum_fraction: 0.0,
            pudding_curriculum_fraction: 0.0,
            pudding_curriculum_ramp: 0.5,
            pudding_curriculum_min_log10_beta: f64::NEG_INFINITY,
            clip_norm: 1.0,
            problem: ProblemConfig::default(),
            optimizer: OptimConfig { learning_rate: 2e-3, final_learning_rate: 1e-4, warmup_steps: 200 },
            generator: GeneratorConfig::default(),
        }
    }
}

impl GeneratorTrainConfig {
    /// Rejects out-of-range settings with the allowed range.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |m: String| Err(TrainError::Config(m));
        if self.steps == 0 || self.networks == 0 || self.points == 0 {
            return bad(format!("steps ({}), networks ({}) and points ({}) must all be at least 1", self.steps, self.networks, self.points));
        }
        // beta = 10^x is computed in f32, whose range ends near 10^38.
        if !(-30.0 <= self.log10_beta_min && self.log10_beta_min <= self.log10_beta_max && self.log10_beta_max <= 30.0) {
            return bad(format!("need -30 <= log10_beta_min <= log10_beta_max <= 30, got [{}, {}]", self.log10_beta_min, self.log10_beta_max));
        }
        if self.train_inputs.is_empty() || self.train_inputs.contains(&0) || self.hidden_per_input == 0 {
            return bad(format!("train_inputs ({:?}) must be non-empty sizes >= 1 and hidden_per_input ({}) >= 1", self.train_inputs, self.hidden_per_input));
        }
        let fractions = [
            ("complexity_warmup_fraction", self.complexity_warmup_fraction),
            ("beta_curriculum_fraction", self.beta_curriculum_fraction),
            ("pudding_curriculum_fraction", self.pudding_curriculum_fraction),
            ("pudding_curriculum_ramp", self.pudding_curriculum_ramp),
        ];
        for (name, fraction) in fractions {
            if !(0.0..=1.0).contains(&fraction) {
                return bad(format!("{name} must be in [0, 1], got {fraction}"));
            }
        }
        if !(self.clip_norm > 0.0 && self.clip_norm.is_finite()) {
            return bad(format!("clip_norm must be a positive finite number, got {}", self.clip_norm));
        }
        self.problem.validate().map_err(TrainError::Config)?;
        self.generator.validate().map_err(TrainError::Config)?;
        let slots = matches!(self.generator.w1_readout, W1Readout::SignedSlots | W1Readout::SignedSlotsSpare);
        if self.pudding_curriculum_fraction > 0.0 && !slots {
            return bad("pudding_curriculum_fraction needs generator.w1_readout = \"signed-slots\" or \"signed-slots-spare\" (it gates the `-` slots' neurons); set it to 0 or change the readout".into());
        }
        if self.pudding_curriculum_min_log10_beta.is_nan() || self.pudding_curriculum_min_log10_beta == f64::INFINITY {
            return bad(format!("pudding_curriculum_min_log10_beta must be a number (or left out: every network gated), got {}", self.pudding_curriculum_min_log10_beta));
        }
        if self.pudding_curriculum_fraction >= 1.0 {
            return bad(format!(
                "pudding_curriculum_fraction must be below 1, got {}: the last steps must train the ungated network that generation emits",
                self.pudding_curriculum_fraction
            ));
        }
        for (name, on) in [("optional_slots", self.generator.optional_slots), ("sum_slot", self.generator.sum_slot)] {
            if on && self.hidden_per_input <= 2 {
                return bad(format!("generator.{name} needs a spare column, so hidden_per_input must be at least 3 (m > 2n; the sum slot takes part where m > 2n + 1), got {}", self.hidden_per_input));
            }
        }
        self.optimizer.schedule(self.steps)?;
        Ok(())
    }

    /// Steps at the start with the complexity off: `round(fraction * steps)`.
    pub fn complexity_warmup_steps(&self) -> usize {
        (self.complexity_warmup_fraction * self.steps as f64).round() as usize
    }

    /// The log10 beta range sampled at `step`: `[lo(t), log10_beta_max]` with
    /// `lo(t) = max - (max - min) min(1, t / (beta_curriculum_fraction * steps))`.
    pub fn log10_beta_range_at(&self, step: usize) -> (f64, f64) {
        let (lo, hi) = (self.log10_beta_min, self.log10_beta_max);
        let span = self.beta_curriculum_fraction * self.steps as f64;
        let reached = if span > 0.0 { (step as f64 / span).min(1.0) } else { 1.0 };
        (hi - (hi - lo) * reached, hi)
    }

    /// The factor on the `-` readers' output weights at `step`: with
    /// `s = pudding_curriculum_fraction * steps` and `r = pudding_curriculum_ramp * s`, 0
    /// before `s - r`, then `(t - (s - r)) / r`, and 1 from `s` on (always 1 when the
    /// fraction is 0; with r = 0 a step from 0 to 1 at s).
    pub fn minus_slot_gate_at(&self, step: usize) -> f64 {
        let end = self.pudding_curriculum_fraction * self.steps as f64;
        let ramp = self.pudding_curriculum_ramp * end;
        let t = step as f64;
        if end <= 0.0 || t >= end {
            return 1.0;
        }
        if ramp <= 0.0 {
            return 0.0;
        }
        ((t - (end - ramp)) / ramp).clamp(0.0, 1.0)
    }

    /// The gate of each network of a batch drawn at `log10_betas`: the curriculum's
    /// [`GeneratorTrainConfig::minus_slot_gate_at`] for networks at or above
    /// `pudding_curriculum_min_log10_beta`, 1 below it.
    pub fn minus_slot_gates_at(&self, step: usize, log10_betas: &[f32]) -> Vec<f64> {
        let gate = self.minus_slot_gate_at(step);
        log10_betas.iter().map(|&lb| if lb as f64 >= self.pudding_curriculum_min_log10_beta { gate } else { 1.0 }).collect()
    }

    /// The problem at input size n (m = hidden_per_input * n).
    pub fn problem_at(&self, n: usize) -> ProblemConfig {
        ProblemConfig { inputs: n, hidden: self.hidden_per_input * n, ..self.problem.clone() }
    }
}

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
        self.generator.set_pointer_gain(cfg.generator.pointer_gain_at(self.step, cfg.steps));
        self.generator.set_minus_slot_gate(&cfg.minus_slot_gates_at(self.step, &log10_beta));
        let generated = self.generator.generate(&log10_beta, n, problem.hidden, keys[2]);
        // The gate is a training curriculum: generation outside this step never gates.
        self.generator.set_minus_slot_gate(&[]);
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

fn minus_infinity() -> f64 { f64::NEG_INFINITY }
fn is_minus_infinity(v: &f64) -> bool { *v == f64::NEG_INFINITY }

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pudding_curriculum_closes_the_minus_slots_then_opens_them_linearly() {
        let off = GeneratorTrainConfig { steps: 100, ..GeneratorTrainConfig::default() };
        assert!((0..100).all(|t| off.minus_slot_gate_at(t) == 1.0));
        let on = GeneratorTrainConfig { pudding_curriculum_fraction: 0.4, ..off.clone() };
        let gates: Vec<f64> = [0, 19, 20, 30, 40, 99].iter().map(|&t| on.minus_slot_gate_at(t)).collect();
        assert_eq!(gates, vec![0.0, 0.0, 0.0, 0.5, 1.0, 1.0]);
        let abrupt = GeneratorTrainConfig { pudding_curriculum_ramp: 0.0, ..on.clone() };
        let gates: Vec<f64> = [0, 20, 39, 40, 99].iter().map(|&t| abrupt.minus_slot_gate_at(t)).collect();
        assert_eq!(gates, vec![0.0, 0.0, 0.0, 1.0, 1.0]);
        let whole = GeneratorTrainConfig { pudding_curriculum_fraction: 1.0, ..abrupt };
        assert!(matches!(whole.validate(), Err(TrainError::Config(m)) if m.contains("below 1")));
        let pointer = GeneratorTrainConfig { generator: GeneratorConfig { w1_readout: W1Readout::Pointer, ..GeneratorConfig::default() }, ..on.clone() };
        assert!(matches!(pointer.validate(), Err(TrainError::Config(m)) if m.contains("pudding_curriculum_fraction")));
    }

    #[test]
    fn a_beta_threshold_gates_only_the_networks_above_it_and_is_left_out_of_configs_when_off() {
        let on = GeneratorTrainConfig { steps: 100, pudding_curriculum_fraction: 0.4, ..GeneratorTrainConfig::default() };
        assert_eq!(on.minus_slot_gates_at(30, &[-5.0, 0.0]), vec![0.5, 0.5], "off: every network gated");
        let split = GeneratorTrainConfig { pudding_curriculum_min_log10_beta: -3.5, ..on.clone() };
        assert_eq!(split.minus_slot_gates_at(30, &[-5.0, -3.5, 0.0]), vec![1.0, 0.5, 0.5]);
        assert_eq!(split.minus_slot_gates_at(99, &[-5.0, 0.0]), vec![1.0, 1.0]);
        assert!(!toml::to_string(&on).unwrap().contains("min_log10_beta"), "off keeps old configs' bytes");
        let text = toml::to_string(&split).unwrap();
        assert_eq!(toml::from_str::<GeneratorTrainConfig>(&text).unwrap(), split);
        let nan = GeneratorTrainConfig { pudding_curriculum_min_log10_beta: f64::NAN, ..on };
        assert!(matches!(nan.validate(), Err(TrainError::Config(m)) if m.contains("pudding_curriculum_min_log10_beta")));
    }

    #[test]
    fn the_beta_curriculum_opens_the_range_downwards_from_the_top() {
        let whole = GeneratorTrainConfig { steps: 100, log10_beta_min: -6.0, log10_beta_max: 1.0, ..GeneratorTrainConfig::default() };
        assert_eq!(whole.log10_beta_range_at(0), (-6.0, 1.0));
        let curriculum = GeneratorTrainConfig { beta_curriculum_fraction: 0.5, ..whole };
        assert_eq!(curriculum.log10_beta_range_at(0), (1.0, 1.0));
        assert_eq!(curriculum.log10_beta_range_at(25), (-2.5, 1.0));
        assert_eq!((curriculum.log10_beta_range_at(50), curriculum.log10_beta_range_at(99)), ((-6.0, 1.0), (-6.0, 1.0)));
        let bad = GeneratorTrainConfig { beta_curriculum_fraction: 1.5, ..GeneratorTrainConfig::default() };
        assert!(matches!(bad.validate(), Err(TrainError::Config(m)) if m.contains("beta_curriculum_fraction")));
    }
}
