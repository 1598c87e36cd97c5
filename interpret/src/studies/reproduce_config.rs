//! Everything `hnet reproduce` runs, as one TOML document with every default written
//! out, and its three presets.
//!
//! Layers, later ones winning: a preset ([`Preset::Default`], [`Preset::Quick`] or
//! [`Preset::Full`]), then a TOML file merged into it key by key
//! ([`ReproduceConfig::with_toml`]: a file may set any subset of fields, at any depth;
//! a key the preset does not have is an error naming it), then command-line flags.
//!
//! Seeds: generator `k` of `seeds` trains with seed `seed + k`; the baselines and every
//! evaluation draw their randomness from `seed`.
//!
//! The configuration names the preset it started from (`preset`), so that a report can
//! say so (a `--quick` run is a smoke test) and list the keys changed from it
//! ([`ReproduceConfig::changed_from_preset`]).

use crate::studies::toml_merge::{changed_keys, with_overrides};
use hypernet::generator::{GeneratorConfig, GeneratorTrainConfig};
use hypernet::optim_config::OptimConfig;
use hypernet::vmlp::WeightNoise;
use serde::{Deserialize, Serialize};

/// The whole reproduction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReproduceConfig {
    /// The preset this configuration started from (files written before the key
    /// existed read as `default`; [`ReproduceConfig::changed_from_preset`] then says
    /// how far they are from it).
    #[serde(default)]
    pub preset: Preset,
    /// First seed; the generators train with `seed, seed + 1, ..., seed + seeds - 1`.
    pub seed: u64,
    /// Independently trained generators (the paper used 33).
    pub seeds: usize,
    /// Snapshots of each generator, evenly spaced over training, the last at the
    /// final step: step `k * steps / snapshots` for `k = 1..=snapshots`.
    pub snapshots: usize,
    /// The beta sweep (also run at every snapshot for the phase diagram).
    pub sweep: SweepSettings,
    /// Thresholds of the claims in `summary.json`.
    pub claims: ClaimSettings,
    /// Systematic generalisation to input sizes not trained on.
    pub generalisation: GeneralisationSettings,
    /// The per-beta variational MLPs (the non-amortised reference).
    pub vmlp: VmlpSettings,
    /// The network trained directly with Adam, drawn for contrast.
    pub adam: AdamSettings,
    /// Generator training; its `seed` is replaced per generator and its
    /// `train_inputs` are the trained sizes of the generalisation study.
    pub training: GeneratorTrainConfig,
}

/// K betas log-spaced over the trained range, S networks each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSettings {
    /// Input size n of the swept networks (one of `training.train_inputs`).
    pub inputs: usize,
    /// Number of betas K, evenly spaced in log10 beta from `training.log10_beta_min`
    /// to `training.log10_beta_max`.
    pub betas: usize,
    /// Networks sampled per beta per generator (S).
    pub samples: usize,
    /// Fresh inputs each network's nMSE is measured on.
    pub eval_points: usize,
}

/// When does an algorithm count as having appeared?
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSettings {
    /// An algorithm appeared at a beta when at least this fraction of the networks
    /// sampled there implement it.
    pub appear_min_fraction: f64,
}

/// Generation at input sizes never seen in training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneralisationSettings {
    /// Sizes not in `training.train_inputs`: smaller, in between and larger (up to
    /// at least twice the largest trained size).
    pub unseen_inputs: Vec<usize>,
    /// The betas (log10) generated at.
    pub log10_betas: Vec<f64>,
    /// Networks per size per beta per generator.
    pub samples: usize,
    /// Fresh inputs each network's nMSE is measured on.
    pub eval_points: usize,
}

/// The per-beta variational MLPs, trained at the sweep's betas and size with the
/// generator's priors and bit price, so both methods sit on one Pareto chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmlpSettings {
    /// Networks per beta (different initial means).
    pub seeds: usize,
    pub steps: usize,
    pub batch_size: usize,
    pub noise: WeightNoise,
    pub initial_sigma_fraction: f64,
    pub optimizer: OptimConfig,
}

/// The network trained directly with Adam, at the sweep's size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamSettings {
    pub steps: usize,
    pub batch_size: usize,
    pub optimizer: OptimConfig,
}

