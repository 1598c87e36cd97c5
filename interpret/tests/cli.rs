//! The `hnet` binary on saved files: reference networks are classified, explained and
//! drawn; missing, corrupt and wrongly shaped files fail with a non-zero status and a
//! message naming the file and what to do.

use autodiff::Key;
use hypernet::safetensors_write::{encode_f32, F32Tensor};
use hypernet::weights_io::save_target_weights;
use hypernet::TargetWeights;
use interpret::reference::{Algorithm, SHARP};
use ndarray::Array1;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hnet-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn hnet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hnet")).args(args).output().expect("hnet runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn saved(algorithm: Algorithm, n: usize) -> PathBuf {
    let path = scratch(&format!("{}-{n}.safetensors", algorithm.name()));
    save_target_weights(&path, &algorithm.build(n, SHARP, Key::new(0))).unwrap();
    path
}

fn expect_failure(args: &[&str], file: &Path, problem: &str) {
    let out = hnet(args);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail; stdout:\n{}", text(&out.stdout));
    assert!(stderr.contains(&file.display().to_string()), "{args:?}: message does not name {}:\n{stderr}", file.display());
    assert!(stderr.contains(problem), "{args:?}: message does not say `{problem}`:\n{stderr}");
}

#[test]
fn classify_and_explain_a_saved_reference() {
    let path = saved(Algorithm::PositivePudding, 4);
    let out = hnet(&["classify", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("label: positive-pudding"), "{}", text(&out.stdout));

    let out = hnet(&["explain", path.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("y ~ 2.00 * sum_i relu(x_i) - 1.00 * sum_i x_i"), "{stdout}");
    assert!(stdout.contains("formula vs network:"), "{stdout}");
    for line in ["curvature of the nMSE in the 31 weights", "largest Hessian eigenvalues (from the full spectrum)", "Laplace description length", "      -3.0 "] {
        assert!(stdout.contains(line), "no `{line}` in:\n{stdout}");
    }
    let out = hnet(&["explain", path.to_str().unwrap(), "--no-curvature", "--max-full-hessian", "10"]);
    assert!(out.status.success() && !text(&out.stdout).contains("curvature"), "{}", text(&out.stdout));
    let out = hnet(&["explain", path.to_str().unwrap(), "--max-full-hessian", "10"]);
    assert!(text(&out.stdout).contains("curvature: skipped, 31 weights is more than --max-full-hessian 10"), "{}", text(&out.stdout));
    let out = hnet(&["explain", path.to_str().unwrap(), "--max-full-hessian", "10", "--top", "2", "--power-iteration"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("(power iteration on Hessian-vector products)") && stdout.contains("no full spectrum"), "{stdout}");
}

#[test]
fn draw_writes_both_svgs() {
    let path = saved(Algorithm::DoubleSided, 5);
    let (graph, heat) = (scratch("double-sided.svg"), scratch("double-sided-heatmap.svg"));
    let out = hnet(&["draw", path.to_str().unwrap(), "--out", graph.to_str().unwrap(), "--heatmap", heat.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for svg in [graph, heat] {
        let content = std::fs::read_to_string(&svg).unwrap();
        assert!(content.starts_with("<svg") && content.trim_end().ends_with("</svg>"), "{}", svg.display());
    }
}

#[test]
fn draw_never_writes_over_its_input_or_one_file_twice() {
    let path = saved(Algorithm::DoubleSided, 3);
    let before = std::fs::read(&path).unwrap();
    // The same file by another spelling: `dir/./name`.
    let other_spelling = path.parent().unwrap().join(".").join(path.file_name().unwrap());
    for out in [&path, &other_spelling] {
        expect_failure(&["draw", path.to_str().unwrap(), "--out", out.to_str().unwrap()], out, "is this command's input");
    }
    let heat = scratch("twice.svg");
    expect_failure(&["draw", path.to_str().unwrap(), "--out", heat.to_str().unwrap(), "--heatmap", heat.to_str().unwrap()], &heat, "two outputs");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the input is untouched");
}

#[test]
fn reference_subcommand_writes_a_loadable_file() {
    let path = scratch("written-by-hnet.safetensors");
    let out = hnet(&["reference", "mixed-pudding", "--n", "6", "--width", "12", "--out", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = hnet(&["classify", path.to_str().unwrap()]);
    assert!(text(&out.stdout).starts_with("label: mixed-pudding"), "{}", text(&out.stdout));
    let out = hnet(&["reference", "triple-sided", "--out", path.to_str().unwrap()]);
    assert!(!out.status.success() && text(&out.stderr).contains("choose one of double-sided"), "{}", text(&out.stderr));
}

#[test]
fn missing_corrupt_and_misshapen_files_fail_with_clear_messages() {
    let missing = scratch("missing.safetensors");
    for sub in ["classify", "explain"] {
        expect_failure(&[sub, missing.to_str().unwrap()], &missing, "no such file");
    }
    let corrupt = scratch("corrupt.safetensors");
    std::fs::write(&corrupt, b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all").unwrap();
    for sub in ["classify", "explain"] {
        expect_failure(&[sub, corrupt.to_str().unwrap()], &corrupt, "not a valid safetensors file");
    }
    let out = scratch("never-written.svg");
    expect_failure(&["draw", corrupt.to_str().unwrap(), "--out", out.to_str().unwrap()], &corrupt, "hnet expects a safetensors file");
    assert!(!out.exists());

    let misshapen = scratch("misshapen.safetensors");
    let bad = TargetWeights { b1: Array1::zeros(3), ..Algorithm::DoubleSided.build(1, SHARP, Key::new(0)) };
    assert!(save_target_weights(&misshapen, &bad).is_err(), "saving refuses invalid weights");
    // W1 stored as 3x2 where b1 and w2 say m = 2, in a file without a checksum, as other
    // tools write them (a checksummed file edited this way is refused as corrupt).
    let zeros = [0u8; 24];
    let tensor = |name, shape| F32Tensor { name, shape, data: &zeros[..4 * shape.iter().product::<usize>()] };
    let tensors = [tensor("W1", &[3, 2][..]), tensor("b1", &[2]), tensor("w2", &[2]), tensor("b2", &[1])];
    std::fs::write(&misshapen, encode_f32(&tensors, &Default::default())).unwrap();
    expect_failure(&["classify", misshapen.to_str().unwrap()], &misshapen, "W1 is 3x2");
}

#[test]
fn unwritable_output_is_named() {
    let path = saved(Algorithm::DoubleSided, 2);
    let target = scratch("no-such-folder").join("graph.svg");
    expect_failure(&["draw", path.to_str().unwrap(), "--out", target.to_str().unwrap()], &target, "cannot write");
}
