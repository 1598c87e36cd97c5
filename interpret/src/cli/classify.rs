//! `hnet classify FILE`: the algorithm a network implements, and why.

use super::memory_limit::check_analysis_memory;
use super::files::load_weights;
use interpret::classify::classify;
use interpret::analysis_memory::Analysis;
use std::path::PathBuf;

/// Label a network (double-sided, pudding, convexity, ...) and print the order
/// parameters that decided it.
#[derive(clap::Args)]
pub struct Args {
    /// Target weights (safetensors: W1, b1, w2, b2).
    file: PathBuf,
    /// Refuse a job that needs more memory than this, e.g. 8G (default: the memory
    /// available now, MemAvailable in /proc/meminfo).
    #[arg(long)]
    max_memory: Option<String>,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        let net = load_weights(&self.file)?;
        check_analysis_memory(self.max_memory.as_deref(), Analysis::Classify, &net, &self.file)?;
        print!("{}", classify(&net));
        Ok(())
    }
}