/// The built-in sizes of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// Shows the phases within 15 minutes on 2 cores.
    #[default]
    Default,
    /// Every stage at toy size in well under 2 minutes: a smoke test, not science.
    Quick,
    /// Paper scale: 33 seeds, long training (a cluster job).
    Full,
}

impl Preset {
    /// The name in `summary.json` and on the report page: `default`, `quick` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::Quick => "quick",
            Preset::Full => "full",
        }
    }
}

impl Default for ReproduceConfig {
    fn default() -> Self {
        ReproduceConfig::preset(Preset::Default)
    }
}

impl ReproduceConfig {
    /// The configuration of a preset.
    pub fn preset(preset: Preset) -> ReproduceConfig {
        let default = ReproduceConfig {
            preset,
            seed: 0,
            seeds: 3,
            snapshots: 6,
            sweep: SweepSettings { inputs: 16, betas: 15, samples: 32, eval_points: 1024 },
            claims: ClaimSettings { appear_min_fraction: 0.25 },
            generalisation: GeneralisationSettings {
                unseen_inputs: vec![4, 12, 24, 32],
                log10_betas: vec![-5.0, -2.0, 0.0],
                samples: 16,
                eval_points: 1024,
            },
            vmlp: VmlpSettings {
                seeds: 1,
                steps: 3000,
                batch_size: 256,
                noise: WeightNoise::Local,
                initial_sigma_fraction: 0.1,
                optimizer: OptimConfig { learning_rate: 1e-2, final_learning_rate: 1e-4, warmup_steps: 100 },
            },
            adam: AdamSettings {
                steps: 3000,
                batch_size: 512,
                optimizer: OptimConfig { learning_rate: 1e-2, final_learning_rate: 1e-4, warmup_steps: 100 },
            },
            // Half deterministic warm start, half priced (NOTES.md E3-E7).
            training: GeneratorTrainConfig { steps: 5000, train_inputs: vec![8, 16], ..GeneratorTrainConfig::default() },
        };
        match preset {
            Preset::Default => default,
            Preset::Quick => {
                let generator = GeneratorConfig { width: 16, blocks: 1, heads: 2, noise_dim: 4, key_dim: 8, cond_width: 8, ..GeneratorConfig::default() };
                let mut training = GeneratorTrainConfig { steps: 400, networks: 8, points: 64, train_inputs: vec![4, 8], generator, ..default.training };
                training.optimizer.warmup_steps = 40;
                ReproduceConfig {
                    seeds: 2,
                    snapshots: 4,
                    sweep: SweepSettings { inputs: 8, betas: 8, samples: 16, eval_points: 256 },
                    generalisation: GeneralisationSettings { unseen_inputs: vec![2, 6, 16], samples: 8, eval_points: 256, ..default.generalisation },
                    vmlp: VmlpSettings { steps: 500, batch_size: 64, optimizer: OptimConfig { warmup_steps: 40, ..default.vmlp.optimizer }, ..default.vmlp },
                    adam: AdamSettings { steps: 500, batch_size: 128, optimizer: OptimConfig { warmup_steps: 40, ..default.adam.optimizer } },
                    training,
                    ..default
                }
            }
            Preset::Full => ReproduceConfig {
                seeds: 33,
                snapshots: 10,
                sweep: SweepSettings { betas: 29, samples: 64, eval_points: 4096, ..default.sweep },
                generalisation: GeneralisationSettings { unseen_inputs: vec![4, 12, 24, 32, 48], samples: 64, eval_points: 4096, ..default.generalisation },
                vmlp: VmlpSettings { seeds: 4, steps: 20_000, ..default.vmlp },
                adam: AdamSettings { steps: 10_000, ..default.adam },
                training: GeneratorTrainConfig { steps: 40_000, ..default.training },
                ..default
            },
        }
    }

    /// This configuration with the keys of a TOML document replacing its own (tables
    /// merged key by key, anything else replaced whole). `origin` names the document
    /// in messages.
    pub fn with_toml(&self, text: &str, origin: &str) -> Result<ReproduceConfig, String> {
        with_overrides(self, text, origin)
    }

