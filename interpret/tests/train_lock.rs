//! Two `hnet train` runs never write to one output folder at once: the second is
//! refused naming the folder and the first run's pid; the lock goes away when a run
//! finishes, is stopped by Ctrl-C, or stops on an error; and the lock a killed run
//! leaves behind is taken over by the next run, which says so.

mod train_support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use train_support::*;

const LOCK: &str = "train.lock";

/// Waits until `path` exists and holds `text`.
fn wait_for(path: &Path, text: &str) {
    let start = Instant::now();
    while std::fs::read_to_string(path).map(|t| t.trim() != text).unwrap_or(true) {
        assert!(start.elapsed() < Duration::from_secs(60), "{} never held {text}", path.display());
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Waits until the run in `run` has logged `steps` steps (its Ctrl-C handler is set).
fn wait_for_steps(run: &Path, steps: usize) {
    let start = Instant::now();
    while std::fs::read_to_string(run.join("metrics.jsonl")).map_or(0, |t| t.lines().count()) < steps {
        assert!(start.elapsed() < Duration::from_secs(60), "{} never logged {steps} steps", run.display());
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_second_run_on_a_folder_in_use_is_refused_and_ctrl_c_releases_it() {
    let dir = scratch("lock-held");
    let run = dir.join("run");
    let lock = run.join(LOCK);
    let first = train(&dir, "run", 1_000_000, &["--checkpoint-every", "5"]).stderr(Stdio::piped()).spawn().unwrap();
    let pid = first.id().to_string();
    wait_for(&lock, &pid);
    wait_for_steps(&run, 2);
    for extra in [&["--resume"][..], &[][..], &["--force"][..]] {
        let out = output(train(&dir, "run", 1_000_000, extra));
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {message}");
        for part in [run.display().to_string(), format!("pid {pid}"), "in use by another `hnet train`".into(), "--out".into()] {
            assert!(message.contains(&part), "{extra:?}: expected {part:?} in {message}");
        }
        assert_eq!(std::fs::read_to_string(&lock).unwrap().trim(), pid, "a refused run touched the lock");
    }
    let sent = std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let out = first.wait_with_output().unwrap();
    assert!(stderr(&out).contains("interrupted at step"), "{}", stderr(&out));
    assert!(!lock.exists(), "Ctrl-C left the lock behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stale_lock_is_taken_over_and_runs_ending_normally_or_on_an_error_release_it() {
    let dir = scratch("lock-stale");
    let run = dir.join("run");
    std::fs::create_dir_all(&run).unwrap();
    let mut exited = std::process::Command::new("true").spawn().unwrap();
    let dead = exited.id().to_string();
    exited.wait().unwrap();
    std::fs::write(run.join(LOCK), &dead).unwrap();
    let out = output(train(&dir, "run", 10, &[]));
    let message = stderr(&out);
    assert!(out.status.success(), "{message}");
    assert!(message.contains("taking over the lock") && message.contains(&format!("pid {dead}")) && message.contains("no longer running"), "{message}");
    assert!(!run.join(LOCK).exists(), "a finished run left the lock behind");

    let out = output(train(&dir, "failing", 10, &["--inject-fault", "3:loss"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!dir.join("failing").join(LOCK).exists(), "a run stopped by an error left the lock behind");
    std::fs::remove_dir_all(&dir).unwrap();
}
