//! Our GEMM (`kernels::batched_gemm`, which takes `kernels::skinny`'s loops for
//! products with an axis of length 1 and stacks batches that share `B` into one tall
//! product) against calling `matrixmultiply` directly, one call per matrix of the
//! batch spread over the rayon pool, at the shapes of the project's two benchmark
//! workloads (f32, forward and backward products). The issue's target: ours within
//! 1.2x of the direct calls at every shape.
//!
//! ```text
//! cargo run --release -p tests --example bench_gemm -- [--threads 2] [--reps 200]
//! ```
//!
//! Prints one `RESULT impl=gemm-<shape> ours_ms=<f> direct_ms=<f> ratio=<f>` line per
//! shape (ratio = ours / direct: below 1, ours is faster); each time is the best of
//! three alternating rounds' medians. A benchmark, not a test: it
//! asserts only that both give the same product to within rounding.

// Shared with the step benchmarks; this one reads only the medians.
#[allow(dead_code)]
#[path = "../bench_target_mlp/timing.rs"]
mod timing;

use kernels::{batched_gemm, Element, MatLayout};
use rayon::prelude::*;
use std::process::ExitCode;

/// One batched product `C[i] = A[i] B[i]`: `batch` matrices `[m, k] x [k, n]`, with
/// `A` or `B` read transposed (a strided view, as the matmul VJPs read them) and `B`
/// shared by the batch (`shared_b`) as a layer's weight is.
struct Shape {
    name: &'static str,
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
    a_transposed: bool,
    b_transposed: bool,
    shared_b: bool,
}

/// `batch` products `[m, k] x [k, n]`, with `[m, k, n]` given as one array.
const fn shape(name: &'static str, batch: usize, [m, k, n]: [usize; 3], a_t: bool, b_t: bool, shared_b: bool) -> Shape {
    Shape { name, batch, m, k, n, a_transposed: a_t, b_transposed: b_t, shared_b }
}

/// The products of the target-MLP step (B = 16, N = 1024, n = 16, m = 48) and of the
/// generator step (B = 16, T = 65 nodes, width 32, 4 heads; targets N = 256).
const SHAPES: &[Shape] = &[
    shape("mlp-X.W1t", 16, [1024, 16, 48], false, true, false),
    shape("mlp-H.w2", 16, [1024, 48, 1], false, false, false),
    shape("mlp-g.w2t", 16, [1024, 1, 48], false, true, false),
    shape("mlp-Ht.g", 16, [48, 1024, 1], true, false, false),
    shape("mlp-Xt.dU", 16, [16, 1024, 48], true, false, false),
    shape("gen-qkv", 16, [65, 32, 96], false, false, true),
    shape("gen-qkv-dX", 16, [65, 96, 32], false, true, true),
    shape("gen-fc1", 16, [65, 32, 64], false, false, true),
    shape("gen-scores", 64, [65, 8, 65], false, true, false),
    shape("gen-mix", 64, [65, 65, 8], false, false, false),
    shape("gen-mix-dA", 64, [65, 8, 65], false, true, false),
    shape("gen-target", 16, [256, 16, 48], false, true, false),
];

impl Shape {
    fn layouts(&self) -> (MatLayout, MatLayout) {
        let (m, k, n) = (self.m, self.k, self.n);
        let a = if self.a_transposed { MatLayout::row_major(k, m).t() } else { MatLayout::row_major(m, k) };
        let b = if self.b_transposed { MatLayout::row_major(n, k).t() } else { MatLayout::row_major(k, n) };
        (a, b)
    }

    fn b_stride(&self) -> usize {
        if self.shared_b { 0 } else { self.k * self.n }
    }

    fn flops(&self) -> f64 {
        2.0 * (self.batch * self.m * self.k * self.n) as f64
    }
}

fn ours(s: &Shape, a: &[f32], b: &[f32], c: &mut [f32]) {
    let (la, lb) = s.layouts();
    batched_gemm(s.batch, 1.0, a, la, s.m * s.k, b, lb, s.b_stride(), 0.0, c, MatLayout::row_major(s.m, s.n));
}

