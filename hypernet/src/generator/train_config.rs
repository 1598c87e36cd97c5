//! The configuration of a generator training run (a TOML document), with its
//! validation and the schedules that depend only on the step: the complexity warmup,
//! the beta curriculum and the pudding curriculum's minus-slot gate.

use super::config::{GeneratorConfig, W1Readout};
use super::schedule::Schedule;
use crate::optim_config::OptimConfig;
use crate::problem::ProblemConfig;
use crate::train_error::TrainError;
use serde::{Deserialize, Serialize};

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

    /// The schedule a generator of this run is evaluated with after `step` steps: the
    /// pointer gain of the last step trained, so that a snapshot taken during a gain
    /// anneal is evaluated as it was trained; no `-` slot gate (the pudding curriculum
    /// is a training device, generation never gates).
    pub fn evaluation_schedule(&self, step: usize) -> Schedule {
        Schedule::with_gain(self.generator.pointer_gain_at(step.saturating_sub(1), self.steps))
    }

    /// What a user should hear about a configuration file's text before it runs: that it
    /// sets nothing (so the whole default runs), or that it sets `[problem]` keys that
    /// training replaces (n comes from `train_inputs`, m from `hidden_per_input`). Text
    /// that does not parse gives no notes (its parse error says more).
    pub fn notes_on_file(text: &str) -> Vec<String> {
        let Ok(table) = text.parse::<toml::Table>() else {
            return Vec::new();
        };
        if table.is_empty() {
            return vec!["the configuration file sets nothing, so the whole default configuration runs (`hnet train --print-config` lists it)".into()];
        }
        let problem = table.get("problem").and_then(toml::Value::as_table);
        ["inputs", "hidden"]
            .into_iter()
            .filter(|key| problem.is_some_and(|p| p.contains_key(*key)))
            .map(|key| format!("problem.{key} is ignored by generator training: every step draws n from train_inputs and uses m = hidden_per_input * n"))
            .collect()
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

    #[test]
    fn an_empty_file_and_problem_sizes_that_training_replaces_are_noted() {
        assert_eq!(GeneratorTrainConfig::notes_on_file("").len(), 1);
        assert!(GeneratorTrainConfig::notes_on_file("# only a comment\n")[0].contains("sets nothing"));
        let notes = GeneratorTrainConfig::notes_on_file("steps = 5\n[problem]\ninputs = 8\nhidden = 24\n");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("problem.inputs") && notes[1].contains("problem.hidden"), "{notes:?}");
        assert!(GeneratorTrainConfig::notes_on_file("steps = 5\n[problem]\ntask = \"l1\"\n").is_empty());
        assert!(GeneratorTrainConfig::notes_on_file("steps = [").is_empty(), "parse errors are reported elsewhere");
    }
}
