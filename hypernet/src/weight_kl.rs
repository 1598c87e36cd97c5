//! The information content of Gaussian weights: `KL(q || p)` in bits of
//! `q = N(mu, sigma^2)` against the prior `p = N(0, sp^2)`, summed per network.
//!
//! Derivation, for one weight. With `log q(t) = -ln(sigma sqrt(2 pi)) - (t - mu)^2 / (2 sigma^2)`
//! and `log p(t) = -ln(sp sqrt(2 pi)) - t^2 / (2 sp^2)`,
//!
//! ```text
//! KL = E_q[log q(t) - log p(t)]
//!    = ln(sp / sigma) - E_q[(t - mu)^2] / (2 sigma^2) + E_q[t^2] / (2 sp^2)
//!    = ln(sp / sigma) - 1/2 + (sigma^2 + mu^2) / (2 sp^2)      nats,
//! ```
//!
//! using `E_q[(t - mu)^2] = sigma^2` and `E_q[t^2] = sigma^2 + mu^2`. One nat is
//! `1 / ln 2` bits. The KL is 0 exactly when `mu = 0` and `sigma = sp` (a weight left
//! at the prior is free), grows like `ln(sp / sigma)` as a weight is pinned, and like
//! `mu^2 / (2 sp^2)` as it moves away from 0. Here the standard deviation comes in as
//! `log_sigma = ln sigma`, which keeps the `ln(sp / sigma)` term exact for tiny sigma.

use autodiff::{Float, Tensor};

/// Per-network KL in bits, `[B]`, of weights with means `mu [B, ...]` and
/// log-standard-deviations `log_sigma` (same shape) against `N(0, sp^2)`.
pub fn kl_bits<T: Float>(mu: &Tensor<T>, log_sigma: &Tensor<T>, sp: f64) -> Tensor<T> {
    assert_eq!(mu.shape(), log_sigma.shape(), "kl_bits: mu {:?} and log_sigma {:?} differ in shape", mu.shape(), log_sigma.shape());
    let b = mu.shape()[0];
    let per_network = mu.len() / b;
    let nats = log_sigma
        .neg()
        .add_scalar(T::c(sp.ln() - 0.5))
        .add(&log_sigma.mul_scalar(T::c(2.0)).exp().add(&mu.square()).mul_scalar(T::c(0.5 / (sp * sp))));
    nats.reshape(&[b, per_network]).sum(1, false).mul_scalar(T::c(std::f64::consts::LOG2_E))
}

