//! Baseline: the variational MLP (variational minimum description length), one per
//! beta, the direct non-amortised reference the generator must match.
//!
//! Every weight is a Gaussian `theta = mu + sigma eps`, `eps ~ N(0, 1)`, with its own
//! trainable `mu` and `rho = ln sigma` (so `sigma = exp(rho)` stays positive and Adam
//! moves `sigma` by ratios). Each target tensor `t` in (W1, b1, w2, b2) has the prior
//! `N(0, sp_t^2)`, with `sp = (1, 1, 1/sqrt(m), 10)` by default. The complexity is
//! `C = sum over weights of KL(q || p)` in bits; [`crate::weight_kl`] derives the
//! closed form
//!
//! `KL = ln(sp / sigma) + (sigma^2 + mu^2) / (2 sp^2) - 1/2` nats, divided by `ln 2`.
//!
//! Each network minimises `E_q[nMSE] + beta C_bits / normaliser` (the normaliser is
//! conventionally the number of weights, 865 for 16 -> 48 -> 1). High beta makes
//! pinned weights expensive and leaves weights at the prior (random features, free);
//! low beta buys accuracy with bits.
//!
//! All betas x seeds networks train together as one batch of B = betas x seeds
//! networks through [`crate::target_batch`], network `i = beta_index * seeds + seed_index`.
//! The expectation `E_q[nMSE]` is estimated per step with whole-network samples or by
//! local reparameterisation ([`WeightNoise`], `posterior.rs`).
//! Evaluation always uses whole-network samples.
//!
//! Randomness, from `Key::new(seed)`: `fold_in(0).fold_in(seed_index)` initialises the
//! means (so every beta starts from the same networks), `fold_in(1).fold_in(step)`
//! draws a step's inputs and weight noise, `fold_in(2)` the evaluation.

pub use crate::posterior::{Posterior, SigmaSharing, WeightNoise};
use crate::log::MetricsLog;
use crate::optim_config::OptimConfig;
use crate::prior::WeightPriors;
use crate::problem::ProblemConfig;
use crate::target::TargetWeights;
use crate::target_batch::BatchedWeights;
use crate::task::normalised_mse;
use crate::train_error::{check_finite, TrainError};
use autodiff::optim::Optimizer;
use autodiff::{no_grad, Key, Tensor};
use ndarray::IxDyn;
use serde::{Deserialize, Serialize};

/// Settings of a variational-MLP sweep over beta (TOML, every default written out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VmlpConfig {
    pub seed: u64,
    /// The betas, as log10 beta.
    pub log10_betas: Vec<f64>,
    /// Networks per beta (different initial means).
    pub seeds: usize,
    pub steps: usize,
    /// Inputs per network per step.
    pub batch_size: usize,
    /// Steps between log records.
    pub log_every: usize,
    /// Prior standard deviations of the target weights.
    pub priors: WeightPriors,
    /// The loss is `nMSE + beta * bits / complexity_normaliser`.
    pub complexity_normaliser: f64,
    /// Initial sigma of every weight, as a fraction of its prior's sp.
    pub initial_sigma_fraction: f64,
    /// How training samples the weight noise.
    pub noise: WeightNoise,
    /// Which weights share one standard deviation (the complexity measure's form).
    pub sigma: SigmaSharing,
    /// Fresh inputs (shared by all networks) for the final evaluation.
    pub eval_points: usize,
    /// Whole-network weight samples averaged in the evaluation's sampled nMSE.
    pub eval_samples: usize,
    pub problem: ProblemConfig,
    pub optimizer: OptimConfig,
}

