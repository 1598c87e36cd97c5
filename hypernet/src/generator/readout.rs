//! Reading target weights off the node features.
//!
//! With hidden-node features `H [B, m, d]`, input-node features `X [B, n, d]` and the
//! output node's `o [B, 1, d]`:
//! * `b1_j = head(H_j)_0`, `w2_j = head(H_j)_1 * sp_w2` (`sp_w2 = priors.w2_sqrt_m / sqrt(m)`),
//! * `b2 = c * sum_j head(H_j)_2 + out(o)` (the default [`OutputBias::NodeSum`]; or,
//!   with [`OutputBias::NeuronWeights`], a sum of terms read off each neuron's own
//!   weights, `output_bias.rs`): a sum over nodes, so it grows with the
//!   network as the L1 norm's mean does (an average could not follow n). The constant
//!   `c = B2_NODE_SCALE` keeps one parameter step from moving b2 by m steps at once
//!   (without it b2 jitters and the error is dominated by the offset), and
//!   [`Readout::init_output_bias`] starts b2 at the mean target, as the direct
//!   baselines do (`crate::init`).
//! * `W1[j, i]` from `H_j` and `X_i` (pointer, balanced pointer or signed slots
//!   (`signed_slots.rs`), see [`W1Readout`]). The balanced
//!   pointer replaces the row softmax by `sinkhorn_iterations` rounds of log-domain
//!   Sinkhorn normalisation (`sinkhorn.rs`): rows sum to 1, columns to m/n.
//!
//! Every weight is a function of its own nodes' features only, so permuting input or
//! hidden nodes permutes the weights the same way.

use super::bilinear::Bilinear;
use super::config::{GeneratorConfig, W1Readout};
use super::linear::Linear;
use super::output_bias::{NeuronBias, OutputBias};
use super::signed_slots::{SignedSlots, SlotOptions};
use super::sinkhorn;
use crate::params::ParamStore;
use crate::target_batch::BatchedWeights;
use super::schedule::Schedule;
use autodiff::{Float, Key, Tensor};

/// Scale of each hidden node's contribution to the output bias b2.
pub const B2_NODE_SCALE: f32 = 1.0 / 48.0;

/// How sharp the pointer and slot readouts are for one call: the gain g on their logits
/// (from the call's [`Schedule`]) and the Sinkhorn rounds of the balanced ones.
struct Sharpness<F: Float> {
    gain: F,
    rounds: usize,
}

/// The readout heads.
pub struct Readout<F: Float = f32> {
    hidden: Linear<F>,
    out: Linear<F>,
    w1: W1Head<F>,
    /// Sinkhorn rounds of the balanced readouts.
    rounds: usize,
    prior_w2_sqrt_m: F,
    /// `kappa` of [`OutputBias::NeuronWeights`]; `None` for the node sum.
    neuron_bias: Option<NeuronBias<F>>,
}

/// The W1 readout's parameters, one variant per family of [`W1Readout`]. A new
/// readout is a variant here, its parameters in [`W1Head::new`] and its formula in
/// [`W1Head::forward`].
enum W1Head<F: Float> {
    /// The pointer's logits and sign forms; `balanced` for Sinkhorn balancing.
    Pointer { logits: Bilinear<F>, sign: Bilinear<F>, balanced: bool },
    /// The signed slots (`signed_slots.rs`).
    SignedSlots(SignedSlots<F>),
}

/// A neuron's input-weight magnitude `r_j = softplus(head_j + 1)` from the hidden heads
/// `[B, m, 4]` (column 3): `[B, m, 1]`.
fn magnitude<F: Float>(heads: &Tensor<F>) -> Tensor<F> {
    heads.narrow(2, 3, 1).add_scalar(F::one()).softplus()
}

impl<F: Float> W1Head<F> {
    fn new(store: &mut ParamStore<F>, cfg: &GeneratorConfig, keys: [Key; 4]) -> W1Head<F> {
        let (d, dk) = (cfg.width, cfg.key_dim);
        match cfg.w1_readout {
            W1Readout::Pointer | W1Readout::BalancedPointer => W1Head::Pointer {
                logits: Bilinear::new(store, "readout.w1", d, dk, keys[0]),
                sign: Bilinear::new(store, "readout.w1_sign", d, dk, keys[1]),
                balanced: cfg.w1_readout == W1Readout::BalancedPointer,
            },
            W1Readout::SignedSlots | W1Readout::SignedSlotsSpare => {
                let options = SlotOptions {
                    spare: cfg.w1_readout == W1Readout::SignedSlotsSpare,
                    hard_assignment: cfg.hard_assignment,
                    slot_messages: cfg.slot_messages,
                    optional_slots: cfg.optional_slots,
                    sum_slot: cfg.sum_slot,
                    sum_slot_bias: cfg.sum_slot_bias,
                    spare_dense_rows: cfg.spare_dense_rows,
                };
                W1Head::SignedSlots(SignedSlots::new(store, d, dk, options, keys))
            }
        }
    }

