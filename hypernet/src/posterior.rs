//! The variational posterior of a batch of B target networks: every weight is a
//! Gaussian `theta = mu + sigma eps`, `eps ~ N(0, 1)`, with a trainable mean `mu` per
//! weight and standard deviations shared as the complexity measure says
//! ([`SigmaSharing`]), the same three ways the generator's measures share them
//! (`generator/sigma.rs`):
//!
//! * `weight-sigma`: a `rho = ln sigma` per weight (the variational MLP of
//!   [`crate::vmlp`]);
//! * `neuron-sigma`: one log-fraction `ln(sigma / sp)` per hidden neuron for its W1 row
//!   and b1 together, one for its w2, one for b2; a neuron is pinned or left at the
//!   prior as a whole;
//! * `tensor-sigma`: one log-fraction per tensor (W1, b1, w2, b2) per network.
//!
//! The shared values are expanded to one `ln sigma` per weight ([`Posterior::log_sigma`])
//! before anything uses them, so the complexity is always the per-weight sum
//! `C = sum KL(N(mu, sigma^2) || N(0, sp_t^2))` in bits ([`crate::weight_kl`]) and the
//! gradient of a shared value is the sum over the weights that share it.
//!
//! Training estimates `E_q[nMSE]` in one of two ways ([`WeightNoise`]):
//! * `whole`: one whole-network sample of every weight per network per step, shared by
//!   the whole input batch: exactly how networks are evaluated, but the weight noise
//!   does not average out over the batch.
//! * `local` (local reparameterisation, Kingma, Salimans & Welling 2015): an independent
//!   weight sample per input, drawn in distribution at the pre-activations instead of
//!   the weights. Given the layer's input `a`, `sum_k theta_k a_k + bias` with
//!   independent Gaussian weights is Gaussian with mean `sum_k mu_k a_k + mu_bias` and
//!   variance `sum_k sigma_k^2 a_k^2 + sigma_bias^2`, so each layer is evaluated twice
//!   (means, and variances with squared inputs and squared sigmas) and sampled as
//!   `mean + sqrt(variance) eps`. Same expected loss, much less gradient noise.

use crate::init::initial_weights;
use crate::problem::ProblemConfig;
use crate::target::Activation;
use crate::target_batch::{activate, hidden_layer, output_layer, BatchedWeights};
use crate::weight_kl::kl_bits;
use crate::TargetWeights;
use autodiff::{Key, Tensor};
use ndarray::{ArrayD, IxDyn};
use serde::{Deserialize, Serialize};

/// How training samples the weight noise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WeightNoise {
    /// One sample of every weight per network per step.
    Whole,
    /// Local reparameterisation: a sample per input, drawn at the pre-activations.
    Local,
}

/// Which weights share one standard deviation (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SigmaSharing {
    #[default]
    WeightSigma,
    NeuronSigma,
    TensorSigma,
}

impl SigmaSharing {
    pub const ALL: [SigmaSharing; 3] = [SigmaSharing::TensorSigma, SigmaSharing::WeightSigma, SigmaSharing::NeuronSigma];

    /// The name in configs and result files (the generator's measure of the same form).
    pub fn name(self) -> &'static str {
        match self {
            SigmaSharing::WeightSigma => "weight-sigma",
            SigmaSharing::NeuronSigma => "neuron-sigma",
            SigmaSharing::TensorSigma => "tensor-sigma",
        }
    }

    /// Shapes of the free standard-deviation tensors for B networks `n -> m -> 1`.
    fn free_shapes(self, b: usize, m: usize, n: usize) -> Vec<Vec<usize>> {
        match self {
            SigmaSharing::WeightSigma => vec![vec![b, m, n], vec![b, m], vec![b, m], vec![b]],
            SigmaSharing::NeuronSigma => vec![vec![b, m], vec![b, m], vec![b]],
            SigmaSharing::TensorSigma => vec![vec![b, 1, 1], vec![b, 1], vec![b, 1], vec![b]],
        }
    }
}

/// The variational posterior of B networks: means and shared standard deviations.
pub struct Posterior {
    pub mean: BatchedWeights<f32>,
    /// The trainable standard-deviation tensors, in the layout of `sharing`: `ln sigma`
    /// per weight for `weight-sigma`, `ln(sigma / sp)` otherwise.
    free_sigma: Vec<Tensor<f32>>,
    sharing: SigmaSharing,
    /// Prior standard deviations `[sp_W1, sp_b1, sp_w2, sp_b2]`.
    priors: [f64; 4],
}

