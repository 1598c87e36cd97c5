//! `hnet reproduce` end to end at a size smaller than `--quick` (a few seconds in
//! release mode): the report is complete and well formed, a rerun (on one thread
//! instead of all) gives the same `summary.json` byte for byte, seeds trained as separate jobs and assembled give the
//! same report as one run, and a folder holding another run is protected.

use interpret::studies::reproduce_config::{Preset, ReproduceConfig};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every stage at the smallest size that still exercises it.
const TINY: &str = r#"
seeds = 2
snapshots = 2
[sweep]
inputs = 4
betas = 3
samples = 4
eval_points = 64
[generalisation]
unseen_inputs = [2, 8]
log10_betas = [-3.0, 0.0]
samples = 2
eval_points = 64
[vmlp]
steps = 10
batch_size = 16
optimizer = { warmup_steps = 2 }
[adam]
steps = 10
batch_size = 16
optimizer = { warmup_steps = 2 }
[training]
steps = 6
networks = 4
points = 16
train_inputs = [3, 4]
optimizer = { warmup_steps = 2 }
generator = { width = 8, blocks = 1, heads = 2, noise_dim = 2, key_dim = 4, cond_width = 4 }
"#;

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hnet-reproduce-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hnet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hnet")).args(args).output().expect("hnet runs")
}

