//! Networks written by `hnet generate` load in Python with numpy and the `safetensors`
//! package (`tests/python/check_weights.py`), and numpy's outputs match
//! `TargetWeights::forward`: sampled and mean networks of a tiny trained generator,
//! and a relu network (the activation travels in the file's metadata). A network
//! whose recorded outputs are off is caught, so the check can fail.
//!
//! Needs `python3` with numpy and safetensors (`python3 -m pip install numpy
//! safetensors`, as `.ci/run` does); without them the test fails saying so, unless
//! the environment sets SKIP_PYTHON=1.

mod generate_support;

use autodiff::Key;
use generate_support::*;
use hypernet::weights_io::{load_target_weights, save_target_weights};
use hypernet::Activation;
use ndarray::{Array2, Ix2};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Largest accepted `max |y_numpy - y_rust|`, relative to `max(1, max |y|)`.
const RELATIVE_TOLERANCE: f64 = 1e-5;

const INSTALL: &str = "python3 -m pip install numpy safetensors";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/python/check_weights.py")
}

/// One case for the script: the weights file, inputs and the Rust outputs on them.
fn case(weights: &Path, x: &Array2<f32>, y_shift: f32) -> serde_json::Value {
    let net = load_target_weights(weights).unwrap();
    let y: Vec<f32> = net.forward(x.view()).iter().map(|v| v + y_shift).collect();
    let rows: Vec<Vec<f32>> = x.rows().into_iter().map(|r| r.to_vec()).collect();
    serde_json::json!({ "weights": weights, "x": rows, "y": y })
}

/// Runs the script on `cases`; `None` when SKIP_PYTHON=1, else whether every case
/// matched and the script's report. Panics, saying what to install, if python3,
/// numpy or safetensors is missing.
fn check_in_python(dir: &Path, name: &str, cases: Vec<serde_json::Value>) -> Option<(bool, String)> {
    if std::env::var("SKIP_PYTHON").as_deref() == Ok("1") {
        eprintln!("SKIPPED: SKIP_PYTHON=1");
        return None;
    }
    let spec = dir.join(format!("{name}.json"));
    let body = serde_json::json!({ "relative_tolerance": RELATIVE_TOLERANCE, "cases": cases });
    std::fs::write(&spec, serde_json::to_string(&body).unwrap()).unwrap();
    let output = Command::new("python3").arg(script()).arg(&spec).output().unwrap_or_else(|e| {
        panic!("cannot run python3 ({e}): install Python 3, then `{INSTALL}` (or set SKIP_PYTHON=1 to skip this test)")
    });
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    match output.status.code() {
        Some(0) => Some((true, report)),
        Some(1) => Some((false, report)),
        Some(2) => panic!("numpy or safetensors is missing for python3: `{INSTALL}` (or set SKIP_PYTHON=1 to skip this test)\n{report}"),
        _ => panic!("check_weights.py failed ({}):\n{report}", output.status),
    }
}

#[test]
fn numpy_evaluates_generated_networks_as_rust_does() {
    let dir = scratch("python");
    let ckpt = tiny_checkpoint(&dir);
    let (sampled, mean) = (dir.join("sampled"), dir.join("mean"));
    generate_ok(&ckpt, &sampled, &["--log10-beta", "-3", "--n", "4", "--count", "3", "--seed", "5"]);
    generate_ok(&ckpt, &mean, &["--log10-beta", "0", "--n", "6", "--m", "10", "--mean"]);
    let relu = dir.join("relu.safetensors");
    let net = load_target_weights(&sampled.join("net_0.safetensors")).unwrap();
    save_target_weights(&relu, &hypernet::TargetWeights { activation: Activation::Relu, ..net }).unwrap();

    let inputs = |n: usize, k: u64| Key::new(k).normal::<f32>(&[64, n]).into_dimensionality::<Ix2>().unwrap();
    let (x4, x6) = (inputs(4, 1), inputs(6, 2));
    let mut cases: Vec<_> = (0..3).map(|i| case(&sampled.join(format!("net_{i}.safetensors")), &x4, 0.0)).collect();
    cases.push(case(&mean.join("net_0.safetensors"), &x6, 0.0));
    cases.push(case(&relu, &x4, 0.0));
    let Some((ok, report)) = check_in_python(&dir, "matching", cases) else { return };
    assert!(ok, "numpy disagrees with TargetWeights::forward:\n{report}");
    assert_eq!(report.matches("ok: ").count(), 5, "{report}");

    let off = vec![case(&sampled.join("net_0.safetensors"), &x4, 1e-3)];
    let (ok, report) = check_in_python(&dir, "shifted", off).expect("not skipped above");
    assert!(!ok && report.contains("MISMATCH"), "outputs shifted by 1e-3 passed:\n{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}