/// One `matrixmultiply::sgemm` per matrix, in parallel over the batch.
fn direct(s: &Shape, a: &[f32], b: &[f32], c: &mut [f32]) {
    let (la, lb) = s.layouts();
    c.par_chunks_mut(s.m * s.n).enumerate().for_each(|(i, ci)| {
        let (ai, bi) = (&a[i * s.m * s.k..], &b[i * s.b_stride()..]);
        // SAFETY: each layout stays inside its slice: A and C hold `batch` whole
        // matrices and B one (shared) or `batch` of them.
        unsafe {
            f32::raw_gemm(
                s.m, s.k, s.n, 1.0,
                ai.as_ptr(), la.row_stride, la.col_stride,
                bi.as_ptr(), lb.row_stride, lb.col_stride,
                0.0, ci.as_mut_ptr(), s.n as isize, 1,
            )
        }
    });
}

/// Alternating timing rounds per side and shape.
const ROUNDS: usize = 3;

fn values(n: usize, salt: u32) -> Vec<f32> {
    (0..n as u32).map(|i| ((i.wrapping_mul(2_654_435_761) ^ salt) % 2001) as f32 / 1000.0 - 1.0).collect()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut threads, mut reps) = (2usize, 200usize);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--threads" => &mut threads,
            "--reps" => &mut reps,
            other => {
                eprintln!("unknown argument {other:?}\nusage: bench_gemm [--threads T (2)] [--reps R (200)]");
                return ExitCode::FAILURE;
            }
        };
        match args.next().and_then(|v| v.parse().ok()) {
            Some(v) if v > 0 => *slot = v,
            _ => {
                eprintln!("{flag} needs a whole number >= 1");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global() {
        eprintln!("could not start {threads} rayon threads: {e}");
        return ExitCode::FAILURE;
    }
    println!("{:<12} {:>5} {:>16} {:>10} {:>10} {:>8} {:>9}", "shape", "batch", "m x k x n", "ours ms", "direct ms", "ratio", "GFLOP/s");
    let mut worst = 0.0f64;
    for s in SHAPES {
        let a = values(s.batch * s.m * s.k, 1);
        let b = values(if s.shared_b { s.k * s.n } else { s.batch * s.k * s.n }, 2);
        let (mut c_ours, mut c_direct) = (vec![0.0f32; s.batch * s.m * s.n], vec![0.0f32; s.batch * s.m * s.n]);
        ours(s, &a, &b, &mut c_ours);
        direct(s, &a, &b, &mut c_direct);
        let err = c_ours.iter().zip(&c_direct).fold(0.0f32, |e, (x, y)| e.max((x - y).abs() / (1.0 + y.abs())));
        assert!(err < 1e-4, "{}: ours and matrixmultiply differ by {err}", s.name);
        // Three alternating rounds each; the best median of each side, so that a burst
        // of load from elsewhere on the machine does not decide the ratio.
        let (mut t_ours, mut t_direct) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..ROUNDS {
            t_ours = t_ours.min(timing::measure(reps / 10, reps, || ours(s, &a, &b, &mut c_ours)).median_ms);
            t_direct = t_direct.min(timing::measure(reps / 10, reps, || direct(s, &a, &b, &mut c_direct)).median_ms);
        }
        let ratio = t_ours / t_direct;
        worst = worst.max(ratio);
        let dims = format!("{}x{}x{}", s.m, s.k, s.n);
        println!("{:<12} {:>5} {:>16} {:>10.4} {:>10.4} {:>8.2} {:>9.1}", s.name, s.batch, dims, t_ours, t_direct, ratio, s.flops() / (t_ours * 1e-3) / 1e9);
        println!("RESULT impl=gemm-{} ours_ms={t_ours:.5} direct_ms={t_direct:.5} ratio={ratio:.3}", s.name);
    }
    println!("worst ratio ours / direct: {worst:.2} (target: at most 1.2)");
    ExitCode::SUCCESS
}