impl Posterior {
    /// Means from [`crate::init`] (network `i` from `mean_keys[i]`), every sigma at
    /// `fraction` of its prior's sp.
    pub fn new(problem: &ProblemConfig, mean_keys: &[Key], priors: [f64; 4], fraction: f64, sharing: SigmaSharing) -> Posterior {
        Posterior::around(initial_weights(problem, mean_keys), priors, fraction, sharing)
    }

    /// Means started at the given networks (which must share n and m), every sigma at
    /// `fraction` of its prior's sp.
    pub fn from_networks(nets: &[TargetWeights], priors: [f64; 4], fraction: f64, sharing: SigmaSharing) -> Posterior {
        let constants = BatchedWeights::<f32>::from_targets(nets);
        let mean = BatchedWeights::from_tensors(constants.tensors().map(|t| Tensor::param(t.to_array())));
        Posterior::around(mean, priors, fraction, sharing)
    }

    fn around(mean: BatchedWeights<f32>, priors: [f64; 4], fraction: f64, sharing: SigmaSharing) -> Posterior {
        let [b, m, n] = <[usize; 3]>::try_from(mean.w1.shape()).expect("W1 is [B, m, n]");
        let free_sigma = match sharing {
            SigmaSharing::WeightSigma => {
                let rho = |t: &Tensor<f32>, sp: f64| Tensor::param(ArrayD::from_elem(IxDyn(&t.shape()), (fraction * sp).ln() as f32));
                mean.tensors().into_iter().zip(priors).map(|(t, sp)| rho(t, sp)).collect()
            }
            _ => sharing.free_shapes(b, m, n).iter().map(|shape| Tensor::param(ArrayD::from_elem(IxDyn(shape), fraction.ln() as f32))).collect(),
        };
        Posterior { mean, free_sigma, sharing, priors }
    }

    /// Every trainable tensor: the four means, then the free standard deviations.
    pub fn params(&self) -> Vec<Tensor<f32>> {
        self.mean.tensors().into_iter().cloned().chain(self.free_sigma.iter().cloned()).collect()
    }

    /// `ln sigma` of every weight, in the shape of the means.
    pub fn log_sigma(&self) -> BatchedWeights<f32> {
        let f = &self.free_sigma;
        let [b, m, n] = <[usize; 3]>::try_from(self.mean.w1.shape()).expect("W1 is [B, m, n]");
        let scaled = |t: &Tensor<f32>, k: usize| t.add_scalar(self.priors[k].ln() as f32);
        match self.sharing {
            SigmaSharing::WeightSigma => BatchedWeights::from_tensors([0, 1, 2, 3].map(|k| f[k].clone())),
            SigmaSharing::NeuronSigma => BatchedWeights {
                w1: scaled(&f[0].reshape(&[b, m, 1]).broadcast_to(&[b, m, n]), 0),
                b1: scaled(&f[0], 1),
                w2: scaled(&f[1], 2),
                b2: scaled(&f[2], 3),
            },
            SigmaSharing::TensorSigma => BatchedWeights {
                w1: scaled(&f[0].broadcast_to(&[b, m, n]), 0),
                b1: scaled(&f[1].broadcast_to(&[b, m]), 1),
                w2: scaled(&f[2].broadcast_to(&[b, m]), 2),
                b2: scaled(&f[3], 3),
            },
        }
    }

    /// Complexity in bits per network, `[B]`.
    pub fn bits(&self) -> Tensor<f32> {
        let log_sigma = self.log_sigma();
        let terms: Vec<Tensor<f32>> = (self.mean.tensors().into_iter().zip(log_sigma.tensors()).zip(self.priors))
            .map(|((mu, rho), sp)| kl_bits(mu, rho, sp))
            .collect();
        terms[1..].iter().fold(terms[0].clone(), |acc, t| acc.add(t))
    }

