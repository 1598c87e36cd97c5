//! Memory guards outside `train`/`generate`: `classify`, `explain`, `draw`,
//! `train-mlp`, `train-vmlp` and `landscape` estimate what they need before any large
//! allocation and refuse a job over the limit with the estimate, its largest part, the
//! limit and `--max-memory`, writing nothing; the order parameters of a wide network
//! are measured in bounded memory.

use autodiff::Key;
use hypernet::weights_io::save_target_weights;
use interpret::reference::{double_sided, pad_with_dead_neurons};
use std::path::PathBuf;
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hnet-memory-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hnet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hnet")).args(args).output().expect("hnet runs")
}

fn refused(out: &Output, parts: &[&str]) {
    let message = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "should fail with a message:\n{message}");
    for part in parts {
        assert!(message.contains(part), "expected {part:?} in:\n{message}");
    }
}

/// A double-sided network on 2 inputs padded with dead neurons to `m`.
fn wide_network(dir: &std::path::Path, m: usize) -> PathBuf {
    let path = dir.join(format!("wide-{m}.safetensors"));
    save_target_weights(&path, &pad_with_dead_neurons(&double_sided(2, 10.0), m, Key::new(1))).unwrap();
    path
}

#[cfg(target_os = "linux")]
#[test]
fn a_wide_network_is_classified_in_bounded_memory() {
    // 100,000 neurons: [4096, m] pre-activations alone were 1.6 GB (and the output as
    // much again); in chunks of neurons the classification fits in 1 GiB of address space.
    let dir = scratch("wide");
    let file = wide_network(&dir, 100_000);
    let script = format!("ulimit -v 1048576; exec {} classify --max-memory 512M {}", env!("CARGO_BIN_EXE_hnet"), file.display());
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("label: double-sided"), "{}", String::from_utf8_lossy(&out.stdout));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn analyses_over_the_limit_are_refused_with_the_estimate_and_write_nothing() {
    let dir = scratch("analyses");
    let file = wide_network(&dir, 100_000);
    let f = file.to_str().unwrap();
    let svg = dir.join("wide.svg");
    // explain evaluates the formula's neurons on all probe inputs at once (3 GB here).
    refused(&hnet(&["explain", f, "--max-memory", "1G"]), &["the explanation of", "n = 2, m = 100000", "needs an estimated", "1.00 GiB given by --max-memory", "raise the limit with --max-memory"]);
    refused(&hnet(&["classify", f, "--max-memory", "1M"]), &["the classification of", "1.00 MiB given by --max-memory"]);
    refused(&hnet(&["draw", f, "--out", svg.to_str().unwrap(), "--max-memory", "1M"]), &["the drawing of", "largest part"]);
    assert!(!svg.exists(), "a refused drawing writes nothing");
    refused(&hnet(&["classify", f, "--max-memory", "lots"]), &["--max-memory: `lots` is not a byte count"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn many_inputs_are_refused_for_the_f64_draws_of_the_probe_inputs() {
    // n = 10^5, m = 2 (an 800 KB file): the probe inputs are 1.6 GB in f32, drawn through
    // 6.4 GB of f64 (measured peak RSS); the estimate once counted only the 1.6 GB.
    let dir = scratch("inputs");
    let path = dir.join("wide-inputs.safetensors");
    let k = Key::new(2).split(2);
    let net = hypernet::TargetWeights {
        w1: k[0].normal::<f32>(&[2, 100_000]).into_dimensionality().unwrap(),
        b1: ndarray::Array1::zeros(2),
        w2: k[1].normal::<f32>(&[2]).into_dimensionality().unwrap(),
        b2: 0.0,
        activation: hypernet::Activation::Silu,
    };
    save_target_weights(&path, &net).unwrap();
    refused(&hnet(&["classify", path.to_str().unwrap(), "--max-memory", "4G"]), &["n = 100000, m = 2", "largest part: drawing a batch of probe inputs", "4.00 GiB given by --max-memory"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn train_mlp_with_a_huge_batch_is_refused_before_writing_anything() {
    let dir = scratch("mlp");
    let config = dir.join("huge.toml");
    std::fs::write(&config, "batch_size = 100000000\n[optimizer]\nwarmup_steps = 1\n").unwrap();
    let out = dir.join("out");
    let args = ["train-mlp", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap(), "--steps", "2"];
    refused(&hnet(&args), &["training a 16 -> 48 -> 1 network on batches of 100000000", "needs an estimated", "reduce batch_size", "--max-memory"]);
    refused(&hnet(&[&args[..], &["--max-memory", "1M"]].concat()), &["1.00 MiB given by --max-memory"]);
    assert!(!out.exists(), "no folder and no empty metrics file");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A config file in `dir` holding `text` (1-step warmup, so a few steps validate).
fn config(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{text}\n[optimizer]\nwarmup_steps = 1\n")).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn train_vmlp_over_the_limit_is_refused_before_writing_anything() {
    let dir = scratch("vmlp");
    let out = dir.join("out");
    let run = |config: &str, extra: &[&str]| hnet(&[&["train-vmlp", "--config", config, "--out", out.to_str().unwrap(), "--steps", "2"], extra].concat());
    // 7 betas x 10^8 inputs per step: terabytes of [B, N, m] activations.
    let huge = config(&dir, "huge.toml", "batch_size = 100000000");
    let expected = ["training 7 variational 16 -> 48 -> 1 networks on batches of 100000000", "needs an estimated", "largest part: training step", "reduce the betas", "--max-memory"];
    refused(&run(&huge, &[]), &expected);
    let small = config(&dir, "small.toml", "log10_betas = [0.0]\neval_points = 64");
    refused(&run(&small, &["--max-memory", "1K"]), &["training 1 variational", "1.00 KiB given by --max-memory"]);
    assert!(!out.exists(), "a refused sweep creates no folder");
    let fits = run(&small, &["--max-memory", "1G"]);
    assert!(fits.status.success(), "{}", String::from_utf8_lossy(&fits.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_landscape_over_the_limit_is_refused_before_writing_anything() {
    let dir = scratch("landscape");
    let out = dir.join("out");
    let run = |config: &str, extra: &[&str]| hnet(&[&["landscape", "--quick", "--config", config, "--out", out.to_str().unwrap()], extra].concat());
    // 5 betas x 6 starts networks at 10^8 inputs per step.
    let huge = config(&dir, "huge.toml", "batch_size = 100000000\nsteps = 2");
    let expected = ["a landscape measure of 30 variational 16 -> 48 -> 1 networks on batches of 100000000", "needs an estimated", "largest part: training step", "reduce the betas, starts", "--max-memory"];
    refused(&run(&huge, &[]), &expected);
    let quick = config(&dir, "quick.toml", "steps = 2");
    refused(&run(&quick, &["--max-memory", "1M"]), &["a landscape measure of 30", "1.00 MiB given by --max-memory"]);
    assert!(!out.exists(), "a refused landscape creates no folder");
    std::fs::remove_dir_all(&dir).unwrap();
}
