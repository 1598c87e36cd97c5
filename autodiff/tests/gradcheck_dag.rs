//! Random expression DAGs against central differences, at first and second order.
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
//! Each DAG is checked twice: its gradients against central differences of values
//! ([`common::check_masked`]), then its recorded backward pass and second derivatives
//! against central differences of gradients ([`common::gradgrad_masked`]).
//!
//! The function checked maps the inputs to the DAG's sinks (values no node uses),
//! flattened and concatenated, so every node's gradient is exercised. Each DAG also
//! draws which inputs need a gradient (a non-empty subset; the others are constants),
//! so nodes mix constant and parameter operands and some sinks are constants: a VJP
//! that mishandles a constant operand (`concat`'s running offset, say) fails. On
//! failure the report prints the DAG node by node with shapes, and the input values.
//!
//! The property counts, over its own draws, how often each operation was placed and
//! how many nodes mixed a constant and a parameter operand, and fails if an operation
//! was placed fewer than [`MIN_PLACED`] times: a gradient check of operations that are
//! never drawn proves nothing (`matmul`, before it drew its own partner, never was).

mod common;
mod dag_ops;

use autodiff::{no_grad, Key, Tensor};
use common::{broadcast_sources, check_masked, describe_inputs, gradgrad_masked, shape, values, Domain};
use dag_ops::{FALLBACK, OPS};
use ndarray::ArrayD;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use std::cell::RefCell;

/// Proptest cases (DAGs).
const DAGS: u32 = 128;

/// Times each operation must be placed over the property's draws.
const MIN_PLACED: usize = 4;

/// Largest magnitude a node's value may reach.
const MAX_MAGNITUDE: f64 = 1e3;

/// Draws per node before falling back to `neg`.
const ATTEMPTS: u64 = 16;


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
                    let pick = |u: f64, among: &[usize]| among[(u * among.len() as f64) as usize];
                    let all: Vec<usize> = (0..values.len()).collect();
                    let mut operands = vec![pick(u[1], &all)];
                    if OPS[op].arity == 2 {
                        let partners: Vec<usize> = match OPS[op].partner {
                            Some(fits) => all.into_iter().filter(|&j| fits(&values[operands[0]], &values[j])).collect(),
                            None => all,
                        };
                        operands.push(pick(u[2], &partners));
                    }
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

/// One drawn DAG: input shapes, which inputs need a gradient, node count, and the
/// seed of values and draws.
#[derive(Clone, Debug)]
struct Sample {
    shapes: Vec<Vec<usize>>,
    /// Which inputs are parameters (the others constants); never all false.
    needs: Vec<bool>,
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
    let shapes = (shape(0..=3), 1usize..=3)
        .prop_flat_map(|(full, inputs)| (broadcast_sources(full, inputs), 1usize..1 << inputs))
        .prop_map(|(shapes, mask)| {
            let needs = (0..shapes.len()).map(|i| mask >> i & 1 == 1).collect();
            (shapes, needs)
        });
    // The seed does not shrink (any change redraws everything); the node count, then
    // the shapes and the mask do, and fewer nodes keep the same prefix of the DAG.
    (3usize..=12, shapes, any::<u64>().no_shrink())
        .prop_map(|(nodes, (shapes, needs), seed)| Sample { shapes, needs, nodes, seed })
}

/// What the property drew: placements per operation, and nodes whose operands mix a
/// constant and a parameter (all of them, and the `concat`s among them, counting the
/// final concatenation of the sinks).
#[derive(Default)]
struct Tally {
    placed: Vec<usize>,
    mixed: usize,
    mixed_concat: usize,
}

impl Tally {
    fn add(&mut self, dag: &Dag, needs: &[bool]) {
        self.placed.resize(OPS.len(), 0);
        let mut param: Vec<bool> = needs.to_vec();
        for node in &dag.nodes {
            self.placed[node.op] += 1;
            let from: Vec<bool> = node.operands.iter().map(|&i| param[i]).collect();
            if from.contains(&true) && from.contains(&false) {
                self.mixed += 1;
                self.mixed_concat += OPS[node.op].name.starts_with("concat") as usize;
            }
            param.push(from.contains(&true));
        }
        let sinks: Vec<bool> = dag.sinks().iter().map(|&i| param[i]).collect();
        self.mixed_concat += (sinks.contains(&true) && sinks.contains(&false)) as usize;
    }
}

#[test]
fn random_dags_match_finite_differences() {
    let config = common::config(DAGS);
    let (proptest_seed, cases) = (config.rng_seed, config.cases);
    let tally = RefCell::new(Tally::default());
    let result = TestRunner::new(config).run(&samples(), |sample| {
        let inputs = sample.inputs();
        let dag = sample.dag(&inputs);
        tally.borrow_mut().add(&dag, &sample.needs);
        let f = |t: &[Tensor<f64>]| dag.run(t);
        check_masked(&f, &inputs, &sample.needs, sample.direction_key()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        gradgrad_masked(&f, &inputs, &sample.needs, sample.direction_key())
            .map(|_| ())
            .map_err(|e| TestCaseError::fail(format!("second order: {e}")))
    });
    match result {
        Ok(()) => {
            let tally = tally.into_inner();
            let counts: Vec<String> = OPS.iter().zip(&tally.placed).map(|(o, n)| format!("{}: {n}", o.name)).collect();
            println!("placed over {cases} DAGs: {}; mixed nodes {} ({} concat)", counts.join(", "), tally.mixed, tally.mixed_concat);
            if cases == DAGS {
                let rare: Vec<&String> = counts.iter().zip(&tally.placed).filter(|(_, &n)| n < MIN_PLACED).map(|(c, _)| c).collect();
                assert!(rare.is_empty(), "operations placed fewer than {MIN_PLACED} times in {DAGS} DAGs: {rare:?}");
                assert!(tally.mixed >= 20 && tally.mixed_concat >= 20, "too few nodes mixing constant and parameter operands: {} ({} concat)", tally.mixed, tally.mixed_concat);
            }
        }
        Err(TestError::Abort(why)) => panic!("proptest gave up: {why}"),
        Err(TestError::Fail(why, sample)) => {
            let inputs = sample.inputs();
            panic!(
                "a random DAG failed the gradient check: {why}\n  seed {}, {} nodes, input shapes {:?}, inputs needing a gradient {:?}\n{}\n{}  rerun: PROPTEST_RNG_SEED={proptest_seed}",
                sample.seed,
                sample.nodes,
                sample.shapes,
                sample.needs,
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
