//! A hierarchy of per-node latents, the `hierarchical-vae` complexity measure
//! (`docs/generator.md`, "Every random number priced").
//!
//! No free noise reaches the target weights. With node types `t`, blocks
//! `B_1 .. B_L` and a latent of size `s` per node and level:
//!
//! ```text
//! h_0 = E_type[t]                                   (no noise: node types only)
//! for l = 0 .. L:
//!     h_l = B_l(h_{l-1}, beta)            (l >= 1; attention over every node)
//!     q_l = N(mu_l, sigma_l^2),  [mu_l, ln sigma_l] = A_l h_l       (posterior)
//!     z_l = mu_l + sigma_l * eps_l,  eps_l ~ N(0, I)
//!     h_l <- h_l + P_l z_l                (later levels see earlier draws)
//! u = base + D_2 silu(base + D_1 z_L),  base = E_type[t] + C(beta)   (decoder)
//! ```
//!
//! and the target weights are read off `u` (the readout of `readout.rs`). The decoder
//! sees each node's own last latent, its type and beta, nothing of other nodes: every
//! bit of coordination between nodes (which neuron reads which input, with which sign)
//! has to pass through the posteriors, whose KL is paid:
//!
//! ```text
//! C = sum_l sum_nodes KL(q_l || p_l)   bits,
//! ```
//!
//! with the prior `p_l` either the fixed `N(0, I)` ([`LatentPrior::Standard`]) or learnt
//! top-down per node ([`LatentPrior::TopDown`]): `[m_l, ln s_l] = A'_l r_l` from a
//! path that sees only the node's own earlier latents, `r_0 = base`,
//! `r_{l+1} = r_l + P'_l z_l`. A latent left at its prior is pure noise and costs
//! nothing: independent random nodes (random directions) are free. The learnt prior
//! can make structure shared by all nodes of a type free as well; only what a node's
//! latent says about the other nodes is priced.
//!
//! The network's mean (`Generated::mean`) takes the last level at its posterior mean
//! and the levels above it sampled: the network the generator means for these draws
//! (all levels at their means would give every node of a type the same features).

use super::config::LatentPrior;
use super::linear::Linear;
use crate::params::ParamStore;
use crate::weight_kl::gaussian_kl_bits;
use autodiff::{Float, Key, Tensor};

/// Gain of the maps to `(mu, ln sigma)`: small, so a fresh generator's posteriors (and
/// learnt priors) start near `N(0, I)` (KL near 0, every latent as good as free noise).
const ENCODE_GAIN: f64 = 0.1;

/// One level: its posterior, its draw's way into the features and, for the learnt
/// prior, the prior's statistics and the prior path's update.
struct Level<F: Float> {
    posterior: Linear<F>,
    inject: Linear<F>,
    prior: Option<(Linear<F>, Linear<F>)>,
}

/// The latent levels and the per-node decoder.
pub struct LatentHierarchy<F: Float = f32> {
    levels: Vec<Level<F>>,
    code: Linear<F>,
    decode_in: Linear<F>,
    decode_out: Linear<F>,
    size: usize,
}

/// A Gaussian's mean and log standard deviation, `[B, T, s]` each.
struct Gaussian<F: Float> {
    mu: Tensor<F>,
    log_sigma: Tensor<F>,
}

/// Bound on `|ln sigma|` of the posteriors and learnt priors: `ln sigma = b tanh(a / b)`
/// for the raw statistic `a` (the identity near 0). Unbounded, a posterior's sigma can
/// grow without limit while its bits are not yet priced (the complexity warmup) until
/// its KL overflows f32 and `0 * inf` turns the loss into NaN (E59's first run). With
/// `b = 6`, sigma stays in `[0.0025, 403]`: about 8.6 bits of precision per dimension.
const LOG_SIGMA_BOUND: f64 = 6.0;

impl<F: Float> Gaussian<F> {
    /// Splits `[B, T, 2s]` statistics into mean and (bounded) log standard deviation.
    fn from_stats(stats: Tensor<F>, size: usize) -> Gaussian<F> {
        let bound = F::c(LOG_SIGMA_BOUND);
        let log_sigma = stats.narrow(2, size, size).mul_scalar(F::one() / bound).tanh().mul_scalar(bound);
        Gaussian { mu: stats.narrow(2, 0, size), log_sigma }
    }
}

/// Where the hierarchy stands between levels: the posterior's features, the learnt
/// prior's per-node path and the bits so far.
pub struct Walk<F: Float = f32> {
    h: Tensor<F>,
    prior_path: Tensor<F>,
    bits: Option<Tensor<F>>,
    last: Option<(Tensor<F>, Tensor<F>)>,
}

impl<F: Float> Walk<F> {
    /// The posterior's features now, `[B, T, d]`.
    pub fn features(&self) -> &Tensor<F> {
        &self.h
    }

    /// The same walk with the posterior's features replaced (after a block).
    pub fn with_features(self, h: Tensor<F>) -> Walk<F> {
        Walk { h, ..self }
    }
}

