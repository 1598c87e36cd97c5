//! `hnet classify FILE`: the algorithm a network implements, and why.

use super::files::load_weights;
use interpret::classify::classify;
use std::path::PathBuf;

/// Label a network (double-sided, pudding, convexity, ...) and print the order
/// parameters that decided it.
#[derive(clap::Args)]
pub struct Args {
    /// Target weights (safetensors: W1, b1, w2, b2).
    file: PathBuf,
}

impl Args {
    pub fn run(self) -> Result<(), String> {
        let net = load_weights(&self.file)?;
        print!("{}", classify(&net));
        Ok(())
    }
}
