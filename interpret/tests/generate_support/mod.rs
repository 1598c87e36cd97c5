//! What the `hnet generate` tests share: the binary, scratch folders and a tiny
//! trained generator checkpoint.

#![allow(dead_code)] // each test file uses a different part

use hypernet::checkpoint::save_checkpoint;
use hypernet::generator::{GeneratorConfig, GeneratorTrainConfig, GeneratorTrainer};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// An empty scratch folder for the test `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hnet-generate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A generator of width 8 trained 4 steps on n = 2 and 3 (the complexity term on
/// from step 1, so its weights have a sigma), saved as DIR/checkpoint.safetensors.
pub fn tiny_checkpoint(dir: &Path) -> PathBuf {
    let generator = GeneratorConfig { width: 8, blocks: 1, heads: 2, noise_dim: 2, key_dim: 4, cond_width: 4, ..GeneratorConfig::default() };
    let mut config = GeneratorTrainConfig { steps: 4, networks: 3, points: 16, train_inputs: vec![2, 3], complexity_warmup_fraction: 0.25, generator, ..GeneratorTrainConfig::default() };
    config.optimizer.warmup_steps = 1;
    let mut trainer = GeneratorTrainer::new(config).unwrap();
    while !trainer.finished() {
        trainer.train_step().unwrap();
    }
    let path = dir.join("checkpoint.safetensors");
    save_checkpoint(&path, &trainer.checkpoint()).unwrap();
    path
}

/// Runs `hnet generate` with `args`.
pub fn generate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hnet")).arg("generate").args(args).output().expect("hnet runs")
}

/// `hnet generate --checkpoint CKPT --out OUT` plus `args`, which must succeed.
pub fn generate_ok(checkpoint: &Path, out: &Path, args: &[&str]) {
    let mut all = vec!["--checkpoint", checkpoint.to_str().unwrap(), "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = generate(&all);
    assert!(output.status.success(), "hnet generate {all:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
}
