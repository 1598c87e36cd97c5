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
mod tests {
    use super::*;
    use ndarray::array;
    use safetensors::tensor::TensorView;
    use std::collections::HashMap;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("weights_io-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    fn example(activation: Activation) -> TargetWeights {
        TargetWeights {
            w1: array![[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]],
            b1: array![0.1, -0.2],
            w2: array![2.0, -0.75],
            b2: 0.125,
            activation,
        }
    }

    fn save_raw(path: &Path, tensors: Vec<(&str, Dtype, Vec<usize>, Vec<u8>)>) {
        let views: Vec<_> =
            tensors.iter().map(|(n, d, s, b)| (*n, TensorView::new(*d, s.clone(), b).unwrap())).collect();
        fs::write(path, safetensors::serialize(views, &None).unwrap()).unwrap();
    }

    fn f32_bytes(n: usize) -> Vec<u8> {
        (0..n).flat_map(|i| (i as f32).to_le_bytes()).collect()
    }

    #[test]
    fn round_trip_keeps_every_bit_and_the_activation() {
        for activation in [Activation::Silu, Activation::Relu] {
            let path = scratch(&format!("round_trip_{}.safetensors", activation.name()));
            let weights = example(activation);
            save_target_weights(&path, &weights).unwrap();
            assert_eq!(load_target_weights(&path).unwrap(), weights);
        }
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file_and_replaces_the_old_one() {
        let path = scratch("atomic.bin");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".atomic.bin.tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn missing_file_is_named() {
        let path = scratch("does_not_exist.safetensors");
        let e = load_target_weights(&path).unwrap_err();
        assert_eq!(e.path, path);
        assert!(e.to_string().contains("no such file"), "{e}");
    }

    #[test]
    fn a_changed_weight_or_activation_fails_the_checksum_naming_the_file() {
        let path = scratch("changed.safetensors");
        save_target_weights(&path, &example(Activation::Silu)).unwrap();
        let good = fs::read(&path).unwrap();
        let mut weight = good.clone();
        let last = weight.len() - 2; // inside b2, the last tensor: still a finite number
        weight[last] ^= 0x01;
        let at = good.windows(4).position(|w| w == b"silu").expect("activation in the header");
        let mut activation = good.clone();
        activation[at..at + 4].copy_from_slice(b"relu");
        for changed in [weight, activation] {
            fs::write(&path, &changed).unwrap();
            let e = load_target_weights(&path).unwrap_err();
            assert!(e.to_string().contains("changed.safetensors") && e.problem.contains("corrupt") && e.problem.contains("checksum"), "{e}");
        }
    }

    #[test]
    fn a_file_without_a_checksum_loads() {
        let path = scratch("other_tool.safetensors");
        let weights = example(Activation::Relu);
        save_target_weights(&path, &weights).unwrap();
        let file = fs::read(&path).unwrap();
        let tensors = SafeTensors::deserialize(&file).unwrap();
        let views: Vec<_> = TENSORS.iter().map(|name| (*name, tensors.tensor(name).unwrap())).collect();
        let metadata = HashMap::from([(ACTIVATION_KEY.to_string(), "relu".to_string())]);
        fs::write(&path, safetensors::serialize(views, &Some(metadata)).unwrap()).unwrap();
        assert_eq!(load_target_weights(&path).unwrap(), weights);
    }

    /// The loader fuzz's input 35347 (at 100,000 inputs): `sha256` renamed `sha:56` and
    /// a weight changed. A key written by another tool is refused the same way.
    #[test]
    fn a_metadata_key_other_than_the_activation_and_checksum_is_refused() {
        let path = scratch("renamed_checksum.safetensors");
        save_target_weights(&path, &example(Activation::Silu)).unwrap();
        let mut renamed = fs::read(&path).unwrap();
        let at = renamed.windows(8).position(|w| w == b"\"sha256\"").expect("checksum key in the header");
        renamed[at + 4] = b':';
        let last = renamed.len() - 2;
        renamed[last] ^= 0x01;
        fs::write(&path, &renamed).unwrap();
        let e = load_target_weights(&path).unwrap_err();
        assert!(e.to_string().contains("renamed_checksum.safetensors") && e.problem.contains("unknown metadata key `sha:56`"), "{e}");

        let (w1, b1, w2, b2) = (f32_bytes(6), f32_bytes(2), f32_bytes(2), f32_bytes(1));
        let views = vec![
            ("W1", TensorView::new(Dtype::F32, vec![2, 3], &w1).unwrap()),
            ("b1", TensorView::new(Dtype::F32, vec![2], &b1).unwrap()),
            ("w2", TensorView::new(Dtype::F32, vec![2], &w2).unwrap()),
            ("b2", TensorView::new(Dtype::F32, vec![1], &b2).unwrap()),
        ];
        let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
        fs::write(&path, safetensors::serialize(views, &Some(metadata)).unwrap()).unwrap();
        assert!(load_target_weights(&path).unwrap_err().problem.contains("unknown metadata key `format`"));
    }

    #[test]
    fn corrupt_bytes_are_reported() {
        let path = scratch("corrupt.safetensors");
        fs::write(&path, b"this is not a safetensors file at all").unwrap();
        let e = load_target_weights(&path).unwrap_err();
        assert!(e.problem.contains("not a valid safetensors file"), "{e}");
        save_target_weights(&path, &example(Activation::Silu)).unwrap();
        let mut truncated = fs::read(&path).unwrap();
        truncated.truncate(truncated.len() - 3);
        fs::write(&path, &truncated).unwrap();
        assert!(load_target_weights(&path).unwrap_err().problem.contains("not a valid safetensors file"));
    }

    #[test]
    fn missing_tensor_wrong_dtype_and_wrong_shapes_are_reported() {
        let path = scratch("bad_tensors.safetensors");
        save_raw(&path, vec![("W1", Dtype::F32, vec![2, 3], f32_bytes(6)), ("b1", Dtype::F32, vec![2], f32_bytes(2))]);
        assert!(load_target_weights(&path).unwrap_err().problem.contains("missing tensor `w2`"));

        let f64_bytes: Vec<u8> = (0..6).flat_map(|i| (i as f64).to_le_bytes()).collect();
        save_raw(
            &path,
            vec![
                ("W1", Dtype::F64, vec![2, 3], f64_bytes),
                ("b1", Dtype::F32, vec![2], f32_bytes(2)),
                ("w2", Dtype::F32, vec![2], f32_bytes(2)),
                ("b2", Dtype::F32, vec![1], f32_bytes(1)),
            ],
        );
        assert!(load_target_weights(&path).unwrap_err().problem.contains("dtype F64"));

        save_raw(
            &path,
            vec![
                ("W1", Dtype::F32, vec![2, 3], f32_bytes(6)),
                ("b1", Dtype::F32, vec![3], f32_bytes(3)),
                ("w2", Dtype::F32, vec![2], f32_bytes(2)),
                ("b2", Dtype::F32, vec![1], f32_bytes(1)),
            ],
        );
        assert!(load_target_weights(&path).unwrap_err().problem.contains("b1 has 3"));

        save_raw(
            &path,
            vec![
                ("W1", Dtype::F32, vec![6], f32_bytes(6)),
                ("b1", Dtype::F32, vec![2], f32_bytes(2)),
                ("w2", Dtype::F32, vec![2], f32_bytes(2)),
                ("b2", Dtype::F32, vec![1], f32_bytes(1)),
            ],
        );
        assert!(load_target_weights(&path).unwrap_err().problem.contains("tensor `W1` has shape [6]"));

        save_raw(
            &path,
            vec![
                ("W1", Dtype::F32, vec![2, 3], f32_bytes(6)),
                ("b1", Dtype::F32, vec![2], f32_bytes(2)),
                ("w2", Dtype::F32, vec![2], f32_bytes(2)),
                ("b2", Dtype::F32, vec![2], f32_bytes(2)),
            ],
        );
        assert!(load_target_weights(&path).unwrap_err().problem.contains("`b2` has 2 elements"));
    }

    #[test]
    fn unknown_activation_is_reported() {
        let path = scratch("bad_activation.safetensors");
        let (w1, b1, w2, b2) = (f32_bytes(6), f32_bytes(2), f32_bytes(2), f32_bytes(1));
        let views = vec![
            ("W1", TensorView::new(Dtype::F32, vec![2, 3], &w1).unwrap()),
            ("b1", TensorView::new(Dtype::F32, vec![2], &b1).unwrap()),
            ("w2", TensorView::new(Dtype::F32, vec![2], &w2).unwrap()),
            ("b2", TensorView::new(Dtype::F32, vec![1], &b2).unwrap()),
        ];
        let metadata = HashMap::from([(ACTIVATION_KEY.to_string(), "tanh".to_string())]);
        fs::write(&path, safetensors::serialize(views, &Some(metadata)).unwrap()).unwrap();
        assert!(load_target_weights(&path).unwrap_err().problem.contains("unknown activation `tanh`"));
    }

    /// Shapes the analyses cannot handle and weights that overflow them are refused on
    /// load (and on save), with the reason.
    #[test]
    fn empty_networks_and_overflowing_weights_are_refused() {
        let cases: [(&str, usize, usize, f32, &str); 3] = [
            ("no_inputs", 2, 0, 1.0, "at least one input"),
            ("no_neurons", 0, 3, 1.0, "at least one input and one hidden neuron"),
            ("huge", 2, 3, 1e20, "magnitude 1e20"),
        ];
        for (name, m, n, value, expected) in cases {
            let path = scratch(&format!("{name}.safetensors"));
            let bytes = |len: usize| (0..len).flat_map(|_| value.to_le_bytes()).collect::<Vec<u8>>();
            save_raw(
                &path,
                vec![
                    ("W1", Dtype::F32, vec![m, n], bytes(m * n)),
                    ("b1", Dtype::F32, vec![m], bytes(m)),
                    ("w2", Dtype::F32, vec![m], bytes(m)),
                    ("b2", Dtype::F32, vec![1], bytes(1)),
                ],
            );
            let err = load_target_weights(&path).unwrap_err().to_string();
            assert!(err.contains(expected), "{name}: {err}");
        }
        let mut huge = example(Activation::Silu);
        huge.w2[1] = 3e9;
        assert!(save_target_weights(&scratch("huge_save.safetensors"), &huge).unwrap_err().to_string().contains("refusing"));
    }
}
