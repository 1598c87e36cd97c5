//! The memory a command may use: `--max-memory`, else what the machine has available
//! now, so that a job too large for it is refused before it allocates, with the
//! estimate, the limit and the flag that raises it.

use hypernet::generator::memory::{available_memory, parse_bytes, StepMemory};
use hypernet::TargetWeights;
use interpret::analysis_memory::{analysis_memory, Analysis};
use std::path::Path;

/// The limit in bytes and where it came from, or `None` when neither `--max-memory`
/// nor the machine's available memory is known (then nothing is checked).
pub fn memory_limit(max_memory: Option<&str>) -> Result<Option<(f64, &'static str)>, String> {
    match max_memory {
        Some(text) => Ok(Some((parse_bytes(text).map_err(|e| format!("--max-memory: {e}"))?, "given by --max-memory"))),
        None => Ok(available_memory().map(|bytes| (bytes, "available (MemAvailable in /proc/meminfo; set another limit with --max-memory)"))),
    }
}

/// Refuses `what` when `estimate` exceeds the limit ([`memory_limit`]), with the
/// estimate, the limit and `remedy` (what to shrink) in the message.
pub fn check_memory(max_memory: Option<&str>, estimate: &StepMemory, what: &str, remedy: &str) -> Result<(), String> {
    match memory_limit(max_memory)? {
        Some((limit, source)) => estimate.check_for(what, remedy, limit, source),
        None => Ok(()),
    }
}

/// Refuses `analysis` of `net` (read from `file`) when its estimate
/// ([`analysis_memory`]) exceeds the limit.
pub fn check_analysis_memory(max_memory: Option<&str>, analysis: Analysis, net: &TargetWeights, file: &Path) -> Result<(), String> {
    let (n, m) = (net.inputs(), net.hidden());
    check_memory(
        max_memory,
        &analysis_memory(analysis, n, m),
        &format!("the {} of {} (n = {n}, m = {m})", analysis.name(), file.display()),
        "analyse a smaller network, or raise the limit with --max-memory",
    )
}
