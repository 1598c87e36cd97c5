//! A research run: train a generator from a TOML config, then sweep beta.
//!
//! `cargo run --release -p interpret --example generator_experiment -- CONFIG.toml OUT_DIR`
//! (or `-- RUN/checkpoint.safetensors` to sweep a trained generator again)
//! (CONFIG may be `-` for the defaults). Writes OUT_DIR/metrics.jsonl,
//! OUT_DIR/checkpoint.safetensors and prints the sweep table. `SWEEP_N=8,16,32` sweeps those
//! input sizes (default: the trained ones), `SWEEP_BETAS=-6,-2,0` those log10 betas (default:
//! 8 evenly over the trained range).

use autodiff::Key;
use hypernet::checkpoint::{load_checkpoint, save_checkpoint};
use hypernet::generator::{GeneratorTrainConfig, GeneratorTrainer};
use hypernet::log::MetricsLog;
use interpret::classify::Label;
use interpret::studies::beta_sweep::{linspace, sweep_generator_emitting, Emitted};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|p| p.ends_with(".safetensors")) {
        let checkpoint = load_checkpoint(PathBuf::from(&args[1]).as_path()).expect("checkpoint loads");
        let trainer = GeneratorTrainer::from_checkpoint(&checkpoint).expect("checkpoint restores");
        return print_sweep(&trainer, &trainer.config, &sweep_sizes(&trainer.config), Emitted::Sampled);
    }
    let config: GeneratorTrainConfig = match args.get(1).map(String::as_str) {
        None | Some("-") => GeneratorTrainConfig::default(),
        Some(p) => toml::from_str(&std::fs::read_to_string(p).expect("config file readable")).expect("config parses"),
    };
    let out = PathBuf::from(args.get(2).cloned().unwrap_or_else(|| "runs/experiment".into()));
    std::fs::create_dir_all(&out).expect("output folder");
    std::fs::write(out.join("config.toml"), toml::to_string(&config).unwrap()).unwrap();
    let mut log = MetricsLog::create(&out.join("metrics.jsonl")).expect("metrics log");
    let mut trainer = GeneratorTrainer::new(config.clone()).expect("valid config");
    let every = (config.steps / 40).max(1);
    while !trainer.finished() {
        if trainer.step > 0 && trainer.step == config.complexity_warmup_steps() {
            eprintln!("-- end of the complexity warmup:");
            print_sweep(&trainer, &config, &config.train_inputs, Emitted::Mean);
        }
        let r = trainer.train_step().expect("finite loss");
        log.write(&r).unwrap();
        if r.step.is_multiple_of(every) {
            eprintln!("step {:6} loss {:.4} nmse {:.4} bits {:8.1} lb {:+.2}", r.step, r.loss, r.nmse, r.bits, r.mean_log10_beta);
        }
    }
    save_checkpoint(&out.join("checkpoint.safetensors"), &trainer.checkpoint()).unwrap();
    print_sweep(&trainer, &config, &sweep_sizes(&config), Emitted::Sampled);
}

fn sweep_sizes(config: &GeneratorTrainConfig) -> Vec<usize> {
    let parse = |s: String| s.split(',').map(|v| v.parse().expect("SWEEP_N: comma-separated sizes")).collect();
    std::env::var("SWEEP_N").ok().map(parse).unwrap_or(config.train_inputs.clone())
}

fn print_sweep(trainer: &GeneratorTrainer, config: &GeneratorTrainConfig, sizes: &[usize], emitted: Emitted) {
    for &n in sizes {
        let problem = config.problem_at(n);
        let betas: Vec<f64> = match std::env::var("SWEEP_BETAS") {
            Ok(list) => list.split(',').map(|v| v.parse().expect("SWEEP_BETAS: comma-separated log10 betas")).collect(),
            Err(_) => linspace(config.log10_beta_min, config.log10_beta_max, 8),
        };
        let points = sweep_generator_emitting((&trainer.generator, &trainer.schedule()), &problem, &betas, (32, 1024), Key::new(99), emitted);
        println!("n = {n}\nlog10_beta   nmse(mean±sd)     bits(mean)   |cos| across/within   labels");
        let cos = |c: Option<f64>| c.map_or("-".to_string(), |v| format!("{v:.3}"));
        for p in &points {
            let labels: Vec<String> = Label::ALL.iter().filter(|l| p.labels.0[l.name()] > 0).map(|l| format!("{}:{}", l.name(), p.labels.0[l.name()])).collect();
            let (across, within) = (cos(p.cosines.between_networks), cos(p.cosines.within_network));
            println!("{:+6.2}   {:.4}±{:.4}   {:10.1}   {across:>6} / {within:<6}        {}", p.log10_beta, p.nmse.mean, p.nmse.std, p.bits.mean, labels.join(" "));
            for net in p.networks.iter().take(3) {
                println!("          {}: {}", net.label, interpret::classify::classify(&net.weights).reason);
            }
        }
    }
}
