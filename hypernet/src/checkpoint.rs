//! Training checkpoints: every parameter, the optimiser's state, the step and the
//! configuration, in one safetensors file with a format version and a SHA-256
//! checksum.
//!
//! Layout: tensors `param/<name>` (f32) and `optim/<i>` (f32, the optimiser's buffers
//! in its documented order); metadata `format` ([`FORMAT`]), `step`, `optim_step`,
//! `config` (the run's TOML) and `sha256`, the hex digest of every tensor's name,
//! shape and bytes in name order plus the other metadata. The same checkpoint always
//! gives the same bytes ([`crate::safetensors_write`]). Written atomically
//! ([`crate::weights_io::write_atomic`]), so a crash mid-write leaves the previous
//! checkpoint intact; loading verifies the checksum, so a torn or edited file is
//! refused instead of silently resumed.

use crate::content_digest::sha256_hex;
use crate::file_error::FileError;
use crate::safetensors_write::{encode_f32, F32Tensor};
use crate::weights_io::write_atomic;
use autodiff::optim::OptimizerState;
use ndarray::{ArrayD, IxDyn};
use safetensors::tensor::{Dtype, SafeTensors};
use std::collections::BTreeMap;
use std::path::Path;

/// The format written by this version.
pub const FORMAT: &str = "hnet-checkpoint-v1";

/// The saved state of a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// Steps completed.
    pub step: usize,
    /// The run's configuration as TOML.
    pub config: String,
    /// Parameters by name.
    pub params: BTreeMap<String, ArrayD<f32>>,
    pub optimizer: OptimizerState<f32>,
}

/// A checkpoint that could not be written or read.
pub type CheckpointError = FileError;

fn err(path: &Path, problem: impl Into<String>) -> CheckpointError {
    FileError::new(path, format!("checkpoint: {}", problem.into()))
}

