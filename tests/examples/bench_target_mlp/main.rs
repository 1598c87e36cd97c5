//! Benchmark of the workload at the heart of the hypernetwork (see `workload.rs`):
//! one training step of B = 16 target networks 16 -> 48 -> 1 with swish, each on its
//! own 1024 Gaussian inputs, MSE against the L1 norm, gradients for all weights, f32.
//!
//! Two implementations of the same step are timed: through autodiff `Tensor`s
//! (`with_autodiff.rs`) and by hand with GEMM calls and fused loops (`direct.rs`), so
//! that the autodiff overhead shows. Both are first checked to agree.
//!
//! ```text
//! cargo run --release -p tests --example bench_target_mlp -- [--threads 2] [--warmup 20] [--reps 200] [--only autodiff|direct] [--breakdown]
//!     [--networks B (16)] [--points N (1024)] [--inputs n (16)] [--hidden m (48)]
//! ```
//!
//! Besides the human-readable report, each implementation prints one line
//! `RESULT impl=<name> median_ms=<f> min_ms=<f> gflops=<f>` that `bench/run.sh` reads.
//! This is a benchmark, not a timed test: it asserts only that the two versions agree.

mod breakdown;
mod direct;
mod timing;
mod with_autodiff;
mod workload;

use autodiff::Key;
use std::process::ExitCode;
use timing::{measure, Timing};
use workload::{Sizes, Workload, SIZES};

/// Which implementations to time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Only {
    Both,
    Autodiff,
    Direct,
}

/// Command-line settings.
struct Options {
    threads: usize,
    warmup: usize,
    reps: usize,
    only: Only,
    breakdown: bool,
    /// The workload's sizes (`SIZES` unless asked otherwise: the scaling table).
    sizes: Sizes,
}

const USAGE: &str = "usage: bench_target_mlp [--threads T (default 2)] [--warmup W (default 20)] [--reps R (default 200)] \
                     [--only autodiff|direct (default both; for profiling one)] \
                     [--breakdown (time each primitive of the autodiff step alone)] \
                     [--networks B (16)] [--points N (1024)] [--inputs n (16)] [--hidden m (48)]";

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options { threads: 2, warmup: 20, reps: 200, only: Only::Both, breakdown: false, sizes: SIZES };
    while let Some(flag) = args.next() {
        if flag == "--breakdown" {
            o.breakdown = true;
            continue;
        }
        if flag == "--only" {
            o.only = match args.next().as_deref() {
                Some("autodiff") => Only::Autodiff,
                Some("direct") => Only::Direct,
                other => return Err(format!("--only needs autodiff or direct, got {:?}\n{USAGE}", other.unwrap_or(""))),
            };
            continue;
        }
        let slot = match flag.as_str() {
            "--threads" => &mut o.threads,
            "--warmup" => &mut o.warmup,
            "--reps" => &mut o.reps,
            "--networks" => &mut o.sizes.batch,
            "--points" => &mut o.sizes.points,
            "--inputs" => &mut o.sizes.inputs,
            "--hidden" => &mut o.sizes.hidden,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        };
        let value = args.next().ok_or_else(|| format!("{flag} needs a number\n{USAGE}"))?;
        *slot = value.parse().map_err(|_| format!("{flag} needs a whole number, got {value:?}\n{USAGE}"))?;
    }
    let Sizes { batch, points, inputs, hidden } = o.sizes;
    if [o.threads, o.reps, batch, points, inputs, hidden].contains(&0) {
        return Err(format!("--threads, --reps, --networks, --points, --inputs and --hidden must be at least 1\n{USAGE}"));
    }
    Ok(o)
}

/// The CPU's model name from /proc/cpuinfo, or "unknown" where there is none.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|m| m.trim().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

fn report(name: &str, t: Timing, flops: u64) {
    let gflops = flops as f64 / (t.median_ms * 1e-3) / 1e9;
    println!("{name:<16} median {:8.3} ms   min {:8.3} ms   {gflops:6.2} GFLOP/s (at the median)", t.median_ms, t.min_ms);
    println!("RESULT impl={name} median_ms={:.4} min_ms={:.4} gflops={gflops:.3}", t.median_ms, t.min_ms);
}

fn main() -> ExitCode {
    let o = match parse_options(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // Everything runs inside the pool (`install`), so that the calling thread is one of
    // its workers rather than a third thread sleeping and waking at every parallel kernel.
    match rayon::ThreadPoolBuilder::new().num_threads(o.threads).build() {
        Ok(pool) => pool.install(|| run(&o)),
        Err(e) => {
            eprintln!("could not start {} rayon threads: {e}", o.threads);
            ExitCode::FAILURE
        }
    }
}

/// Checks that the two versions agree, then times them.
fn run(o: &Options) -> ExitCode {
    let s = o.sizes;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {} ({cores} cores available), rayon threads: {}", cpu_model(), rayon::current_num_threads());
    println!(
        "workload: B={} networks, N={} points, n={} -> m={} -> 1, swish, MSE vs L1 norm, f32",
        s.batch, s.points, s.inputs, s.hidden
    );
    println!(
        "FLOPs per step: {} in GEMMs (4BNnm + 6BNm) + {} elementwise (11BNm + 7BN) = {}",
        s.gemm_flops(), s.elementwise_flops(), s.flops()
    );
    println!("warmup {} steps, then {} timed steps", o.warmup, o.reps);

    let work = Workload::new(s, Key::new(0));
    let autodiff_step = with_autodiff::AutodiffStep::new(&work);
    let reference = direct::step(&work);
    let diff = autodiff_step.gradients().max_relative_difference(&reference);
    println!("loss {:.5}; autodiff and direct gradients agree to {diff:.2e} (relative)", reference.loss);
    assert!(diff < 1e-4, "autodiff and direct steps disagree: largest relative difference {diff:e}");

    if o.only != Only::Direct {
        let whole = measure(o.warmup, o.reps, || autodiff_step.run());
        report("ours-autodiff", whole, s.flops());
        if o.breakdown {
            breakdown::print(&work, o.warmup, o.reps, whole);
        }
    }
    if o.only != Only::Autodiff {
        report("ours-direct", measure(o.warmup, o.reps, || direct::step(&work)), s.flops());
    }
    ExitCode::SUCCESS
}
