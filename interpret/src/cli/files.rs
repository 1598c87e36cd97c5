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

/// Refuses an output path that names one of the command's inputs, or another output
/// of the same command (compared by canonical path once they exist), so that no command
/// writes over what it reads or writes one file twice.
pub fn distinct_outputs(inputs: &[&Path], outputs: &[&Path]) -> Result<(), String> {
    let same = |a: &Path, b: &Path| a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y);
    for (i, out) in outputs.iter().enumerate() {
        if let Some(input) = inputs.iter().find(|input| same(out, input)) {
            return Err(format!("{} is this command's input {}; write the output to another path", out.display(), input.display()));
        }
        if outputs[..i].iter().any(|other| same(out, other)) {
            return Err(format!("{} is given as two outputs; give each output its own path", out.display()));
        }
    }
    Ok(())
}
