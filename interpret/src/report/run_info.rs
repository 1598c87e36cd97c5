//! Facts about a run that belong in the report but not in `summary.json` (they change
//! from run to run): the source commit, the command line, wall times.

use serde::Serialize;

/// The commit `hnet` was built from, embedded at build time by `interpret/build.rs`:
/// `git rev-parse HEAD`, with `-modified` when the compiled sources differed from it;
/// `unknown` only for a build outside a git checkout.
pub const BUILD_COMMIT: &str = env!("HNET_COMMIT");

/// What ran, from which source, and how long it took.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunInfo {
    /// [`BUILD_COMMIT`] of the program that wrote the report.
    pub commit: String,
    pub command: String,
    pub total_seconds: f64,
    /// Each stage and its wall time in seconds.
    pub stages: Vec<(String, f64)>,
    pub threads: usize,
}
