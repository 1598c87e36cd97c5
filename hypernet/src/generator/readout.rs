//! Reading target weights off the node features.
//!
//! With hidden-node features `H [B, m, d]`, input-node features `X [B, n, d]` and the
//! output node's `o [B, 1, d]`:
//! * `b1_j = head(H_j)_0`, `w2_j = head(H_j)_1 * sp_w2` (`sp_w2 = prior_w2_sqrt_m / sqrt(m)`),
//! * `b2 = sum_j head(H_j)_2 + out(o)`: a sum over nodes, so it grows with the network
//!   as the L1 norm's mean does (an average could not follow n),
//! * `W1[j, i]` from `H_j` and `X_i` (bilinear or pointer, see [`W1Readout`]).
//! Every weight is a function of its own nodes' features only, so permuting input or
//! hidden nodes permutes the weights the same way.

use super::config::{GeneratorConfig, W1Readout};
use super::linear::Linear;
use crate::params::ParamStore;
use crate::target_batch::BatchedWeights;
use autodiff::{Key, Tensor};

/// A bilinear form `q(a) . k(b) / sqrt(dk)` between two node sets: `[B, rows, cols]`.
pub struct Bilinear {
    q: Linear,
    k: Linear,
    scale: f32,
}

impl Bilinear {
    pub fn new(store: &mut ParamStore, name: &str, d: usize, dk: usize, key: Key) -> Bilinear {
        let k = key.split(2);
        Bilinear {
            q: Linear::new(store, &format!("{name}.q"), d, dk, 1.0, 0.0, k[0]),
            k: Linear::new(store, &format!("{name}.k"), d, dk, 1.0, 0.0, k[1]),
            scale: 1.0 / (dk as f32).sqrt(),
        }
    }

    pub fn forward(&self, rows: &Tensor<f32>, cols: &Tensor<f32>) -> Tensor<f32> {
        self.q.forward(rows).matmul(&self.k.forward(cols).transpose(1, 2)).mul_scalar(self.scale)
    }
}

/// The readout heads.
pub struct Readout {
    hidden: Linear,
    out: Linear,
    logits: Bilinear,
    sign: Option<Bilinear>,
    kind: W1Readout,
    prior_w2_sqrt_m: f32,
}

impl Readout {
    pub fn new(store: &mut ParamStore, cfg: &GeneratorConfig, key: Key) -> Readout {
        let k = key.split(4);
        let (d, dk) = (cfg.width, cfg.key_dim);
        Readout {
            hidden: Linear::new(store, "readout.hidden", d, 4, 1.0, 0.0, k[0]),
            out: Linear::new(store, "readout.out", d, 1, 1.0, 0.0, k[1]),
            logits: Bilinear::new(store, "readout.w1", d, dk, k[2]),
            sign: (cfg.w1_readout == W1Readout::Pointer).then(|| Bilinear::new(store, "readout.w1_sign", d, dk, k[3])),
            kind: cfg.w1_readout,
            prior_w2_sqrt_m: cfg.prior_w2_sqrt_m as f32,
        }
    }

    /// Mean weights from final node features `h [B, n + m + 1, d]` (inputs, hidden, output).
    pub fn forward(&self, h: &Tensor<f32>, n: usize, m: usize) -> BatchedWeights<f32> {
        let b = h.shape()[0];
        let inputs = h.narrow(1, 0, n);
        let hidden = h.narrow(1, n, m);
        let output = h.narrow(1, n + m, 1);
        let heads = self.hidden.forward(&hidden); // [B, m, 4]
        let column = |c: usize| heads.narrow(2, c, 1).reshape(&[b, m]);
        let b2 = column(2).sum(1, false).add(&self.out.forward(&output).reshape(&[b]));
        let logits = self.logits.forward(&hidden, &inputs);
        let w1 = match (&self.kind, &self.sign) {
            (W1Readout::Pointer, Some(sign)) => {
                let magnitude = heads.narrow(2, 3, 1).add_scalar(1.0).softplus(); // [B, m, 1]
                logits.softmax(-1).mul(&sign.forward(&hidden, &inputs).tanh()).mul(&magnitude)
            }
            _ => logits,
        };
        BatchedWeights {
            w1,
            b1: column(0),
            w2: column(1).mul_scalar(self.prior_w2_sqrt_m / (m as f32).sqrt()),
            b2,
        }
    }
}