impl Default for VmlpConfig {
    fn default() -> Self {
        VmlpConfig {
            seed: 0,
            log10_betas: vec![-4.0, -3.0, -2.0, -1.0, -0.5, 0.0, 1.0],
            seeds: 1,
            steps: 5000,
            batch_size: 256,
            log_every: 100,
            priors: WeightPriors::default(),
            complexity_normaliser: 865.0,
            initial_sigma_fraction: 0.1,
            noise: WeightNoise::Local,
            sigma: SigmaSharing::WeightSigma,
            eval_points: 8192,
            eval_samples: 16,
            problem: ProblemConfig::default(),
            optimizer: OptimConfig::default(),
        }
    }
}

impl VmlpConfig {
    /// Checks every setting, naming the first bad one.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |m: String| Err(TrainError::Config(m));
        self.problem.validate().map_err(TrainError::Config)?;
        self.priors.validate("vmlp").map_err(TrainError::Config)?;
        if self.log10_betas.is_empty() || self.log10_betas.iter().any(|b| !b.is_finite()) {
            return bad(format!("log10_betas must be a non-empty list of finite numbers, got {:?}", self.log10_betas));
        }
        let counts = [
            ("seeds", self.seeds),
            ("steps", self.steps),
            ("batch_size", self.batch_size),
            ("log_every", self.log_every),
            ("eval_points", self.eval_points),
            ("eval_samples", self.eval_samples),
        ];
        if let Some((name, _)) = counts.iter().find(|(_, v)| *v == 0) {
            return bad(format!("{name} must be at least 1"));
        }
        let positives = [
            ("complexity_normaliser", self.complexity_normaliser),
            ("initial_sigma_fraction", self.initial_sigma_fraction),
        ];
        if let Some((name, v)) = positives.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
            return bad(format!("{name} must be finite and > 0, got {v}"));
        }
        self.optimizer.schedule(self.steps).map(|_| ())
    }

    /// Prior standard deviations `[sp_W1, sp_b1, sp_w2, sp_b2]`.
    pub fn priors(&self) -> [f64; 4] {
        self.priors.at_width(self.problem.hidden)
    }

    /// Number of networks trained together.
    pub fn networks(&self) -> usize {
        self.log10_betas.len() * self.seeds
    }
}

/// One log record for one beta: training nMSE averaged over the seeds and the steps
/// since the last record, and the seeds' mean complexity now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VmlpRecord {
    pub step: usize,
    pub log10_beta: f64,
    pub beta: f64,
    pub nmse: f64,
    pub bits: f64,
    pub learning_rate: f64,
}

/// One trained network and its evaluation.
#[derive(Clone, Debug)]
pub struct VmlpNetwork {
    pub log10_beta: f64,
    pub seed_index: usize,
    pub bits: f64,
    /// nMSE of whole-network weight samples (mean over `eval_samples` samples).
    pub nmse_sampled: f64,
    /// nMSE of the network with every weight at its mean.
    pub nmse_mean: f64,
    pub mean: TargetWeights,
    /// The standard deviations, in the shape of target weights.
    pub sigma: TargetWeights,
}

/// Per-beta averages over seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BetaSummary {
    pub log10_beta: f64,
    pub bits: f64,
    pub nmse_sampled: f64,
    pub nmse_mean: f64,
}

/// Every network, the log, and the per-beta summary.
#[derive(Clone, Debug)]
pub struct VmlpOutcome {
    pub networks: Vec<VmlpNetwork>,
    pub history: Vec<VmlpRecord>,
    pub summary: Vec<BetaSummary>,
}

