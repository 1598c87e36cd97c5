//! Primitives at 32,768 elements or more, where the kernels take their parallel and
//! blocked paths (`kernels::parallel::CHUNK` is 16,384 items and work is split from
//! 2 CHUNK on; `sum_to_shape` sums a broadcast leading axis in separate blocks from
//! 8 CHUNK = 131,072 elements on). The property tests stop at 96 elements, so a bug
//! in those paths (a dropped block, a wrong chunk offset) escapes them.
//!
//! Each case in [`LARGE`] is a fixed shape chosen to reach one path (the comment on its
//! line says which), and is checked three ways:
//!
//! 1. for EVERY non-empty subset of its inputs as parameters (the rest constants), the
//!    random-direction gradient check in f64 (`v . J u` by a central difference against
//!    `(v^T J) . u` by the VJP, backward run twice with identical bits);
//! 2. where the case names a reference, every gradient elementwise against one
//!    computed another way, with plain ndarray loops and sums (no `kernels` code):
//!    `|a - r| <= 1e-10 (|r| + max|r|)`;
//! 3. in f32 against f64 from the same f32-exact inputs (`common::precision`).


use autodiff::{Key, Tensor};
use crate::common::cases::{Ctx, Op};
use crate::common::precision::{run, runs_agree, to_f32_grid, Tol32};
use crate::common::{check_masked_fast, values, Domain, Domain::*};
use ndarray::{ArrayD, Axis, Ix2, IxDyn};

/// A gradient reference: the gradient of `sum(seed * f(inputs))` for every input.
type Reference = fn(&[ArrayD<f64>], &ArrayD<f64>) -> Vec<ArrayD<f64>>;

/// One large case.
struct Large {
    name: &'static str,
    shapes: &'static [&'static [usize]],
    domain: Domain,
    reference: Option<Reference>,
    op: Op<f64>,
    op32: Op<f32>,
}

/// `large!(name, shapes, domain, reference, |x| body)`: the body compiled for f64 and f32.
macro_rules! large {
    ($name:expr, $shapes:expr, $domain:expr, $reference:expr, |$x:pat_param| $body:expr) => {
        Large {
            name: $name,
            shapes: $shapes,
            domain: $domain,
            reference: $reference,
            op: |$x: &[Tensor<f64>], _: &Ctx| $body,
            op32: |$x: &[Tensor<f32>], _: &Ctx| $body,
        }
    };
}

