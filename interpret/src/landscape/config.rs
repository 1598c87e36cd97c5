//! The landscape's settings (TOML, every default written out): which complexity
//! measures, betas and starts, how many seeds per start, and how each variational MLP
//! trains. Two presets: the default (about 12 minutes on 2 cores) and `--quick` (a
//! smoke test in well under 2 minutes: fewer betas and steps; its figures are not
//! science).

use crate::landscape::starts::Start;
use crate::studies::toml_merge::with_overrides;
use hypernet::optim_config::OptimConfig;
use hypernet::prior::WeightPriors;
use hypernet::problem::ProblemConfig;
use hypernet::task::TaskKind;
use hypernet::Activation;
use hypernet::vmlp::{SigmaSharing, VmlpConfig, WeightNoise};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandscapeConfig {
    pub seed: u64,
    /// The complexity measures (forms of sigma sharing) to map, each a separate run.
    pub measures: Vec<SigmaSharing>,
    /// The betas, as log10 beta.
    pub log10_betas: Vec<f64>,
    /// Where the networks start: the reference algorithms and `random`.
    pub starts: Vec<Start>,
    /// Networks per start per beta (different start noise and training noise).
    pub seeds: usize,
    pub steps: usize,
    /// Inputs per network per step.
    pub batch_size: usize,
    /// Swish sharpness `s` of the reference starts (`W1 = s u`, `w2 = a / s`).
    pub start_sharpness: f64,
    /// Standard deviation of the Gaussian noise added to every start mean, as a
    /// fraction of its tensor's prior sp.
    pub start_noise: f64,
    /// Initial sigma of every weight, as a fraction of its prior's sp.
    pub initial_sigma_fraction: f64,
    pub noise: WeightNoise,
    /// Fresh inputs (shared by all networks) for the final evaluation.
    pub eval_points: usize,
    /// Whole-network weight samples averaged in the final sampled nMSE.
    pub eval_samples: usize,
    /// Whole-network weight samples classified for a network's final label.
    pub label_samples: usize,
    pub problem: ProblemConfig,
    pub priors: WeightPriors,
    pub optimizer: OptimConfig,
}

impl Default for LandscapeConfig {
    fn default() -> Self {
        LandscapeConfig {
            seed: 0,
            measures: SigmaSharing::ALL.to_vec(),
            log10_betas: vec![-5.0, -4.0, -3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0],
            starts: Start::ALL.to_vec(),
            seeds: 2,
            steps: 3000,
            batch_size: 256,
            start_sharpness: 3.0,
            start_noise: 0.05,
            initial_sigma_fraction: 0.1,
            noise: WeightNoise::Local,
            eval_points: 8192,
            eval_samples: 8,
            label_samples: 8,
            problem: ProblemConfig::default(),
            priors: WeightPriors::default(),
            optimizer: OptimConfig::default(),
        }
    }
}

impl LandscapeConfig {
    /// The `--quick` preset: every stage at small size (a smoke test, not science).
    pub fn quick() -> LandscapeConfig {
        LandscapeConfig {
            log10_betas: vec![-4.0, -2.0, -1.0, 0.0, 1.0],
            seeds: 1,
            steps: 300,
            batch_size: 128,
            eval_points: 2048,
            eval_samples: 2,
            label_samples: 4,
            optimizer: OptimConfig { warmup_steps: 30, ..OptimConfig::default() },
            ..LandscapeConfig::default()
        }
    }

    /// This configuration with the keys of the TOML `text` replacing its own (a key
    /// it lacks is an error naming the key); `origin` names the text in messages.
    pub fn with_toml(&self, text: &str, origin: &str) -> Result<LandscapeConfig, String> {
        with_overrides(self, text, origin)
    }

    /// The configuration as TOML, every field written out.
    pub fn to_toml(&self) -> String {
        "# hnet landscape configuration (every field; a file passed with --config may set any subset).\n\n".to_string()
            + &toml::to_string(self).expect("the config serialises to TOML")
    }

