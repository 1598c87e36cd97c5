//! Random expression DAGs against central differences.
//!
//! A DAG has 1-3 inputs whose shapes broadcast together, then 3-12 nodes. Node `i`
//! draws (with the key `seed.fold_in(i)`) an operation from [`OPS`] and operands among
//! ALL earlier values, inputs and intermediates alike, so values are reused and
//! gradients meet from several paths. A draw is kept only if the operation fits its
//! operands: shapes that combine, values inside its smooth domain (no `log` of a
//! value near 0, no `relu` near its kink, no near-tie for `max`), and a result that
//! stays finite and moderate; after a few misses the node falls back to `neg`. Since
//! node `i` depends only on the inputs and nodes before it, a DAG with fewer nodes is
//! a prefix of the longer one, which lets proptest shrink a failure to a few nodes.
//!
//! The function checked maps the inputs to the DAG's sinks (values no node uses),
//! flattened and concatenated, so every node's gradient is exercised. On failure the
//! report prints the DAG node by node with shapes, and the input values.

mod common;

use autodiff::{no_grad, Key, Tensor};
use common::{broadcast_sources, check, describe_inputs, shape, values, Domain, MAX_ELEMENTS};
use ndarray::ArrayD;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};

/// Proptest cases (DAGs).
const DAGS: u32 = 64;

/// Largest magnitude a node's value may reach.
const MAX_MAGNITUDE: f64 = 1e3;

/// Draws per node before falling back to `neg`.
const ATTEMPTS: u64 = 16;

/// An operation a node may apply.
struct DagOp {
    name: &'static str,
    arity: usize,
    /// Whether the operation applies to these operand values.
    fits: fn(&[&ArrayD<f64>]) -> bool,
    apply: fn(&[&Tensor<f64>]) -> Tensor<f64>,
}

