//! Every command that writes a folder owns it: `train-mlp`, `train-vmlp`, `generate`
//! and `train` refuse a folder another command wrote (even with --force) and one
//! holding files they did not write (unless --force, which keeps them), and a rerun of
//! `generate` leaves no network of the earlier call beside the new ones.

mod generate_support;
mod train_support;

use std::path::Path;
use std::process::Output;
use train_support::{output, stderr, train, TINY};

/// Runs `hnet` with `args`.
fn hnet(args: &[&str]) -> Output {
    output({
        let mut c = train_support::hnet();
        c.args(args);
        c
    })
}

/// Asserts that `out` failed without a panic and its message holds each of `parts`.
fn refused(out: &Output, parts: &[&str]) {
    let message = stderr(out);
    assert!(!out.status.success() && !message.contains("panicked"), "should fail cleanly:\n{message}");
    for part in parts {
        assert!(message.contains(part), "expected {part:?} in:\n{message}");
    }
}

/// A `train-mlp`/`train-vmlp` config for two-step runs, written to DIR/baseline.toml.
fn baseline_config(dir: &Path) -> String {
    let path = dir.join("baseline.toml");
    std::fs::write(&path, "[optimizer]\nwarmup_steps = 1\n").unwrap();
    path.to_str().unwrap().to_string()
}

/// Every file under `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir).unwrap().flatten().filter(|e| e.path().is_file()).map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())).collect();
    files.sort();
    files
}

#[test]
fn train_mlp_and_train_vmlp_never_write_over_a_generator_run() {
    let dir = train_support::scratch("kinds-mlp");
    let run = dir.join("run");
    assert!(output(train(&dir, "run", 3, &[])).status.success());
    let before = snapshot(&run);
    for command in ["train-mlp", "train-vmlp"] {
        for force in [&[][..], &["--force"][..]] {
            let out = hnet(&[&[command, "--config", &baseline_config(&dir), "--out", run.to_str().unwrap(), "--steps", "2"][..], force].concat());
            refused(&out, &["belongs to `hnet train`", &format!("`hnet {command}` does not write into it"), "--out"]);
        }
    }
    assert_eq!(snapshot(&run), before, "the generator run is untouched");
    let out = output(train(&dir, "run", 3, &["--resume"]));
    assert!(out.status.success(), "the run still resumes: {}", stderr(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn train_refuses_another_commands_folder_and_foreign_files_unless_forced() {
    let dir = train_support::scratch("kinds-train");
    let mlp = dir.join("mlp");
    let out = hnet(&["train-mlp", "--config", &baseline_config(&dir), "--out", mlp.to_str().unwrap(), "--steps", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = snapshot(&mlp);
    for extra in [&[][..], &["--force"][..], &["--resume"][..]] {
        refused(&output(train(&dir, "mlp", 3, extra)), &["belongs to `hnet train-mlp`", "`hnet train` does not write into it"]);
    }
    assert_eq!(snapshot(&mlp), before, "the train-mlp folder is untouched");

    let mine = dir.join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "the user's").unwrap();
    refused(&output(train(&dir, "mine", 3, &[])), &["holds an entry that `hnet train` did not write (notes.txt)", "--force"]);
    assert!(!mine.join("config.toml").exists(), "a refused run writes nothing");
    let out = output(train(&dir, "mine", 3, &["--force"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(mine.join("notes.txt")).unwrap(), "the user's", "--force keeps what is not the run's");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn generate_replaces_its_earlier_networks_and_keeps_out_of_other_folders() {
    let dir = generate_support::scratch("kinds");
    let ckpt = generate_support::tiny_checkpoint(&dir);
    let out = dir.join("out");
    generate_support::generate_ok(&ckpt, &out, &["--log10-beta", "-2", "--n", "3", "--count", "3"]);
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    let other_ckpt = generate_support::tiny_checkpoint(&other);
    generate_support::generate_ok(&other_ckpt, &out, &["--log10-beta", "-1", "--n", "2", "--count", "1"]);
    let mut left: Vec<String> = snapshot(&out).into_iter().map(|(name, _)| name).collect();
    left.retain(|name| !name.starts_with('.'));
    assert_eq!(left, ["generated.json", "net_0.safetensors"], "no network of the earlier call is left beside the new one");

    // A generator run folder (the checkpoint's own): refused, even with --force.
    let run = dir.join("run");
    let trained = output({
        let mut c = train_support::hnet();
        std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
        c.args(["train", "--steps", "2", "--out", run.to_str().unwrap(), "--config", dir.join("tiny.toml").to_str().unwrap()]);
        c
    });
    assert!(trained.status.success(), "{}", stderr(&trained));
    let before = snapshot(&run);
    let run_ckpt = run.join("checkpoint.safetensors");
    for force in [&[][..], &["--force"][..]] {
        let args = [&["generate", "--checkpoint", run_ckpt.to_str().unwrap(), "--out", run.to_str().unwrap(), "--log10-beta", "-1", "--n", "2"][..], force].concat();
        refused(&hnet(&args), &["belongs to `hnet train`", "`hnet generate` does not write into it"]);
    }
    assert_eq!(snapshot(&run), before);

    // A folder of the user's files (here the other checkpoint): refused unless --force, which keeps them.
    let args = ["generate", "--checkpoint", other_ckpt.to_str().unwrap(), "--out", other.to_str().unwrap(), "--log10-beta", "-1", "--n", "2"];
    refused(&hnet(&args), &["did not write (checkpoint.safetensors)", "--force"]);
    let forced = hnet(&[&args[..], &["--force"]].concat());
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(other_ckpt.exists() && other.join("net_0.safetensors").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
