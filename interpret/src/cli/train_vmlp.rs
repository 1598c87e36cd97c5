//! `hnet train-vmlp --out DIR [--config FILE] [--steps N] [--seed S] [--betas LIST] [--force]
//! [--max-memory BYTES]`: variational MLPs (variational minimum description length), one
//! per beta and seed, trained together, refused before anything is written when they
//! would not fit in memory.

use super::memory_limit::check_memory;
use hypernet::config_file::{load_toml, save_toml};
use hypernet::log::MetricsLog;
use hypernet::vmlp::{train_vmlp, VmlpConfig};
use hypernet::weights_io::save_target_weights;
use interpret::output_folder::kinds::TRAIN_VMLP;
use std::path::PathBuf;

/// Train variational MLPs over a list of betas (loss nMSE + beta * bits / normaliser).
/// Writes config.toml (every setting), metrics.jsonl, summary.json (bits, sampled and
/// mean-network nMSE per beta and per network) and, under networks/, each network's
/// weight means and standard deviations as safetensors.
#[derive(clap::Args)]
pub struct Args {
    /// TOML config; fields left out take their defaults (config.toml in an output
    /// folder lists them all).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output folder (created if missing; the output of an earlier `hnet train-vmlp` there
    /// is replaced).
    #[arg(long)]
    out: PathBuf,
    /// Write into an --out that holds files `hnet train-vmlp` did not write (they are kept).
    #[arg(long)]
    force: bool,
    /// Training steps (overrides the config).
    #[arg(long)]
    steps: Option<usize>,
    /// Random seed (overrides the config).
    #[arg(long)]
    seed: Option<u64>,
    /// Comma-separated log10 betas, e.g. `-4,-2,0` (overrides the config).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    betas: Option<Vec<f64>>,
    /// Networks per beta (overrides the config).
    #[arg(long)]
    seeds: Option<usize>,
    /// Refuse a job that needs more memory than this, e.g. 8G (default: the memory
    /// available now, MemAvailable in /proc/meminfo).
    #[arg(long)]
    max_memory: Option<String>,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        let mut cfg: VmlpConfig = self.config.as_deref().map(load_toml).transpose()?.unwrap_or_default();
        cfg.steps = self.steps.unwrap_or(cfg.steps);
        cfg.seed = self.seed.unwrap_or(cfg.seed);
        cfg.seeds = self.seeds.unwrap_or(cfg.seeds);
        cfg.log10_betas = self.betas.unwrap_or(cfg.log10_betas);
        cfg.validate().map_err(|e| e.to_string())?;
        check_memory(
            self.max_memory.as_deref(),
            &cfg.memory(),
            &format!(
                "training {} variational {} -> {} -> 1 networks on batches of {} (evaluated on {} inputs)",
                cfg.networks(),
                cfg.problem.inputs,
                cfg.problem.hidden,
                cfg.batch_size,
                cfg.eval_points
            ),
            "reduce the betas, seeds, batch_size, eval_points or the problem's inputs or hidden, or raise the limit with --max-memory",
        )?;
        TRAIN_VMLP.replace(&self.out, self.force)?;
        let networks_dir = self.out.join("networks");
        std::fs::create_dir_all(&networks_dir).map_err(|e| format!("cannot create output folder {}: {e}", networks_dir.display()))?;
        save_toml(&self.out.join("config.toml"), &cfg)?;
        let mut log = MetricsLog::create(&self.out.join("metrics.jsonl")).map_err(|e| e.to_string())?.echo(true);
        let outcome = train_vmlp(&cfg, Some(&mut log)).map_err(|e| e.to_string())?;
        let mut networks = Vec::new();
        for net in &outcome.networks {
            let stem = format!("beta{:+.2}_seed{}", net.log10_beta, net.seed_index);
            let (mean_file, sigma_file) = (format!("networks/{stem}_mean.safetensors"), format!("networks/{stem}_sigma.safetensors"));
            for (file, weights) in [(&mean_file, &net.mean), (&sigma_file, &net.sigma)] {
                save_target_weights(&self.out.join(file), weights).map_err(|e| format!("cannot save: {e}"))?;
            }
            networks.push(serde_json::json!({
                "log10_beta": net.log10_beta,
                "seed_index": net.seed_index,
                "bits": net.bits,
                "nmse_sampled": net.nmse_sampled,
                "nmse_mean": net.nmse_mean,
                "mean": mean_file,
                "sigma": sigma_file,
            }));
        }
        let summary = serde_json::json!({
            "steps": cfg.steps,
            "variance": cfg.problem.variance(),
            "per_beta": outcome.summary,
            "networks": networks,
        });
        super::files::write_text(&self.out.join("summary.json"), &serde_json::to_string_pretty(&summary).expect("json"))?;
        println!("log10 beta      bits   nMSE (sampled)   nMSE (mean weights)");
        for s in &outcome.summary {
            println!("{:>10.2} {:>9.1} {:>16.5} {:>21.5}", s.log10_beta, s.bits, s.nmse_sampled, s.nmse_mean);
        }
        println!("wrote {}", self.out.display());
        Ok(())
    }
}
