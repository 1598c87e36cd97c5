//! FLOPs of one generator training step, counted from the shapes (2 per multiply-add).
//!
//! Only the matrix products are counted, forward and backward: every product
//! `[M, K] x [K, N]` costs `2MKN` forward and `2MKN` for each operand that needs a
//! gradient (the noise, the inputs X and the beta values are constants). Elementwise
//! work (layer norms, softmax, Sinkhorn, KL, Adam) is left out: it is a few percent of
//! the total at the default shapes, and its cost per element is not well defined.

use hypernet::generator::{GeneratorTrainConfig, W1Readout};

/// The sizes a step works on.
pub struct StepShape {
    /// Networks B.
    pub networks: usize,
    /// Points per network N.
    pub points: usize,
    /// Inputs n and hidden width m of the target networks.
    pub inputs: usize,
    pub hidden: usize,
}

impl StepShape {
    /// The first training input size of `cfg`.
    pub fn of(cfg: &GeneratorTrainConfig) -> StepShape {
        let n = cfg.train_inputs[0];
        StepShape { networks: cfg.networks, points: cfg.points, inputs: n, hidden: cfg.hidden_per_input * n }
    }
}

/// `2 M K N` times (1 forward + the number of operands needing a gradient).
fn product(batch: usize, m: usize, k: usize, n: usize, grads: usize) -> u64 {
    (2 * batch * m * k * n * (1 + grads)) as u64
}

/// Matrix-product FLOPs of one step, forward and backward.
pub fn step_flops(cfg: &GeneratorTrainConfig, s: &StepShape) -> u64 {
    let g = &cfg.generator;
    let (b, d, c) = (s.networks, g.width, g.cond_width);
    let t = s.inputs + s.hidden + 1;
    let rows = b * t;
    let dh = d / g.heads;
    let mut f = 0;
    f += product(1, rows, g.noise_dim, d, 1); // noise projection (noise is constant)
    f += product(1, b, 1, c, 1) + product(1, b, c, c, 2); // beta code
    let per_block = 2 * product(1, b, c, 2 * d, 2) // two FiLM maps
        + product(1, rows, d, 3 * d, 2) // qkv
        + 2 * product(b * g.heads, t, dh, t, 2) // scores and mixing
        + product(1, rows, d, d, 2) // attention output
        + product(1, rows, d, 2 * d, 2) // fc1
        + product(1, rows, 2 * d, d, 2); // fc2
    f += g.blocks as u64 * per_block;
    let (n, m, dk) = (s.inputs, s.hidden, g.key_dim);
    let bilinear = product(1, b * m, d, dk, 2) + product(1, b * n, d, dk, 2) + product(b, m, dk, n, 2);
    let bilinears = if g.w1_readout == W1Readout::Bilinear { 1 } else { 2 };
    f += product(1, b * m, d, 4, 2) + product(1, b, d, 1, 2) + bilinears * bilinear; // readout
    f += product(1, b, c, 4, 2); // tensor sigma head
    f += product(b, s.points, n, m, 1) + product(b, s.points, m, 1, 2); // target networks (X constant)
    f
}
