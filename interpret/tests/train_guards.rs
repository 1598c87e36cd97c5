//! `hnet train` refuses bad input before doing anything, never overwrites another run,
//! reports full disks and unwritable folders with the run left resumable, and handles
//! non-finite steps (injected on purpose) by stopping with a diagnostic or skipping.

mod train_support;

use hypernet::config_file::to_toml;
use hypernet::generator::GeneratorTrainConfig;
use std::path::Path;
use train_support::*;

const STEPS: usize = 30;

/// Runs `hnet train` with a config made of `extra_toml` followed by DIR/tiny.toml,
/// expecting failure; returns stderr. Nothing may be written to the output folder.
fn refused(dir: &Path, extra_toml: &str, args: &[&str]) -> String {
    let config = dir.join("case.toml");
    let base = std::fs::read_to_string(dir.join("tiny.toml")).unwrap();
    std::fs::write(&config, format!("{extra_toml}\n{base}")).unwrap();
    let run = dir.join("refused");
    let out = output({
        let mut c = hnet();
        c.arg("train").arg("--config").arg(&config).arg("--out").arg(&run).args(args);
        c
    });
    let message = stderr(&out);
    assert!(!out.status.success(), "expected a refusal, got: {message}");
    assert!(!message.contains("panicked"), "{message}");
    assert!(!run.exists(), "a refused run wrote {}", run.display());
    message
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for p in parts {
        assert!(message.contains(p), "expected {p:?} in:\n{message}");
    }
}

