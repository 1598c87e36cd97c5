//! `hnet train-mlp --out DIR [--config FILE] [--steps N] [--seed S] [--force]
//! [--max-memory BYTES]`: one target MLP trained directly with Adam, refused before
//! anything is written when it would not fit in memory.

use super::memory_limit::check_memory;
use hypernet::config_file::{load_toml, save_toml};
use hypernet::log::MetricsLog;
use hypernet::train_mlp::{train_mlp, MlpConfig};
use hypernet::weights_io::save_target_weights;
use interpret::output_folder::kinds::TRAIN_MLP;
use std::path::PathBuf;

/// Train one target MLP directly with Adam (the baseline without complexity control).
/// Writes config.toml (every setting), metrics.jsonl, weights.safetensors and
/// summary.json to the output folder.
#[derive(clap::Args)]
pub struct Args {
    /// TOML config; fields left out take their defaults (config.toml in an output
    /// folder lists them all).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output folder (created if missing; the output of an earlier `hnet train-mlp` there
    /// is replaced).
    #[arg(long)]
    out: PathBuf,
    /// Write into an --out that holds files `hnet train-mlp` did not write (they are kept).
    #[arg(long)]
    force: bool,
    /// Training steps (overrides the config).
    #[arg(long)]
    steps: Option<usize>,
    /// Random seed (overrides the config).
    #[arg(long)]
    seed: Option<u64>,
    /// Refuse a job that needs more memory than this, e.g. 8G (default: the memory
    /// available now, MemAvailable in /proc/meminfo).
    #[arg(long)]
    max_memory: Option<String>,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        let mut cfg: MlpConfig = self.config.as_deref().map(load_toml).transpose()?.unwrap_or_default();
        cfg.steps = self.steps.unwrap_or(cfg.steps);
        cfg.seed = self.seed.unwrap_or(cfg.seed);
        cfg.validate().map_err(|e| e.to_string())?;
        check_memory(
            self.max_memory.as_deref(),
            &cfg.memory(),
            &format!("training a {} -> {} -> 1 network on batches of {} (evaluated on {} inputs)", cfg.problem.inputs, cfg.problem.hidden, cfg.batch_size, cfg.eval_points),
            "reduce batch_size, eval_points or the problem's inputs or hidden, or raise the limit with --max-memory",
        )?;
        TRAIN_MLP.replace(&self.out, self.force)?;
        save_toml(&self.out.join("config.toml"), &cfg)?;
        let mut log = MetricsLog::create(&self.out.join("metrics.jsonl")).map_err(|e| e.to_string())?.echo(true);
        let outcome = train_mlp(&cfg, Some(&mut log)).map_err(|e| e.to_string())?;
        let weights_path = self.out.join("weights.safetensors");
        save_target_weights(&weights_path, &outcome.weights).map_err(|e| format!("cannot save: {e}"))?;
        let summary = serde_json::json!({
            "eval_nmse": outcome.eval_nmse,
            "eval_points": cfg.eval_points,
            "steps": cfg.steps,
            "variance": cfg.problem.variance(),
            "weights": "weights.safetensors",
        });
        super::files::write_text(&self.out.join("summary.json"), &serde_json::to_string_pretty(&summary).expect("json"))?;
        println!("held-out nMSE {:.5} after {} steps; wrote {}", outcome.eval_nmse, cfg.steps, weights_path.display());
        Ok(())
    }
}
