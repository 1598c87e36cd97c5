//! The Laplace estimate of a network's description length at a price `beta`.
//!
//! The generator minimises, per network, `nMSE(q) + (beta / W) bits(q)`: the expected
//! error under a weight distribution `q` plus its information content
//! `bits(q) = KL(q || p)` in bits against the prior `p = N(0, P^-1)`, `P = diag(1/sp_i^2)`
//! (`hypernet::weight_kl`), with `W` weights. For a Gaussian `q = N(theta, Sigma)`
//! around a network `theta`, expand the error to second order,
//! `E_q[nMSE] ~ nMSE(theta) + 1/2 tr(H Sigma)` with `H` the Hessian of the nMSE, and
//! write `c = W ln 2 / beta`. Setting the derivative in `Sigma` to zero,
//!
//! ```text
//! 1/2 H + (1 / c) 1/2 (P - Sigma^-1) = 0   =>   Sigma^-1 = P + c H,
//! ```
//!
//! the posterior precision is the prior's plus the curvature priced by `beta`. With
//! `a_i` the eigenvalues of the whitened curvature `A = c D H D` (`D = P^-1/2`, the prior
//! standard deviations), the KL between Gaussians gives
//!
//! ```text
//! bits  = 1/(2 ln 2) [ sum_i ( ln(1 + a_i) - a_i / (1 + a_i) ) + theta^T P theta ]
//! extra = 1/2 tr(H Sigma) = 1/(2c) sum_i a_i / (1 + a_i)          (nMSE above nMSE(theta))
//! ```
//!
//! Each direction the error is flat in (`a_i ~ 0`) is free; one it is curved in costs
//! about `1/2 log2(a_i)` bits, the number of bits to which that direction must be
//! written down. A direction of negative curvature (`theta` is not a minimum there)
//! has no Gaussian optimum; it is counted as flat (`a_i` clamped to 0) and reported.

/// The estimate at one `beta`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaplaceBits {
    pub log10_beta: f64,
    /// `bits(q)` of the optimal Gaussian around the network.
    pub bits: f64,
    /// Of which the mean term `theta^T P theta / (2 ln 2)`.
    pub mean_bits: f64,
    /// `1/2 tr(H Sigma)`: the expected nMSE the noise adds.
    pub extra_nmse: f64,
    /// The objective `nMSE(theta) + extra + beta bits / W`.
    pub objective: f64,
}

/// The estimate at each `log10_beta`, for a network of `weights` weights with error
/// `nmse`, prior-whitened Hessian eigenvalues `whitened` (of `D H D`) and squared
/// prior-whitened length `mean_norm = theta^T P theta`.
pub fn laplace_bits(nmse: f64, weights: usize, whitened: &[f64], mean_norm: f64, log10_betas: &[f64]) -> Vec<LaplaceBits> {
    let ln2 = std::f64::consts::LN_2;
    let mean_bits = mean_norm / (2.0 * ln2);
    log10_betas
        .iter()
        .map(|&log10_beta| {
            let beta = 10f64.powf(log10_beta);
            let c = weights as f64 * ln2 / beta;
            let (mut nats, mut shrink) = (0.0, 0.0);
            for &mu in whitened {
                let a = c * mu.max(0.0);
                nats += a.ln_1p() - a / (1.0 + a);
                shrink += a / (1.0 + a);
            }
            let bits = nats / (2.0 * ln2) + mean_bits;
            let extra_nmse = shrink / (2.0 * c);
            LaplaceBits { log10_beta, bits, mean_bits, extra_nmse, objective: nmse + extra_nmse + beta * bits / weights as f64 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn a_flat_network_pays_only_for_its_mean() {
        // No curvature: the posterior is the prior moved to theta; KL = theta^T P theta / 2 nats.
        let [b] = laplace_bits(0.5, 10, &[0.0; 10], 2.0, &[-3.0])[..] else { panic!("one beta") };
        assert_abs_diff_eq!(b.bits, 1.0 / std::f64::consts::LN_2, epsilon = 1e-12);
        assert_eq!(b.extra_nmse, 0.0);
        assert_abs_diff_eq!(b.objective, 0.5 + 1e-3 * b.bits / 10.0, epsilon = 1e-15);
    }

    #[test]
    fn one_curved_direction_by_hand() {
        // One weight, W = 1, H = mu, beta = ln 2 so c = 1: a = mu. With mu = e - 1,
        // bits = (1 - (e - 1)/e) / (2 ln 2) = 1 / (2 e ln 2), extra = (e - 1) / (2 e).
        let e = std::f64::consts::E;
        let b = laplace_bits(0.0, 1, &[e - 1.0], 0.0, &[std::f64::consts::LN_2.log10()])[0];
        assert_abs_diff_eq!(b.bits, 1.0 / (2.0 * e * std::f64::consts::LN_2), epsilon = 1e-12);
        assert_abs_diff_eq!(b.extra_nmse, (e - 1.0) / (2.0 * e), epsilon = 1e-12);
    }

    #[test]
    fn sharper_curvature_and_lower_beta_cost_more_bits() {
        let at = |mu: f64, log10_beta: f64| laplace_bits(0.0, 100, &[mu; 5], 0.0, &[log10_beta])[0].bits;
        assert!(at(10.0, -3.0) > at(1.0, -3.0) && at(1.0, -5.0) > at(1.0, -3.0));
        // Negative curvature counts as flat.
        assert_eq!(at(-4.0, -3.0), 0.0);
    }
}