    /// Checks every setting, naming the first bad one.
    pub fn validate(&self) -> Result<(), String> {
        if self.measures.is_empty() {
            return Err("measures must name at least one of tensor-sigma, weight-sigma, neuron-sigma".into());
        }
        if self.starts.is_empty() {
            return Err(format!("starts must name at least one of {:?}", Start::ALL.map(Start::name)));
        }
        let counts = [("seeds", self.seeds), ("label_samples", self.label_samples)];
        if let Some((name, _)) = counts.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{name} must be at least 1"));
        }
        if !(self.start_sharpness.is_finite() && self.start_sharpness > 0.0) {
            return Err(format!("start_sharpness must be finite and > 0, got {}", self.start_sharpness));
        }
        if !(self.start_noise.is_finite() && self.start_noise >= 0.0) {
            return Err(format!("start_noise must be finite and >= 0, got {}", self.start_noise));
        }
        if self.starts.contains(&Start::MixedPudding) && self.problem.inputs < 2 {
            return Err(format!("the mixed-pudding start needs problem.inputs >= 2, got {}", self.problem.inputs));
        }
        for start in &self.starts {
            let needed = start.neurons(self.problem.inputs);
            if needed > self.problem.hidden {
                return Err(format!("the {} start needs {needed} hidden neurons, problem.hidden is {}", start.name(), self.problem.hidden));
            }
        }
        if (self.problem.task, self.problem.activation) != (TaskKind::L1, Activation::Silu) {
            return Err("the landscape's starts are the L1 norm's algorithms in swish networks: problem.task must be \"l1\" and problem.activation \"silu\"".into());
        }
        self.training(SigmaSharing::WeightSigma).validate().map_err(|e| e.to_string())
    }

    /// The variational-MLP settings every run of one measure trains with; the loss is
    /// the generator's, `nMSE + beta * bits / W` with W the number of target weights.
    pub fn training(&self, sigma: SigmaSharing) -> VmlpConfig {
        VmlpConfig {
            seed: self.seed,
            log10_betas: self.log10_betas.clone(),
            seeds: self.seeds,
            steps: self.steps,
            batch_size: self.batch_size,
            log_every: self.steps.max(1),
            priors: self.priors,
            complexity_normaliser: self.problem.weight_count() as f64,
            initial_sigma_fraction: self.initial_sigma_fraction,
            noise: self.noise,
            sigma,
            eval_points: self.eval_points,
            eval_samples: self.eval_samples,
            problem: self.problem.clone(),
            optimizer: self.optimizer.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_validate_and_round_trip_through_toml() {
        for cfg in [LandscapeConfig::default(), LandscapeConfig::quick()] {
            cfg.validate().unwrap();
            let text = cfg.to_toml();
            assert_eq!(LandscapeConfig::default().with_toml(&text, "test").unwrap(), cfg);
        }
    }

    #[test]
    fn bad_keys_and_values_are_named() {
        let err = LandscapeConfig::default().with_toml("stepz = 3", "my.toml").unwrap_err();
        assert!(err.contains("stepz") && err.contains("my.toml"), "{err}");
        let err = LandscapeConfig::default().with_toml("measures = [\"node-latent\"]", "my.toml").unwrap_err();
        assert!(err.contains("node-latent"), "{err}");
        let cfg = LandscapeConfig { start_sharpness: 0.0, ..LandscapeConfig::default() };
        assert!(cfg.validate().unwrap_err().contains("start_sharpness"));
        let cfg = LandscapeConfig { steps: 0, ..LandscapeConfig::default() };
        assert!(cfg.validate().unwrap_err().contains("steps"));
        let narrow = LandscapeConfig::default().with_toml("problem = { hidden = 20 }", "t").unwrap();
        assert!(narrow.validate().unwrap_err().contains("double-sided start needs 32"));
    }
}
