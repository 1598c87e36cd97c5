//! The folder of a `train` run: its three files (config, metrics, checkpoint), and the
//! checks `train` does on it before it starts (what it owns there, and what else it
//! refuses, is [`interpret::output_folder::kinds::TRAIN`]).

use hypernet::checkpoint::{load_checkpoint, Checkpoint};
use std::path::{Path, PathBuf};

/// The files of a run folder.
pub struct RunDir {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub metrics: PathBuf,
    pub checkpoint: PathBuf,
}

impl RunDir {
    pub fn new(dir: &Path) -> RunDir {
        RunDir {
            dir: dir.to_path_buf(),
            config: dir.join("config.toml"),
            metrics: dir.join("metrics.jsonl"),
            checkpoint: dir.join("checkpoint.safetensors"),
        }
    }

    /// The checkpoint, `None` if there is none yet, an error if it cannot be used.
    pub fn checkpoint_if_any(&self) -> Result<Option<Checkpoint>, String> {
        if !self.checkpoint.exists() {
            return Ok(None);
        }
        load_checkpoint(&self.checkpoint)
            .map(Some)
            .map_err(|e| format!("cannot resume: {e}\n  Restore the file from a backup, or start over with --force (without --resume)"))
    }

    /// Creates the folder and checks that files can be made in it.
    pub fn ensure_writable(&self) -> Result<(), String> {
        let unwritable = |e: std::io::Error| format!("cannot write to the output folder {}: {e}; choose another --out or fix its permissions", self.dir.display());
        std::fs::create_dir_all(&self.dir).map_err(unwritable)?;
        let probe = self.dir.join(format!(".hnet-write-probe-{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(unwritable)?;
        std::fs::remove_file(&probe).map_err(unwritable)
    }
}
