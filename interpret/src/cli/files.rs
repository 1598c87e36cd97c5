//! Reading and writing the files subcommands work on, with messages that say what
//! to do.

use hypernet::weights_io::{load_target_weights, write_atomic};
use hypernet::TargetWeights;
use std::path::Path;

/// Loads target weights, or explains what is wrong with the file and what `hnet`
/// expects.
pub fn load_weights(path: &Path) -> Result<TargetWeights, String> {
    load_target_weights(path).map_err(|e| {
        format!(
            "cannot load target weights from {e}.\n  hnet expects a safetensors file with f32 tensors \
             W1 [m, n], b1 [m], w2 [m], b2 [1] (write one with `hnet reference`, or with \
             safetensors.numpy.save_file from Python)"
        )
    })
}

/// Writes a text file atomically, naming the file on failure.
pub fn write_text(path: &Path, text: &str) -> Result<(), String> {
    write_atomic(path, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e} (check that the folder exists and is writable)", path.display()))
}
