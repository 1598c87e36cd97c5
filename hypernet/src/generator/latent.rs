//! Per-node latents, the `node-latent` complexity measure (`docs/prototypes.md` §1).
//!
//! After the first block each node t reads the mean and log standard deviation of a
//! latent `z_t ~ N(mu_t, diag(sigma_t^2))` (size `noise_dim`) off its features,
//!
//! ```text
//! [mu_t, ln sigma_t] = E h_t + e,     z_t = mu_t + sigma_t * eps_t,     h_t <- h_t + P z_t,
//! ```
//!
//! and the network's complexity is what the latents say beyond their prior,
//! `C = sum_t KL(N(mu_t, sigma_t^2) || N(0, I))` in bits (per dimension the weight
//! KL of `crate::weight_kl` with `sp = 1`). The target weights are then decoded
//! deterministically from the features. The level-0 node noise stays free, so this
//! measure prices only what the generator adds to it after looking at the whole graph.

use super::linear::Linear;
use crate::params::ParamStore;
use crate::weight_kl::kl_bits;
use autodiff::{Float, Key, Tensor};

/// Gain of the map to `(mu, ln sigma)`: small, so a fresh generator's latents start
/// near the prior (KL near 0, the latent as good as free noise).
const ENCODE_GAIN: f64 = 0.1;

/// The latent's statistics and how it enters the features.
pub struct NodeLatent<F: Float = f32> {
    encode: Linear<F>,
    inject: Linear<F>,
    size: usize,
}

/// What the latent layer did to B networks' features.
pub struct Latent<F: Float = f32> {
    /// Features with the latent means injected (`z = mu`): the deterministic network.
    pub at_mean: Tensor<F>,
    /// Features with a sampled latent injected.
    pub sampled: Tensor<F>,
    /// `sum_t KL` in bits per network, `[B]`.
    pub bits: Tensor<F>,
}

impl<F: Float> NodeLatent<F> {
    pub fn new(store: &mut ParamStore<F>, width: usize, size: usize, key: Key) -> NodeLatent<F> {
        let k = key.split(2);
        NodeLatent {
            encode: Linear::new(store, "latent.encode", width, 2 * size, ENCODE_GAIN, 0.0, k[0]),
            inject: Linear::new(store, "latent.inject", size, width, 1.0, 0.0, k[1]),
            size,
        }
    }

    /// Applies the latent to features `h [B, T, d]` with standard normal draws
    /// `eps [B, T, size]`.
    pub fn forward(&self, h: &Tensor<F>, eps: &Tensor<F>) -> Latent<F> {
        let stats = self.encode.forward(h);
        let mu = stats.narrow(2, 0, self.size);
        let log_sigma = stats.narrow(2, self.size, self.size);
        let z = mu.add(&log_sigma.exp().mul(eps));
        Latent { at_mean: h.add(&self.inject.forward(&mu)), sampled: h.add(&self.inject.forward(&z)), bits: latent_bits(&mu, &log_sigma) }
    }
}

/// `sum KL(N(mu, sigma^2) || N(0, 1))` in bits over all but the first (network) axis.
pub fn latent_bits<F: Float>(mu: &Tensor<F>, log_sigma: &Tensor<F>) -> Tensor<F> {
    kl_bits(mu, log_sigma, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A latent `[1, 2, 3]` (one network, two nodes, three dimensions).
    fn latent(values: Vec<f64>) -> Tensor<f64> {
        Tensor::from_vec(&[1, 2, 3], values)
    }

    #[test]
    fn latents_at_the_prior_cost_exactly_nothing() {
        let bits = latent_bits(&latent(vec![0.0; 6]), &latent(vec![0.0; 6])).to_vec();
        assert_eq!(bits, vec![0.0]);
        let moved = latent_bits(&latent(vec![0.0, 0.0, 0.5, 0.0, 0.0, 0.0]), &latent(vec![0.0; 6])).item();
        assert!(moved > 0.0, "a latent mean off 0 must cost bits, got {moved}");
    }

    /// The closed form against a Monte-Carlo estimate of `E_q[log q(z) - log p(z)]`
    /// summed over nodes and dimensions.
    #[test]
    fn matches_a_monte_carlo_estimate() {
        let mu = vec![0.7, -0.2, 0.0, 1.3, 0.4, -0.9];
        let sigma = vec![0.3, 1.4, 0.8, 0.5, 1.0, 0.2];
        let draws = 200_000;
        let eps = Key::new(12).normal_f64(draws * mu.len());
        let mut nats = 0.0;
        for draw in eps.chunks(mu.len()) {
            for ((m, s), e) in mu.iter().zip(&sigma).zip(draw) {
                let z = m + s * e;
                // log q(z) - log p(z) = -ln s - e^2 / 2 + z^2 / 2
                nats += -s.ln() - e * e / 2.0 + z * z / 2.0;
            }
        }
        let mc_bits = nats / draws as f64 / std::f64::consts::LN_2;
        let bits = latent_bits(&latent(mu), &latent(sigma.iter().map(|s| s.ln()).collect())).item();
        assert!((bits - mc_bits).abs() < 0.02 * bits.max(1.0), "closed form {bits}, Monte Carlo {mc_bits}");
    }
}
