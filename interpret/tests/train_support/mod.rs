//! What the `hnet train` tests share: the binary, a tiny config, scratch folders and
//! the final checkpoint's bits.

#![allow(dead_code)] // each test file uses a different part

use hypernet::checkpoint::load_checkpoint;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A generator small enough to train hundreds of steps in a second: width 8, one
/// block, n = 2 or 3.
pub const TINY: &str = "\
networks = 3
points = 16
train_inputs = [2, 3]

[optimizer]
warmup_steps = 2

[generator]
width = 8
blocks = 1
heads = 2
noise_dim = 2
key_dim = 4
cond_width = 4
";

/// The `hnet` binary under test.
pub fn hnet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hnet"))
}

/// An empty scratch folder for the test `name`, holding `tiny.toml`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hnet-train-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    dir
}

/// `hnet train --config DIR/tiny.toml --out DIR/<run> --steps STEPS` plus `extra`.
pub fn train(dir: &Path, run: &str, steps: usize, extra: &[&str]) -> Command {
    let mut c = hnet();
    c.arg("train").arg("--config").arg(dir.join("tiny.toml")).arg("--out").arg(dir.join(run)).args(["--steps", &steps.to_string()]).args(extra);
    c
}

/// Runs `command`, returning its output; panics if it could not start.
pub fn output(mut command: Command) -> Output {
    command.output().expect("hnet runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The step and the bits of every parameter and optimiser buffer in the run's checkpoint.
pub fn checkpoint_bits(run: &Path) -> (usize, Vec<(String, Vec<u32>)>) {
    let ckpt = load_checkpoint(&run.join("checkpoint.safetensors")).unwrap_or_else(|e| panic!("{e}"));
    let bits = |a: &ndarray::ArrayD<f32>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let mut all: Vec<(String, Vec<u32>)> = ckpt.params.iter().map(|(k, v)| (k.clone(), bits(v))).collect();
    all.extend(ckpt.optimizer.buffers.iter().enumerate().map(|(i, b)| (format!("optim/{i}"), bits(b))));
    all.push(("optim/step".into(), vec![ckpt.optimizer.step as u32]));
    (ckpt.step, all)
}

/// The metrics records without their wall-clock times (which differ run to run).
pub fn metrics_without_time(run: &Path) -> Vec<serde_json::Value> {
    let mut records = hypernet::log::read_records(&run.join("metrics.jsonl")).unwrap();
    for r in &mut records {
        r.as_object_mut().unwrap().remove("wall_s");
    }
    records
}

/// A finished uninterrupted run of `steps` steps in DIR/`run`.
pub fn reference_run(dir: &Path, run: &str, steps: usize) -> PathBuf {
    let out = output(train(dir, run, steps, &[]));
    assert!(out.status.success(), "reference run failed: {}", stderr(&out));
    dir.join(run)
}
