//! The memory a command may use: `--max-memory`, else what the machine has available
//! now, so that a job too large for it is refused before it allocates, with the
//! estimate, the limit and the flag that raises it.

use hypernet::generator::memory::{available_memory, parse_bytes};

/// The limit in bytes and where it came from, or `None` when neither `--max-memory`
/// nor the machine's available memory is known (then nothing is checked).
pub fn memory_limit(max_memory: Option<&str>) -> Result<Option<(f64, &'static str)>, String> {
    match max_memory {
        Some(text) => Ok(Some((parse_bytes(text).map_err(|e| format!("--max-memory: {e}"))?, "given by --max-memory"))),
        None => Ok(available_memory().map(|bytes| (bytes, "available (MemAvailable in /proc/meminfo; set another limit with --max-memory)"))),
    }
}