/// Trains every beta x seed network together; writes each record to `log` if given.
pub fn train_vmlp(cfg: &VmlpConfig, mut log: Option<&mut MetricsLog>) -> Result<VmlpOutcome, TrainError> {
    cfg.validate()?;
    let (problem, root, b) = (&cfg.problem, Key::new(cfg.seed), cfg.networks());
    let mean_keys: Vec<Key> = (0..b).map(|i| root.fold_in(0).fold_in((i % cfg.seeds) as u64)).collect();
    let posterior = Posterior::new(problem, &mean_keys, cfg.priors(), cfg.initial_sigma_fraction, cfg.sigma);
    let log10_betas: Vec<f64> = (0..b).map(|i| cfg.log10_betas[i / cfg.seeds]).collect();
    let mut history = Vec::new();
    optimise(cfg, &posterior, &log10_betas, |point| {
        for (j, &log10_beta) in cfg.log10_betas.iter().enumerate() {
            let seeds = j * cfg.seeds..(j + 1) * cfg.seeds;
            let record = VmlpRecord {
                step: point.step,
                log10_beta,
                beta: 10f64.powf(log10_beta),
                nmse: point.nmse_sum[seeds.clone()].iter().sum::<f64>() / (cfg.seeds * point.steps_since) as f64,
                bits: point.bits[seeds].iter().map(|&v| v as f64).sum::<f64>() / cfg.seeds as f64,
                learning_rate: point.learning_rate,
            };
            if let Some(log) = log.as_deref_mut() {
                log.write(&record)?;
            }
            history.push(record);
        }
        Ok(())
    })?;
    let networks = (evaluate(cfg, &posterior).into_iter().enumerate())
        .map(|(i, e)| VmlpNetwork {
            log10_beta: log10_betas[i],
            seed_index: i % cfg.seeds,
            bits: e.bits,
            nmse_sampled: e.nmse_sampled,
            nmse_mean: e.nmse_mean,
            mean: e.mean,
            sigma: e.sigma,
        })
        .collect::<Vec<_>>();
    let summary = summarise(cfg, &networks);
    Ok(VmlpOutcome { networks, history, summary })
}

/// What [`optimise`] reports every `log_every` steps and at the last step.
pub struct LogPoint<'a> {
    /// Steps done so far.
    pub step: usize,
    pub learning_rate: f64,
    /// Each network's training nMSE, summed over the steps since the last report.
    pub nmse_sum: &'a [f64],
    /// Steps since the last report.
    pub steps_since: usize,
    /// Each network's complexity in bits now.
    pub bits: Vec<f32>,
}

/// Trains `posterior`'s B networks in place for `cfg.steps` Adam steps, network `i`
/// at `beta_i = 10^log10_betas[i]`: the loss is
/// `sum_i E_q[nMSE_i] + beta_i * bits_i / cfg.complexity_normaliser`, the nMSE estimated
/// on `cfg.batch_size` fresh inputs per network per step under `cfg.noise`. Step
/// `t` draws from `Key::new(cfg.seed).fold_in(1).fold_in(t)`.
pub fn optimise(
    cfg: &VmlpConfig,
    posterior: &Posterior,
    log10_betas: &[f64],
    mut report: impl FnMut(LogPoint) -> Result<(), TrainError>,
) -> Result<(), TrainError> {
    let (problem, root, b) = (&cfg.problem, Key::new(cfg.seed), log10_betas.len());
    let variance = problem.variance().value;
    let beta_weight = Tensor::from_vec(&[b], log10_betas.iter().map(|lb| (10f64.powf(*lb) / cfg.complexity_normaliser) as f32).collect());
    let mut adam = cfg.optimizer.adam(posterior.params())?;
    let schedule = cfg.optimizer.schedule(cfg.steps)?;
    let (mut nmse_sum, mut steps_since) = (vec![0.0; b], 0);
    for step in 0..cfg.steps {
        let key = root.fold_in(1).fold_in(step as u64);
        let (x, y) = problem.sample::<f32>(key.fold_in(0), b, cfg.batch_size);
        adam.zero_grad();
        let pred = posterior.forward_noisy(&Tensor::constant(x), problem.activation, cfg.noise, key.fold_in(1));
        let nmse = normalised_mse(&pred, &Tensor::constant(y), variance);
        let bits = posterior.bits();
        let loss = nmse.add(&bits.mul(&beta_weight)).sum_all();
        check_finite(loss.item() as f64, step)?;
        loss.backward();
        let learning_rate = schedule.lr(step as u64);
        adam.set_lr(learning_rate);
        adam.step();
        nmse.to_vec().iter().zip(&mut nmse_sum).for_each(|(v, s)| *s += *v as f64);
        steps_since += 1;
        if (step + 1) % cfg.log_every == 0 || step + 1 == cfg.steps {
            report(LogPoint { step: step + 1, learning_rate, nmse_sum: &nmse_sum, steps_since, bits: bits.to_vec() })?;
            nmse_sum.iter_mut().for_each(|s| *s = 0.0);
            steps_since = 0;
        }
    }
    Ok(())
}

