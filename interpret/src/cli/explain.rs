//! `hnet explain FILE`: the classification plus a formula read off the network.

use super::memory_limit::check_analysis_memory;
use super::files::load_weights;
use interpret::classify::classify;
use interpret::formula::explain;
use interpret::analysis_memory::Analysis;
use std::path::PathBuf;

/// Classify a network, print its order parameters per input, and read it off as a
/// formula checked against the network.
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
        check_analysis_memory(self.max_memory.as_deref(), Analysis::Explain, &net, &self.file)?;
        let classification = classify(&net);
        print!("{classification}");
        println!("per input (P = relu(+x) output, N = relu(-x) output, L = linear coefficient):");
        println!("  {:>5} {:>8} {:>8} {:>8} {:>9}  role", "input", "P", "N", "L", "odd/even");
        for (i, (p, role)) in classification.params.inputs.iter().zip(&classification.evidence.input_roles).enumerate() {
            println!(
                "  {i:>5} {:>8.3} {:>8.3} {:>8.3} {:>9.3}  {role:?}",
                p.positive_output,
                p.negative_output,
                p.linear_coefficient,
                p.oddness()
            );
        }
        println!("formula:");
        println!("{}", explain(&net, &classification.params));
        Ok(())
    }
}