#[test]
fn unknown_keys_are_refused_with_the_nearest_valid_name() {
    let dir = scratch("keys");
    assert_mentions(&refused(&dir, "stpes = 3", &[]), &["unknown field `stpes`", "did you mean `steps`?", "line 1"]);
    let config = dir.join("nested.toml");
    std::fs::write(&config, TINY.replace("cond_width", "cond_widht")).unwrap();
    let out = output({
        let mut c = hnet();
        c.arg("train").arg("--config").arg(&config).arg("--out").arg(dir.join("nested"));
        c
    });
    assert_mentions(&stderr(&out), &["nested.toml", "unknown field `cond_widht`", "did you mean `cond_width`?"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn out_of_range_values_are_refused_with_the_allowed_range() {
    let dir = scratch("ranges");
    assert_mentions(&refused(&dir, "", &["--steps", "0"]), &["steps (0)", "at least 1"]);
    assert_mentions(&refused(&dir, "log10_beta_min = 1.0\nlog10_beta_max = -3.0", &[]), &["log10_beta_min <= log10_beta_max", "[1, -3]"]);
    assert_mentions(&refused(&dir, "log10_beta_max = 100.0", &[]), &["-30 <= log10_beta_min <= log10_beta_max <= 30", "[-6, 100]"]);
    let tiny_without_inputs = TINY.replace("train_inputs = [2, 3]\n", "");
    std::fs::write(dir.join("tiny.toml"), &tiny_without_inputs).unwrap();
    let zero_n = refused(&dir, "train_inputs = [0]", &[]);
    assert_mentions(&zero_n, &["train_inputs ([0])", ">= 1"]);
    assert_mentions(&refused(&dir, "hidden_per_input = 0", &[]), &["hidden_per_input (0) >= 1"]);
    assert_mentions(&refused(&dir, "clip_norm = -1.0", &[]), &["clip_norm must be a positive finite number"]);
    std::fs::write(dir.join("tiny.toml"), TINY.replace("width = 8", "width = 0")).unwrap();
    assert_mentions(&refused(&dir, "", &[]), &["generator.width must be at least 1"]);
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    assert_mentions(&refused(&dir, "", &["--checkpoint-every", "0"]), &["--checkpoint-every", "0 is not in 1.."]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_device_that_is_not_there_is_named() {
    let dir = scratch("device");
    assert_mentions(&refused(&dir, "", &["--device", "tpu"]), &["unknown device `tpu`", "`cpu`, `cuda` or `cuda:N`"]);
    let cuda = refused(&dir, "", &["--device", "cuda:7"]);
    if cfg!(feature = "cuda") {
        assert_mentions(&cuda, &["device cuda:7 is not available"]);
    } else {
        assert_mentions(&cuda, &["device cuda:7 is not available", "without the `cuda` cargo feature", "--device cpu"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_step_too_large_for_memory_is_refused_up_front_with_the_estimate() {
    let dir = scratch("memory");
    std::fs::write(dir.join("tiny.toml"), TINY.replace("train_inputs = [2, 3]\n", "")).unwrap();
    let huge_n = refused(&dir, "train_inputs = [20000]", &["--max-memory", "64G"]);
    assert_mentions(&huge_n, &["one training step needs an estimated", "TiB", "attention scores [B, H, T, T]", "64.00 GiB given by --max-memory"]);
    std::fs::write(dir.join("tiny.toml"), TINY.replace("points = 16", "points = 100000000")).unwrap();
    assert_mentions(&refused(&dir, "", &["--max-memory", "64G"]), &["target networks [B, N, m]"]);
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    assert_mentions(&refused(&dir, "", &["--max-memory", "1K"]), &["1.00 KiB given by --max-memory"]);
    assert_mentions(&refused(&dir, "", &["--max-memory", "lots"]), &["--max-memory: `lots` is not a byte count"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_folder_holding_another_run_is_not_overwritten_without_force() {
    let dir = scratch("force");
    let run = reference_run(&dir, "run", STEPS);
    let before = std::fs::read(run.join("checkpoint.safetensors")).unwrap();

    let out = output(train(&dir, "run", STEPS, &["--seed", "7"]));
    assert_mentions(&stderr(&out), &["already holds a different run", "`seed`: 0 in the run, 7 requested", "--force"]);
    let out = output(train(&dir, "run", STEPS, &[]));
    assert_mentions(&stderr(&out), &["already holds this run", "checkpoint at step 30 of 30", "--resume"]);
    let out = output(train(&dir, "run", STEPS, &["--resume", "--seed", "7"]));
    assert_mentions(&stderr(&out), &["cannot resume", "`seed`: 0 in the run, 7 requested"]);
    assert_eq!(std::fs::read(run.join("checkpoint.safetensors")).unwrap(), before, "a refused run changed the checkpoint");

    let out = output(train(&dir, "run", STEPS, &["--seed", "7", "--force"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(std::fs::read(run.join("checkpoint.safetensors")).unwrap(), before);
    assert_eq!(metrics_without_time(&run).len(), STEPS, "--force starts the metrics over");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_damaged_checkpoint_is_named_and_left_alone() {
    let dir = scratch("damaged");
    let run = dir.join("run");
    let out = output(train(&dir, "run", STEPS, &["--inject-fault", "12:loss"]));
    assert_eq!(out.status.code(), Some(1));
    let path = run.join("checkpoint.safetensors");
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let out = output(train(&dir, "run", STEPS, &["--resume"]));
    assert_mentions(&stderr(&out), &["checkpoint.safetensors", "checksum mismatch", "--force"]);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_damaged_metrics_line_stops_the_resume_and_repair_keeps_what_it_cuts() {
    let dir = scratch("damaged-log");
    let run = dir.join("run");
    assert_eq!(output(train(&dir, "run", STEPS, &["--inject-fault", "12:loss"])).status.code(), Some(1));
    let log = run.join("metrics.jsonl");
    let mut bytes = std::fs::read(&log).unwrap();
    let fifth_line = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(3).unwrap().0 + 1;
    bytes[fifth_line] = b'x';
    std::fs::write(&log, &bytes).unwrap();
    let out = output(train(&dir, "run", STEPS, &["--resume"]));
    assert_eq!(out.status.code(), Some(1));
    assert_mentions(&stderr(&out), &["metrics.jsonl line 5 is damaged", "--repair"]);
    assert_eq!(std::fs::read(&log).unwrap(), bytes, "nothing changed");
    let out = output(train(&dir, "run", STEPS, &["--resume", "--repair"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(run.join("metrics.jsonl.cut-at-line-5")).unwrap(), bytes[fifth_line..], "the cut part is kept");
    let steps: Vec<u64> = metrics_without_time(&run).iter().map(|r| r["step"].as_u64().unwrap()).collect();
    assert_eq!(steps, [0, 1, 2, 3].into_iter().chain(12..STEPS as u64).collect::<Vec<_>>(), "records before the damage, then the resumed steps");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn leftovers_of_a_write_cut_short_are_cleared_on_resume() {
    let dir = scratch("leftovers");
    let reference = reference_run(&dir, "reference", STEPS);
    let run = dir.join("run");
    assert_eq!(output(train(&dir, "run", STEPS, &["--inject-fault", "12:loss"])).status.code(), Some(1));
    // What SIGKILL during an atomic write leaves: a temporary file beside the real one.
    let torn = run.join(".checkpoint.safetensors.tmp-4242-0");
    std::fs::write(&torn, b"half a checkpoint").unwrap();
    let out = output(train(&dir, "run", STEPS, &["--resume"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!torn.exists());
    assert!(checkpoint_bits(&reference).1 == checkpoint_bits(&run).1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_nonfinite_step_stops_with_a_diagnostic_and_a_finite_checkpoint() {
    let dir = scratch("nonfinite");
    let reference = reference_run(&dir, "reference", STEPS);
    for (fault, quantity) in [("12:loss", "the loss became NaN at step 12"), ("12:gradient", "the gradient norm (first non-finite: `")] {
        let run = dir.join("faulty");
        let _ = std::fs::remove_dir_all(&run);
        let out = output(train(&dir, "faulty", STEPS, &["--checkpoint-every", "5", "--inject-fault", fault]));
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{message}");
        assert_mentions(&message, &[quantity, "log10 beta in [", "last good checkpoint is", "(step 12)", "--skip-nonfinite"]);
        let (step, bits) = checkpoint_bits(&run);
        assert_eq!(step, 12);
        assert!(bits.iter().all(|(_, b)| b.iter().all(|v| f32::from_bits(*v).is_finite())), "NaN in the checkpoint");
        // The stopped run is resumable and, without the fault, ends as if nothing happened.
        let out = output(train(&dir, "faulty", STEPS, &["--resume"]));
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(checkpoint_bits(&reference).1 == checkpoint_bits(&run).1, "{fault}: resumed run differs");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn skip_nonfinite_logs_the_steps_and_applies_no_update_for_them() {
    let dir = scratch("skip");
    let out = output(train(&dir, "run", STEPS, &["--skip-nonfinite", "--inject-fault", "4:loss", "--inject-fault", "9:gradient"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_mentions(&stderr(&out), &["skipping step 4", "skipping step 9"]);
    assert_mentions(&String::from_utf8_lossy(&out.stdout), &[&format!("trained {} of {STEPS} steps (2 skipped as non-finite)", STEPS - 2)]);
    let run = dir.join("run");
    let records = metrics_without_time(&run);
    let steps: Vec<u64> = records.iter().map(|r| r["step"].as_u64().unwrap()).collect();
    assert_eq!(steps, (0..STEPS as u64).collect::<Vec<_>>(), "every step logged once");
    let skipped: Vec<(u64, &str)> = records.iter().filter_map(|r| Some((r["step"].as_u64()?, r.get("skipped")?.as_str()?))).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!((skipped[0].0, skipped[0].1), (4, "loss"));
    assert!(skipped[1].0 == 9 && skipped[1].1.contains("gradient"), "{skipped:?}");
    let (step, bits) = checkpoint_bits(&run);
    assert_eq!(step, STEPS);
    assert_eq!(bits.iter().find(|(k, _)| k == "optim/step").unwrap().1, [STEPS as u32 - 2], "two updates skipped");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn problem_sizes_that_training_replaces_and_an_empty_config_are_noted() {
    let dir = scratch("notes");
    let config = dir.join("sizes.toml");
    let tiny = std::fs::read_to_string(dir.join("tiny.toml")).unwrap();
    std::fs::write(&config, format!("{tiny}\n[problem]\ninputs = 8\n")).unwrap();
    let out = output({
        let mut c = hnet();
        c.arg("train").arg("--config").arg(&config).arg("--out").arg(dir.join("run")).args(["--steps", "2"]);
        c
    });
    assert!(out.status.success(), "{}", stderr(&out));
    assert_mentions(&stderr(&out), &["note:", "problem.inputs is ignored", "train_inputs"]);
    let empty = dir.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let out = output({
        let mut c = hnet();
        c.arg("train").arg("--config").arg(&empty).arg("--print-config");
        c
    });
    assert_mentions(&stderr(&out), &["sets nothing", "whole default configuration"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn skip_nonfinite_stops_a_run_that_skips_more_than_its_share() {
    let dir = scratch("skip-share");
    // 3 of 30 steps skipped: 10% is allowed (the default), 5% is not.
    let faults = ["--inject-fault", "4:loss", "--inject-fault", "5:loss", "--inject-fault", "6:loss"];
    let allowed = output(train(&dir, "allowed", STEPS, &[&["--skip-nonfinite"][..], &faults].concat()));
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    let out = output(train(&dir, "stopped", STEPS, &[&["--skip-nonfinite", "--max-skipped-share", "0.05"][..], &faults].concat()));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_mentions(&stderr(&out), &["2 of the run's 30 steps were skipped", "--max-skipped-share 0.05", "--resume --skip-nonfinite"]);
    let (step, _) = checkpoint_bits(&dir.join("stopped"));
    assert_eq!(step, 6, "the checkpoint holds the state where it stopped");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_folder_is_reported_before_training() {
    let dir = scratch("unwritable");
    for out_dir in ["/sys/kernel/hnet-train-test", "/sys/kernel"] {
        let out = output({
            let mut c = hnet();
            c.args(["train", "--steps", "3", "--out", out_dir]).arg("--config").arg(dir.join("tiny.toml"));
            c
        });
        assert_eq!(out.status.code(), Some(1));
        assert_mentions(&stderr(&out), &["cannot write to the output folder", out_dir, "choose another --out"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_and_the_run_stays_resumable() {
    let dir = scratch("full");
    let reference = reference_run(&dir, "reference", STEPS);
    let run = dir.join("run");
    let out = output(train(&dir, "run", STEPS, &["--inject-fault", "10:loss"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(checkpoint_bits(&run).0, 10);

    // The disk fills up: every write to the metrics log fails with ENOSPC.
    let metrics = run.join("metrics.jsonl");
    let kept = std::fs::read(&metrics).unwrap();
    std::fs::remove_file(&metrics).unwrap();
    std::os::unix::fs::symlink("/dev/full", &metrics).unwrap();
    let out = output(train(&dir, "run", STEPS, &["--resume"]));
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert_mentions(&message, &["metrics.jsonl", "No space left on device", "The run is resumable", "(step 10)", "--resume"]);
    assert_eq!(checkpoint_bits(&run).0, 10, "the last good checkpoint survived");

    // Space is freed: the run continues and ends as if nothing happened.
    std::fs::remove_file(&metrics).unwrap();
    std::fs::write(&metrics, kept).unwrap();
    let out = output(train(&dir, "run", STEPS, &["--resume"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(checkpoint_bits(&reference).1 == checkpoint_bits(&run).1);
    assert_eq!(metrics_without_time(&run), metrics_without_time(&reference));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn print_config_writes_every_setting_and_reads_back() {
    let dir = scratch("print");
    let out = output({
        let mut c = hnet();
        c.args(["train", "--print-config", "--steps", "77"]).arg("--config").arg(dir.join("tiny.toml"));
        c
    });
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let config: GeneratorTrainConfig = hypernet::config_parse::parse_toml(&text).unwrap();
    assert_eq!(config.steps, 77);
    assert_eq!(config.generator.width, 8);
    assert_eq!(text, to_toml(&config));
    for field in ["seed", "clip_norm", "[problem]", "[optimizer]", "w2_sqrt_m"] {
        assert!(text.contains(field), "{field} missing from\n{text}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
