//! Every parallel kernel gives the same bits on 1 thread as on 2.
//!
//! Sizes are chosen above the parallel thresholds (at least `2 * CHUNK` items of
//! parallel work, and `>= 2^16` flops over a batch > 1 for `batched_gemm`), with odd
//! lengths so that the last chunk is partial.

use kernels::parallel::CHUNK;
use kernels::{batched_gemm, map, reduce, softmax, MatLayout};

/// Runs `f` inside a rayon pool of `threads` threads.
fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool").install(f)
}

/// `f` at 1 and at 2 threads, as bit patterns; asserts the 2-thread run was parallel.
fn same_bits_at_1_and_2_threads(what: &str, f: impl Fn() -> Vec<f32> + Sync) {
    let one = on_threads(1, &f);
    let two = on_threads(2, || {
        assert_eq!(rayon::current_num_threads(), 2);
        f()
    });
    assert_eq!(one.len(), two.len(), "{what}: lengths differ");
    let differing = one.iter().zip(&two).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
    assert_eq!(differing, 0, "{what}: {differing} of {} elements differ between 1 and 2 threads", one.len());
}

/// Deterministic values spread over about [-3, 3], no two neighbours alike.
fn values(n: usize, salt: u32) -> Vec<f32> {
    (0..n as u32).map(|i| ((i.wrapping_mul(2_654_435_761) ^ salt) % 6001) as f32 / 1000.0 - 3.0).collect()
}

#[test]
fn map_unary_and_zip() {
    let n = 3 * CHUNK + 17;
    let (x, y) = (values(n, 1), values(n, 2));
    same_bits_at_1_and_2_threads("map::unary", || {
        let mut out = vec![0.0; n];
        map::unary(&x, &mut out, |v| v.tanh() * v.exp());
        out
    });
    same_bits_at_1_and_2_threads("map::zip", || {
        let mut out = vec![0.0; n];
        map::zip(&x, &y, &mut out, |a, b| a.sin() * b + a / (1.0 + b * b));
        out
    });
}

#[test]
fn binary_broadcast() {
    let (a_shape, b_shape) = ([37, 1, 53], [29, 1]);
    let (a, b) = (values(37 * 53, 3), values(29, 4));
    same_bits_at_1_and_2_threads("map::binary_broadcast", || {
        let mut out = vec![0.0; 37 * 29 * 53];
        map::binary_broadcast(&a, &a_shape, &b, &b_shape, &mut out, |x, y| x.atan2(y) + x * y);
        out
    });
}

#[test]
fn reductions() {
    let shape = [5, 7, 9001];
    let x = values(shape.iter().product(), 5);
    for axis in 0..3 {
        let out_len = x.len() / shape[axis];
        same_bits_at_1_and_2_threads(&format!("reduce::sum_axis({axis})"), || {
            let mut out = vec![0.0; out_len];
            reduce::sum_axis(&x, &shape, axis, &mut out);
            out
        });
        same_bits_at_1_and_2_threads(&format!("reduce::max_axis({axis})"), || {
            let mut out = vec![0.0; out_len];
            reduce::max_axis(&x, &shape, axis, &mut out);
            out
        });
    }
    same_bits_at_1_and_2_threads("reduce::sum_all", || vec![reduce::sum_all(&x)]);
}

#[test]
fn softmax_family() {
    for (rows, cols) in [(40_001, 3), (1_001, 77)] {
        let x = values(rows * cols, 6);
        same_bits_at_1_and_2_threads(&format!("softmax_rows {rows}x{cols}"), || {
            let mut out = vec![0.0; x.len()];
            softmax::softmax_rows(&x, cols, &mut out);
            out
        });
        same_bits_at_1_and_2_threads(&format!("log_softmax_rows {rows}x{cols}"), || {
            let mut out = vec![0.0; x.len()];
            softmax::log_softmax_rows(&x, cols, &mut out);
            out
        });
        same_bits_at_1_and_2_threads(&format!("logsumexp_rows {rows}x{cols}"), || {
            let mut out = vec![0.0; rows];
            softmax::logsumexp_rows(&x, cols, &mut out);
            out
        });
    }
}

#[test]
fn batched_gemm_plain_transposed_and_broadcast() {
    let (batch, m, k, n) = (9, 61, 33, 47);
    let a = values(batch * m * k, 7);
    let b = values(batch * k * n, 8);
    let out = MatLayout::row_major(m, n);
    // a as stored, b read as the transpose of an n x k buffer, and one b for all.
    let cases = [
        ("batched_gemm", MatLayout::row_major(k, n), k * n),
        ("batched_gemm b^T", MatLayout::row_major(n, k).t(), k * n),
        ("batched_gemm broadcast b", MatLayout::row_major(k, n), 0),
    ];
    for (what, lb, b_stride) in cases {
        same_bits_at_1_and_2_threads(what, || {
            let mut c = values(batch * m * n, 9);
            batched_gemm(batch, 0.5, &a, MatLayout::row_major(m, k), m * k, &b, lb, b_stride, 2.0, &mut c, out);
            c
        });
    }
}
