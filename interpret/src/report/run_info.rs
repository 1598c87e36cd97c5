//! Facts about a run that belong in the report but not in `summary.json` (they change
//! from run to run): the source commit, the command line, wall times.

use serde::Serialize;
use std::process::Command;

/// What ran, from which source, and how long it took.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunInfo {
    /// `git rev-parse HEAD` of the working directory, with `-modified` when tracked
    /// files differ from it; `unknown` outside a git checkout.
    pub commit: String,
    pub command: String,
    pub total_seconds: f64,
    /// Each stage and its wall time in seconds.
    pub stages: Vec<(String, f64)>,
    pub threads: usize,
}

/// The commit of the checkout the program runs in.
pub fn git_commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git").args(args).output().ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "HEAD"]) {
        Some(head) if !head.is_empty() => {
            let modified = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if modified {
                format!("{head}-modified")
            } else {
                head
            }
        }
        _ => "unknown".into(),
    }
}
