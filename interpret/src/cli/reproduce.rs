//! `hnet reproduce [--quick|--full] [--config FILE] [--out DIR] [--seed N]
//! [--seeds K] [--print-config] [--force] [--device D] [--train-only | --from DIR...]`: the paper's
//! findings in one command.
//!
//! Configuration, later layers winning: the preset (default, `--quick` or `--full`),
//! the keys of `--config FILE`, then `--seed` and `--seeds`.
//!
//! Split over machines: one job per seed with `--seed K --seeds 1 --train-only --out
//! runs/seed-K`, then `--from runs/seed-* --out report` analyses them together (same
//! report as one run over those seeds).

use super::device::{parse_device, require_training_device};
use interpret::report::summary_table::summary_table;
use interpret::report::write::{assemble, reproduce, train_only, ReportOptions};
use interpret::studies::reproduce_config::{Preset, ReproduceConfig};
use hypernet::generator::ComplexityMeasure;
use hypernet::vmlp::SigmaSharing;
use interpret::landscape::read::landscape_verdict_for;
use interpret::landscape::verdict::MeasureVerdict;
use std::path::PathBuf;

/// Reproduce the paper: train generators over several seeds with snapshots, sweep beta
/// (against per-beta variational MLPs), map the phases over training, draw one network
/// per algorithm found (and an Adam-trained one), test generalisation to unseen input
/// sizes, and write a report folder (index.html, summary.json, CSVs, figures,
/// checkpoints). The default run takes about 15 minutes on 2 cores.
#[derive(clap::Args)]
pub struct Args {
    /// Every stage at toy size (a smoke test in well under 2 minutes; not science).
    #[arg(long, conflicts_with = "full")]
    quick: bool,
    /// Paper scale: 33 seeds and long training (hours to days; a cluster job).
    #[arg(long)]
    full: bool,
    /// TOML file whose keys replace the preset's (any subset, at any depth;
    /// --print-config lists them all).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Report folder (created if missing).
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// First seed (generator k trains with seed + k; overrides the config).
    #[arg(long)]
    seed: Option<u64>,
    /// Number of generators trained (overrides the config).
    #[arg(long)]
    seeds: Option<usize>,
    /// Print the configuration that would run, as TOML, and exit.
    #[arg(long)]
    print_config: bool,
    /// Replace the report in --out even if it comes from another configuration.
    #[arg(long)]
    force: bool,
    /// Where to train: cpu, cuda or cuda:N (checked before any work starts).
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Only train the generators and save their snapshots in --out (one job of a
    /// run split over machines; combine the jobs with --from).
    #[arg(long, conflicts_with = "from")]
    train_only: bool,
    /// Analyse generators trained with --train-only in these folders (their
    /// configurations must agree but for the seeds) and write one report.
    #[arg(long, num_args = 1.., conflicts_with_all = ["quick", "full", "config", "seed", "seeds", "print_config"])]
    from: Vec<PathBuf>,
    /// A folder written by `hnet landscape` (at the sweep's input size, with the
    /// generator's complexity measure): the report then shows the objective's optimum
    /// per beta beside the generator's fractions. Checked before any work starts.
    #[arg(long, conflicts_with = "train_only")]
    landscape: Option<PathBuf>,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        require_training_device(parse_device(&self.device)?)?;
        let mut options = ReportOptions { out: self.out.clone(), force: self.force, command: std::env::args().collect::<Vec<_>>().join(" "), landscape: None };
        let studies = if self.from.is_empty() {
            let cfg = self.config()?;
            if self.print_config {
                print!("{}", cfg.to_toml());
                return Ok(());
            }
            options.landscape = self.landscape_for(&cfg)?;
            if self.train_only {
                let runs = train_only(&cfg, &options)?;
                let seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
                println!("trained seeds {seeds:?} into {}; analyse with `hnet reproduce --from {} ...`", self.out.display(), self.out.display());
                return Ok(());
            }
            reproduce(&cfg, &options)?
        } else {
            options.landscape = match &self.landscape {
                Some(_) => {
                    let text = std::fs::read_to_string(self.from[0].join("config.toml")).map_err(|e| format!("cannot read {}: {e}", self.from[0].join("config.toml").display()))?;
                    let cfg: ReproduceConfig = toml::from_str(&text).map_err(|e| format!("{} is not a reproduce configuration: {e}", self.from[0].display()))?;
                    self.landscape_for(&cfg)?
                }
                None => None,
            };
            assemble(&self.from, &options)?
        };
        print!("{}", summary_table(&studies.summary));
        let total: f64 = studies.timings.iter().map(|t| t.1).sum();
        println!("report: {} (open index.html in a browser); stages took {total:.0} s", self.out.join("index.html").display());
        Ok(())
    }

    /// The landscape's verdict for `cfg`'s generator measure and sweep size, if given.
    fn landscape_for(&self, cfg: &ReproduceConfig) -> Result<Option<MeasureVerdict>, String> {
        let Some(dir) = &self.landscape else { return Ok(None) };
        let measure = match cfg.training.generator.complexity {
            ComplexityMeasure::TensorSigma => SigmaSharing::TensorSigma,
            ComplexityMeasure::WeightSigma => SigmaSharing::WeightSigma,
            ComplexityMeasure::NeuronSigma => SigmaSharing::NeuronSigma,
            other => return Err(format!("--landscape: the generator's complexity measure {other:?} prices no target weights, so the landscape has nothing to compare it with")),
        };
        landscape_verdict_for(dir, measure, cfg.sweep.inputs).map(Some).map_err(|e| format!("--landscape: {e}"))
    }

    /// The preset, overridden by the config file, overridden by the flags.
    fn config(&self) -> Result<ReproduceConfig, String> {
        let preset = match (self.quick, self.full) {
            (true, _) => Preset::Quick,
            (_, true) => Preset::Full,
            _ => Preset::Default,
        };
        let mut cfg = ReproduceConfig::preset(preset);
        if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
            cfg = cfg.with_toml(&text, &format!("config {}", path.display()))?;
        }
        cfg.seed = self.seed.unwrap_or(cfg.seed);
        cfg.seeds = self.seeds.unwrap_or(cfg.seeds);
        cfg.validate()?;
        Ok(cfg)
    }
}