#[rustfmt::skip]
const LARGE: &[Large] = &[
    // sum_to_shape, leading axis summed: 262,144 elements in 4 blocks of 16 rows.
    large!("add [64, 4096] + [4096]", &[&[64, 4096], &[4096]], Any, Some(ref_add), |x| x[0].add(&x[1])),
    large!("broadcast_to [4096] -> [64, 4096]", &[&[4096]], Any, Some(ref_broadcast_to), |x| x[0].broadcast_to(&[64, 4096])),
    // leading axis summed with size-1 axes inside: 131,072 elements in 2 blocks.
    large!("broadcast_to [1, 2048, 1] -> [32, 2048, 2]", &[&[1, 2048, 1]], Any, Some(ref_broadcast_to), |x| x[0].broadcast_to(&[32, 2048, 2])),
    // sum_to_shape by slabs of kept leading axes, in parallel.
    large!("sub [8, 1, 8192] - [8, 4, 1]", &[&[8, 1, 8192], &[8, 4, 1]], Any, Some(ref_sub), |x| &x[0] - &x[1]),
    large!("mul [16, 1024, 16] * [16, 1, 16]", &[&[16, 1024, 16], &[16, 1, 16]], Any, Some(ref_mul), |x| x[0].mul(&x[1])),
    large!("div [2048, 64] / [2048, 1]", &[&[2048, 64], &[2048, 1]], AwayFromZero, Some(ref_div), |x| &x[0] / &x[1]),
    // Reductions whose output (>= 32,768 elements) is split across threads.
    large!("sum(0) [3, 40000]", &[&[3, 40000]], Any, Some(ref_sum::<0, false>), |x| x[0].sum(0, false)),
    large!("sum(-1, keepdim) [40000, 3]", &[&[40000, 3]], Any, Some(ref_sum::<1, true>), |x| x[0].sum(-1, true)),
    large!("sum_all [100000]", &[&[100000]], Any, None, |x| x[0].sum_all()),
    large!("mean(0) [2, 50000]", &[&[2, 50000]], Any, None, |x| x[0].mean(0, false)),
    large!("mean_all [300, 300]", &[&[300, 300]], Any, None, |x| x[0].mean_all()),
    large!("max(1) [20000, 3, 2]", &[&[20000, 3, 2]], Distinct, None, |x| x[0].max(1, false)),
    large!("logsumexp(0) [3, 40000]", &[&[3, 40000]], Any, None, |x| x[0].logsumexp(0, false)),
    large!("mse [300, 300]", &[&[300, 300], &[300, 300]], Any, None, |x| x[0].mse(&x[1])),
    // softmax family: contiguous rows, and strided lanes gathered in 4 parallel chunks.
    large!("softmax(-1) [1024, 64]", &[&[1024, 64]], Any, None, |x| x[0].softmax(-1)),
    large!("softmax(1) [16, 64, 64]", &[&[16, 64, 64]], Any, None, |x| x[0].softmax(1)),
    large!("log_softmax(1) [4, 128, 128]", &[&[4, 128, 128]], Any, None, |x| x[0].log_softmax(1)),
    large!("layer_norm [1024, 64]", &[&[1024, 64]], Any, None, |x| x[0].layer_norm(1e-3)),
    // concat: every mask of three inputs, along an inner and the outer axis.
    large!("concat(1) [256, 64|100|2]", &[&[256, 64], &[256, 100], &[256, 2]], Any, Some(ref_concat::<1>), |x| Tensor::concat(&[&x[0], &x[1], &x[2]], 1)),
    large!("concat(0) [100|20|1, 300]", &[&[100, 300], &[20, 300], &[1, 300]], Any, Some(ref_concat::<0>), |x| Tensor::concat(&[&x[0], &x[1], &x[2]], 0)),
    // matmul: row blocks in parallel, a weight shared by the batch (stacked product),
    // batches broadcast against each other, matrix-vector and outer products.
    large!("matmul [256, 128] x [128, 256]", &[&[256, 128], &[128, 256]], Any, Some(ref_matmul), |x| x[0].matmul(&x[1])),
    large!("matmul [8, 64, 64] x [64, 64]", &[&[8, 64, 64], &[64, 64]], Any, Some(ref_matmul), |x| x[0].matmul(&x[1])),
    large!("matmul [4, 1, 64, 32] x [1, 4, 32, 64]", &[&[4, 1, 64, 32], &[1, 4, 32, 64]], Any, Some(ref_matmul), |x| x[0].matmul(&x[1])),
    large!("matmul [32768, 2] x [2, 1]", &[&[32768, 2], &[2, 1]], Any, Some(ref_matmul), |x| x[0].matmul(&x[1])),
    large!("matmul [256, 1] x [1, 256]", &[&[256, 1], &[1, 256]], Any, Some(ref_matmul), |x| x[0].matmul(&x[1])),
    // Elementwise maps and copies in parallel chunks.
    large!("softplus [65536]", &[&[65536]], Any, None, |x| x[0].softplus()),
    large!("silu [256, 256]", &[&[256, 256]], Any, None, |x| x[0].silu()),
    large!("permute [64, 32, 32] -> (2, 0, 1)", &[&[64, 32, 32]], Any, None, |x| x[0].permute(&[2, 0, 1])),
];

/// `g` summed down to `shape` (the adjoint of broadcasting `shape` to `g`'s shape).
fn sum_to(g: &ArrayD<f64>, shape: &[usize]) -> ArrayD<f64> {
    let mut s = g.clone();
    while s.ndim() > shape.len() {
        s = s.sum_axis(Axis(0));
    }
    for (ax, &d) in shape.iter().enumerate() {
        if d == 1 && s.shape()[ax] != 1 {
            s = s.sum_axis(Axis(ax)).insert_axis(Axis(ax));
        }
    }
    s
}