const fn op(
    name: &'static str,
    arity: usize,
    fits: fn(&[&ArrayD<f64>]) -> bool,
    apply: fn(&[&Tensor<f64>]) -> Tensor<f64>,
) -> DagOp {
    DagOp { name, arity, fits, apply }
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

fn matmul_pair(x: &[&ArrayD<f64>]) -> bool {
    let (a, b) = (x[0].shape(), x[1].shape());
    a.len() >= 2
        && b.len() >= 2
        && a[a.len() - 1] == b[b.len() - 2]
        && kernels::map::broadcast_shape(&a[..a.len() - 2], &b[..b.len() - 2]).is_some()
}

fn concat_last_pair(x: &[&ArrayD<f64>]) -> bool {
    let (a, b) = (x[0].shape(), x[1].shape());
    !a.is_empty()
        && a.len() == b.len()
        && a[..a.len() - 1] == b[..b.len() - 1]
        && x[0].len() + x[1].len() <= MAX_ELEMENTS
}

/// The operation a node falls back to: `neg`, which fits any operand.
const FALLBACK: usize = 0;

/// The operations nodes draw from.
const OPS: &[DagOp] = &[
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
    op("matmul", 2, matmul_pair, |x| x[0].matmul(x[1])),
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

/// One node: an operation and the indices of its operands among earlier values.
#[derive(Clone, Debug)]
struct Node {
    op: usize,
    operands: Vec<usize>,
}

/// A DAG over `inputs` values: `values[..inputs]` are the inputs, then one per node.
struct Dag {
    inputs: usize,
    nodes: Vec<Node>,
}

impl Dag {
    /// Draws `count` nodes over the input values with `key`.
    fn draw(inputs: &[ArrayD<f64>], count: usize, key: Key) -> Dag {
        let mut values: Vec<ArrayD<f64>> = inputs.to_vec();
        let mut nodes = Vec::with_capacity(count);
        for i in 0..count {
            let key = key.fold_in(i as u64);
            let node = (0..ATTEMPTS)
                .find_map(|attempt| {
                    let u = key.fold_in(attempt).uniform_f64(3);
                    let op = (u[0] * OPS.len() as f64) as usize;
                    let pick = |u: f64| (u * values.len() as f64) as usize;
                    let operands: Vec<usize> = u[1..=OPS[op].arity].iter().map(|&u| pick(u)).collect();
                    let node = Node { op, operands };
                    Self::evaluate(&node, &values).map(|value| (node, value))
                })
                .unwrap_or_else(|| {
                    let node = Node { op: FALLBACK, operands: vec![values.len() - 1] };
                    let value = Self::evaluate(&node, &values).expect("neg fits any finite operand");
                    (node, value)
                });
            values.push(node.1);
            nodes.push(node.0);
        }
        Dag { inputs: inputs.len(), nodes }
    }

    /// The node's value, if its operation fits the operands and the result is finite
    /// and moderate.
    fn evaluate(node: &Node, values: &[ArrayD<f64>]) -> Option<ArrayD<f64>> {
        let op = &OPS[node.op];
        let operands: Vec<&ArrayD<f64>> = node.operands.iter().map(|&i| &values[i]).collect();
        if !(op.fits)(&operands) {
            return None;
        }
        let out = no_grad(|| {
            let tensors: Vec<Tensor<f64>> = operands.iter().map(|&a| Tensor::constant(a.clone())).collect();
            (op.apply)(&tensors.iter().collect::<Vec<_>>()).to_array()
        });
        out.iter().all(|v| v.is_finite() && v.abs() <= MAX_MAGNITUDE).then_some(out)
    }

    /// Indices of the values no node uses (never an input, as inputs are not results).
    fn sinks(&self) -> Vec<usize> {
        let used: std::collections::HashSet<usize> =
            self.nodes.iter().flat_map(|n| n.operands.iter().copied()).collect();
        (self.inputs..self.inputs + self.nodes.len()).filter(|i| !used.contains(i)).collect()
    }

    /// The sinks, flattened and concatenated (or the one sink as it is).
    fn run(&self, inputs: &[Tensor<f64>]) -> Tensor<f64> {
        let mut values: Vec<Tensor<f64>> = inputs.to_vec();
        for node in &self.nodes {
            let operands: Vec<&Tensor<f64>> = node.operands.iter().map(|&i| &values[i]).collect();
            let value = (OPS[node.op].apply)(&operands);
            values.push(value);
        }
        match &self.sinks()[..] {
            [one] => values[*one].clone(),
            many => {
                let flat: Vec<Tensor<f64>> = many.iter().map(|&i| values[i].reshape(&[values[i].len()])).collect();
                Tensor::concat(&flat.iter().collect::<Vec<_>>(), 0)
            }
        }
    }

    /// One line per value: `v3 = mul(v0, v2)  shape [2, 3]`, then the output.
    fn describe(&self, inputs: &[ArrayD<f64>]) -> String {
        let mut values: Vec<Tensor<f64>> = inputs.iter().map(|x| Tensor::constant(x.clone())).collect();
        let mut lines: Vec<String> = inputs
            .iter()
            .enumerate()
            .map(|(i, x)| format!("  v{i} = {:<33} shape {:?}", format!("input {i}"), x.shape()))
            .collect();
        no_grad(|| {
            for (k, node) in self.nodes.iter().enumerate() {
                let operands: Vec<&Tensor<f64>> = node.operands.iter().map(|&i| &values[i]).collect();
                let value = (OPS[node.op].apply)(&operands);
                let args: Vec<String> = node.operands.iter().map(|i| format!("v{i}")).collect();
                let call = format!("{}({})", OPS[node.op].name, args.join(", "));
                lines.push(format!("  v{} = {call:<33} shape {:?}", self.inputs + k, value.shape()));
                values.push(value);
            }
        });
        let sinks: Vec<String> = self.sinks().iter().map(|i| format!("v{i}")).collect();
        lines.push(format!("  output = the sinks {} flattened and concatenated", sinks.join(", ")));
        lines.join("\n")
    }
}

/// One drawn DAG: input shapes, node count, and the seed of values and draws.
#[derive(Clone, Debug)]
struct Sample {
    shapes: Vec<Vec<usize>>,
    nodes: usize,
    seed: u64,
}

impl Sample {
    fn keys(&self) -> Vec<Key> {
        Key::new(self.seed).split(self.shapes.len() + 2)
    }
    fn inputs(&self) -> Vec<ArrayD<f64>> {
        self.shapes.iter().zip(self.keys()).map(|(s, k)| values(Domain::Any, s, k)).collect()
    }
    fn dag(&self, inputs: &[ArrayD<f64>]) -> Dag {
        Dag::draw(inputs, self.nodes, self.keys()[self.shapes.len()])
    }
    fn direction_key(&self) -> Key {
        self.keys()[self.shapes.len() + 1]
    }
}

fn samples() -> impl Strategy<Value = Sample> {
    let shapes = (shape(0..=3), 1usize..=3).prop_flat_map(|(full, inputs)| broadcast_sources(full, inputs));
    // The seed does not shrink (any change redraws everything); the node count, then
    // the shapes do, and fewer nodes keep the same prefix of the DAG.
    (3usize..=12, shapes, any::<u64>().no_shrink()).prop_map(|(nodes, shapes, seed)| Sample { shapes, nodes, seed })
}

#[test]
fn random_dags_match_finite_differences() {
    let config = common::config(DAGS);
    let proptest_seed = config.rng_seed;
    let result = TestRunner::new(config).run(&samples(), |sample| {
        let inputs = sample.inputs();
        let dag = sample.dag(&inputs);
        check(&|t: &[Tensor<f64>]| dag.run(t), &inputs, sample.direction_key())
            .map(|_| ())
            .map_err(|e| TestCaseError::fail(e.to_string()))
    });
    match result {
        Ok(()) => {}
        Err(TestError::Abort(why)) => panic!("proptest gave up: {why}"),
        Err(TestError::Fail(why, sample)) => {
            let inputs = sample.inputs();
            panic!(
                "a random DAG failed the gradient check: {why}\n  seed {}, {} nodes, input shapes {:?}\n{}\n{}  rerun: PROPTEST_RNG_SEED={proptest_seed}",
                sample.seed,
                sample.nodes,
                sample.shapes,
                sample.dag(&inputs).describe(&inputs),
                describe_inputs(&inputs)
            )
        }
    }
}

#[test]
fn dags_reuse_values_and_mix_operations() {
    // Over a batch of draws: some value feeds more than one node, and most
    // operations appear, so the property above exercises what it claims to.
    let mut reused = false;
    let mut seen = vec![false; OPS.len()];
    for seed in 0..64u64 {
        let key = Key::new(seed);
        let inputs = vec![values(Domain::Any, &[2, 3], key.fold_in(0)), values(Domain::Any, &[3], key.fold_in(1))];
        let dag = Dag::draw(&inputs, 12, key.fold_in(2));
        let mut uses = vec![0; inputs.len() + dag.nodes.len()];
        for node in &dag.nodes {
            seen[node.op] = true;
            for &i in &node.operands {
                uses[i] += 1;
            }
        }
        reused |= uses.iter().any(|&n| n > 1);
    }
    assert!(reused, "no value was used twice in 64 DAGs");
    let unseen: Vec<&str> = OPS.iter().zip(&seen).filter(|(_, s)| !**s).map(|(o, _)| o.name).collect();
    assert!(unseen.len() <= OPS.len() / 4, "operations never drawn in 64 DAGs: {unseen:?}");
}
