//! Benchmark of one full hypernetwork training step at the default configuration
//! (`GeneratorTrainConfig::default()`: B = 16 networks 16 -> 48 -> 1, N = 256 points,
//! a 3-block graph transformer of width 32 over the 65 nodes, per-tensor sigma) with the
//! balanced-pointer W1 readout (gain 3, 5 Sinkhorn rounds) that the PyTorch and JAX ports
//! implement (the default readout is now the signed slots): generate, evaluate, loss,
//! backward, clip, Adam.
//!
//! Both phases of training are timed: the complexity warm-up (mean weights, no KL)
//! and the priced phase (sampled weights and their KL).
//!
//! ```text
//! cargo run --release -p tests --example bench_generator_step -- [--threads 2] [--warmup 10] [--reps 100]
//!     [--networks B] [--points N] [--inputs n] [--hidden-per-input h (m = h n)]
//!     [--phase warmup|priced (default both; for profiling one)] [--design pinned|default]
//! ```
//!
//! `--design default` times the generator's default design instead (signed slots with a
//! spare column, the hard balanced assignment, 20 Sinkhorn rounds at gain 10, neuron
//! sigma; no port implements it), to price those choices against the pinned one.
//!
//! Prints `RESULT impl=ours-<phase> median_ms=<f> min_ms=<f> gflops=<f>` lines for
//! `bench/run.sh`. A benchmark, not a timed test.

mod flops;
#[path = "../bench_target_mlp/timing.rs"]
mod timing;

use flops::{step_flops, StepShape};
use hypernet::generator::{ComplexityMeasure, GeneratorConfig, GeneratorTrainConfig, GeneratorTrainer, W1Readout};
use std::process::ExitCode;

const USAGE: &str = "usage: bench_generator_step [--threads T (2)] [--warmup W (10)] [--reps R (100)] \
                     [--networks B (16)] [--points N (256)] [--inputs n (16)] [--hidden-per-input h (3; m = h n)] \
                     [--phase warmup|priced (both)] [--design pinned|default (pinned)]";

struct Options {
    threads: usize,
    warmup: usize,
    reps: usize,
    networks: usize,
    points: usize,
    inputs: usize,
    hidden_per_input: usize,
    /// `None`: both phases; `Some(priced)`: only that one.
    phase: Option<bool>,
    /// The generator's default design rather than the pinned balanced pointer.
    default_design: bool,
}

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let d = GeneratorTrainConfig::default();
    let mut o = Options { threads: 2, warmup: 10, reps: 100, networks: d.networks, points: d.points, inputs: d.train_inputs[0], hidden_per_input: d.hidden_per_input, phase: None, default_design: false };
    while let Some(flag) = args.next() {
        if flag == "--phase" {
            o.phase = match args.next().as_deref() {
                Some("warmup") => Some(false),
                Some("priced") => Some(true),
                other => return Err(format!("--phase needs warmup or priced, got {:?}\n{USAGE}", other.unwrap_or(""))),
            };
            continue;
        }
        if flag == "--design" {
            o.default_design = match args.next().as_deref() {
                Some("pinned") => false,
                Some("default") => true,
                other => return Err(format!("--design needs pinned or default, got {:?}\n{USAGE}", other.unwrap_or(""))),
            };
            continue;
        }
        let slot = match flag.as_str() {
            "--threads" => &mut o.threads,
            "--warmup" => &mut o.warmup,
            "--reps" => &mut o.reps,
            "--networks" => &mut o.networks,
            "--points" => &mut o.points,
            "--inputs" => &mut o.inputs,
            "--hidden-per-input" => &mut o.hidden_per_input,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        };
        let value = args.next().ok_or_else(|| format!("{flag} needs a number\n{USAGE}"))?;
        *slot = value.parse().map_err(|_| format!("{flag} needs a whole number, got {value:?}\n{USAGE}"))?;
    }
    if [o.threads, o.reps, o.networks, o.points, o.inputs, o.hidden_per_input].contains(&0) {
        return Err(format!("--threads, --reps, --networks, --points, --inputs and --hidden-per-input must be at least 1\n{USAGE}"));
    }
    Ok(o)
}

/// A trainer at the default configuration (with the chosen sizes), positioned at
/// `step` (0: complexity warm-up; `complexity_warmup_steps()`: priced phase).
fn trainer(o: &Options, priced: bool) -> Result<GeneratorTrainer, String> {
    let config = GeneratorTrainConfig {
        networks: o.networks,
        points: o.points,
        train_inputs: vec![o.inputs],
        hidden_per_input: o.hidden_per_input,
        generator: if o.default_design {
            GeneratorConfig::default()
        } else {
            GeneratorConfig { w1_readout: W1Readout::BalancedPointer, pointer_gain: 3.0, sinkhorn_iterations: 5, complexity: ComplexityMeasure::TensorSigma, ..Default::default() }
        },
        ..Default::default()
    };
    let mut t = GeneratorTrainer::new(config).map_err(|e| format!("default generator config: {e}"))?;
    if priced {
        t.step = t.config.complexity_warmup_steps();
    }
    Ok(t)
}

fn main() -> ExitCode {
    let o = match parse_options(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // The steps run inside the pool (`install`): the calling thread is then one of the
    // pool's workers, rather than a third thread that sleeps and wakes at every
    // parallel kernel while two workers spin on two cores.
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(o.threads).build() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("could not start {} rayon threads: {e}", o.threads);
            return ExitCode::FAILURE;
        }
    };
    match pool.install(|| run(&o)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Times both phases (or the one asked for).
fn run(o: &Options) -> Result<(), String> {
    for (phase, priced) in [("warmup-phase", false), ("priced-phase", true)] {
        if o.phase.is_some_and(|p| p != priced) {
            continue;
        }
        let mut t = trainer(o, priced)?;
        let shape = StepShape::of(&t.config);
        let flops = step_flops(&t.config, &shape);
        if !priced || o.phase.is_some() {
            println!(
                "generator step ({} design): B={} N={} n={} m={}, {} parameters, {} rayon threads; {:.1} MFLOP in matrix products (forward + backward)",
                if o.default_design { "default" } else { "pinned" },
                shape.networks,
                shape.points,
                shape.inputs,
                shape.hidden,
                t.generator.params.count(),
                rayon::current_num_threads(),
                flops as f64 / 1e6
            );
        }
        let start = t.step;
        let timing = timing::measure(o.warmup, o.reps, || {
            let r = t.train_step().expect("benchmark step is finite");
            r.loss
        });
        let gflops = flops as f64 / (timing.median_ms * 1e-3) / 1e9;
        println!(
            "ours {phase:<13} median {:8.3} ms   min {:8.3} ms   {gflops:6.2} GFLOP/s (steps {start}..{})",
            timing.median_ms, timing.min_ms, t.step
        );
        let phase = if o.default_design { format!("default-{phase}") } else { phase.to_string() };
        println!("RESULT impl=ours-{phase} median_ms={:.4} min_ms={:.4} gflops={gflops:.3}", timing.median_ms, timing.min_ms);
    }
    Ok(())
}