/// What the hierarchy gives the readout, for B networks.
pub struct Decoded<F: Float = f32> {
    /// Decoder features with the last latent sampled, `[B, T, d]`.
    pub sampled: Tensor<F>,
    /// Decoder features with the last latent at its posterior mean.
    pub at_mean: Tensor<F>,
    /// `sum_l sum_nodes KL(q_l || p_l)` in bits per network, `[B]`.
    pub bits: Tensor<F>,
}

impl<F: Float> LatentHierarchy<F> {
    /// `levels` latent levels of size `size` over features of width `width`, with the
    /// beta code of width `code_width`.
    pub fn new(store: &mut ParamStore<F>, width: usize, code_width: usize, size: usize, levels: usize, prior: LatentPrior, key: Key) -> LatentHierarchy<F> {
        let k = key.split(levels + 3);
        let levels = (0..levels)
            .map(|l| {
                let kl = k[l].split(4);
                let name = |part: &str| format!("hierarchy.level{l}.{part}");
                Level {
                    posterior: Linear::new(store, &name("posterior"), width, 2 * size, ENCODE_GAIN, 0.0, kl[0]),
                    inject: Linear::new(store, &name("inject"), size, width, 1.0, 0.0, kl[1]),
                    prior: (prior == LatentPrior::TopDown).then(|| {
                        (Linear::new(store, &name("prior"), width, 2 * size, ENCODE_GAIN, 0.0, kl[2]), Linear::new(store, &name("prior_inject"), size, width, 1.0, 0.0, kl[3]))
                    }),
                }
            })
            .collect::<Vec<_>>();
        let n = levels.len();
        LatentHierarchy {
            levels,
            code: Linear::new(store, "hierarchy.code", code_width, width, 1.0, 0.0, k[n]),
            decode_in: Linear::new(store, "hierarchy.decode_in", size, width, 1.0, 0.0, k[n + 1]),
            decode_out: Linear::new(store, "hierarchy.decode_out", width, width, 1.0, 0.0, k[n + 2]),
            size,
        }
    }

    /// The number of latent levels.
    pub fn levels(&self) -> usize {
        self.levels.len()
    }

    /// The decoder's per-node base `E_type[t] + C(beta)`, `[B, T, d]`, from the type
    /// embeddings `[B, T, d]` (or `[T, d]`, broadcast) and the beta code `[B, cw]`.
    fn base(&self, types: &Tensor<F>, code: &Tensor<F>) -> Tensor<F> {
        let b = code.shape()[0];
        let c = self.code.forward(code);
        let d = c.shape()[1];
        c.reshape(&[b, 1, d]).add(types)
    }

    /// The walk before level 0: the posterior's features are the type embeddings
    /// `[T, d]` broadcast to B networks, the learnt prior's path starts at the base.
    pub fn start(&self, types: &Tensor<F>, code: &Tensor<F>) -> Walk<F> {
        let prior_path = self.base(types, code);
        let h = types.broadcast_to(&prior_path.shape());
        Walk { h, prior_path, bits: None, last: None }
    }

    /// Level `l`: draws its latent with standard normals `eps [B, T, s]`, prices it and
    /// injects it into the features.
    pub fn level(&self, l: usize, walk: Walk<F>, eps: &Tensor<F>) -> Walk<F> {
        let level = &self.levels[l];
        let q = Gaussian::from_stats(level.posterior.forward(&walk.h), self.size);
        let z = q.mu.add(&q.log_sigma.exp().mul(eps));
        let (kl, prior_path) = match &level.prior {
            Some((stats, inject)) => {
                let p = Gaussian::from_stats(stats.forward(&walk.prior_path), self.size);
                (gaussian_kl_bits(&q.mu, &q.log_sigma, &p.mu, &p.log_sigma), walk.prior_path.add(&inject.forward(&z)))
            }
            None => (standard_kl_bits(&q), walk.prior_path),
        };
        let bits = Some(match walk.bits {
            Some(acc) => acc.add(&kl),
            None => kl,
        });
        let h = walk.h.add(&level.inject.forward(&z));
        Walk { h, prior_path, bits, last: Some((z, q.mu)) }
    }

    /// The decoder's features from the last level's draw and mean, with the bits of
    /// every level. `types` and `code` as for [`LatentHierarchy::start`].
    pub fn decode(&self, walk: Walk<F>, types: &Tensor<F>, code: &Tensor<F>) -> Decoded<F> {
        let (z, mu) = walk.last.expect("decode after the last level");
        let base = self.base(types, code);
        let features = |z: &Tensor<F>| base.add(&self.decode_out.forward(&base.add(&self.decode_in.forward(z)).silu()));
        Decoded { sampled: features(&z), at_mean: features(&mu), bits: walk.bits.expect("at least one level") }
    }
}

/// `KL(q || N(0, I))` in bits per network.
fn standard_kl_bits<F: Float>(q: &Gaussian<F>) -> Tensor<F> {
    crate::weight_kl::kl_bits(&q.mu, &q.log_sigma, 1.0)
}
