//! One `hnet train` per output folder.
//!
//! A run holds `DIR/train.lock`, a file holding its process id. The file is created
//! atomically (`create_new`, i.e. `O_CREAT | O_EXCL`), so of two runs started on the
//! same folder exactly one creates it; the other is refused with the folder, the
//! holder's pid and what to do. The lock is deleted when the run ends: finished,
//! stopped by Ctrl-C or SIGTERM, or stopped by an error (the [`RunLock`] is dropped).
//! A run killed outright (SIGKILL, a second Ctrl-C, a crash) leaves the file behind;
//! the next run finds that its pid no longer runs `hnet` (`/proc/<pid>` is gone or a
//! zombie, or holds another program after the pid was reused) and takes the lock
//! over, saying so.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use interpret::output_folder::kinds::TRAIN_LOCK as LOCK_FILE;

/// The lock on an output folder; deleting it on drop releases the folder.
pub struct RunLock {
    path: PathBuf,
}

impl RunLock {
    /// Takes the lock on `dir` (which must exist) for this process, taking over a
    /// stale one; refuses if another live `hnet train` holds it.
    pub fn acquire(dir: &Path) -> Result<RunLock, String> {
        let path = dir.join(LOCK_FILE);
        let cannot = |e: std::io::Error| format!("cannot create the lock file {}: {e}", path.display());
        // Two attempts: the second follows the removal of a stale lock.
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let lock = RunLock { path: path.clone() };
                    writeln!(file, "{}", std::process::id()).map_err(cannot)?;
                    return Ok(lock);
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(cannot(e)),
            }
            let holder = holder_of(&path);
            match holder.trim().parse::<u32>() {
                Ok(pid) if runs_hnet(pid) => {
                    return Err(format!(
                        "the output folder {} is in use by another `hnet train` (pid {pid}, lock file {}). Wait for that run to \
                         finish or stop it (`kill {pid}` writes a checkpoint; then continue it with --resume), or choose another \
                         --out. If no such run exists, delete {}",
                        dir.display(),
                        path.display(),
                        path.display()
                    ))
                }
                Ok(pid) => eprintln!("taking over the lock {}: the run that held it (pid {pid}) is no longer running", path.display()),
                Err(_) => eprintln!("taking over the lock {}: it names no process ({:?})", path.display(), holder.trim()),
            }
            match fs::remove_file(&path) {
                Err(e) if e.kind() != ErrorKind::NotFound => return Err(format!("cannot remove the stale lock file {}: {e}", path.display())),
                _ => {}
            }
        }
        Err(format!("the lock file {} was created again by another process while a stale one was removed; retry", path.display()))
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether process `pid` is alive (not exited, nor an exited child not yet reaped: a
/// zombie) and runs the same program as this process (its `/proc/<pid>/comm` matches
/// ours). Without `/proc` a process cannot be checked, so it is taken to be alive.
fn runs_hnet(pid: u32) -> bool {
    let comm = |p: &str| fs::read_to_string(format!("/proc/{p}/comm")).ok();
    let Some(own) = comm("self") else { return true };
    // /proc/<pid>/stat is "pid (comm) state ...": the state follows the last ')'.
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let zombie = stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
    !zombie && comm(&pid.to_string()).is_some_and(|other| other == own)
}

/// The lock file's text. A run writes its pid just after creating the file, so a file
/// found empty is read once more a moment later before it counts as naming no process.
fn holder_of(path: &Path) -> String {
    let read = || fs::read_to_string(path).unwrap_or_default();
    let text = read();
    if !text.trim().is_empty() {
        return text;
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    read()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("run-lock-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// The pid of a process that has exited.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn a_held_lock_refuses_a_second_holder_and_is_deleted_on_drop() {
        let dir = scratch("held");
        let lock = RunLock::acquire(&dir).unwrap();
        let path = dir.join(LOCK_FILE);
        assert_eq!(fs::read_to_string(&path).unwrap().trim(), std::process::id().to_string());
        let refused = RunLock::acquire(&dir).err().expect("the folder is locked");
        for part in [dir.display().to_string(), format!("pid {}", std::process::id()), "--out".into()] {
            assert!(refused.contains(&part), "expected {part:?} in {refused}");
        }
        drop(lock);
        assert!(!path.exists());
        drop(RunLock::acquire(&dir).unwrap());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_lock_of_a_dead_or_foreign_process_or_of_no_process_is_taken_over() {
        let dir = scratch("stale");
        let path = dir.join(LOCK_FILE);
        let mut sleeper = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let mut zombie = std::process::Command::new("true").spawn().unwrap();
        let stat = format!("/proc/{}/stat", zombie.id());
        while !fs::read_to_string(&stat).unwrap().contains(") Z") {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        for holder in [dead_pid().to_string(), zombie.id().to_string(), sleeper.id().to_string(), "garbage".into()] {
            fs::write(&path, &holder).unwrap();
            let lock = RunLock::acquire(&dir).unwrap_or_else(|e| panic!("holder {holder}: {e}"));
            assert_eq!(fs::read_to_string(&path).unwrap().trim(), std::process::id().to_string());
            drop(lock);
        }
        zombie.wait().unwrap();
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