    /// One whole-network sample `mu + exp(rho) eps` of every network's weights.
    pub fn sample(&self, key: Key) -> BatchedWeights<f32> {
        let log_sigma = self.log_sigma();
        let (means, log_sigmas, keys) = (self.mean.tensors(), log_sigma.tensors(), key.split(4));
        BatchedWeights::from_tensors(std::array::from_fn(|t| {
            let eps = Tensor::constant(keys[t].normal::<f32>(&means[t].shape()));
            means[t].add(&log_sigmas[t].exp().mul(&eps))
        }))
    }

    /// Predictions `[B, N]` on `x [B, N, n]` with an independent weight sample per
    /// input, drawn at the pre-activations (local reparameterisation).
    pub fn forward_local(&self, x: &Tensor<f32>, activation: Activation, key: Key) -> Tensor<f32> {
        let [mu_w1, mu_b1, mu_w2, mu_b2] = self.mean.tensors();
        let [var_w1, var_b1, var_w2, var_b2] = self.log_sigma().tensors().map(|rho| rho.mul_scalar(2.0).exp());
        let keys = key.split(2);
        let gaussian = |mean: Tensor<f32>, variance: Tensor<f32>, key: Key| {
            mean.add(&variance.sqrt().mul(&Tensor::constant(key.normal::<f32>(&mean.shape()))))
        };
        let pre = gaussian(hidden_layer(x, mu_w1, mu_b1), hidden_layer(&x.square(), &var_w1, &var_b1), keys[0]);
        let h = activate(&pre, activation);
        gaussian(output_layer(&h, mu_w2, mu_b2), output_layer(&h.square(), &var_w2, &var_b2), keys[1])
    }

    /// Training predictions under `noise`.
    pub fn forward_noisy(&self, x: &Tensor<f32>, activation: Activation, noise: WeightNoise, key: Key) -> Tensor<f32> {
        match noise {
            WeightNoise::Whole => self.sample(key).forward(x, activation),
            WeightNoise::Local => self.forward_local(x, activation, key),
        }
    }

    /// The standard deviations `exp(ln sigma)`, one per weight.
    pub fn sigma(&self) -> BatchedWeights<f32> {
        BatchedWeights::from_tensors(self.log_sigma().tensors().map(Tensor::exp))
    }
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use crate::prior::WeightPriors;

    /// `posterior` seen as B networks that each repeat `copies` times
    /// (`[B * copies, ...]`, network `i` at rows `i * copies ..`), to draw many samples
    /// of one posterior at once.
    fn repeated(posterior: &Posterior, copies: usize) -> Posterior {
        let widen = |t: &Tensor<f32>| {
            let shape = t.shape();
            let mut stacked = vec![shape[0], copies];
            stacked.extend_from_slice(&shape[1..]);
            let mut flat = vec![shape[0] * copies];
            flat.extend_from_slice(&shape[1..]);
            let mut lifted = vec![shape[0], 1];
            lifted.extend_from_slice(&shape[1..]);
            t.reshape(&lifted).broadcast_to(&stacked).reshape(&flat)
        };
        Posterior {
            mean: BatchedWeights::from_tensors(posterior.mean.tensors().map(widen)),
            free_sigma: posterior.free_sigma.iter().map(widen).collect(),
            sharing: posterior.sharing,
            priors: posterior.priors,
        }
    }

    fn small() -> (ProblemConfig, [f64; 4]) {
        let problem = ProblemConfig { inputs: 3, hidden: 4, ..ProblemConfig::default() };
        let priors = WeightPriors::default().at_width(problem.hidden);
        (problem, priors)
    }

    /// Every sharing starts at the same per-weight sigma, `fraction * sp`, so at the
    /// start the three measures price a network identically.
    #[test]
    fn every_sharing_starts_at_the_same_sigmas_and_bits() {
        let (problem, priors) = small();
        let keys = [Key::new(1), Key::new(2)];
        let at = |sharing| Posterior::new(&problem, &keys, priors, 0.3, sharing);
        let reference = at(SigmaSharing::WeightSigma);
        for sharing in SigmaSharing::ALL {
            let p = at(sharing);
            for (a, b) in p.sigma().tensors().iter().zip(reference.sigma().tensors()) {
                assert_eq!(a.shape(), b.shape(), "{sharing:?}");
                let gap = a.to_vec().iter().zip(b.to_vec()).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
                assert!(gap < 1e-6, "{sharing:?}: sigma differs by {gap}");
            }
            let (bits, expected) = (p.bits().to_vec(), reference.bits().to_vec());
            assert!(bits.iter().zip(&expected).all(|(x, y)| (x - y).abs() < 1e-3 * y.abs()), "{sharing:?}: {bits:?} vs {expected:?}");
        }
    }

