//! `hnet reference ALGORITHM --n N --out FILE`: writes a hand-built network.

use autodiff::Key;
use hypernet::weights_io::save_target_weights;
use interpret::reference::{pad_with_dead_neurons, Algorithm, SHARP};
use std::path::PathBuf;

/// Write a hand-built reference network (double-sided, positive-pudding,
/// negative-pudding, mixed-pudding or convexity) as a safetensors file.
#[derive(clap::Args)]
pub struct Args {
    /// double-sided, positive-pudding, negative-pudding, mixed-pudding or convexity.
    algorithm: String,
    /// Input size n.
    #[arg(long, default_value_t = 16)]
    n: usize,
    /// Swish sharpness s: silu(s u) / s approaches relu(u) as s grows.
    #[arg(long, default_value_t = SHARP)]
    sharpness: f32,
    /// Pad with dead neurons up to this many hidden neurons.
    #[arg(long)]
    width: Option<usize>,
    /// Seed of the convexity directions and of the padding.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to write the weights.
    #[arg(long)]
    out: PathBuf,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
        let algorithm = Algorithm::from_name(&self.algorithm)
            .ok_or_else(|| format!("unknown algorithm `{}`; choose one of {}", self.algorithm, names.join(", ")))?;
        let min_n = if algorithm == Algorithm::MixedPudding { 2 } else { 1 };
        if self.n < min_n {
            return Err(format!("--n {} is too small for {}: use at least {min_n}", self.n, algorithm.name()));
        }
        if !(self.sharpness > 0.0 && self.sharpness.is_finite()) {
            return Err(format!("--sharpness {} must be a positive number", self.sharpness));
        }
        let key = Key::new(self.seed);
        let mut net = algorithm.build(self.n, self.sharpness, key.fold_in(0));
        if let Some(width) = self.width {
            if width < net.hidden() {
                return Err(format!("--width {width} is below the {} neurons {} needs", net.hidden(), algorithm.name()));
            }
            net = pad_with_dead_neurons(&net, width, key.fold_in(1));
        }
        save_target_weights(&self.out, &net).map_err(|e| format!("cannot save: {e}"))?;
        println!("wrote {} ({}, n = {}, m = {})", self.out.display(), algorithm.name(), net.inputs(), net.hidden());
        Ok(())
    }
}
