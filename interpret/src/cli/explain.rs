//! `hnet explain FILE`: the classification plus a formula read off the network, and
//! the curvature of its error with the Laplace estimate of its description length.

use super::files::load_weights;
use super::memory_limit::{check_analysis_memory, check_memory};
use interpret::classify::classify;
use interpret::curvature::{self, CurvatureOptions};
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
    /// Skip the curvature analysis (Hessian spectrum and Laplace bits).
    #[arg(long)]
    no_curvature: bool,
    /// Inputs in the sample the error's curvature is measured on (L1 task, Gaussian inputs).
    #[arg(long, default_value_t = 4096)]
    curvature_points: usize,
    /// Seed of that sample and of the power iteration.
    #[arg(long, default_value_t = 0)]
    curvature_seed: u64,
    /// Largest Hessian eigenvalues to show (read off the full spectrum, or found by
    /// power iteration on Hessian-vector products above --max-full-hessian weights).
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// Form the full Hessian (one Hessian-vector product per weight) for the spectrum
    /// and the Laplace bits only up to this many weights.
    #[arg(long, default_value_t = 2000)]
    max_full_hessian: usize,
    /// Above --max-full-hessian weights, still find the largest eigenvalues by power
    /// iteration (up to 300 Hessian-vector products each; slow for wide networks).
    #[arg(long)]
    power_iteration: bool,
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
        if self.no_curvature {
            return Ok(());
        }
        if self.curvature_points == 0 {
            return Err("--curvature-points must be at least 1 (or skip the analysis with --no-curvature)".into());
        }
        let weights = net.weight_count();
        if weights > self.max_full_hessian && !self.power_iteration {
            println!(
                "curvature: skipped, {weights} weights is more than --max-full-hessian {}; raise it for the full spectrum and the Laplace bits, or pass --power-iteration for the largest eigenvalues alone",
                self.max_full_hessian
            );
            return Ok(());
        }
        let options = CurvatureOptions { points: self.curvature_points, seed: self.curvature_seed, top: self.top, max_full: self.max_full_hessian, ..CurvatureOptions::default() };
        check_memory(
            self.max_memory.as_deref(),
            &curvature::memory(&net, &options),
            "the curvature analysis",
            "lower --curvature-points or --max-full-hessian, or skip it with --no-curvature",
        )?;
        println!("curvature on {} Gaussian inputs of the L1 task (seed {}):", options.points, options.seed);
        print!("{}", curvature::analyse(&net, &options)?);
        Ok(())
    }
}
