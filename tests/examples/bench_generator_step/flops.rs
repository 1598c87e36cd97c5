//! FLOPs of one generator training step, counted from the shapes (2 per multiply-add).
//!
//! Only the matrix products are counted, forward and backward: every product
//! `[M, K] x [K, N]` costs `2MKN` forward and `2MKN` for each operand that needs a
//! gradient (the noise, the inputs X and the beta values are constants). Elementwise
//! work (layer norms, softmax, Sinkhorn, KL, Adam) is left out: it is a few percent of
//! the total at the default shapes, and its cost per element is not well defined.

use hypernet::generator::output_bias::KAPPA_WIDTH;
use hypernet::generator::{ComplexityMeasure, GeneratorConfig, GeneratorTrainConfig, LatentPrior, OutputBias, W1Readout};

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
    if g.complexity != ComplexityMeasure::HierarchicalVae {
        f += product(1, rows, g.noise_dim, d, 1); // noise projection (noise is constant)
    }
    f += product(1, b, 1, c, 1) + product(1, b, c, c, 2); // beta code
    let per_block = 2 * product(1, b, c, 2 * d, 2) // two FiLM maps
        + product(1, rows, d, 3 * d, 2) // qkv
        + 2 * product(b * g.heads, t, dh, t, 2) // scores and mixing
        + product(1, rows, d, d, 2) // attention output
        + product(1, rows, d, 2 * d, 2) // fc1
        + product(1, rows, 2 * d, d, 2); // fc2
    // The node-latent measure runs every block after the first twice (mean and sample).
    let passes = if g.complexity == ComplexityMeasure::NodeLatent { 2 * g.blocks - 1 } else { g.blocks };
    f += passes as u64 * per_block;
    let readouts = if matches!(g.complexity, ComplexityMeasure::NodeLatent | ComplexityMeasure::HierarchicalVae) { 2 } else { 1 };
    // b2 from the output node, or from each neuron's weights through kappa (`output_bias.rs`).
    let output_bias = match g.output_bias {
        OutputBias::NodeSum => product(1, b, d, 1, 2),
        OutputBias::NeuronWeights => product(1, b * s.hidden, 4, KAPPA_WIDTH, 2) + product(1, b * s.hidden, KAPPA_WIDTH, 1, 2),
    };
    f += readouts * (product(1, b * s.hidden, d, 4, 2) + output_bias + w1_readout_flops(g, s));
    f += sigma_flops(g, s);
    f += product(b, s.points, s.inputs, s.hidden, 1) + product(b, s.points, s.hidden, 1, 2); // target networks (X constant)
    f
}

/// One bilinear form between the hidden and the input nodes: two maps to `key_dim`, then
/// the `[m, dk] x [dk, n]` product per network.
fn bilinear_flops(g: &GeneratorConfig, s: &StepShape) -> u64 {
    let (b, d, dk, n, m) = (s.networks, g.width, g.key_dim, s.inputs, s.hidden);
    product(1, b * m, d, dk, 2) + product(1, b * n, d, dk, 2) + product(b, m, dk, n, 2)
}

/// The W1 readout's products.
fn w1_readout_flops(g: &GeneratorConfig, s: &StepShape) -> u64 {
    let (b, d, n, m) = (s.networks, g.width, s.inputs, s.hidden);
    let form = bilinear_flops(g, s);
    match g.w1_readout {
        W1Readout::Pointer | W1Readout::BalancedPointer => 2 * form,
        W1Readout::SignedSlots | W1Readout::SignedSlotsSpare => {
            // The spare column (its logit head, dense rows, message and the vacancy head)
            // takes part only with `signed-slots-spare` at m > 2n.
            // The sum slot (its logit head and message) takes part at m > 2n + 1.
            let spare = g.w1_readout == W1Readout::SignedSlotsSpare && m > 2 * n;
            let sum = g.sum_slot && spare && m > 2 * n + 1;
            let extra = usize::from(spare) + usize::from(sum);
            let columns = 2 * n + extra;
            let spare_flops = if spare && g.spare_dense_rows { form } else { 0 } + extra as u64 * product(1, b * m, d, 1, 2);
            let messages = if g.slot_messages { 2 * product(1, b * n, d, d, 2) + extra as u64 * product(1, b, d, d, 2) + product(b, m, columns, d, 2) } else { 0 };
            let vacancy = if g.optional_slots && spare { product(1, b * n, d, 2, 2) } else { 0 };
            2 * form + spare_flops + messages + vacancy
        }
    }
}

/// The sigma heads' (or the node latents') products.
fn sigma_flops(g: &GeneratorConfig, s: &StepShape) -> u64 {
    let (b, d, c, m) = (s.networks, g.width, g.cond_width, s.hidden);
    let per_node = product(1, b * m, d, 2, 2) + product(1, b, d, 1, 2);
    match g.complexity {
        ComplexityMeasure::TensorSigma => product(1, b, c, 4, 2),
        ComplexityMeasure::WeightSigma => per_node + bilinear_flops(g, s),
        ComplexityMeasure::NeuronSigma => per_node,
        ComplexityMeasure::NodeLatent => {
            let rows = b * (s.inputs + m + 1);
            product(1, rows, d, 2 * g.noise_dim, 2) + product(1, rows, g.noise_dim, d, 2)
        }
        // Per level a posterior (and a learnt prior) and an injection; the decoder's
        // beta map once and its two layers for the mean and the sample.
        ComplexityMeasure::HierarchicalVae => {
            let (rows, z) = (b * (s.inputs + m + 1), g.noise_dim);
            let priced = if g.latent_prior == LatentPrior::TopDown { 2 } else { 1 };
            let level = priced * (product(1, rows, d, 2 * z, 2) + product(1, rows, z, d, 2));
            (g.blocks as u64 + 1) * level + product(1, b, c, d, 2) + 2 * (product(1, rows, z, d, 2) + product(1, rows, d, d, 2))
        }
    }
}