/// One trained network's evaluation (see [`evaluate`]).
pub struct Evaluation {
    pub bits: f64,
    /// nMSE of whole-network weight samples (mean over `eval_samples` samples).
    pub nmse_sampled: f64,
    /// nMSE of the network with every weight at its mean.
    pub nmse_mean: f64,
    pub mean: TargetWeights,
    /// The standard deviations, in the shape of target weights.
    pub sigma: TargetWeights,
}

/// Bits, sampled nMSE and mean-network nMSE of every network of `posterior`, on
/// `cfg.eval_points` inputs shared by all networks, drawn (with the weight samples)
/// from `Key::new(cfg.seed).fold_in(2)`.
pub fn evaluate(cfg: &VmlpConfig, posterior: &Posterior) -> Vec<Evaluation> {
    let (problem, b, key) = (&cfg.problem, posterior.mean.count(), Key::new(cfg.seed).fold_in(2));
    let variance = problem.variance().value;
    no_grad(|| {
        let (x, y) = problem.sample::<f32>(key.fold_in(0), 1, cfg.eval_points);
        let x = Tensor::constant(x.broadcast(IxDyn(&[b, cfg.eval_points, problem.inputs])).expect("one batch for all").to_owned());
        let y = Tensor::constant(y.broadcast(IxDyn(&[b, cfg.eval_points])).expect("one batch for all").to_owned());
        let nmse = |w: &BatchedWeights<f32>| normalised_mse(&w.forward(&x, problem.activation), &y, variance).to_vec();
        let nmse_mean = nmse(&posterior.mean);
        let mut nmse_sampled = vec![0.0f64; b];
        for s in 0..cfg.eval_samples {
            for (acc, v) in nmse_sampled.iter_mut().zip(nmse(&posterior.sample(key.fold_in(1).fold_in(s as u64)))) {
                *acc += v as f64 / cfg.eval_samples as f64;
            }
        }
        let bits = posterior.bits().to_vec();
        let means = posterior.mean.to_targets(problem.activation);
        let sigmas = posterior.sigma().to_targets(problem.activation);
        (means.into_iter().zip(sigmas).enumerate())
            .map(|(i, (mean, sigma))| Evaluation { bits: bits[i] as f64, nmse_sampled: nmse_sampled[i], nmse_mean: nmse_mean[i] as f64, mean, sigma })
            .collect()
    })
}

