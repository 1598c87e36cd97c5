//! The operations of the random-DAG test (`gradcheck_dag.rs`): each with its arity, a
//! test of whether it applies to given operand values (shapes that combine, values
//! inside its smooth domain), and the call.
//!
//! `matmul` draws its second operand among the values that fit its first, in one of
//! two orientations (`A B` or `A B^T`, a rank-0 or rank-1 value taken as a row), so
//! that it can always be placed: the first operand fits itself as `A A^T`.

use autodiff::Tensor;
use ndarray::ArrayD;

/// Elements a binary result may have (the property tests' limit).
const MAX_ELEMENTS: usize = crate::common::MAX_ELEMENTS;

/// An operation a node may apply.
pub struct DagOp {
    pub name: &'static str,
    pub arity: usize,
    /// Whether the operation applies to these operand values.
    pub fits: fn(&[&ArrayD<f64>]) -> bool,
    pub apply: fn(&[&Tensor<f64>]) -> Tensor<f64>,
    /// For a binary operation whose second operand must match the first: which
    /// values may be the second operand of a given first one (drawn among those).
    pub partner: Option<Partner>,
}

/// Whether a value may be the second operand given the first.
pub type Partner = fn(&ArrayD<f64>, &ArrayD<f64>) -> bool;

const fn op(
    name: &'static str,
    arity: usize,
    fits: fn(&[&ArrayD<f64>]) -> bool,
    apply: fn(&[&Tensor<f64>]) -> Tensor<f64>,
) -> DagOp {
    DagOp { name, arity, fits, apply, partner: None }
}

fn always(_: &[&ArrayD<f64>]) -> bool {
    true
}

/// Every element of the first operand satisfies `p`.
fn first_all(x: &[&ArrayD<f64>], p: impl Fn(f64) -> bool) -> bool {
    x[0].iter().all(|&v| p(v))
}

fn broadcast_pair(x: &[&ArrayD<f64>]) -> bool {
    kernels::map::broadcast_shape(x[0].shape(), x[1].shape())
        .is_some_and(|s| s.iter().product::<usize>() <= MAX_ELEMENTS)
}

fn rank_at_least(x: &[&ArrayD<f64>], rank: usize) -> bool {
    x[0].ndim() >= rank
}

fn last_axis_at_least(x: &[&ArrayD<f64>], len: usize) -> bool {
    x[0].shape().last().is_some_and(|&n| n >= len)
}

/// Each row along the last axis has a unique maximum, ahead of the runner-up by
/// far more than the finite-difference step.
fn clear_row_maxima(x: &[&ArrayD<f64>]) -> bool {
    rank_at_least(x, 1)
        && x[0].lanes(ndarray::Axis(x[0].ndim() - 1)).into_iter().all(|row| {
            let mut v: Vec<f64> = row.to_vec();
            v.sort_by(|a, b| b.total_cmp(a));
            v.len() < 2 || v[0] - v[1] > 1e-3
        })
}

/// Each row along the last axis has at least two entries and spread well above 0.
fn spread_rows(x: &[&ArrayD<f64>]) -> bool {
    last_axis_at_least(x, 2)
        && x[0].lanes(ndarray::Axis(x[0].ndim() - 1)).into_iter().all(|row| {
            let mean = row.mean().expect("row is not empty");
            row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / row.len() as f64 > 1e-2
        })
}

/// A shape as a matrix operand: a rank-0 or rank-1 value as a row `[1, n]`.
fn as_matrix(shape: &[usize]) -> Vec<usize> {
    match shape.len() {
        0 => vec![1, 1],
        1 => vec![1, shape[0]],
        _ => shape.to_vec(),
    }
}

/// How `b` enters a product with `a`: `Some(false)` as `B` (`a`'s columns match `b`'s
/// rows), `Some(true)` as `B^T` (`a`'s columns match `b`'s columns), with the batch
/// axes broadcasting; `None` when neither fits. `A A^T` always fits.
fn matmul_orientation(a: &[usize], b: &[usize]) -> Option<bool> {
    let (a, b) = (as_matrix(a), as_matrix(b));
    let (ra, rb) = (a.len(), b.len());
    kernels::map::broadcast_shape(&a[..ra - 2], &b[..rb - 2])?;
    if a[ra - 1] == b[rb - 2] {
        Some(false)
    } else {
        (a[ra - 1] == b[rb - 1]).then_some(true)
    }
}

fn matmul_partner(a: &ArrayD<f64>, b: &ArrayD<f64>) -> bool {
    matmul_orientation(a.shape(), b.shape()).is_some()
}

/// `A B` or `A B^T`, whichever [`matmul_orientation`] picks.
fn matmul(x: &[&Tensor<f64>]) -> Tensor<f64> {
    let (a, b) = (x[0].reshape(&as_matrix(&x[0].shape())), x[1].reshape(&as_matrix(&x[1].shape())));
    match matmul_orientation(&a.shape(), &b.shape()) {
        Some(false) => a.matmul(&b),
        Some(true) => a.matmul(&b.transpose(-1, -2)),
        None => panic!("matmul drawn for shapes {:?} and {:?} that do not fit", x[0].shape(), x[1].shape()),
    }
}

