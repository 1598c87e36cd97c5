//! Progress of the reproduction's stages: a progress bar per long stage on a
//! terminal (drawn on stderr, nothing when stderr is not a terminal), and one line per
//! finished stage with its wall time either way. Wall times are kept for the report,
//! never for `summary.json`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Instant;

/// The stages run so far and how long each took.
pub struct Progress {
    stages: usize,
    done: Vec<(String, f64)>,
}

/// A stage being run.
pub struct Stage {
    pub bar: ProgressBar,
    /// `[k/K] name`, as printed.
    prefix: String,
    name: String,
    start: Instant,
}

impl Progress {
    /// Progress over `stages` stages.
    pub fn new(stages: usize) -> Progress {
        Progress { stages, done: Vec::new() }
    }

    /// Starts the next stage, with a bar of `len` units (`None`: a spinner).
    pub fn start(&self, name: &str, len: Option<u64>) -> Stage {
        let prefix = format!("[{}/{}] {name}", self.done.len() + 1, self.stages);
        let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
        let template = match len {
            Some(_) => "{prefix} [{bar:30}] {pos}/{len} {elapsed_precise} (eta {eta}) {msg}",
            None => "{prefix} {spinner} {elapsed_precise} {msg}",
        };
        bar.set_style(ProgressStyle::with_template(template).expect("the template is valid").progress_chars("=> "));
        bar.set_prefix(prefix.clone());
        if len.is_none() {
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
        }
        Stage { bar, prefix, name: name.to_string(), start: Instant::now() }
    }

    /// Closes a stage: clears its bar, prints its wall time and keeps it.
    pub fn finish(&mut self, stage: Stage, outcome: &str) {
        stage.bar.finish_and_clear();
        let seconds = stage.start.elapsed().as_secs_f64();
        eprintln!("{}: {outcome} ({seconds:.1} s)", stage.prefix);
        self.done.push((stage.name, seconds));
    }

    /// Each finished stage's name and wall time in seconds.
    pub fn timings(self) -> Vec<(String, f64)> {
        self.done
    }
}