fn ref_add(x: &[ArrayD<f64>], g: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    vec![sum_to(g, x[0].shape()), sum_to(g, x[1].shape())]
}

fn ref_sub(x: &[ArrayD<f64>], g: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    vec![sum_to(g, x[0].shape()), -sum_to(g, x[1].shape())]
}

fn ref_mul(x: &[ArrayD<f64>], g: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    vec![sum_to(&(g * &x[1]), x[0].shape()), sum_to(&(g * &x[0]), x[1].shape())]
}

fn ref_div(x: &[ArrayD<f64>], g: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    let db = -(g * &x[0]) / &(&x[1] * &x[1]);
    vec![sum_to(&(g / &x[1]), x[0].shape()), sum_to(&db, x[1].shape())]
}

fn ref_broadcast_to(x: &[ArrayD<f64>], g: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    vec![sum_to(g, x[0].shape())]
}

/// `sum(AXIS, KEEP)`: `dx` is `g` repeated along the summed axis.
fn ref_sum<const AXIS: usize, const KEEP: bool>(x: &[ArrayD<f64>], g: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    let g = if KEEP { g.clone() } else { g.clone().insert_axis(Axis(AXIS)) };
    vec![g.broadcast(x[0].raw_dim()).expect("g broadcasts along the summed axis").to_owned()]
}

/// `concat(AXIS)`: `dx_j` is `g`'s window of input `j` along the axis.
fn ref_concat<const AXIS: usize>(x: &[ArrayD<f64>], g: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    let mut at = 0;
    x.iter()
        .map(|xi| {
            let n = xi.shape()[AXIS];
            at += n;
            g.slice_axis(Axis(AXIS), ndarray::Slice::from(at - n..at)).to_owned()
        })
        .collect()
}

/// `matmul` with broadcast batch axes: per batch `dA = G B^T`, `dB = A^T G` by
/// ndarray's own `dot`, then summed over the batch axes each operand was broadcast on.
fn ref_matmul(x: &[ArrayD<f64>], g: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    let (m, n) = (g.shape()[g.ndim() - 2], g.shape()[g.ndim() - 1]);
    let k = x[0].shape()[x[0].ndim() - 1];
    let batch = &g.shape()[..g.ndim() - 2];
    let full = |s: &[usize], r, c| -> ArrayD<f64> {
        let shape: Vec<usize> = batch.iter().copied().chain([r, c]).collect();
        x.iter().find(|a| a.shape() == s).expect("operand").broadcast(IxDyn(&shape)).expect("batch broadcast").to_owned()
    };
    let (a, b) = (full(x[0].shape(), m, k), full(x[1].shape(), k, n));
    let count: usize = batch.iter().product();
    let flat = |t: &ArrayD<f64>, r, c| t.to_shape((count, r, c)).expect("reshape").to_owned();
    let (a3, b3, g3) = (flat(&a, m, k), flat(&b, k, n), flat(g, m, n));
    let (mut da, mut db) = (ndarray::Array3::zeros((count, m, k)), ndarray::Array3::zeros((count, k, n)));
    for i in 0..count {
        let (ai, bi, gi) = (a3.index_axis(Axis(0), i), b3.index_axis(Axis(0), i), g3.index_axis(Axis(0), i));
        da.index_axis_mut(Axis(0), i).assign(&gi.dot(&bi.t()));
        db.index_axis_mut(Axis(0), i).assign(&ai.t().dot(&gi));
    }
    let unflat = |t: ndarray::Array3<f64>, r, c| -> ArrayD<f64> {
        let shape: Vec<usize> = batch.iter().copied().chain([r, c]).collect();
        t.into_dyn().to_shape(IxDyn(&shape)).expect("reshape").to_owned()
    };
    vec![sum_to(&unflat(da, m, k), x[0].shape()), sum_to(&unflat(db, k, n), x[1].shape())]
}

/// Every non-empty subset of `n` inputs.
fn all_masks(n: usize) -> Vec<Vec<bool>> {
    (1..1usize << n).map(|m| (0..n).map(|i| m >> i & 1 == 1).collect()).collect()
}

