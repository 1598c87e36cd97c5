//! The one error type of every file this crate reads or writes (weights, checkpoints):
//! which file, and what is wrong with it in words a user can act on.

use std::fmt;
use std::path::{Path, PathBuf};

/// A file that could not be written or read: the file and the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub problem: String,
}

impl FileError {
    pub fn new(path: &Path, problem: impl Into<String>) -> FileError {
        FileError { path: path.to_path_buf(), problem: problem.into() }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for FileError {}
