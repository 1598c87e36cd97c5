//! `hnet train` stopped at random moments (SIGKILL) or by Ctrl-C / SIGTERM, then
//! continued with `--resume`, ends with the same bits as a run never stopped: every
//! parameter, every optimiser buffer, and the metrics log (each step once, same values).

mod train_support;

use autodiff::Key;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use train_support::*;

const STEPS: usize = 240;

fn assert_same_run(reference: &Path, run: &Path) {
    let (step, bits) = checkpoint_bits(run);
    assert_eq!(step, STEPS, "the resumed run finished");
    assert!(checkpoint_bits(reference).1 == bits, "final parameters or optimiser state differ from the uninterrupted run");
    assert_eq!(metrics_without_time(run), metrics_without_time(reference), "metrics log differs from the uninterrupted run");
}

/// Steps completed according to the run's checkpoint (0 if none).
fn checkpoint_step(run: &Path) -> usize {
    if run.join("checkpoint.safetensors").exists() {
        checkpoint_bits(run).0
    } else {
        0
    }
}

#[test]
fn sigkill_at_random_moments_then_resume_is_bit_identical() {
    let dir = scratch("sigkill");
    let reference = reference_run(&dir, "reference", STEPS);
    let started = Instant::now();
    drop(output(train(&dir, "reference-timing", STEPS, &["--checkpoint-every", "3"])));
    let duration = started.elapsed().as_secs_f64();

    // Eight kills, each after a delay drawn (fixed seed) from [0, duration / 6]: the
    // run advances between kills, so they land from its start to about two thirds in.
    let delays: Vec<f64> = Key::new(8).uniform_f64(8).iter().map(|u| u * duration / 6.0).collect();
    let run = dir.join("killed");
    let mut survived = Vec::new();
    for delay in delays {
        let mut child = train(&dir, "killed", STEPS, &["--resume", "--checkpoint-every", "3"]).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_secs_f64(delay));
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        if running {
            survived.push((format!("{:.0} ms", delay * 1e3), checkpoint_step(&run)));
        }
    }
    println!("SIGKILL: run of {STEPS} steps ({:.0} ms), killed {} times; (delay, checkpoint step after the kill): {survived:?}", duration * 1e3, survived.len());
    assert!(survived.len() >= 4, "too few kills landed while the run was going: {survived:?}");
    let out = output(train(&dir, "killed", STEPS, &["--resume", "--checkpoint-every", "3"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_same_run(&reference, &run);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ctrl_c_and_sigterm_write_a_checkpoint_and_resume_is_bit_identical() {
    let dir = scratch("sigint");
    let reference = reference_run(&dir, "reference", STEPS);
    for signal in ["INT", "TERM"] {
        let name = format!("stopped-{signal}");
        let run = dir.join(&name);
        // No periodic checkpoint before the end: the one found must be the signal's.
        let child = train(&dir, &name, STEPS, &["--checkpoint-every", "100000"]).stderr(Stdio::piped()).spawn().unwrap();
        let metrics = run.join("metrics.jsonl");
        while std::fs::read_to_string(&metrics).map_or(0, |t| t.lines().count()) < 5 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let sent = std::process::Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
        assert!(sent.success());
        let out = child.wait_with_output().unwrap();
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{message}");
        assert!(message.contains("interrupted at step") && message.contains("--resume"), "{message}");
        let step = checkpoint_step(&run);
        assert!((5..STEPS).contains(&step), "SIG{signal}: checkpoint at step {step}");
        println!("SIG{signal}: stopped with a checkpoint at step {step} of {STEPS}");

        let out = output(train(&dir, &name, STEPS, &["--resume"]));
        assert!(out.status.success(), "{}", stderr(&out));
        assert_same_run(&reference, &run);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
