//! `hnet landscape` end to end on a tiny grid (n = 4, two betas, 10 steps; seconds in
//! release mode): the files are written with one row per (measure, beta, start, seed),
//! the JSON's verdicts agree with the CSV's losses, a rerun on one thread gives the
//! same bytes, and a folder holding another configuration's results is protected.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TINY: &str = r#"
log10_betas = [-3.0, 1.0]
seeds = 2
steps = 10
batch_size = 16
eval_points = 64
eval_samples = 1
label_samples = 2
optimizer = { warmup_steps = 2 }
problem = { inputs = 4, hidden = 12 }
"#;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hnet-landscape-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hnet(args: &[&str], threads: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hnet"));
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    cmd.args(args).output().expect("hnet runs")
}

fn run(dir: &Path, config: &Path, out: &str, threads: Option<&str>) -> Output {
    hnet(&["landscape", "--config", config.to_str().unwrap(), "--out", dir.join(out).to_str().unwrap()], threads)
}

#[test]
fn a_tiny_landscape_writes_consistent_files_and_reruns_bit_for_bit() {
    let dir = scratch("tiny");
    let config = dir.join("tiny.toml");
    std::fs::write(&config, TINY).unwrap();
    let out = run(&dir, &config, "a", None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let csv = std::fs::read_to_string(dir.join("a/landscape.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for column in ["measure", "log10_beta", "start", "seed", "final_label", "nmse", "bits", "loss"] {
        assert!(header.contains(&column), "landscape.csv lacks {column}: {header:?}");
    }
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3 * 2 * 6 * 2, "measures x betas x starts x seeds");
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("a/landscape.json")).unwrap()).unwrap();
    for m in json["measures"].as_array().unwrap() {
        let measure = m["measure"].as_str().unwrap();
        assert!(dir.join(format!("a/landscape-{measure}.svg")).exists());
        for b in m["per_beta"].as_array().unwrap() {
            let lb = b["log10_beta"].as_f64().unwrap();
            let here = rows.iter().filter(|r| r[col("measure")] == measure && r[col("log10_beta")].parse::<f64>().unwrap() == lb);
            let lowest = here.map(|r| r[col("loss")].parse::<f64>().unwrap()).fold(f64::INFINITY, f64::min);
            assert_eq!(b["loss"].as_f64().unwrap(), lowest, "{measure} at {lb}: the winner is the lowest loss");
        }
    }
    assert!(json["claim"]["objective_orders_double_sided_pudding_convexity"].is_boolean());

    let again = run(&dir, &config, "b", Some("1"));
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    for file in ["landscape.csv", "landscape-neuron-sigma.svg"] {
        assert_eq!(std::fs::read(dir.join("a").join(file)).unwrap(), std::fs::read(dir.join("b").join(file)).unwrap(), "{file} differs on one thread");
    }

    std::fs::write(&config, format!("{TINY}seed = 1\n")).unwrap();
    let refused = run(&dir, &config, "a", None);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--force"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_config_is_named() {
    let dir = scratch("bad");
    let config = dir.join("bad.toml");
    std::fs::write(&config, "starts = [\"triple-sided\"]\n").unwrap();
    let out = run(&dir, &config, "out", None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("triple-sided") && err.contains("bad.toml"), "{err}");
    assert!(!dir.join("out").exists(), "nothing is written for a bad config");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_landscape_config_in_experiments_loads_and_validates() {
    use interpret::landscape::config::LandscapeConfig;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments/landscape");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let cfg = LandscapeConfig::default().with_toml(&text, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
            cfg.validate().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            seen += 1;
        }
    }
    assert!(seen >= 1, "no landscape configs in {}", dir.display());
}