fn reproduce(config: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["reproduce", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend(extra);
    hnet(&args)
}

fn succeeded(output: &Output) {
    assert!(output.status.success(), "hnet failed:\nstdout:\n{}\nstderr:\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check_page(out: &Path, drawings: usize) {
    let page = read(out.join("index.html"));
    for id in interpret::report::html::SECTIONS {
        assert!(page.contains(&format!("<section id=\"{id}\">")), "index.html lacks section {id}");
    }
    let figures = 5;
    assert_eq!(page.matches("<svg ").count(), figures + drawings, "one inline SVG per figure and drawing");
    assert_eq!(page.matches("<svg ").count(), page.matches("</svg>").count());
    for remote in ["<script", "<link", "src=", "https://", "url("] {
        assert!(!page.contains(remote), "index.html must open without network: found {remote}");
    }
    assert!(page.contains("commit") && page.contains("time taken") && page.contains("[training]"), "run facts and config");
}

fn check_summary(out: &Path) {
    let summary: serde_json::Value = serde_json::from_str(&read(out.join("summary.json"))).expect("summary.json is JSON");
    for key in ["format", "seeds", "log10_betas", "appear_min_fraction", "generator", "variational_mlp", "generalisation"] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(summary["seeds"], serde_json::json!([0, 1]));
    assert_eq!(summary["preset"], "default", "TINY is layered on the default preset");
    assert!(summary["changed_from_preset"].as_array().unwrap().contains(&serde_json::json!("training.steps")), "{}", summary["changed_from_preset"]);
    for sweep in [&summary["generator"]["pooled"], &summary["variational_mlp"]] {
        for algorithm in ["double-sided", "pudding", "convexity"] {
            let claim = &sweep["algorithms"][algorithm];
            for key in ["appeared", "peak_fraction", "log10_beta_range", "log10_beta_centroid"] {
                assert!(claim.get(key).is_some(), "summary.json lacks {algorithm}.{key}");
            }
            assert_eq!(claim["log10_beta_at_peak"].is_null(), claim["peak_fraction"] == 0.0, "{algorithm}: a peak exactly when present: {claim}");
        }
        assert!(sweep["ordered"].is_boolean() && sweep["all_appeared"].is_boolean());
    }
    for key in ["appeared_in_seeds", "ordered_in_seeds", "log10_beta_centroid", "nmse_at_lowest_beta"] {
        assert!(summary["generator"]["seed_spread"].get(key).is_some(), "summary.json lacks seed_spread.{key}");
    }
    let g = summary["generalisation"].as_array().unwrap();
    assert_eq!(g.len(), 2, "one entry per generalisation beta");
    assert!(g[0]["unseen_over_trained"]["mean"].is_number() && g[0]["per_n"].as_array().unwrap().len() == 4, "sizes 2, 3, 4, 8");
}

fn check_data(out: &Path) {
    let expected = [
        ("pareto.csv", "method,seed,log10_beta,bits,nmse,label,algorithm"),
        ("fractions.csv", "method,log10_beta,networks,nmse_mean"),
        ("phase.csv", "step,log10_beta,networks,dominant"),
        ("generalisation.csv", "n,trained,log10_beta,nmse_mean"),
        ("generalisation_per_seed.csv", "n,trained,log10_beta,seed,nmse"),
        ("training.csv", "seed,step,loss,nmse,bits"),
        ("drawings.csv", "id,source,label,nmse,bits,formula"),
    ];
    for (file, header) in expected {
        let text = read(out.join("data").join(file));
        assert!(text.starts_with(header), "{file} starts with {:?}", text.lines().next());
        assert!(text.lines().count() >= 2, "{file} has rows");
    }
    // 2 seeds x 3 betas x 4 samples, and 3 betas x 4 samples from the baseline.
    assert_eq!(read(out.join("data/pareto.csv")).lines().count(), 1 + 24 + 12);
    for seed in [0, 1] {
        for step in [3, 6] {
            let path = out.join(format!("checkpoints/seed-{seed}/step-{step:07}.safetensors"));
            hypernet::checkpoint::load_checkpoint(&path).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    assert!(out.join("networks/adam.safetensors").exists() && out.join("config.toml").exists() && out.join("run.json").exists());
}

#[test]
fn a_tiny_run_writes_a_complete_report_and_reruns_identically() {
    let dir = scratch("report");
    let config = dir.join("tiny.toml");
    std::fs::write(&config, TINY).unwrap();
    let (first, second) = (dir.join("first"), dir.join("second"));
    succeeded(&reproduce(&config, &first, &[]));
    let drawings = read(first.join("data/drawings.csv")).lines().count() - 1;
    check_page(&first, drawings);
    assert!(!read(first.join("index.html")).contains("id=\"smoke-test\""), "a run from the default preset has no smoke-test banner");
    check_summary(&first);
    check_data(&first);

    let one_thread = Command::new(env!("CARGO_BIN_EXE_hnet"))
        .args(["reproduce", "--config", config.to_str().unwrap(), "--out", second.to_str().unwrap()])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .expect("hnet runs");
    succeeded(&one_thread);
    assert_eq!(read(first.join("summary.json")), read(second.join("summary.json")), "same config and seed, same summary, at 1 thread too");
    assert_eq!(read(first.join("data/pareto.csv")), read(second.join("data/pareto.csv")));

    // The same seeds trained as two separate jobs, then analysed together.
    let parts = [dir.join("seed-0"), dir.join("seed-1")];
    for (seed, part) in parts.iter().enumerate() {
        succeeded(&reproduce(&config, part, &["--seed", &seed.to_string(), "--seeds", "1", "--train-only"]));
        assert!(!part.join("index.html").exists(), "a training job writes no report");
    }
    let assembled = dir.join("assembled");
    succeeded(&hnet(&["reproduce", "--from", parts[1].to_str().unwrap(), parts[0].to_str().unwrap(), "--out", assembled.to_str().unwrap()]));
    for file in ["summary.json", "config.toml", "data/pareto.csv", "data/phase.csv", "data/training.csv", "data/generalisation.csv"] {
        assert_eq!(read(first.join(file)), read(assembled.join(file)), "{file}: split run differs from one run");
    }
    check_page(&assembled, drawings);

    succeeded(&reproduce(&config, &first, &[]));
    let refused = reproduce(&config, &first, &["--seed", "5"]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("another configuration") && message.contains("--force"), "{message}");
    succeeded(&reproduce(&config, &first, &["--seed", "5", "--force"]));
    assert_eq!(check_summary_seeds(&first), serde_json::json!([5, 6]));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A run from the quick preset (here made smaller still by a file) says on its page and
/// in summary.json that it is a smoke test, and names the commit hnet was built from
/// even when it runs outside the checkout.
#[test]
fn a_quick_run_is_marked_a_smoke_test_and_names_its_commit_outside_the_checkout() {
    let dir = scratch("quick-banner");
    let config = dir.join("tiny.toml");
    std::fs::write(&config, TINY).unwrap();
    let out = dir.join("report");
    let run = Command::new(env!("CARGO_BIN_EXE_hnet"))
        .args(["reproduce", "--quick", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .current_dir(&dir)
        .output()
        .expect("hnet runs");
    succeeded(&run);
    let page = read(out.join("index.html"));
    assert!(page.contains(interpret::report::html::SMOKE_TEST_BANNER), "the quick page opens with the smoke-test banner");
    let commit = page.split("<tr><th>commit</th><td><code>").nth(1).and_then(|rest| rest.split('<').next()).expect("the page has a commit row");
    assert_eq!(commit, interpret::report::run_info::BUILD_COMMIT);
    if Path::new(env!("CARGO_MANIFEST_DIR")).join("../.git").exists() {
        let hash = commit.strip_suffix("-modified").unwrap_or(commit);
        assert!(hash.len() == 40 && hash.chars().all(|c| c.is_ascii_hexdigit()), "built from a checkout, so the page names its commit, got {commit:?}");
    }
    let summary: serde_json::Value = serde_json::from_str(&read(out.join("summary.json"))).unwrap();
    assert_eq!(summary["preset"], "quick");
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("SMOKE TEST"), "the printed summary says so too");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn check_summary_seeds(out: &Path) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&read(out.join("summary.json"))).unwrap()["seeds"].clone()
}

#[test]
fn print_config_writes_every_setting_of_the_preset() {
    for (flag, preset) in [("--quick", Preset::Quick), ("--full", Preset::Full)] {
        let output = hnet(&["reproduce", flag, "--print-config"]);
        succeeded(&output);
        let printed: ReproduceConfig = toml::from_str(&String::from_utf8_lossy(&output.stdout)).expect("the printed config parses");
        assert_eq!(printed, ReproduceConfig::preset(preset), "{flag}");
    }
    let output = hnet(&["reproduce", "--print-config", "--seed", "7", "--seeds", "4"]);
    let printed: ReproduceConfig = toml::from_str(&String::from_utf8_lossy(&output.stdout)).unwrap();
    assert_eq!((printed.seed, printed.seeds, printed.sweep), (7, 4, ReproduceConfig::default().sweep));
}

#[test]
fn a_bad_config_file_is_refused_naming_the_key() {
    let dir = scratch("bad-config");
    let config = dir.join("typo.toml");
    std::fs::write(&config, "[sweep]\nbetaz = 3\n").unwrap();
    let output = reproduce(&config, &dir.join("out"), &[]);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("typo.toml") && message.contains("sweep.betaz"), "{message}");
    assert!(!dir.join("out").exists(), "nothing is written for a bad config");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn assembling_refuses_mismatched_or_missing_seeds() {
    let dir = scratch("assemble-guards");
    let config = dir.join("tiny.toml");
    std::fs::write(&config, TINY).unwrap();
    let other = dir.join("other.toml");
    std::fs::write(&other, format!("{TINY}\n[claims]\nappear_min_fraction = 0.5\n")).unwrap();
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    succeeded(&reproduce(&config, &a, &["--seed", "0", "--seeds", "1", "--train-only"]));
    succeeded(&reproduce(&config, &b, &["--seed", "2", "--seeds", "1", "--train-only"]));
    succeeded(&reproduce(&other, &c, &["--seed", "1", "--seeds", "1", "--train-only"]));
    let report = dir.join("report");
    let assemble = |parts: &[&Path]| {
        let mut args: Vec<&str> = vec!["reproduce", "--from"];
        args.extend(parts.iter().map(|p| p.to_str().unwrap()));
        args.extend(["--out", report.to_str().unwrap()]);
        hnet(&args)
    };
    let gap = assemble(&[&a, &b]);
    assert!(!gap.status.success() && String::from_utf8_lossy(&gap.stderr).contains("consecutive"), "{}", String::from_utf8_lossy(&gap.stderr));
    let mismatch = assemble(&[&a, &c]);
    assert!(!mismatch.status.success() && String::from_utf8_lossy(&mismatch.stderr).contains("another configuration"), "{}", String::from_utf8_lossy(&mismatch.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_reproduce_config_in_experiments_loads_and_validates() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments/reproduce");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).expect("experiments/reproduce/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = read(path.clone());
            let config = ReproduceConfig::preset(Preset::Default).with_toml(&text, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
            config.validate().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            checked += 1;
        }
    }
    assert!(checked >= 1, "no reproduce configuration in {}", folder.display());
}

/// A landscape at the sweep's size adds its section and figure beside the fractions;
/// one at another size is refused before any training.
#[test]
fn a_landscape_joins_the_report_and_one_of_another_size_is_refused() {
    let dir = scratch("landscape");
    let config = dir.join("tiny.toml");
    std::fs::write(&config, TINY).unwrap();
    let landscape = |name: &str, inputs: usize| {
        let cfg = dir.join(format!("{name}.toml"));
        let text = format!("log10_betas = [-3.0, 1.0]\nseeds = 1\nsteps = 5\noptimizer = {{ warmup_steps = 1 }}\nbatch_size = 16\neval_points = 64\neval_samples = 1\nlabel_samples = 1\nmeasures = [\"neuron-sigma\"]\nproblem = {{ inputs = {inputs}, hidden = {} }}\n", 3 * inputs);
        std::fs::write(&cfg, text).unwrap();
        succeeded(&hnet(&["landscape", "--config", cfg.to_str().unwrap(), "--out", dir.join(name).to_str().unwrap()]));
        dir.join(name)
    };
    let (fits, other_size) = (landscape("fits", 4), landscape("n5", 5));
    let out = dir.join("report");
    succeeded(&reproduce(&config, &out, &["--landscape", fits.to_str().unwrap()]));
    let page = read(out.join("index.html"));
    assert!(page.contains("<section id=\"landscape\">") && page.contains("href=\"#landscape\""), "the landscape section and its link");
    assert!(out.join("figures/landscape.svg").exists() && out.join("data/landscape.csv").exists());

    let refused = reproduce(&config, &dir.join("refused"), &["--landscape", other_size.to_str().unwrap()]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("n = 5") && message.contains("--landscape"), "{message}");
    assert!(!dir.join("refused").exists(), "refused before any work");
    std::fs::remove_dir_all(&dir).unwrap();
}
