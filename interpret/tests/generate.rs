//! `hnet generate`: networks of the requested size, count and kind from a generator
//! checkpoint, the same bytes for the same seed, and clear refusals of missing or
//! corrupt checkpoints and bad arguments (with nothing written).

mod generate_support;

use generate_support::*;
use hypernet::weights_io::load_target_weights;
use std::path::Path;

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("generated.json")).unwrap()).unwrap()
}

fn bytes(dir: &Path, i: usize) -> Vec<u8> {
    std::fs::read(dir.join(format!("net_{i}.safetensors"))).unwrap()
}

#[test]
fn writes_the_requested_networks_and_their_summary() {
    let dir = scratch("sizes");
    let ckpt = tiny_checkpoint(&dir);
    let (default_m, custom_m) = (dir.join("default_m"), dir.join("custom_m"));
    generate_ok(&ckpt, &default_m, &["--log10-beta", "-3", "--n", "4", "--count", "3", "--seed", "7"]);
    generate_ok(&ckpt, &custom_m, &["--log10-beta", "0.5", "--n", "5", "--m", "6"]);
    for i in 0..3 {
        let net = load_target_weights(&default_m.join(format!("net_{i}.safetensors"))).unwrap();
        assert_eq!(net.w1.dim(), (12, 4), "m defaults to 3n");
    }
    assert!(!default_m.join("net_3.safetensors").exists());
    assert_eq!(load_target_weights(&custom_m.join("net_0.safetensors")).unwrap().w1.dim(), (6, 5));
    let s = summary(&default_m);
    assert_eq!((s["n"].as_u64(), s["m"].as_u64(), s["seed"].as_u64()), (Some(4), Some(12), Some(7)));
    assert_eq!((s["log10_beta"].as_f64(), s["weights"].as_str()), (Some(-3.0), Some("sampled")));
    let networks = s["networks"].as_array().unwrap();
    assert_eq!(networks.len(), 3);
    for (i, net) in networks.iter().enumerate() {
        assert_eq!(net["file"].as_str().unwrap(), format!("net_{i}.safetensors"));
        let bits = net["bits"].as_f64().unwrap();
        assert!(bits.is_finite() && bits > 0.0, "a generator with weight noise prices its networks: {bits}");
        assert!(net["nmse"].as_f64().unwrap().is_finite() && net["label"].is_string());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn same_seed_same_bytes_and_means_differ_from_samples() {
    let dir = scratch("determinism");
    let ckpt = tiny_checkpoint(&dir);
    let args = ["--log10-beta", "-2", "--n", "3", "--count", "2", "--seed", "11"];
    let (a, b, other_seed, mean) = (dir.join("a"), dir.join("b"), dir.join("other"), dir.join("mean"));
    generate_ok(&ckpt, &a, &args);
    generate_ok(&ckpt, &b, &args);
    generate_ok(&ckpt, &other_seed, &["--log10-beta", "-2", "--n", "3", "--count", "2", "--seed", "12"]);
    generate_ok(&ckpt, &mean, &[&args[..], &["--mean"]].concat());
    for i in 0..2 {
        assert_eq!(bytes(&a, i), bytes(&b, i), "net_{i}: same seed, same bytes");
        assert_ne!(bytes(&a, i), bytes(&other_seed, i), "net_{i}: another seed, another network");
        assert_ne!(bytes(&a, i), bytes(&mean, i), "net_{i}: a weight sample is not the mean");
    }
    assert_ne!(bytes(&a, 0), bytes(&a, 1), "networks of one call differ");
    let (sampled, means) = (summary(&a), summary(&mean));
    assert_eq!(means["weights"].as_str(), Some("mean"));
    for i in 0..2 {
        assert_eq!(sampled["networks"][i]["bits"], means["networks"][i]["bits"], "mean and sample share one distribution");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_and_corrupt_checkpoints_and_bad_arguments_are_refused() {
    let dir = scratch("refusals");
    let ckpt = tiny_checkpoint(&dir);
    let out = dir.join("out");
    let refused = |checkpoint: &Path, args: &[&str], expected: &[&str]| {
        let mut all = vec!["--checkpoint", checkpoint.to_str().unwrap(), "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let output = generate(&all);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!output.status.success(), "{all:?} should fail");
        assert!(!stderr.contains("panicked"), "{stderr}");
        for e in expected {
            assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
        }
        assert!(!out.exists(), "a refused run wrote {}", out.display());
    };
    let good = ["--log10-beta", "-1", "--n", "3"];
    let missing = dir.join("absent.safetensors");
    refused(&missing, &good, &[missing.to_str().unwrap(), "no such file"]);
    let truncated = dir.join("truncated.safetensors");
    let full = std::fs::read(&ckpt).unwrap();
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    refused(&truncated, &good, &[truncated.to_str().unwrap(), "not a valid checkpoint"]);
    refused(&ckpt, &["--log10-beta", "NaN", "--n", "3"], &["--log10-beta", "finite"]);
    refused(&ckpt, &["--log10-beta", "-1", "--n", "0"], &["--n", "0"]);
    refused(&ckpt, &["--log10-beta", "-1", "--n", "3", "--count", "0"], &["--count"]);
    refused(&ckpt, &["--n", "3"], &["--log10-beta"]);
    // Too large for the machine, or for a given limit: refused before any allocation.
    refused(&ckpt, &["--log10-beta", "-1", "--n", "100000"], &["generating 1 networks with n = 100000", "needs an estimated", "--max-memory"]);
    refused(&ckpt, &["--log10-beta", "-1", "--n", "3", "--max-memory", "1K"], &["given by --max-memory", "reduce --count"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