fn le_bytes(a: &ArrayD<f32>) -> Vec<u8> {
    a.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The checksum of a checkpoint: [`sha256_hex`] over the tensors in name order, then
/// the metadata in the order `format`, `step`, `optim_step`, `config`.
fn digest(tensors: &BTreeMap<String, (Vec<usize>, Vec<u8>)>, meta: &[(&str, &str)]) -> String {
    sha256_hex(tensors.iter().map(|(name, (shape, bytes))| (name.as_str(), shape.as_slice(), bytes.as_slice())), meta.iter().copied())
}

/// Writes `ckpt` to `path` atomically.
pub fn save_checkpoint(path: &Path, ckpt: &Checkpoint) -> Result<(), CheckpointError> {
    let mut tensors: BTreeMap<String, (Vec<usize>, Vec<u8>)> = BTreeMap::new();
    for (name, a) in &ckpt.params {
        tensors.insert(format!("param/{name}"), (a.shape().to_vec(), le_bytes(a)));
    }
    for (i, a) in ckpt.optimizer.buffers.iter().enumerate() {
        tensors.insert(format!("optim/{i:06}"), (a.shape().to_vec(), le_bytes(a)));
    }
    let (step, optim_step) = (ckpt.step.to_string(), ckpt.optimizer.step.to_string());
    let meta = [("format", FORMAT), ("step", step.as_str()), ("optim_step", optim_step.as_str()), ("config", ckpt.config.as_str())];
    let sha = digest(&tensors, &meta);
    let mut metadata: BTreeMap<String, String> = meta.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    metadata.insert("sha256".into(), sha);
    let views: Vec<F32Tensor> = tensors.iter().map(|(name, (shape, bytes))| F32Tensor { name, shape, data: bytes }).collect();
    write_atomic(path, &encode_f32(&views, &metadata)).map_err(|e| err(path, format!("cannot write: {e}")))
}

/// Reads and verifies a checkpoint written by [`save_checkpoint`].
pub fn load_checkpoint(path: &Path) -> Result<Checkpoint, CheckpointError> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => err(path, "no such file; pass the checkpoint written by a training run (checkpoint.safetensors in its output folder)"),
        _ => err(path, format!("cannot read: {e}")),
    })?;
    let corrupt = |d: String| err(path, format!("not a valid checkpoint ({d}); the file is truncated or corrupted: restart from an earlier checkpoint or from scratch"));
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| corrupt(format!("{e:?}")))?;
    let st = SafeTensors::deserialize(&bytes).map_err(|e| corrupt(format!("{e:?}")))?;
    let meta = header.metadata().clone().unwrap_or_default();
    let field = |k: &str| meta.get(k).cloned().ok_or_else(|| corrupt(format!("metadata key `{k}` missing")));
    let format = field("format")?;
    if format != FORMAT {
        return Err(err(path, format!("format `{format}` is not supported; this build reads `{FORMAT}`")));
    }
    let (step, optim_step, config, sha) = (field("step")?, field("optim_step")?, field("config")?, field("sha256")?);
    let mut tensors: BTreeMap<String, (Vec<usize>, Vec<u8>)> = BTreeMap::new();
    for (name, view) in st.tensors() {
        if view.dtype() != Dtype::F32 {
            return Err(corrupt(format!("tensor `{name}` has dtype {:?}, expected F32", view.dtype())));
        }
        tensors.insert(name, (view.shape().to_vec(), view.data().to_vec()));
    }
    let meta_list = [("format", format.as_str()), ("step", step.as_str()), ("optim_step", optim_step.as_str()), ("config", config.as_str())];
    if digest(&tensors, &meta_list) != sha {
        return Err(corrupt("checksum mismatch".into()));
    }
    let parse = |what: &str, s: &str| s.parse::<usize>().map_err(|_| corrupt(format!("`{what}` is not a number: {s:?}")));
    let (step, optim_step) = (parse("step", &step)?, parse("optim_step", &optim_step)?);
    let mut params = BTreeMap::new();
    let mut buffers = Vec::new();
    for (name, (shape, data)) in tensors {
        let values: Vec<f32> = data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        let array = ArrayD::from_shape_vec(IxDyn(&shape), values).map_err(|e| corrupt(format!("tensor `{name}`: {e}")))?;
        if let Some(p) = name.strip_prefix("param/") {
            params.insert(p.to_string(), array);
        } else if name.starts_with("optim/") {
            buffers.push(array);
        } else {
            return Err(corrupt(format!("unexpected tensor `{name}`")));
        }
    }
    Ok(Checkpoint { step, config, params, optimizer: OptimizerState { step: optim_step as u64, buffers } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Checkpoint {
        let mut params = BTreeMap::new();
        params.insert("a.weight".to_string(), ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, -2.0, 3.5, 0.0]).unwrap());
        params.insert("b".to_string(), ArrayD::from_elem(IxDyn(&[3]), 0.25));
        let buffers = vec![ArrayD::from_elem(IxDyn(&[2, 2]), 0.5), ArrayD::from_elem(IxDyn(&[3]), -1.0)];
        Checkpoint { step: 17, config: "seed = 3\n".into(), params, optimizer: OptimizerState { step: 17, buffers } }
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ckpt-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn round_trips_exactly() {
        let p = scratch("round.safetensors");
        save_checkpoint(&p, &example()).unwrap();
        assert_eq!(load_checkpoint(&p).unwrap(), example());
    }

    #[test]
    fn refuses_flipped_truncated_and_missing_files() {
        let p = scratch("bad.safetensors");
        save_checkpoint(&p, &example()).unwrap();
        let good = std::fs::read(&p).unwrap();
        let mut flipped = good.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0x40;
        std::fs::write(&p, &flipped).unwrap();
        assert!(load_checkpoint(&p).unwrap_err().problem.contains("checksum"));
        std::fs::write(&p, &good[..good.len() / 2]).unwrap();
        assert!(load_checkpoint(&p).unwrap_err().problem.contains("not a valid checkpoint"));
        assert!(load_checkpoint(&scratch("absent.safetensors")).unwrap_err().problem.contains("no such file"));
    }
}
