//! `hnet landscape [--quick] [--config FILE] [--out DIR] [--print-config] [--force]
//! [--max-memory BYTES]`: the objective's own phase diagram (see
//! `interpret::landscape`), refused before anything is written when one measure would
//! not fit in memory.

use super::memory_limit::check_memory;
use interpret::landscape::config::LandscapeConfig;
use interpret::landscape::{landscape, write_landscape};
use interpret::output_folder::kinds::LANDSCAPE;
use std::path::PathBuf;

/// Map which algorithm the generator's objective (nMSE + beta * bits / W) prefers at
/// each beta, without a generator: for each complexity measure (tensor, weight and
/// neuron sigma), train variational MLPs from every reference algorithm (double-sided,
/// positive, negative and mixed pudding, convexity; a little noise, several seeds) and
/// from random starts, label them again at the end, and find the lowest loss per beta.
/// Writes landscape.csv (one row per network), landscape.json (winner per beta and
/// measure, boundaries, and whether the winners order double-sided < pudding <
/// convexity), one `landscape-<measure>.svg` per measure, and config.toml. The default
/// takes about 12 minutes on 2 cores.
#[derive(clap::Args)]
pub struct Args {
    /// Few betas and short training (a smoke test in well under 2 minutes; not science).
    #[arg(long)]
    quick: bool,
    /// TOML file whose keys replace the preset's (any subset; --print-config lists them).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output folder (created if missing).
    #[arg(long, default_value = "landscape")]
    out: PathBuf,
    /// Print the configuration that would run, as TOML, and exit.
    #[arg(long)]
    print_config: bool,
    /// Replace the results in --out even if they come from another configuration.
    #[arg(long)]
    force: bool,
    /// Refuse a job that needs more memory than this, e.g. 8G (default: the memory
    /// available now, MemAvailable in /proc/meminfo).
    #[arg(long)]
    max_memory: Option<String>,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        let mut cfg = if self.quick { LandscapeConfig::quick() } else { LandscapeConfig::default() };
        if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
            cfg = cfg.with_toml(&text, &format!("config {}", path.display()))?;
        }
        cfg.validate()?;
        let toml = cfg.to_toml();
        if self.print_config {
            print!("{toml}");
            return Ok(());
        }
        let p = &cfg.problem;
        check_memory(
            self.max_memory.as_deref(),
            &cfg.memory(rayon::current_num_threads()),
            &format!("a landscape measure of {} variational {} -> {} -> 1 networks on batches of {} (evaluated on {} inputs)", cfg.networks_per_measure(), p.inputs, p.hidden, cfg.batch_size, cfg.eval_points),
            "reduce the betas, starts, seeds, batch_size, eval_points or the problem's inputs or hidden, or raise the limit with --max-memory",
        )?;
        LANDSCAPE.replace_same_config(&self.out, &toml, self.force)?;
        super::files::write_text(&self.out.join("config.toml"), &toml)?;
        let result = landscape(&cfg)?;
        write_landscape(&cfg, &result, &self.out)?;
        for v in &result.verdicts {
            println!("{}: log10 beta -> winner (final label, from start, loss)", v.measure.name());
            for b in &v.per_beta {
                println!("  {:>6.2}  {:<17} from {:<17} {:.4}", b.log10_beta, b.winner.final_label.name(), b.winner.start.name(), b.winner.loss);
            }
            println!("  orders double-sided < pudding < convexity: {}", if v.orders_paper() { "yes" } else { "no" });
        }
        println!("wrote {}", self.out.display());
        Ok(())
    }
}
