//! Target weights on disk, as safetensors.
//!
//! A file holds four little-endian f32 tensors, `W1` `[m, n]`, `b1` `[m]`, `w2` `[m]`
//! and `b2` `[1]`, and the hidden activation's name (`silu` or `relu`) under the
//! metadata key `activation`; a file without that key is read as `silu`, the paper's
//! choice, so files written by other tools load too. From Python:
//! `safetensors.numpy.load_file(path)` gives the four arrays.
//!
//! The metadata key `sha256` holds a SHA-256 of the tensors and the other metadata
//! (see `checksum`); a file whose content does not match it is refused as corrupt.
//! Files without the key (written by other tools) load unchecked. Any other metadata
//! key is refused: a damaged `sha256` key (the loader fuzz found `sha:56` beside a
//! changed weight) would otherwise turn the check off unseen.
//!
//! The same weights always give the same bytes ([`crate::safetensors_write`]).
//!
//! Writes are atomic: the bytes go to a temporary file in the destination's directory,
//! which is flushed to disk (fsync) and then renamed over the destination, so a reader
//! sees the old file or the new one, never a torn one.

use crate::content_digest::sha256_hex;
use crate::file_error::FileError;
use crate::safetensors_write::{encode_f32, F32Tensor};
use crate::target::{Activation, TargetWeights};
use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, SafeTensors};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Metadata key holding the activation's name.
pub const ACTIVATION_KEY: &str = "activation";

/// Metadata key holding the file's checksum (see `checksum`): written by this crate,
/// verified on load when present. Files from other tools may leave it out.
pub const CHECKSUM_KEY: &str = "sha256";

/// Every metadata key a weights file may hold.
const METADATA_KEYS: [&str; 2] = [ACTIVATION_KEY, CHECKSUM_KEY];

/// The tensors of a weights file, in the order they are written and checksummed.
const TENSORS: [&str; 4] = ["W1", "b1", "w2", "b2"];

/// What the file must contain, quoted in error messages.
const EXPECTED_LAYOUT: &str = "f32 tensors W1 [m, n], b1 [m], w2 [m], b2 [1]";

/// A weights file that could not be written or read.
pub type WeightsFileError = FileError;

fn error(path: &Path, problem: impl Into<String>) -> WeightsFileError {
    FileError::new(path, problem)
}

/// Writes `weights` to `path` as safetensors, atomically, with their checksum.
pub fn save_target_weights(path: &Path, weights: &TargetWeights) -> Result<(), WeightsFileError> {
    weights.validate().map_err(|e| error(path, format!("refusing to save invalid weights: {e}")))?;
    let (m, n) = weights.w1.dim();
    let le_bytes = |values: &[f32]| -> Vec<u8> { values.iter().flat_map(|v| v.to_le_bytes()).collect() };
    let data = [
        (TENSORS[0], vec![m, n], le_bytes(&weights.w1.iter().copied().collect::<Vec<_>>())),
        (TENSORS[1], vec![m], le_bytes(&weights.b1.to_vec())),
        (TENSORS[2], vec![m], le_bytes(&weights.w2.to_vec())),
        (TENSORS[3], vec![1], le_bytes(&[weights.b2])),
    ];
    let mut metadata = BTreeMap::from([(ACTIVATION_KEY.to_string(), weights.activation.name().to_string())]);
    let sum = checksum(data.iter().map(|(name, shape, bytes)| (*name, shape.as_slice(), bytes.as_slice())), &metadata);
    metadata.insert(CHECKSUM_KEY.to_string(), sum);
    let tensors: Vec<_> = data.iter().map(|(name, shape, bytes)| F32Tensor { name, shape, data: bytes }).collect();
    write_atomic(path, &encode_f32(&tensors, &metadata)).map_err(|e| error(path, format!("cannot write: {e}")))
}

