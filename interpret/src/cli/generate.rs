//! `hnet generate --checkpoint FILE --log10-beta B --n N [--m M] [--seed S] [--count K]
//! --out DIR [--force] [--mean]`: target networks from a trained generator.
//!
//! The generator is rebuilt from the checkpoint's configuration and parameters, then
//! emits K networks of n inputs and m hidden neurons at `beta = 10^B` from
//! `Key::new(S)`: the node noise, and the weight noise of one sample
//! `theta = mu + sigma * eps` per network (the default), or the weight means `mu`
//! with `--mean`. The same checkpoint, arguments and seed give the same bytes.
//!
//! DIR receives `net_<i>.safetensors` (i = 0..K-1, readable from Python with
//! `safetensors.numpy.load_file`) and `generated.json`: the arguments, the checkpoint's
//! step, and per network its complexity in bits, its normalised MSE on fresh inputs
//! and the classifier's label. The networks of an earlier call in DIR are deleted first,
//! so none of them stays beside the new ones; a folder of another command, or holding
//! other files (unless `--force`), is refused.

use autodiff::{no_grad, Key};
use hypernet::checkpoint::load_checkpoint;
use super::memory_limit::check_memory;
use hypernet::generator::memory::StepMemory;
use hypernet::generator::{GeneratorTrainConfig, TrainedGenerator};
use hypernet::weights_io::save_target_weights;
use interpret::output_folder::kinds::GENERATE;
use interpret::studies::beta_sweep::measure_networks;
use std::path::PathBuf;

/// Inputs per network for the normalised MSE reported in generated.json.
const EVAL_POINTS: usize = 4096;

/// Generate target networks from a trained generator checkpoint at a given beta and
/// size. Writes `net_<i>.safetensors` and generated.json (bits, nMSE, label per network).
#[derive(clap::Args)]
pub struct Args {
    /// Generator training checkpoint (checkpoint.safetensors in an `hnet train` folder).
    #[arg(long)]
    checkpoint: PathBuf,
    /// log10 of beta, the price of complexity (e.g. -3; the run's range is in its config).
    #[arg(long, allow_hyphen_values = true)]
    log10_beta: f64,
    /// Inputs n of the target networks.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    n: u64,
    /// Hidden neurons m (default: the run's hidden_per_input times n, 3n by default).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    m: Option<u64>,
    /// Random seed of the node noise and the weight noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Number of networks.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    count: u64,
    /// Output folder (created if missing; the networks of an earlier `hnet generate`
    /// there are replaced).
    #[arg(long)]
    out: PathBuf,
    /// Write into an --out that holds files `hnet generate` did not write (they are kept).
    #[arg(long)]
    force: bool,
    /// Refuse a job whose generation and measurement need more memory than this, e.g. 8G
    /// (default: the memory available now, MemAvailable in /proc/meminfo).
    #[arg(long)]
    max_memory: Option<String>,
    /// Write the weight means instead of one weight sample per network.
    #[arg(long)]
    mean: bool,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        if !self.log10_beta.is_finite() {
            return Err(format!("--log10-beta must be a finite number, got {}", self.log10_beta));
        }
        let ckpt = load_checkpoint(&self.checkpoint).map_err(|e| e.to_string())?;
        let trained = TrainedGenerator::from_checkpoint(&ckpt)
            .map_err(|e| format!("cannot rebuild the generator from {}: {e}", self.checkpoint.display()))?;
        let config = &trained.config;
        let n = self.n as usize;
        let m = self.m.map_or(config.hidden_per_input * n, |m| m as usize);
        let problem = hypernet::problem::ProblemConfig { inputs: n, hidden: m, ..config.problem.clone() };
        self.check_memory(config, n, m)?;
        if !(config.log10_beta_min..=config.log10_beta_max).contains(&self.log10_beta) {
            eprintln!(
                "note: log10 beta {} is outside the range the generator trained on, [{}, {}]",
                self.log10_beta, config.log10_beta_min, config.log10_beta_max
            );
        }
        GENERATE.replace(&self.out, self.force)?;

        let count = self.count as usize;
        let key = Key::new(self.seed);
        let generated = no_grad(|| trained.generator.generate(&vec![self.log10_beta as f32; count], n, m, &trained.schedule(), key.fold_in(0)));
        let weights = if self.mean { &generated.mean } else { &generated.sample };
        let bits: Vec<f64> = generated.bits.to_vec().iter().map(|&b| b as f64).collect();
        let measured = measure_networks(weights, bits, &problem, EVAL_POINTS, key.fold_in(1));
        let mut networks = Vec::with_capacity(count);
        for (i, net) in measured.iter().enumerate() {
            let file = format!("net_{i}.safetensors");
            save_target_weights(&self.out.join(&file), &net.weights).map_err(|e| format!("cannot save: {e}"))?;
            networks.push(serde_json::json!({ "file": file, "bits": net.bits, "nmse": net.nmse, "label": net.label.name() }));
            println!("{file}: {:.1} bits, nMSE {:.4}, {}", net.bits, net.nmse, net.label.name());
        }
        let summary = serde_json::json!({
            "checkpoint": self.checkpoint.display().to_string(),
            "checkpoint_step": ckpt.step,
            "log10_beta": self.log10_beta,
            "beta": 10f64.powf(self.log10_beta),
            "n": n,
            "m": m,
            "seed": self.seed,
            "weights": if self.mean { "mean" } else { "sampled" },
            "activation": problem.activation.name(),
            "eval_points": EVAL_POINTS,
            "networks": networks,
        });
        super::files::write_text(&self.out.join("generated.json"), &serde_json::to_string_pretty(&summary).expect("json"))?;
        println!("wrote {count} networks to {}", self.out.display());
        Ok(())
    }

    /// Refuses a job larger than the memory limit before anything is allocated. The
    /// estimate is that of a training step of `count` networks of this size measured on
    /// [`EVAL_POINTS`] inputs (generation without gradients needs less: an upper bound).
    fn check_memory(&self, config: &GeneratorTrainConfig, n: usize, m: usize) -> Result<(), String> {
        let job = GeneratorTrainConfig { networks: self.count as usize, points: EVAL_POINTS, train_inputs: vec![n], hidden_per_input: m.div_ceil(n), ..config.clone() };
        check_memory(
            self.max_memory.as_deref(),
            &StepMemory::estimate(&job),
            &format!("generating {} networks with n = {n}, m = {m}", self.count),
            "reduce --count, --n or --m, or raise the limit with --max-memory",
        )
    }
}
