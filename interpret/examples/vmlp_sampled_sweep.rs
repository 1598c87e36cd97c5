//! R1: the variational-MLP beta sweep, judged on sampled networks.
//!
//! Trains one variational MLP per (beta, seed) with [`train_vmlp`], then draws
//! `--samples` whole-network samples `mu + sigma * eps` of each and measures every
//! sample as the generator's are measured ([`measure_networks`]: normalised MSE on
//! fresh inputs, and the classifier's label). Samples, not means, because at high
//! beta W1 stays at the prior: the means of a convexity network are near zero and
//! its random directions exist only in the samples. The means' labels are reported
//! beside, for comparison.
//!
//! `cargo run --release -p interpret --example vmlp_sampled_sweep -- --out DIR
//! [--config FILE] [--steps N] [--seeds S] [--seed S] [--betas LIST] [--samples K]`
//!
//! Writes DIR/config.toml, DIR/metrics.jsonl, DIR/networks/ (each network's weight
//! means and standard deviations) and DIR/sampled.json (per beta: bits, sampled nMSE,
//! label counts of the samples and of the means, the samples' mean input roles and
//! neuron counts, and why samples were labelled `other`), and prints two tables.

use autodiff::Key;
use clap::Parser;
use hypernet::config_file::{load_toml, save_toml};
use hypernet::log::MetricsLog;
use hypernet::target_batch::BatchedWeights;
use hypernet::vmlp::{train_vmlp, VmlpConfig, VmlpNetwork};
use hypernet::weights_io::save_target_weights;
use interpret::classify::{classify, Classification, InputRole, Label};
use interpret::studies::beta_sweep::{measure_networks, SweepPoint};
use interpret::studies::label_counts::LabelCounts;
use interpret::studies::vmlp_sweep::sample_posterior;
use std::path::PathBuf;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    out: PathBuf,
    /// VmlpConfig TOML; fields left out take their defaults.
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long)]
    steps: Option<usize>,
    #[arg(long)]
    seeds: Option<usize>,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    betas: Option<Vec<f64>>,
    /// Whole-network samples per trained network.
    #[arg(long, default_value_t = 8)]
    samples: usize,
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let mut cfg: VmlpConfig = args.config.as_deref().map(load_toml).transpose()?.unwrap_or_default();
    cfg.steps = args.steps.unwrap_or(cfg.steps);
    cfg.seeds = args.seeds.unwrap_or(cfg.seeds);
    cfg.seed = args.seed.unwrap_or(cfg.seed);
    cfg.log10_betas = args.betas.unwrap_or(cfg.log10_betas);
    cfg.log_every = (cfg.steps / 20).max(1);
    std::fs::create_dir_all(&args.out).map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    save_toml(&args.out.join("config.toml"), &cfg)?;
    let mut log = MetricsLog::create(&args.out.join("metrics.jsonl")).map_err(|e| e.to_string())?.echo(true);
    let started = std::time::Instant::now();
    let outcome = train_vmlp(&cfg, Some(&mut log)).map_err(|e| e.to_string())?;
    let train_seconds = started.elapsed().as_secs_f64();
    let networks_dir = args.out.join("networks");
    std::fs::create_dir_all(&networks_dir).map_err(|e| format!("cannot create {}: {e}", networks_dir.display()))?;
    for net in &outcome.networks {
        let stem = format!("beta{:+.2}_seed{}", net.log10_beta, net.seed_index);
        for (kind, weights) in [("mean", &net.mean), ("sigma", &net.sigma)] {
            save_target_weights(&networks_dir.join(format!("{stem}_{kind}.safetensors")), weights).map_err(|e| e.to_string())?;
        }
    }

    let key = Key::new(cfg.seed).fold_in(u64::from_le_bytes(*b"R1sample"));
    let rows: Vec<serde_json::Value> = outcome
        .networks
        .chunks(cfg.seeds)
        .enumerate()
        .map(|(k, group)| measure_beta(&cfg, group, args.samples, key.fold_in(k as u64)))
        .collect();
    let report = serde_json::json!({ "steps": cfg.steps, "seeds": cfg.seeds, "samples_per_network": args.samples, "train_seconds": train_seconds, "per_beta": rows });
    std::fs::write(args.out.join("sampled.json"), serde_json::to_string_pretty(&report).expect("json")).map_err(|e| e.to_string())?;
    println!("trained {} networks x {} steps in {train_seconds:.0} s", cfg.networks(), cfg.steps);
    println!("| log10 beta | bits | nMSE sampled | nMSE mean | labels of samples | labels of means |");
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {:+.1} | {:.0} | {:.4} | {:.4} | {} | {} |",
            r["log10_beta"].as_f64().unwrap(),
            r["bits"].as_f64().unwrap(),
            r["nmse_sampled"].as_f64().unwrap(),
            r["nmse_mean"].as_f64().unwrap(),
            r["sample_labels_text"].as_str().unwrap(),
            r["mean_labels_text"].as_str().unwrap()
        );
    }
    println!("\nsamples, averaged: inputs by role, neurons");
    println!("| log10 beta | two-sided | one-sided + | one-sided - | uncovered | active neurons | linear neurons | aligned share |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in &rows {
        let e = &r["sample_evidence"];
        let v = |k: &str| e[k].as_f64().unwrap();
        println!(
            "| {:+.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
            r["log10_beta"].as_f64().unwrap(),
            v("two_sided"),
            v("positive"),
            v("negative"),
            v("uncovered"),
            v("active_neurons"),
            v("linear_neurons"),
            v("aligned_share")
        );
    }
    Ok(())
}

