//! The standard deviations of the generated weights, per the complexity measure,
//! returned as `ln sigma` (what [`crate::weight_kl::kl_bits`] takes).
//!
//! * tensor sigma: `sigma_t = sp_t * sigmoid(a_t(c))` for t in (W1, b1, w2, b2), from the
//!   beta code `c`, one value per tensor per network; capped at the prior's `sp_t`.
//!   In logs: `ln sigma = ln sp - softplus(-a)`.
//! * weight sigma: the same form, with `a` read per weight off the node features
//!   (`W1` through a bilinear form of hidden and input nodes).
//! * neuron sigma: `a` read per hidden node, one value shared by the neuron's W1 row
//!   and b1, one for its w2; b2's off the output node.

use super::config::{ComplexityMeasure, GeneratorConfig};
use super::linear::Linear;
use super::bilinear::Bilinear;
use crate::target_batch::BatchedWeights;
use crate::params::ParamStore;
use autodiff::{Float, Key, Tensor};

/// Prior standard deviations for one width m: `[sp_W1, sp_b1, sp_w2, sp_b2]`.
pub fn priors(cfg: &GeneratorConfig, m: usize) -> [f64; 4] {
    cfg.priors.at_width(m)
}

pub enum SigmaHeads<F: Float = f32> {
    Tensor(Linear<F>),
    /// Per-node heads: `hidden` gives b1's and w2's `a` per neuron, `out` b2's. W1's
    /// `a` is per weight from the bilinear `w1` (offset by `logit`, the initial sigma,
    /// since the form has no bias) or, without it, b1's, shared by the whole row.
    Node { hidden: Linear<F>, out: Linear<F>, w1: Option<(Bilinear<F>, F)> },
    /// The latent measures (`node-latent`, `hierarchical-vae`): deterministic weights.
    None,
}

impl<F: Float> SigmaHeads<F> {
    pub fn new(store: &mut ParamStore<F>, cfg: &GeneratorConfig, key: Key) -> SigmaHeads<F> {
        let f = cfg.initial_sigma_fraction;
        let logit = (f / (1.0 - f)).ln();
        let k = key.split(3);
        match cfg.complexity {
            ComplexityMeasure::TensorSigma => SigmaHeads::Tensor(Linear::new(store, "sigma.tensor", cfg.cond_width, 4, 0.1, logit, k[0])),
            ComplexityMeasure::WeightSigma | ComplexityMeasure::NeuronSigma => SigmaHeads::Node {
                hidden: Linear::new(store, "sigma.hidden", cfg.width, 2, 0.1, logit, k[0]),
                out: Linear::new(store, "sigma.out", cfg.width, 1, 0.1, logit, k[1]),
                w1: (cfg.complexity == ComplexityMeasure::WeightSigma).then(|| (Bilinear::new(store, "sigma.w1", cfg.width, cfg.key_dim, k[2]), F::c(logit))),
            },
            ComplexityMeasure::NodeLatent | ComplexityMeasure::HierarchicalVae => SigmaHeads::None,
        }
    }

    /// `ln sigma` shaped to broadcast against the mean tensors, or `None` for
    /// deterministic weights. `h` are the final node features, `code` the beta code.
    pub fn forward(&self, h: &Tensor<F>, code: &Tensor<F>, n: usize, m: usize, sp: [f64; 4]) -> Option<BatchedWeights<F>> {
        let b = h.shape()[0];
        let scaled = |raw: Tensor<F>, t: usize| raw.neg().softplus().neg().add_scalar(F::c(sp[t].ln()));
        match self {
            SigmaHeads::Tensor(head) => {
                let s = head.forward(code); // [B, 4]
                let col = |t: usize, shape: &[usize]| scaled(s.narrow(1, t, 1), t).reshape(shape);
                Some(BatchedWeights { w1: col(0, &[b, 1, 1]), b1: col(1, &[b, 1]), w2: col(2, &[b, 1]), b2: col(3, &[b]) })
            }
            SigmaHeads::Node { hidden, out, w1 } => {
                let hid = h.narrow(1, n, m);
                let heads = hidden.forward(&hid); // [B, m, 2]
                let col = |c: usize| heads.narrow(2, c, 1).reshape(&[b, m]);
                let w1_raw = match w1 {
                    Some((form, logit)) => form.forward(&hid, &h.narrow(1, 0, n)).add_scalar(*logit),
                    None => heads.narrow(2, 0, 1),
                };
                Some(BatchedWeights {
                    w1: scaled(w1_raw, 0),
                    b1: scaled(col(0), 1),
                    w2: scaled(col(1), 2),
                    b2: scaled(out.forward(&h.narrow(1, n + m, 1)).reshape(&[b]), 3),
                })
            }
            SigmaHeads::None => None,
        }
    }
}