/// `Err` unless `got` is within `1e-10 (|r| + max|r|)` of `want` everywhere.
fn close_to_reference(what: &str, got: &ArrayD<f64>, want: &ArrayD<f64>) -> Result<(), String> {
    if got.shape() != want.shape() {
        return Err(format!("{what}: shape {:?}, reference {:?}", got.shape(), want.shape()));
    }
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    match got.iter().zip(want).position(|(a, r)| (a - r).is_nan() || (a - r).abs() > 1e-10 * (r.abs() + scale)) {
        Some(i) => Err(format!("{what}: element {i} is {:e}, the reference {:e}", got.iter().nth(i).unwrap(), want.iter().nth(i).unwrap())),
        None => Ok(()),
    }
}

/// All three checks of one case (see the module documentation).
fn check_case(case: &Large, key: Key) -> Result<(), String> {
    let keys = key.split(case.shapes.len() + 2);
    let inputs: Vec<ArrayD<f64>> = case.shapes.iter().zip(&keys).map(|(s, k)| values(case.domain, s, *k)).collect();
    let ctx = Ctx::new(0, key);
    let f = |t: &[Tensor<f64>]| (case.op)(t, &ctx);
    let output = autodiff::no_grad(|| f(&inputs.iter().map(|x| Tensor::constant(x.clone())).collect::<Vec<_>>()).len());
    let input: usize = inputs.iter().map(|x| x.len()).sum();
    assert!(input.max(output) >= 32_768, "`{}` has {input} input and {output} output elements", case.name);
    let seed = |shape: &[usize]| to_f32_grid(&values(Domain::Any, shape, keys[case.shapes.len()]));
    for needs in all_masks(inputs.len()) {
        check_masked_fast(&f, &inputs, &needs, keys[case.shapes.len() + 1])
            .map_err(|e| format!("inputs needing a gradient {needs:?}: {e}"))?;
        if let Some(reference) = case.reference {
            let r = run(case.op, &inputs, &needs, &ctx, &seed);
            let want = reference(&inputs, &r.seed);
            for (i, (got, want)) in r.grads.iter().zip(&want).enumerate() {
                if let Some(got) = got {
                    close_to_reference(&format!("inputs needing a gradient {needs:?}: gradient of input {i}"), got, want)?;
                }
            }
        }
    }
    let rounded: Vec<ArrayD<f64>> = inputs.iter().map(to_f32_grid).collect();
    let all = vec![true; inputs.len()];
    let (r64, r32) = (run(case.op, &rounded, &all, &ctx, &seed), run(case.op32, &rounded, &all, &ctx, &seed));
    runs_agree(&r32, &r64, Tol32 { rtol: 1e-5, scaled: 1e-5, atol: 0.0 }).map(|_| ()).map_err(|e| format!("f32 against f64: {e}"))
}

#[test]
fn large_inputs_match_finite_differences_references_and_f64() {
    let only = std::env::var("GRADCHECK_ONLY").ok();
    let failures: Vec<String> = LARGE
        .iter()
        .enumerate()
        .filter(|(_, c)| only.as_deref().is_none_or(|o| c.name.contains(o)))
        .filter_map(|(i, c)| check_case(c, Key::new(0x1A7_6E00 + i as u64)).err().map(|e| format!("`{}`: {e}", c.name)))
        .collect();
    assert!(failures.is_empty(), "{} large cases failed:\n{}", failures.len(), failures.join("\n"));
}

/// The reference of `matmul` is itself right: on a 2x3 by 3x2 product worked by hand.
#[test]
fn the_matmul_reference_matches_a_hand_computed_case() {
    let a = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let b = ArrayD::from_shape_vec(IxDyn(&[3, 2]), vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0]).unwrap();
    let g = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, 0.0, 0.0, 1.0]).unwrap();
    let d = ref_matmul(&[a.clone(), b.clone()], &g);
    // dA = G B^T = B^T; dB = A^T G = A^T.
    assert_eq!(d[0], b.t().to_owned().into_dimensionality::<Ix2>().unwrap().into_dyn());
    assert_eq!(d[1], a.t().to_owned());
}