/// Samples and measures the networks of one beta (`group`: one per seed).
fn measure_beta(cfg: &VmlpConfig, group: &[VmlpNetwork], samples: usize, key: Key) -> serde_json::Value {
    let picks: Vec<&VmlpNetwork> = group.iter().flat_map(|net| std::iter::repeat_n(net, samples)).collect();
    let weights: Vec<_> = picks.iter().enumerate().map(|(s, net)| sample_posterior(net, key.fold_in(s as u64))).collect();
    let bits = picks.iter().map(|net| net.bits).collect();
    let measured = measure_networks(&BatchedWeights::from_targets(&weights), bits, &cfg.problem, cfg.eval_points, key.fold_in(u64::MAX));
    let classified: Vec<Classification> = measured.iter().map(|net| classify(&net.weights)).collect();
    let point = SweepPoint::of(group[0].log10_beta, measured);
    let means = LabelCounts::new(group.iter().map(|net| classify(&net.mean).label));
    let nmse_mean = group.iter().map(|net| net.nmse_mean).sum::<f64>() / group.len() as f64;
    serde_json::json!({
        "log10_beta": point.log10_beta,
        "bits": point.bits.mean,
        "nmse_sampled": point.nmse.mean,
        "nmse_sampled_std": point.nmse.std,
        "nmse_mean": nmse_mean,
        "sample_labels": point.labels,
        "mean_labels": means,
        "sample_labels_text": fractions(&point.labels),
        "mean_labels_text": fractions(&means),
        "sample_evidence": average_evidence(&classified),
        "other_reasons": classified.iter().filter(|c| c.label == Label::Other).map(|c| c.reason.clone()).collect::<Vec<_>>(),
    })
}

/// Input roles and neuron counts averaged over classified networks.
fn average_evidence(classified: &[Classification]) -> serde_json::Value {
    let mean = |f: &dyn Fn(&Classification) -> f64| classified.iter().map(f).sum::<f64>() / classified.len() as f64;
    let role = |r: InputRole| mean(&|c| c.evidence.inputs_with(r) as f64);
    serde_json::json!({
        "two_sided": role(InputRole::TwoSided),
        "positive": role(InputRole::Positive),
        "negative": role(InputRole::Negative),
        "uncovered": role(InputRole::Uncovered),
        "active_neurons": mean(&|c| c.evidence.active_neurons as f64),
        "linear_neurons": mean(&|c| c.evidence.linear_neurons as f64),
        "aligned_share": mean(&|c| c.evidence.aligned_share as f64),
    })
}

/// The labels present, as `name fraction`, most frequent first.
fn fractions(counts: &LabelCounts) -> String {
    let mut present: Vec<Label> = Label::ALL.iter().copied().filter(|l| counts.0[l.name()] > 0).collect();
    present.sort_by_key(|l| std::cmp::Reverse(counts.0[l.name()]));
    present.iter().map(|l| format!("{} {:.2}", l.name(), counts.fraction(*l))).collect::<Vec<_>>().join(", ")
}
