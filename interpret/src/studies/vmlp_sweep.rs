//! The non-amortised reference at the sweep's betas: one variational MLP per beta
//! (and per baseline seed), trained with the generator's priors and the generator's
//! bit price (`beta * bits / W`, W the number of target weights), then S whole-network
//! samples per beta measured exactly as the generator's samples are
//! ([`measure_networks`]). Sample `s` at a beta comes from that beta's network
//! `s mod seeds`, and carries that network's complexity in bits.

use crate::studies::beta_sweep::{measure_networks, SweepPoint};
use crate::studies::reproduce_config::ReproduceConfig;
use autodiff::Key;
use hypernet::log::MetricsLog;
use hypernet::target_batch::BatchedWeights;
use hypernet::vmlp::{train_vmlp, VmlpConfig, VmlpNetwork};
use hypernet::TargetWeights;

/// The variational-MLP configuration matching the reproduction's generator.
pub fn vmlp_config(cfg: &ReproduceConfig) -> VmlpConfig {
    let problem = cfg.training.problem_at(cfg.sweep.inputs);
    let g = &cfg.training.generator;
    let v = &cfg.vmlp;
    VmlpConfig {
        seed: cfg.seed,
        log10_betas: cfg.sweep_log10_betas(),
        seeds: v.seeds,
        steps: v.steps,
        batch_size: v.batch_size,
        log_every: (v.steps / 50).max(1),
        priors: g.priors,
        complexity_normaliser: problem.weight_count() as f64,
        initial_sigma_fraction: v.initial_sigma_fraction,
        noise: v.noise,
        sigma: hypernet::vmlp::SigmaSharing::WeightSigma,
        eval_points: cfg.sweep.eval_points,
        eval_samples: 1,
        problem,
        optimizer: v.optimizer.clone(),
    }
}

/// Trains the variational MLPs (logging to `log`) and samples and measures
/// `cfg.sweep.samples` networks per beta.
pub fn sweep_vmlp(cfg: &ReproduceConfig, log: Option<&mut MetricsLog>) -> Result<Vec<SweepPoint>, String> {
    let vcfg = vmlp_config(cfg);
    let outcome = train_vmlp(&vcfg, log).map_err(|e| format!("variational MLPs: {e}"))?;
    let key = Key::new(cfg.seed).fold_in(crate::studies::keys::VMLP_SAMPLES);
    let per_beta = vcfg.seeds;
    Ok(outcome
        .networks
        .chunks(per_beta)
        .enumerate()
        .map(|(k, group)| {
            let lb = group[0].log10_beta;
            let picks: Vec<&VmlpNetwork> = (0..cfg.sweep.samples).map(|s| &group[s % per_beta]).collect();
            let samples: Vec<TargetWeights> = picks.iter().enumerate().map(|(s, net)| sample_posterior(net, key.fold_in(k as u64).fold_in(s as u64))).collect();
            let bits = picks.iter().map(|net| net.bits).collect();
            let measured = measure_networks(&BatchedWeights::from_targets(&samples), bits, &vcfg.problem, cfg.sweep.eval_points, key.fold_in(k as u64).fold_in(u64::MAX));
            SweepPoint::of(lb, measured)
        })
        .collect())
}

/// One whole-network sample `mean + sigma * eps` of a trained variational MLP.
pub fn sample_posterior(net: &VmlpNetwork, key: Key) -> TargetWeights {
    sample_gaussian_weights(&net.mean, &net.sigma, key)
}

/// One whole-network sample `mean + sigma * eps`, `eps ~ N(0, 1)` per weight from `key`.
pub fn sample_gaussian_weights(mean: &TargetWeights, sigma: &TargetWeights, key: Key) -> TargetWeights {
    let k = key.split(4);
    let (m, n) = mean.w1.dim();
    let eps = |key: Key, len: usize| ndarray::Array1::from(key.normal_f64(len).iter().map(|&v| v as f32).collect::<Vec<f32>>());
    let w1_eps = eps(k[0], m * n).into_shape_with_order((m, n)).expect("m * n values");
    TargetWeights {
        w1: &mean.w1 + &(&sigma.w1 * &w1_eps),
        b1: &mean.b1 + &(&sigma.b1 * &eps(k[1], m)),
        w2: &mean.w2 + &(&sigma.w2 * &eps(k[2], m)),
        b2: mean.b2 + sigma.b2 * k[3].normal_f64(1)[0] as f32,
        activation: mean.activation,
    }
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use hypernet::problem::ProblemConfig;
    use ndarray::{Array1, Array2};

    #[test]
    fn posterior_samples_have_the_posterior_mean_and_spread() {
        let problem = ProblemConfig { inputs: 3, hidden: 2, ..ProblemConfig::default() };
        let weights = |v: f32| TargetWeights { w1: Array2::from_elem((2, 3), v), b1: Array1::from_elem(2, v), w2: Array1::from_elem(2, v), b2: v, activation: problem.activation };
        let net = VmlpNetwork { log10_beta: 0.0, seed_index: 0, bits: 1.0, nmse_sampled: 0.0, nmse_mean: 0.0, mean: weights(2.0), sigma: weights(0.5) };
        let draws: Vec<f32> = (0..4000).map(|i| sample_posterior(&net, Key::new(7).fold_in(i)).w1[[1, 2]]).collect();
        let mean = draws.iter().sum::<f32>() / draws.len() as f32;
        let sd = (draws.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / draws.len() as f32).sqrt();
        assert!(abs_diff_eq!(mean, 2.0, epsilon = 0.05) && abs_diff_eq!(sd, 0.5, epsilon = 0.05), "mean {mean}, sd {sd}");
    }

    #[test]
    fn the_baseline_prices_bits_like_the_generator() {
        let cfg = ReproduceConfig::default();
        let v = vmlp_config(&cfg);
        v.validate().unwrap();
        assert_eq!(v.complexity_normaliser, cfg.training.problem_at(cfg.sweep.inputs).weight_count() as f64);
        assert_eq!(v.log10_betas, cfg.sweep_log10_betas());
        assert_eq!(v.priors, cfg.training.generator.priors);
    }
}