fn concat_last_pair(x: &[&ArrayD<f64>]) -> bool {
    let (a, b) = (x[0].shape(), x[1].shape());
    !a.is_empty()
        && a.len() == b.len()
        && a[..a.len() - 1] == b[..b.len() - 1]
        && x[0].len() + x[1].len() <= MAX_ELEMENTS
}

/// The operation a node falls back to: `neg`, which fits any operand.
pub const FALLBACK: usize = 0;

/// The operations nodes draw from.
pub const OPS: &[DagOp] = &[
    op("neg", 1, always, |x| x[0].neg()),
    op("exp", 1, |x| first_all(x, |v| v.abs() < 3.0), |x| x[0].exp()),
    op("log", 1, |x| first_all(x, |v| v > 0.2), |x| x[0].log()),
    op("sqrt", 1, |x| first_all(x, |v| v > 0.2), |x| x[0].sqrt()),
    op("powf(1.5)", 1, |x| first_all(x, |v| v > 0.2), |x| x[0].powf(1.5)),
    op("square", 1, always, |x| x[0].square()),
    op("abs", 1, |x| first_all(x, |v| v.abs() > 0.05), |x| x[0].abs()),
    op("relu", 1, |x| first_all(x, |v| v.abs() > 0.05), |x| x[0].relu()),
    op("tanh", 1, always, |x| x[0].tanh()),
    op("sigmoid", 1, always, |x| x[0].sigmoid()),
    op("silu", 1, always, |x| x[0].silu()),
    op("softplus", 1, always, |x| x[0].softplus()),
    op("add_scalar(0.5)", 1, always, |x| x[0].add_scalar(0.5)),
    op("mul_scalar(-0.7)", 1, always, |x| x[0].mul_scalar(-0.7)),
    op("add", 2, broadcast_pair, |x| x[0].add(x[1])),
    op("sub", 2, broadcast_pair, |x| x[0].sub(x[1])),
    op("mul", 2, broadcast_pair, |x| x[0].mul(x[1])),
    op("div", 2, |x| broadcast_pair(x) && x[1].iter().all(|v| v.abs() > 0.2), |x| x[0].div(x[1])),
    op("mse", 2, |x| x[0].shape() == x[1].shape(), |x| x[0].mse(x[1])),
    DagOp {
        name: "matmul(A, B or B^T)",
        arity: 2,
        fits: |x| matmul_partner(x[0], x[1]),
        apply: matmul,
        partner: Some(matmul_partner),
    },
    op("sum(-1, keepdim)", 1, |x| rank_at_least(x, 1), |x| x[0].sum(-1, true)),
    op("sum(0)", 1, |x| rank_at_least(x, 1), |x| x[0].sum(0, false)),
    op("mean(-1, keepdim)", 1, |x| rank_at_least(x, 1), |x| x[0].mean(-1, true)),
    op("max(-1, keepdim)", 1, clear_row_maxima, |x| x[0].max(-1, true)),
    op("logsumexp(-1, keepdim)", 1, |x| rank_at_least(x, 1), |x| x[0].logsumexp(-1, true)),
    op("softmax(-1)", 1, |x| rank_at_least(x, 1), |x| x[0].softmax(-1)),
    op("log_softmax(-1)", 1, |x| rank_at_least(x, 1), |x| x[0].log_softmax(-1)),
    op("layer_norm(-1)", 1, spread_rows, |x| x[0].layer_norm(1e-5)),
    op("sum_all", 1, always, |x| x[0].sum_all()),
    op("reshape(flat)", 1, always, |x| x[0].reshape(&[x[0].len()])),
    op("transpose(-1, -2)", 1, |x| rank_at_least(x, 2), |x| x[0].transpose(-1, -2)),
    op("permute(reversed)", 1, always, |x| x[0].permute(&(0..x[0].ndim()).rev().collect::<Vec<_>>())),
    op("unsqueeze(0)", 1, |x| x[0].ndim() < 4, |x| x[0].unsqueeze(0)),
    op("squeeze(0)", 1, |x| x[0].shape().first() == Some(&1), |x| x[0].squeeze(0)),
    op(
        "broadcast_to([2, ...])",
        1,
        |x| x[0].ndim() < 4 && 2 * x[0].len() <= MAX_ELEMENTS,
        |x| x[0].broadcast_to(&[&[2], &x[0].shape()[..]].concat()),
    ),
    op(
        "narrow(-1, 1, len-1)",
        1,
        |x| last_axis_at_least(x, 2),
        |x| x[0].narrow(-1, 1, x[0].shape()[x[0].ndim() - 1] - 1),
    ),
    op(
        "index_select(-1, [last, 0, 0])",
        1,
        |x| rank_at_least(x, 1),
        |x| x[0].index_select(-1, vec![x[0].shape()[x[0].ndim() - 1] - 1, 0, 0]),
    ),
    op("concat(-1)", 2, concat_last_pair, |x| Tensor::concat(&[x[0], x[1]], -1)),
];
