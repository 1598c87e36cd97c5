//! A checkpoint and a weights file of the same content have the same bytes whichever
//! process writes them. Every process draws its own `HashMap` hash seed, and the
//! `safetensors` crate's writer ordered the metadata by it, so this test writes the
//! files in several child processes (this test binary, run again) and compares them.

use hypernet::checkpoint::{save_checkpoint, Checkpoint};
use hypernet::weights_io::save_target_weights;
use hypernet::{Activation, TargetWeights};
use ndarray::{array, ArrayD, IxDyn};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Set in a child process: the folder to write the files to.
const WRITE_TO: &str = "HNET_TEST_WRITE_FILES_TO";
const CHILDREN: usize = 4;
const FILES: [&str; 2] = ["checkpoint.safetensors", "weights.safetensors"];

fn write_files(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let params = BTreeMap::from([
        ("a.weight".to_string(), ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, -2.0, 3.5, 0.0]).unwrap()),
        ("b".to_string(), ArrayD::from_elem(IxDyn(&[3]), 0.25)),
    ]);
    let buffers = vec![ArrayD::from_elem(IxDyn(&[2, 2]), 0.5), ArrayD::from_elem(IxDyn(&[3]), -1.0)];
    let optimizer = autodiff::optim::OptimizerState { step: 9, buffers };
    let checkpoint = Checkpoint { step: 9, config: "seed = 3\n".into(), params, optimizer };
    save_checkpoint(&dir.join(FILES[0]), &checkpoint).unwrap();
    let weights = TargetWeights { w1: array![[1.0, -2.0], [0.5, 3.0]], b1: array![0.1, -0.2], w2: array![2.0, -0.75], b2: 0.125, activation: Activation::Relu };
    save_target_weights(&dir.join(FILES[1]), &weights).unwrap();
}

#[test]
fn files_have_the_same_bytes_in_every_process() {
    if let Some(dir) = std::env::var_os(WRITE_TO) {
        return write_files(Path::new(&dir));
    }
    let root = std::env::temp_dir().join(format!("file-bytes-{}", std::process::id()));
    let dirs: Vec<PathBuf> = (0..CHILDREN).map(|i| root.join(format!("child{i}"))).collect();
    for dir in &dirs {
        let child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "files_have_the_same_bytes_in_every_process", "--test-threads=1"])
            .env(WRITE_TO, dir)
            .output()
            .unwrap();
        assert!(child.status.success(), "the child writing to {} failed:\n{}", dir.display(), String::from_utf8_lossy(&child.stdout));
    }
    for file in FILES {
        let first = std::fs::read(dirs[0].join(file)).unwrap();
        for dir in &dirs[1..] {
            assert!(std::fs::read(dir.join(file)).unwrap() == first, "{file} differs between {} and {}", dirs[0].display(), dir.display());
        }
    }
    std::fs::remove_dir_all(&root).unwrap();
}