    /// What is settled before the heads are read: the signed slots' plan, and the hidden
    /// features informed of it when slot messages are on (`signed_slots.rs`); nothing
    /// for the other readouts.
    fn prepare(&self, hidden: &Tensor<F>, inputs: &Tensor<F>, output: &Tensor<F>, sharpness: &Sharpness<F>) -> (Option<Tensor<F>>, Option<Tensor<F>>) {
        match self {
            W1Head::SignedSlots(slots) => {
                let plan = slots.plan(hidden, inputs, sharpness.gain, sharpness.rounds);
                (slots.informed(hidden, inputs, output, &plan), Some(plan))
            }
            _ => (None, None),
        }
    }

    /// `W1 [B, m, n]` from hidden features `[B, m, d]`, input features `[B, n, d]`,
    /// the hidden heads `[B, m, 4]` (column 3 is a neuron's raw magnitude) and what
    /// [`W1Head::prepare`] returned.
    fn forward(&self, hidden: &Tensor<F>, inputs: &Tensor<F>, heads: &Tensor<F>, plan: Option<&Tensor<F>>, sharpness: &Sharpness<F>) -> Tensor<F> {
        let (gain, rounds) = (sharpness.gain, sharpness.rounds);
        match self {
            W1Head::Pointer { logits, sign, balanced } => {
                let sharp = logits.forward(hidden, inputs).mul_scalar(gain);
                let pointer = if *balanced { sinkhorn::even_columns(&sharp, rounds) } else { sharp.softmax(-1) };
                pointer.mul(&sign.forward(hidden, inputs).tanh()).mul(&magnitude(heads))
            }
            W1Head::SignedSlots(slots) => slots.w1(plan.expect("W1Head::prepare makes the slot plan"), hidden, inputs, &magnitude(heads)),
        }
    }
}

impl<F: Float> Readout<F> {
    pub fn new(store: &mut ParamStore<F>, cfg: &GeneratorConfig, key: Key) -> Readout<F> {
        let k = key.split(6);
        let d = cfg.width;
        Readout {
            hidden: Linear::new(store, "readout.hidden", d, 4, 1.0, 0.0, k[0]),
            out: Linear::new(store, "readout.out", d, 1, 1.0, 0.0, k[1]),
            w1: W1Head::new(store, cfg, [k[2], k[3], k[4], k[5]]),
            rounds: cfg.sinkhorn_iterations,
            prior_w2_sqrt_m: F::c(cfg.priors.w2_sqrt_m),
            neuron_bias: (cfg.output_bias == OutputBias::NeuronWeights).then(|| NeuronBias::new(store, key.fold_in(7))),
        }
    }

    /// Sets the hidden heads' b2 bias so that a fresh generator's b2 starts at
    /// `mean_target` for width m (node features contribute about 0 at the start); with
    /// [`OutputBias::NeuronWeights`], see [`NeuronBias::init`].
    pub fn init_output_bias(&self, mean_target: f64, m: usize) {
        match &self.neuron_bias {
            Some(kappa) => kappa.init(mean_target, m),
            None => {
                let per_node = F::c(mean_target / (B2_NODE_SCALE as f64 * m as f64));
                self.hidden.bias.update(|b| b[2] = per_node);
            }
        }
    }

    /// Mean weights from final node features `h [B, n + m + 1, d]` (inputs, hidden, output)
    /// under `schedule` (the logits' gain, the `-` readers' gate). Also returns the node
    /// features the heads read (`h` with the hidden nodes informed of their slots, see
    /// `signed_slots.rs`), for the sigma heads.
    pub fn forward(&self, h: &Tensor<F>, n: usize, m: usize, schedule: &Schedule) -> (BatchedWeights<F>, Tensor<F>) {
        let sharpness = Sharpness { gain: F::c(schedule.pointer_gain), rounds: self.rounds };
        let b = h.shape()[0];
        let inputs = h.narrow(1, 0, n);
        let output = h.narrow(1, n + m, 1);
        let own = h.narrow(1, n, m);
        let (informed, plan) = self.w1.prepare(&own, &inputs, &output, &sharpness);
        let read = informed.as_ref().map_or_else(|| h.clone(), |hidden| Tensor::concat(&[&inputs, hidden, &output], 1));
        let hidden = informed.unwrap_or(own);
        let heads = self.hidden.forward(&hidden); // [B, m, 4]
        let column = |c: usize| heads.narrow(2, c, 1).reshape(&[b, m]);
        let w1 = self.w1.forward(&hidden, &inputs, &heads, plan.as_ref(), &sharpness);
        let w2 = column(1).mul_scalar(self.prior_w2_sqrt_m / F::c(m as f64).sqrt());
        let (b1, w2) = match (&self.w1, plan.as_ref()) {
            (W1Head::SignedSlots(slots), Some(plan)) => (slots.offset_b1(column(0), plan, n), slots.gate_minus_readers(w2, plan, n, &schedule.minus_slot_gate.iter().map(|&a| F::c(a)).collect::<Vec<F>>())),
            _ => (column(0), w2),
        };
        let b2 = match &self.neuron_bias {
            Some(kappa) => kappa.forward(&w1, &b1, &w2),
            None => column(2).sum(1, false).mul_scalar(F::c(B2_NODE_SCALE as f64)).add(&self.out.forward(&output).reshape(&[b])),
        };
        (BatchedWeights { w1, b1, w2, b2 }, read)
    }
}
