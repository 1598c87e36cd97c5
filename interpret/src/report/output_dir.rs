//! The report folder: created if missing, reused for a rerun of the same
//! configuration, and protected otherwise. A folder holding anything else (another
//! run's report, or files that are not a report) is refused unless the caller
//! forces it; then the report's own entries ([`REPORT_ENTRIES`]) are removed first
//! and anything else in the folder is left alone.

use std::path::Path;

/// The file recording the configuration of the run a folder holds.
pub const CONFIG_FILE: &str = "config.toml";

/// Every entry a report writes at the top of its folder.
pub const REPORT_ENTRIES: [&str; 9] = ["index.html", "summary.json", "run.json", CONFIG_FILE, "data", "figures", "networks", "checkpoints", "logs"];

/// Makes `dir` ready for the report of the run configured by `config_toml`.
pub fn prepare_output(dir: &Path, config_toml: &str, force: bool) -> Result<(), String> {
    let shown = dir.display();
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the output folder {shown}: {e}"))?;
        let empty = entries.next().is_none();
        let same_run = std::fs::read_to_string(dir.join(CONFIG_FILE)).is_ok_and(|t| t == config_toml);
        if !(empty || same_run || force) {
            let what = if dir.join(CONFIG_FILE).exists() { "the report of a run with another configuration" } else { "files that are not a report of this run" };
            return Err(format!("the output folder {shown} holds {what}; choose another folder with --out DIR, or pass --force to replace its report"));
        }
        for entry in REPORT_ENTRIES {
            let path = dir.join(entry);
            let removed = if path.is_dir() { std::fs::remove_dir_all(&path) } else if path.exists() { std::fs::remove_file(&path) } else { Ok(()) };
            removed.map_err(|e| format!("cannot remove the old {}: {e}", path.display()))?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the output folder {shown}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_run_is_protected_unless_forced_and_the_same_run_is_replaced() {
        let dir = std::env::temp_dir().join(format!("hnet-output-dir-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        prepare_output(&dir, "a = 1\n", false).unwrap();
        std::fs::write(dir.join(CONFIG_FILE), "a = 1\n").unwrap();
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        prepare_output(&dir, "a = 1\n", false).unwrap();
        assert!(!dir.join("data").exists() && dir.join("notes.txt").exists(), "a rerun clears the report, keeps the rest");

        std::fs::write(dir.join(CONFIG_FILE), "a = 1\n").unwrap();
        let err = prepare_output(&dir, "a = 2\n", false).unwrap_err();
        assert!(err.contains("another configuration") && err.contains("--force"), "{err}");
        prepare_output(&dir, "a = 2\n", true).unwrap();
        assert!(!dir.join(CONFIG_FILE).exists());

        let err = prepare_output(&dir, "a = 2\n", false).unwrap_err();
        assert!(err.contains("not a report"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