/// Averages over the seeds of each beta.
fn summarise(cfg: &VmlpConfig, networks: &[VmlpNetwork]) -> Vec<BetaSummary> {
    networks
        .chunks(cfg.seeds)
        .map(|group| {
            let mean = |f: fn(&VmlpNetwork) -> f64| group.iter().map(f).sum::<f64>() / group.len() as f64;
            BetaSummary {
                log10_beta: group[0].log10_beta,
                bits: mean(|n| n.bits),
                nmse_sampled: mean(|n| n.nmse_sampled),
                nmse_mean: mean(|n| n.nmse_mean),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(log10_betas: Vec<f64>) -> VmlpConfig {
        let optimizer = OptimConfig { warmup_steps: 10, ..OptimConfig::default() };
        VmlpConfig { log10_betas, steps: 400, batch_size: 128, log_every: 100, eval_points: 2048, eval_samples: 4, optimizer, ..VmlpConfig::default() }
    }

    #[test]
    fn higher_beta_buys_fewer_bits_and_more_error() {
        for noise in [WeightNoise::Whole, WeightNoise::Local] {
            let out = train_vmlp(&VmlpConfig { noise, ..short(vec![-3.0, 0.0]) }, None).unwrap();
            let (low, high) = (&out.summary[0], &out.summary[1]);
            assert!(low.bits > 2.0 * high.bits, "{noise:?}: bits at beta 1e-3: {}, at beta 1: {}", low.bits, high.bits);
            assert!(low.nmse_sampled < high.nmse_sampled, "{noise:?}: nMSE at beta 1e-3: {}, at beta 1: {}", low.nmse_sampled, high.nmse_sampled);
            assert!(low.nmse_sampled < 0.35, "{noise:?}: low beta should learn the task: nMSE {}", low.nmse_sampled);
            assert_eq!(out.history.len(), 4 * 2, "one record per beta per log step");
        }
    }

    /// Batching must not mix networks: network 0 trained beside another beta ends
    /// where it ends alone (up to summation order), and a rerun gives the same bits.
    #[test]
    fn a_network_trains_the_same_alone_or_in_a_batch() {
        let cfg = VmlpConfig { steps: 20, log_every: 10, eval_samples: 1, ..short(vec![-1.0]) };
        let alone = train_vmlp(&cfg, None).unwrap();
        let together = train_vmlp(&VmlpConfig { log10_betas: vec![-1.0, 0.0], ..cfg.clone() }, None).unwrap();
        let (a, t) = (&alone.networks[0].mean, &together.networks[0].mean);
        let gap = a.w1.iter().zip(&t.w1).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
        assert!(gap < 1e-4, "W1 differs by {gap} between alone and batched");
        assert!((alone.networks[0].bits - together.networks[0].bits).abs() < 1e-2 * alone.networks[0].bits);
        assert!((together.networks[1].bits - together.networks[0].bits).abs() > 1.0, "the other beta trained differently");
        let again = train_vmlp(&cfg, None).unwrap();
        assert_eq!(alone.networks[0].mean, again.networks[0].mean, "same seed, same bits");
        assert_eq!(alone.summary, again.summary);
    }

    #[test]
    fn bits_at_initialisation_follow_the_closed_form() {
        let cfg = VmlpConfig::default();
        let keys = [Key::new(0)];
        let posterior = Posterior::new(&cfg.problem, &keys, cfg.priors(), cfg.initial_sigma_fraction, cfg.sigma);
        let bits = posterior.bits().item() as f64;
        let f = cfg.initial_sigma_fraction;
        let per_weight_floor = (-(f.ln()) + f * f / 2.0 - 0.5) / std::f64::consts::LN_2;
        let floor = per_weight_floor * cfg.problem.weight_count() as f64;
        assert!(bits >= floor && bits < floor * 1.2, "bits {bits}, sigma-only part {floor}");
    }

    #[test]
    fn bad_settings_are_named() {
        let err = train_vmlp(&VmlpConfig { priors: WeightPriors { b2: -1.0, ..WeightPriors::default() }, ..VmlpConfig::default() }, None).unwrap_err();
        assert!(err.to_string().contains("priors.b2"), "{err}");
        let err = train_vmlp(&VmlpConfig { log10_betas: vec![], ..VmlpConfig::default() }, None).unwrap_err();
        assert!(err.to_string().contains("log10_betas"), "{err}");
    }

    #[test]
    fn config_toml_round_trip() {
        let text = toml::to_string(&VmlpConfig::default()).unwrap();
        assert!(text.contains("log10_betas") && text.contains("w2_sqrt_m") && text.contains("[optimizer]"), "{text}");
        assert_eq!(toml::from_str::<VmlpConfig>(&text).unwrap(), VmlpConfig::default());
    }
}
