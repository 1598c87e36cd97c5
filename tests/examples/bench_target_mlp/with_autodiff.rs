//! The step through autodiff `Tensor`s, written as the hypernetwork writes it:
//! `U = X W1^T + b1`, `y = silu(U) w2 + b2`, `L = mse(y, t)`, then `L.backward()`.
//! The inputs and targets are constants; the four weight tensors are parameters.

use crate::workload::{Gradients, Workload};
use autodiff::Tensor;

/// The graph's leaves, built once and reused by every step.
pub struct AutodiffStep {
    x: Tensor<f32>,
    target: Tensor<f32>,
    w1: Tensor<f32>,
    b1: Tensor<f32>,
    w2: Tensor<f32>,
    b2: Tensor<f32>,
}

impl AutodiffStep {
    pub fn new(w: &Workload) -> AutodiffStep {
        AutodiffStep {
            x: Tensor::constant(w.x.clone()),
            target: Tensor::constant(w.target.clone()),
            w1: Tensor::param(w.w1.clone()),
            b1: Tensor::param(w.b1.clone()),
            w2: Tensor::param(w.w2.clone()),
            b2: Tensor::param(w.b2.clone()),
        }
    }

    /// Clears the gradients, runs forward and backward, and returns the loss.
    pub fn run(&self) -> f32 {
        for p in [&self.w1, &self.b1, &self.w2, &self.b2] {
            p.zero_grad();
        }
        let u = self.x.matmul(&self.w1.transpose(1, 2)).add(&self.b1);
        let y = u.silu().matmul(&self.w2).add(&self.b2);
        let loss = y.mse(&self.target);
        loss.backward();
        loss.item()
    }

    /// The loss and gradients of a fresh step.
    pub fn gradients(&self) -> Gradients {
        let loss = self.run();
        let grad = |p: &Tensor<f32>| p.grad().expect("autodiff step: backward left a parameter without a gradient");
        Gradients { loss, w1: grad(&self.w1), b1: grad(&self.b1), w2: grad(&self.w2), b2: grad(&self.b2) }
    }
}
