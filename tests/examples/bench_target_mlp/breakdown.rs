//! Where the autodiff step's time goes, primitive by primitive. Each primitive of the
//! step is run alone through the `Primitive` trait, forward and VJP (`backward_owned`,
//! as the tape calls it), on the very values and gradients the step produces, and
//! timed like the whole step. What the
//! whole step costs beyond the sum of these is the graph's own work: creating nodes,
//! the reverse sweep, adjoint bookkeeping, freeing the intermediate arrays.

use crate::timing::{measure, Timing};
use crate::workload::Workload;
use autodiff::ops::{add::Add, binary::Binary, matmul::MatMul, mse::Mse, permute::Permute, silu::Silu, unary::Unary};
use autodiff::shape::{copy, recycle};
use autodiff::Primitive;
use ndarray::{ArrayD, IxDyn};

/// One primitive application of the step, with its inputs and output.
struct Stage {
    name: &'static str,
    op: Box<dyn Primitive<f32>>,
    inputs: Vec<ArrayD<f32>>,
    needs: Vec<bool>,
    /// Which input carries the gradient on towards the loss's earlier stages.
    chain: usize,
    output: ArrayD<f32>,
}

impl Stage {
    fn new(name: &'static str, op: impl Primitive<f32>, inputs: Vec<ArrayD<f32>>, needs: Vec<bool>, chain: usize) -> Stage {
        let output = op.forward(&inputs.iter().collect::<Vec<_>>());
        Stage { name, op: Box::new(op), inputs, needs, chain, output }
    }

    fn forward(&self) -> ArrayD<f32> {
        self.op.forward(&self.inputs.iter().collect::<Vec<_>>())
    }

    /// The VJP as the tape calls it: given the output gradient by value.
    fn backward(&self, grad: ArrayD<f32>) -> Vec<Option<ArrayD<f32>>> {
        let inputs: Vec<&ArrayD<f32>> = self.inputs.iter().collect();
        self.op.backward_owned(&inputs, &self.output, grad, &self.needs)
    }
}

/// The step's primitives in forward order, as `with_autodiff.rs` applies them.
fn stages(w: &Workload) -> Vec<Stage> {
    let mut s = vec![Stage::new("transpose W1", Permute { axes: vec![0, 2, 1] }, vec![w.w1.clone()], vec![true], 0)];
    let last = |s: &Vec<Stage>| s.last().expect("stages: at least one").output.clone();
    s.push(Stage::new("matmul X W1^T", MatMul, vec![w.x.clone(), last(&s)], vec![false, true], 1));
    s.push(Stage::new("add b1", Binary(Add), vec![last(&s), w.b1.clone()], vec![true, true], 0));
    s.push(Stage::new("silu", Unary(Silu), vec![last(&s)], vec![true], 0));
    s.push(Stage::new("matmul H w2", MatMul, vec![last(&s), w.w2.clone()], vec![true, true], 0));
    s.push(Stage::new("add b2", Binary(Add), vec![last(&s), w.b2.clone()], vec![true, true], 0));
    s.push(Stage::new("mse", Mse, vec![last(&s), w.target.clone()], vec![true, false], 0));
    s
}

/// Times every forward and VJP and prints them beside the whole step's time. Results
/// go back to the buffer pool after each call, as the tape's do. The VJP owns its
/// gradient, so each call gets a fresh copy; the time of that copy is measured on its
/// own and subtracted.
pub fn print(w: &Workload, warmup: usize, reps: usize, whole: Timing) {
    let stages = stages(w);
    let mut grad = ArrayD::from_elem(IxDyn(&[]), 1.0f32);
    let mut rows: Vec<(&str, f64, f64)> = Vec::new();
    let recycle_all = |grads: Vec<Option<ArrayD<f32>>>| grads.into_iter().flatten().for_each(recycle);
    for st in stages.iter().rev() {
        let forward = measure(warmup, reps, || recycle(st.forward()));
        let copy_and_vjp = measure(warmup, reps, || recycle_all(st.backward(copy(&grad))));
        let copy_only = measure(warmup, reps, || recycle(copy(&grad)));
        rows.push((st.name, forward.median_ms, (copy_and_vjp.median_ms - copy_only.median_ms).max(0.0)));
        grad = st.backward(copy(&grad)).swap_remove(st.chain).expect("breakdown: the chained input needs a gradient");
    }
    rows.reverse();
    println!("breakdown of ours-autodiff, median ms per call:");
    println!("  {:<14} {:>9} {:>9}", "primitive", "forward", "VJP");
    for (name, f, b) in &rows {
        println!("  {name:<14} {f:>9.3} {b:>9.3}");
    }
    let (fsum, bsum): (f64, f64) = rows.iter().fold((0.0, 0.0), |(f, b), r| (f + r.1, b + r.2));
    println!("  {:<14} {fsum:>9.3} {bsum:>9.3}   (together {:.3})", "sum", fsum + bsum);
    println!("  whole step {:.3} ms: {:.3} ms beyond the primitives (graph, sweep, adjoints, freeing)", whole.median_ms, whole.median_ms - fsum - bsum);
}