/// The checksum of a weights file: [`sha256_hex`] over its tensors `W1`, `b1`, `w2`,
/// `b2` (name, shape, bytes), then every metadata entry but the checksum's own, in key
/// order, each key and value written as a JSON string (quoted, so that where a key
/// ends and its value begins cannot shift).
fn checksum<'a>(tensors: impl IntoIterator<Item = (&'a str, &'a [usize], &'a [u8])>, metadata: &BTreeMap<String, String>) -> String {
    let json = |s: &str| serde_json::to_string(s).expect("strings always encode as JSON");
    let quoted: Vec<(String, String)> = metadata.iter().filter(|(k, _)| *k != CHECKSUM_KEY).map(|(k, v)| (json(k), json(v))).collect();
    sha256_hex(tensors, quoted.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Reads target weights written by [`save_target_weights`] (or any safetensors file
/// with the same four tensors), checking the checksum when there is one, then names,
/// dtypes, shapes and finiteness.
pub fn load_target_weights(path: &Path) -> Result<TargetWeights, WeightsFileError> {
    let file = fs::read(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => error(path, "no such file"),
        _ => error(path, format!("cannot read: {e}")),
    })?;
    let corrupt = |detail: String| {
        error(path, format!("not a valid safetensors file ({detail}); expected {EXPECTED_LAYOUT}"))
    };
    let (_, header) = SafeTensors::read_metadata(&file).map_err(|e| corrupt(format!("{e:?}")))?;
    let tensors = SafeTensors::deserialize(&file).map_err(|e| corrupt(format!("{e:?}")))?;
    let metadata: BTreeMap<String, String> = header.metadata().clone().unwrap_or_default().into_iter().collect();
    let views = TENSORS.map(|name| tensors.tensor(name).map_err(|_| error(path, format!("missing tensor `{name}`; expected {EXPECTED_LAYOUT}"))));
    let views = views.into_iter().collect::<Result<Vec<_>, _>>()?;
    if let Some(unknown) = metadata.keys().find(|key| !METADATA_KEYS.contains(&key.as_str())) {
        return Err(error(
            path,
            format!(
                "unknown metadata key `{unknown}`: a weights file's metadata holds only `{ACTIVATION_KEY}` and `{CHECKSUM_KEY}`, \
                 so the file was damaged (a checksum key under another name cannot be checked) or written with other keys; \
                 regenerate it, or write it with no other metadata"
            ),
        ));
    }
    if let Some(stored) = metadata.get(CHECKSUM_KEY) {
        let computed = checksum(TENSORS.iter().zip(&views).map(|(name, v)| (*name, v.shape(), v.data())), &metadata);
        if *stored != computed {
            return Err(error(
                path,
                "corrupt: its weights or metadata do not match the SHA-256 checksum stored in it, so the file was damaged or \
                 changed after it was written; regenerate it (or restore a copy)",
            ));
        }
    }
    let activation = match metadata.get(ACTIVATION_KEY) {
        None => Activation::Silu,
        Some(name) => Activation::from_name(name).ok_or_else(|| {
            error(path, format!("unknown activation `{name}` in the metadata; expected `silu` or `relu`"))
        })?,
    };
    let read = |i: usize, rank: usize| -> Result<(Vec<usize>, Vec<f32>), WeightsFileError> {
        let (name, view) = (TENSORS[i], &views[i]);
        if view.dtype() != Dtype::F32 {
            return Err(error(path, format!("tensor `{name}` has dtype {:?}; expected F32", view.dtype())));
        }
        let shape = view.shape().to_vec();
        if shape.len() != rank {
            return Err(error(
                path,
                format!("tensor `{name}` has shape {shape:?} ({} axes); expected {rank} axes ({EXPECTED_LAYOUT})", shape.len()),
            ));
        }
        let values = view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        Ok((shape, values))
    };
    let (w1_shape, w1) = read(0, 2)?;
    let (_, b1) = read(1, 1)?;
    let (_, w2) = read(2, 1)?;
    let (_, b2) = read(3, 1)?;
    if b2.len() != 1 {
        return Err(error(path, format!("tensor `b2` has {} elements; expected 1", b2.len())));
    }
    let weights = TargetWeights {
        w1: Array2::from_shape_vec((w1_shape[0], w1_shape[1]), w1).expect("safetensors checked the byte count"),
        b1: Array1::from(b1),
        w2: Array1::from(w2),
        b2: b2[0],
        activation,
    };
    weights.validate().map_err(|e| error(path, e))?;
    Ok(weights)
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename,
/// then (best effort) fsync of the directory so the rename itself survives a crash.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidInput, "the path names no file"))?;
    let temp = dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests;