    /// The configuration as TOML, every field written out, under a comment saying
    /// how to read it.
    pub fn to_toml(&self) -> String {
        let header = "# hnet reproduce configuration (every field; a file passed with --config may set any subset).\n\
                      # Generator k trains with seed + k: training.seed is replaced for each generator.\n\n";
        header.to_string() + &toml::to_string(self).expect("the config serialises to TOML")
    }

    /// The dotted keys whose values differ from those of [`ReproduceConfig::preset`]
    /// (`seed` and `seeds` left out: every preset runs with any), sorted; empty for a
    /// preset run as it is.
    pub fn changed_from_preset(&self) -> Vec<String> {
        let base = ReproduceConfig { seed: self.seed, seeds: self.seeds, ..ReproduceConfig::preset(self.preset) };
        let table = |c: &ReproduceConfig| toml::Table::try_from(c).expect("the config serialises to a TOML table");
        changed_keys(&table(&base), &table(self))
    }

    /// The seeds of the generators.
    pub fn generator_seeds(&self) -> Vec<u64> {
        (0..self.seeds as u64).map(|k| self.seed + k).collect()
    }

    /// The steps after which a snapshot is taken (the last is the final step).
    pub fn snapshot_steps(&self) -> Vec<usize> {
        let mut steps: Vec<usize> = (1..=self.snapshots).map(|k| k * self.training.steps / self.snapshots).filter(|&s| s > 0).collect();
        steps.dedup();
        steps
    }

    /// The swept betas, log10: K evenly spaced over the trained range.
    pub fn sweep_log10_betas(&self) -> Vec<f64> {
        let betas = crate::studies::beta_sweep::linspace(self.training.log10_beta_min, self.training.log10_beta_max, self.sweep.betas);
        // Rounded to 1e-9 so that reports show -1.8, not -1.7999999999999998.
        betas.into_iter().map(|b| (b * 1e9).round() / 1e9).collect()
    }

    /// Every input size of the generalisation study, ascending, with whether it was
    /// trained on.
    pub fn generalisation_sizes(&self) -> Vec<(usize, bool)> {
        let mut sizes: Vec<(usize, bool)> = self.training.train_inputs.iter().map(|&n| (n, true)).chain(self.generalisation.unseen_inputs.iter().map(|&n| (n, false))).collect();
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }

    /// Checks every setting, naming the first bad one and what would be accepted.
    pub fn validate(&self) -> Result<(), String> {
        self.training.validate().map_err(|e| format!("training: {e}"))?;
        let counts = [
            ("seeds", self.seeds),
            ("snapshots", self.snapshots),
            ("sweep.betas", self.sweep.betas),
            ("sweep.samples", self.sweep.samples),
            ("sweep.eval_points", self.sweep.eval_points),
            ("generalisation.samples", self.generalisation.samples),
            ("generalisation.eval_points", self.generalisation.eval_points),
            ("vmlp.seeds", self.vmlp.seeds),
            ("vmlp.steps", self.vmlp.steps),
            ("vmlp.batch_size", self.vmlp.batch_size),
            ("adam.steps", self.adam.steps),
            ("adam.batch_size", self.adam.batch_size),
        ];
        if let Some((name, _)) = counts.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{name} must be at least 1"));
        }
        if self.snapshots > self.training.steps {
            return Err(format!("snapshots ({}) cannot exceed training.steps ({})", self.snapshots, self.training.steps));
        }
        let trained = &self.training.train_inputs;
        if !trained.contains(&self.sweep.inputs) {
            return Err(format!("sweep.inputs ({}) must be one of the trained sizes training.train_inputs {trained:?}", self.sweep.inputs));
        }
        let unseen = &self.generalisation.unseen_inputs;
        if let Some(n) = unseen.iter().find(|n| trained.contains(n) || **n == 0) {
            return Err(format!("generalisation.unseen_inputs {unseen:?}: {n} is zero or trained on (training.train_inputs {trained:?})"));
        }
        let g = &self.generalisation.log10_betas;
        if g.is_empty() || g.iter().any(|b| !b.is_finite()) {
            return Err(format!("generalisation.log10_betas must be a non-empty list of finite numbers, got {g:?}"));
        }
        let f = self.claims.appear_min_fraction;
        if !(f > 0.0 && f <= 1.0) {
            return Err(format!("claims.appear_min_fraction must be in (0, 1], got {f}"));
        }
        if !(self.vmlp.initial_sigma_fraction > 0.0 && self.vmlp.initial_sigma_fraction < 1.0) {
            return Err(format!("vmlp.initial_sigma_fraction must be in (0, 1), got {}", self.vmlp.initial_sigma_fraction));
        }
        self.vmlp.optimizer.schedule(self.vmlp.steps).map_err(|e| format!("vmlp: {e}"))?;
        self.adam.optimizer.schedule(self.adam.steps).map_err(|e| format!("adam: {e}"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_round_trips_through_toml() {
        for preset in [Preset::Default, Preset::Quick, Preset::Full] {
            let cfg = ReproduceConfig::preset(preset);
            cfg.validate().unwrap_or_else(|e| panic!("{preset:?}: {e}"));
            let back: ReproduceConfig = toml::from_str(&cfg.to_toml()).unwrap();
            assert_eq!(back, cfg, "{preset:?}");
            let largest_trained = *cfg.training.train_inputs.iter().max().unwrap();
            let largest_unseen = *cfg.generalisation.unseen_inputs.iter().max().unwrap();
            assert!(largest_unseen >= 2 * largest_trained, "{preset:?}: unseen sizes must reach 2x the largest trained");
        }
        assert_eq!(ReproduceConfig::preset(Preset::Full).seeds, 33);
    }

    #[test]
    fn a_partial_file_overrides_only_its_keys() {
        let base = ReproduceConfig::default();
        let cfg = base.with_toml("seeds = 5\n[training]\nsteps = 77\n[training.generator]\nwidth = 48\n", "test.toml").unwrap();
        assert_eq!((cfg.seeds, cfg.training.steps, cfg.training.generator.width), (5, 77, 48));
        assert_eq!(cfg.training.generator.blocks, base.training.generator.blocks);
        assert_eq!(cfg.sweep, base.sweep);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let base = ReproduceConfig::default();
        let err = base.with_toml("[sweep]\nbetaz = 3\n", "mine.toml").unwrap_err();
        assert!(err.contains("mine.toml") && err.contains("sweep.betaz"), "{err}");
        let err = ReproduceConfig { sweep: SweepSettings { inputs: 5, ..base.sweep.clone() }, ..base.clone() }.validate().unwrap_err();
        assert!(err.contains("sweep.inputs"), "{err}");
        let err = ReproduceConfig { generalisation: GeneralisationSettings { unseen_inputs: vec![16], ..base.generalisation.clone() }, ..base }.validate().unwrap_err();
        assert!(err.contains("unseen_inputs"), "{err}");
    }

    #[test]
    fn the_preset_is_named_and_changes_from_it_are_listed() {
        let quick = ReproduceConfig::preset(Preset::Quick);
        assert!(quick.to_toml().contains("preset = \"quick\""), "{}", quick.to_toml());
        assert_eq!(ReproduceConfig { seed: 4, seeds: 9, ..quick.clone() }.changed_from_preset(), Vec::<String>::new(), "seeds are not a change");
        let changed = quick.with_toml("[sweep]\nbetas = 3\n[training]\nsteps = 50\n", "test").unwrap();
        assert_eq!(changed.changed_from_preset(), vec!["sweep.betas", "training.steps"]);
        let old: ReproduceConfig = toml::from_str(&quick.to_toml().replace("preset = \"quick\"\n", "")).unwrap();
        assert_eq!(old.preset, Preset::Default, "a config.toml written before the key reads as the default preset");
        assert!(old.changed_from_preset().contains(&"training.steps".to_string()));
    }

    #[test]
    fn snapshots_end_at_the_final_step() {
        let cfg = ReproduceConfig { snapshots: 4, training: GeneratorTrainConfig { steps: 10, ..GeneratorTrainConfig::default() }, ..ReproduceConfig::default() };
        assert_eq!(cfg.snapshot_steps(), vec![2, 5, 7, 10]);
    }
}
