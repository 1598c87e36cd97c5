//! Output folders and the command that owns each: no command writes into another's
//! folder, or mixes its files with files it did not write.
//!
//! A command that writes a folder marks it with its kind ([`KIND_FILE`], holding the
//! command's name) and owns the entries its [`FolderKind`] lists. It then refuses:
//!
//! * a folder marked by another command, even with `--force` (the two would mix, and
//!   the other's files of the same name would be lost);
//! * a folder holding entries it does not own (not yet marked: files of the user's, or
//!   of an older `hnet` that wrote no mark), unless `--force`, which keeps them and
//!   writes beside them.
//!
//! A folder of its own kind is replaced ([`FolderKind::replace`]: its entries are
//! deleted first, so no file of an earlier call stays beside the new ones) or, for the
//! commands with a configuration, refused when it holds another configuration's
//! output ([`FolderKind::replace_same_config`]). The kinds of the commands are in
//! [`kinds`].

pub mod kinds;

use hypernet::weights_io::write_atomic;
use std::path::Path;

/// The file in an output folder that names the command owning it.
pub const KIND_FILE: &str = ".hnet-kind";

/// The file recording the configuration of the output a folder holds.
pub const CONFIG_FILE: &str = "config.toml";

/// The kind of an output folder: the command that writes it and what it writes there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FolderKind {
    /// The `hnet` subcommand, e.g. `train-mlp`.
    pub command: &'static str,
    /// The entries it writes at the top of the folder (files or folders); a `*`
    /// stands for any text, as in `net_*.safetensors`.
    pub entries: &'static [&'static str],
    /// Entries it owns but never deletes, such as a lock held while it runs.
    pub kept: &'static [&'static str],
}

impl FolderKind {
    /// Refuses a folder marked by another command, or one holding entries this kind
    /// does not own unless `keep_foreign`; changes nothing.
    pub fn check(&self, dir: &Path, keep_foreign: bool) -> Result<(), String> {
        let shown = dir.display();
        if let Some(other) = recorded_kind(dir)?.filter(|k| k != self.command) {
            return Err(format!(
                "the output folder {shown} belongs to `hnet {other}` (so says {}); `hnet {}` does not write into it, even with --force. \
                 Choose another folder with --out",
                dir.join(KIND_FILE).display(),
                self.command
            ));
        }
        let foreign = self.foreign_entries(dir)?;
        if !foreign.is_empty() && !keep_foreign {
            return Err(format!(
                "the output folder {shown} holds {} that `hnet {}` did not write ({}); choose another folder with --out, or pass \
                 --force to write beside them (they are kept)",
                if foreign.len() == 1 { "an entry" } else { "entries" },
                self.command,
                listed(&foreign)
            ));
        }
        Ok(())
    }

    /// Creates `dir` if missing and marks it as this kind's, after [`FolderKind::check`]
    /// (entries it does not own stay as they are under `keep_foreign`).
    pub fn claim(&self, dir: &Path, keep_foreign: bool) -> Result<(), String> {
        self.check(dir, keep_foreign)?;
        let shown = dir.display();
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the output folder {shown}: {e}"))?;
        let mark = dir.join(KIND_FILE);
        if !mark.exists() {
            write_atomic(&mark, format!("{}\n", self.command).as_bytes()).map_err(|e| format!("cannot write {}: {e}", mark.display()))?;
        }
        Ok(())
    }

    /// Whether `dir` holds any of this kind's entries.
    pub fn holds_output(&self, dir: &Path) -> bool {
        names(dir).is_ok_and(|names| names.iter().any(|name| self.is_entry(name)))
    }

    /// Deletes this kind's entries in `dir` and the temporaries of their atomic writes,
    /// leaving everything else.
    pub fn clear(&self, dir: &Path) -> Result<(), String> {
        for name in names(dir)? {
            if self.is_entry(&name) || self.is_temporary(&name) {
                let path = dir.join(&name);
                let removed = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                match removed {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(format!("cannot delete the old {}: {e}", path.display())),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Deletes the temporaries that atomic writes of this kind's entries left behind
    /// when killed (best effort).
    pub fn remove_temporaries(&self, dir: &Path) {
        for name in names(dir).unwrap_or_default() {
            if self.is_temporary(&name) {
                let _ = std::fs::remove_file(dir.join(name));
            }
        }
    }

    /// [`FolderKind::claim`] (`force` keeps entries it does not own), then
    /// [`FolderKind::clear`]: for a command whose new output replaces its old one.
    pub fn replace(&self, dir: &Path, force: bool) -> Result<(), String> {
        self.claim(dir, force)?;
        self.clear(dir)
    }

    /// [`FolderKind::replace`] for a command whose folder records its configuration in
    /// [`CONFIG_FILE`]: output of another configuration (or of none) is refused unless
    /// `force`, output of `config_toml` itself is replaced.
    pub fn replace_same_config(&self, dir: &Path, config_toml: &str, force: bool) -> Result<(), String> {
        self.claim(dir, force)?;
        let same_run = std::fs::read_to_string(dir.join(CONFIG_FILE)).is_ok_and(|t| t == config_toml);
        if self.holds_output(dir) && !same_run && !force {
            let what = if dir.join(CONFIG_FILE).exists() { "output of another configuration" } else { "output whose configuration is missing" };
            return Err(format!(
                "the output folder {} holds {what}; choose another folder with --out, or pass --force to replace it",
                dir.display()
            ));
        }
        self.clear(dir)
    }

    /// Whether `name` is one of the entries this kind writes.
    fn is_entry(&self, name: &str) -> bool {
        self.entries.iter().any(|pattern| matches(pattern, name))
    }

    /// Whether `name` is a temporary of an atomic write of one of this kind's entries
    /// (`.NAME.tmp-PID-K`, see [`write_atomic`]).
    fn is_temporary(&self, name: &str) -> bool {
        name.strip_prefix('.').and_then(|rest| rest.split_once(".tmp-")).is_some_and(|(entry, _)| self.is_entry(entry) || entry == KIND_FILE)
    }

    /// Whether this kind owns `name`: its entries, what it keeps, its mark and the
    /// temporaries of their writes, and the probe `hnet train` writes to test a folder.
    fn owns(&self, name: &str) -> bool {
        self.is_entry(name) || self.kept.contains(&name) || name == KIND_FILE || self.is_temporary(name) || name.starts_with(".hnet-write-probe-")
    }

    /// The entries of `dir` this kind does not own, sorted (none if `dir` is missing).
    fn foreign_entries(&self, dir: &Path) -> Result<Vec<String>, String> {
        let mut foreign: Vec<String> = names(dir)?.into_iter().filter(|name| !self.owns(name)).collect();
        foreign.sort();
        Ok(foreign)
    }
}

/// The command named by `dir`'s [`KIND_FILE`], if it has one.
pub fn recorded_kind(dir: &Path) -> Result<Option<String>, String> {
    let path = dir.join(KIND_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).trim().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The names of the entries in `dir` (none if it does not exist).
fn names(dir: &Path) -> Result<Vec<String>, String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => Ok(entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("cannot read the output folder {}: {e}", dir.display())),
    }
}

/// Whether `name` matches `pattern`, in which one `*` stands for any text.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        Some((head, tail)) => name.len() >= head.len() + tail.len() && name.starts_with(head) && name.ends_with(tail),
        None => name == pattern,
    }
}

/// Up to five names, then how many more.
fn listed(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    match names.len() - shown.len() {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests;
