//! Tests of the weights file: round trips, the checksum, and every malformed file.

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

/// A 3 -> 2 -> 1 network of zeros written by another tool, with one metadata entry.
fn save_small_with_metadata(path: &Path, key: &str, value: &str) {
    let (w1, b1, w2, b2) = (f32_bytes(6), f32_bytes(2), f32_bytes(2), f32_bytes(1));
    let views = vec![
        ("W1", TensorView::new(Dtype::F32, vec![2, 3], &w1).unwrap()),
        ("b1", TensorView::new(Dtype::F32, vec![2], &b1).unwrap()),
        ("w2", TensorView::new(Dtype::F32, vec![2], &w2).unwrap()),
        ("b2", TensorView::new(Dtype::F32, vec![1], &b2).unwrap()),
    ];
    let metadata = HashMap::from([(key.to_string(), value.to_string())]);
    fs::write(path, safetensors::serialize(views, &Some(metadata)).unwrap()).unwrap();
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

    save_small_with_metadata(&path, "format", "pt");
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
    save_small_with_metadata(&path, ACTIVATION_KEY, "tanh");
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