    /// Sharing ties sigmas together: after a gradient step, the weights of one neuron
    /// (neuron sigma) or one tensor (tensor sigma) keep one sigma fraction, while
    /// weight sigma lets them drift apart.
    #[test]
    fn shared_sigmas_stay_shared_under_training() {
        let (problem, priors) = small();
        for sharing in SigmaSharing::ALL {
            let p = Posterior::new(&problem, &[Key::new(3)], priors, 0.2, sharing);
            let x = Tensor::constant(Key::new(4).normal::<f32>(&[1, 16, 3]));
            let loss = p.forward_local(&x, problem.activation, Key::new(5)).square().sum_all().add(&p.bits().sum_all());
            loss.backward();
            for t in p.params() {
                let g = t.grad().expect("every parameter gets a gradient");
                t.update(|v| v.zip_mut_with(&g, |w, d| *w -= 0.05 * d));
            }
            let sigma = p.sigma();
            let w1 = sigma.w1.to_array();
            let b1 = sigma.b1.to_array();
            let row_spread = (0..problem.hidden).map(|j| {
                let row: Vec<f32> = (0..problem.inputs).map(|i| w1[[0, j, i]]).collect();
                row.iter().fold(f32::MIN, |a, &v| a.max(v)) - row.iter().fold(f32::MAX, |a, &v| a.min(v))
            });
            let max_row_spread = row_spread.fold(0.0f32, f32::max);
            let all = w1.iter().fold(f32::MIN, |a, &v| a.max(v)) - w1.iter().fold(f32::MAX, |a, &v| a.min(v));
            match sharing {
                SigmaSharing::WeightSigma => assert!(max_row_spread > 1e-5, "per-weight sigmas move apart"),
                SigmaSharing::NeuronSigma => {
                    assert!(max_row_spread < 1e-6 && all > 1e-5, "one sigma per neuron, different neurons differ: {max_row_spread} {all}");
                    for j in 0..problem.hidden {
                        let ratio = b1[[0, j]] / priors[1] as f32 / (w1[[0, j, 0]] / priors[0] as f32);
                        assert!(abs_diff_eq!(ratio, 1.0, epsilon = 1e-5), "neuron {j}: W1 row and b1 share one fraction");
                    }
                }
                SigmaSharing::TensorSigma => assert!(all < 1e-6, "one sigma for all of W1: spread {all}"),
            }
        }
    }

    /// Local reparameterisation samples the same output distribution as whole-network
    /// samples: per input, mean and variance over many draws agree.
    #[test]
    fn local_and_whole_noise_give_the_same_output_distribution() {
        let problem = ProblemConfig { inputs: 3, hidden: 4, ..ProblemConfig::default() };
        let posterior = Posterior::new(&problem, &[Key::new(1)], WeightPriors::default().at_width(4), 0.5, SigmaSharing::WeightSigma);
        let draws = 20_000;
        let (x, _) = problem.sample::<f32>(Key::new(2), 1, 2);
        let x_rep = Tensor::constant(x.broadcast(IxDyn(&[draws, 2, 3])).unwrap().to_owned());
        let many = |noise| {
            let many = repeated(&posterior, draws);
            let y = many.forward_noisy(&x_rep, problem.activation, noise, Key::new(3)).to_array().mapv(f64::from);
            (y.mean_axis(ndarray::Axis(0)).unwrap(), y.var_axis(ndarray::Axis(0), 0.0))
        };
        let ((mean_w, var_w), (mean_l, var_l)) = (many(WeightNoise::Whole), many(WeightNoise::Local));
        for i in 0..2 {
            let se = (var_w[i] / draws as f64).sqrt();
            assert!((mean_w[i] - mean_l[i]).abs() < 5.0 * se, "input {i}: mean {} vs {}", mean_w[i], mean_l[i]);
            assert!(abs_diff_eq!(var_w[i] / var_l[i], 1.0, epsilon = 0.1), "input {i}: variance {} vs {}", var_w[i], var_l[i]);
        }
    }
}