/// Per-network KL in bits, `[B]`, of `q = N(mu_q, sigma_q^2)` against a prior
/// `p = N(mu_p, sigma_p^2)` of its own per element (all four tensors of one shape
/// `[B, ...]`, standard deviations as logarithms). The same derivation as above with the
/// prior's mean moved to `mu_p`:
///
/// ```text
/// KL = ln(sigma_p / sigma_q) - 1/2 + (sigma_q^2 + (mu_q - mu_p)^2) / (2 sigma_p^2)     nats
///    = -d - 1/2 + (e^(2d) + ((mu_q - mu_p) / sigma_p)^2) / 2,     d = ln sigma_q - ln sigma_p,
/// ```
///
/// the second form computed here (no division by a tiny `sigma_p^2`). With
/// `mu_p = 0, sigma_p = sp` it is [`kl_bits`].
pub fn gaussian_kl_bits<T: Float>(mu_q: &Tensor<T>, log_sigma_q: &Tensor<T>, mu_p: &Tensor<T>, log_sigma_p: &Tensor<T>) -> Tensor<T> {
    let shape = mu_q.shape();
    for (name, t) in [("log_sigma_q", log_sigma_q), ("mu_p", mu_p), ("log_sigma_p", log_sigma_p)] {
        assert_eq!(t.shape(), shape, "gaussian_kl_bits: {name} {:?} differs in shape from mu_q {shape:?}", t.shape());
    }
    let b = shape[0];
    let d = log_sigma_q.sub(log_sigma_p);
    let standardised = mu_q.sub(mu_p).mul(&log_sigma_p.neg().exp());
    let nats = d.neg().add_scalar(T::c(-0.5)).add(&d.mul_scalar(T::c(2.0)).exp().add(&standardised.square()).mul_scalar(T::c(0.5)));
    nats.reshape(&[b, mu_q.len() / b]).sum(1, false).mul_scalar(T::c(std::f64::consts::LOG2_E))
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use autodiff::gradcheck::{check_gradients, Tolerance};
    use autodiff::Key;

    /// The closed form against a Monte-Carlo estimate of `E_q[log q - log p]`.
    #[test]
    fn the_general_kl_is_the_prior_kl_at_a_centred_prior_and_zero_at_itself() {
        let mu = Tensor::from_vec(&[2, 3], vec![0.3, -1.2, 0.0, 2.0, 0.5, -0.1]);
        let log_sigma = Tensor::from_vec(&[2, 3], vec![-0.5, 0.2, -2.0, 0.0, 0.7, -0.3]);
        let sp = 1.7f64;
        let general = gaussian_kl_bits(&mu, &log_sigma, &Tensor::from_vec(&[2, 3], vec![0.0; 6]), &Tensor::from_vec(&[2, 3], vec![sp.ln(); 6])).to_vec();
        let centred = kl_bits(&mu, &log_sigma, sp).to_vec();
        for (g, c) in general.iter().zip(&centred) {
            assert!(abs_diff_eq!(g, c, epsilon = 1e-12), "{general:?} vs {centred:?}");
        }
        let itself = gaussian_kl_bits(&mu, &log_sigma, &mu, &log_sigma).to_vec();
        assert!(itself.iter().all(|v| v.abs() < 1e-12), "{itself:?}");
    }

    /// Against a Monte-Carlo estimate of `E_q[log q - log p]` with the prior off centre.
    #[test]
    fn the_general_kl_matches_a_monte_carlo_estimate() {
        let (mq, sq, mp, sp) = (0.4f64, 0.6f64, -0.5f64, 1.3f64);
        let t: Vec<f64> = Key::new(13).normal_f64(400_000).iter().map(|e| mq + sq * e).collect();
        let log_ratio = |t: f64| (sp / sq).ln() - (t - mq).powi(2) / (2.0 * sq * sq) + (t - mp).powi(2) / (2.0 * sp * sp);
        let mc_bits = t.iter().map(|&t| log_ratio(t)).sum::<f64>() / t.len() as f64 / std::f64::consts::LN_2;
        let one = |v: f64| Tensor::from_vec(&[1, 1], vec![v]);
        let bits = gaussian_kl_bits(&one(mq), &one(sq.ln()), &one(mp), &one(sp.ln())).item();
        assert!(abs_diff_eq!(bits, mc_bits, epsilon = 0.01), "closed form {bits}, Monte Carlo {mc_bits}");
    }

    #[test]
    fn matches_a_monte_carlo_estimate() {
        let (mu, sigma, sp) = (0.7f64, 0.3f64, 1.5f64);
        let t: Vec<f64> = Key::new(11).normal_f64(400_000).iter().map(|e| mu + sigma * e).collect();
        let log_ratio = |t: f64| -(sigma / sp).ln() - (t - mu).powi(2) / (2.0 * sigma * sigma) + t * t / (2.0 * sp * sp);
        let mc_bits = t.iter().map(|&t| log_ratio(t)).sum::<f64>() / t.len() as f64 / std::f64::consts::LN_2;
        let bits = kl_bits(&Tensor::from_vec(&[1, 1], vec![mu]), &Tensor::from_vec(&[1, 1], vec![sigma.ln()]), sp).item();
        assert!(abs_diff_eq!(bits, mc_bits, epsilon = 0.01), "closed form {bits}, Monte Carlo {mc_bits}");
    }

    #[test]
    fn weights_at_the_prior_are_free_and_networks_sum_separately() {
        let sp = 0.5f64;
        let mu = Tensor::from_vec(&[2, 3], vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let log_sigma = Tensor::from_vec(&[2, 3], vec![sp.ln(); 6]);
        let bits = kl_bits(&mu, &log_sigma, sp).to_vec();
        assert!(bits[0].abs() < 1e-12, "{bits:?}");
        let one_weight = 1.0 / (2.0 * sp * sp) / std::f64::consts::LN_2;
        assert!(abs_diff_eq!(bits[1], one_weight, epsilon = 1e-12), "{bits:?}");
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let k = Key::new(2).split(2);
        let inputs = vec![k[0].normal(&[2, 3]), k[1].normal::<f64>(&[2, 3]).mapv(|v| 0.3 * v)];
        let f = |t: &[Tensor<f64>]| kl_bits(&t[0], &t[1], 0.8);
        check_gradients(&f, &inputs, &Tolerance::default()).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn the_general_kl_gradient_matches_finite_differences() {
        let k = Key::new(3).split(4);
        let inputs: Vec<_> = k.iter().map(|key| key.normal::<f64>(&[2, 3]).mapv(|v| 0.5 * v)).collect();
        let f = |t: &[Tensor<f64>]| gaussian_kl_bits(&t[0], &t[1], &t[2], &t[3]);
        check_gradients(&f, &inputs, &Tolerance::default()).unwrap_or_else(|e| panic!("{e}"));
    }
}
