//! The curvature of a target network's error in its weights, and what it costs to
//! describe the network: the Hessian spectrum of the nMSE (top eigenvalues by power
//! iteration on Hessian-vector products) and the Laplace estimate of its description
//! length in bits at a price `beta` ([`laplace`]).
//!
//! The error is the task's normalised MSE on a fixed sample of inputs,
//! `nMSE(theta) = mean_k (y_theta(x_k) - f(x_k))^2 / Var(f)`, as a function of the
//! flat weight vector `theta = (W1 row-major, b1, w2, b2)` of `W = m (n + 2) + 1`
//! entries, in f64. Its Hessian comes from `autodiff`'s second order
//! ([`autodiff::Curvature`]): the gradient's graph is recorded once and each product
//! `H v` is one more reverse sweep. The full Hessian (one product per weight) is
//! formed when `W` is at most [`CurvatureOptions::max_full`]; its eigenvalues, and
//! those of the prior-whitened `D H D`, come from [`eigen::symmetric_eigenvalues`].
//! See `docs/curvature.md`.

mod display;
pub mod eigen;
pub mod laplace;

use autodiff::{Curvature, Key, Tensor};
use hypernet::generator::memory::StepMemory;
use hypernet::prior::WeightPriors;
use hypernet::problem::ProblemConfig;
use hypernet::target::TargetWeights;
use hypernet::target_batch::forward;
use hypernet::task::normalised_mse;
use laplace::{laplace_bits, LaplaceBits};
use ndarray::{Array2, ArrayD, IxDyn};

/// What to measure.
#[derive(Clone, Debug)]
pub struct CurvatureOptions {
    /// Task and input distribution (the network's sizes come from its weights).
    pub problem: ProblemConfig,
    /// Inputs in the error's sample.
    pub points: usize,
    /// Seed of the sample and of the power-iteration starts.
    pub seed: u64,
    /// Eigenvalues to find by power iteration.
    pub top: usize,
    /// Largest weight count for which the full Hessian is formed (one Hessian-vector
    /// product per weight) for the complete spectrum and the Laplace bits.
    pub max_full: usize,
    /// The priors of the weights (the generator's, `hypernet::prior`).
    pub priors: WeightPriors,
    /// Prices at which to give the Laplace bits.
    pub log10_betas: Vec<f64>,
}

impl Default for CurvatureOptions {
    fn default() -> Self {
        CurvatureOptions {
            problem: ProblemConfig::default(),
            points: 4096,
            seed: 0,
            top: 5,
            max_full: 2000,
            priors: WeightPriors::default(),
            log10_betas: vec![-6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0],
        }
    }
}

/// The complete spectrum (when the full Hessian was formed).
#[derive(Clone, Debug)]
pub struct Spectrum {
    /// Eigenvalues of `H`, ascending.
    pub hessian: Vec<f64>,
    /// Eigenvalues of the prior-whitened `D H D`, ascending.
    pub whitened: Vec<f64>,
    /// Largest `|H - H^T|` entry of the Hessian as computed (rounding; a large value
    /// would reveal a wrong second-order rule).
    pub asymmetry: f64,
    /// The Laplace bits at each price.
    pub laplace: Vec<LaplaceBits>,
}

/// Products `H v` per eigenvalue in the power iteration, at most.
pub const POWER_ITERATIONS: usize = 300;

/// How the top eigenvalues were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopMethod {
    /// Read off the full spectrum (the full Hessian was formed).
    FullSpectrum,
    /// Power iteration with deflation on Hessian-vector products (no full Hessian).
    PowerIteration,
}

/// The measurements.
#[derive(Clone, Debug)]
pub struct CurvatureReport {
    /// Weights `W`.
    pub weights: usize,
    /// `nMSE(theta)` on the sample.
    pub nmse: f64,
    /// Norm of the gradient of the nMSE (0 at an exact minimum).
    pub gradient_norm: f64,
    /// The largest-magnitude eigenvalues of `H`, signed.
    pub top: Vec<f64>,
    /// How [`CurvatureReport::top`] was found.
    pub top_method: TopMethod,
    /// `None` when `W > max_full`.
    pub spectrum: Option<Spectrum>,
}

/// The memory [`analyse`] needs for `net`, part by part: the recorded forward pass
/// and first backward pass over the sample (about 32 values per input and hidden
/// neuron, in f64), each Hessian-vector product's sweep (as much again), and the full
/// Hessian with its symmetrised and whitened copies when it is formed.
pub fn memory(net: &TargetWeights, options: &CurvatureOptions) -> StepMemory {
    let (m, n) = (net.hidden() as f64, net.inputs() as f64);
    let weights = net.weight_count() as f64;
    let graph = options.points as f64 * (m * 32.0 + n) * 8.0;
    let mut parts = vec![("the recorded error and gradient over the sample", graph), ("one Hessian-vector product's sweep", graph)];
    if weights <= options.max_full as f64 {
        parts.push(("the full Hessian and its copies", 4.0 * weights * weights * 8.0));
    }
    StepMemory { parts }
}

/// The flat weights `(W1 row-major, b1, w2, b2)` of `net`, in f64.
pub fn flatten(net: &TargetWeights) -> Vec<f64> {
    net.w1.iter().chain(&net.b1).chain(&net.w2).chain([&net.b2]).map(|&v| f64::from(v)).collect()
}

/// The prior standard deviation of each flat weight (the order of [`flatten`]).
pub fn prior_sds(net: &TargetWeights, priors: &WeightPriors) -> Vec<f64> {
    let (m, n) = (net.hidden(), net.inputs());
    let [w1, b1, w2, b2] = priors.at_width(m);
    [(w1, m * n), (b1, m), (w2, m), (b2, 1)].iter().flat_map(|&(sd, count)| std::iter::repeat_n(sd, count)).collect()
}

/// `nMSE(theta)` of a network of `net`'s shape and activation on inputs `x [1, N, n]`
/// with targets `y [1, N]`, as a differentiable function of the flat weights.
fn error_of(net: &TargetWeights, x: &Tensor<f64>, y: &Tensor<f64>, variance: f64) -> impl Fn(&Tensor<f64>) -> Tensor<f64> {
    let (m, n, activation) = (net.hidden(), net.inputs(), net.activation);
    let (x, y) = (x.clone(), y.clone());
    move |theta: &Tensor<f64>| {
        let w1 = theta.narrow(0, 0, m * n).reshape(&[1, m, n]);
        let b1 = theta.narrow(0, m * n, m).reshape(&[1, m]);
        let w2 = theta.narrow(0, m * n + m, m).reshape(&[1, m]);
        let b2 = theta.narrow(0, m * (n + 2), 1);
        normalised_mse(&forward(&x, &w1, &b1, &w2, &b2, activation), &y, variance).sum_all()
    }
}

/// Measures the curvature of `net`'s error (see the module documentation).
pub fn analyse(net: &TargetWeights, options: &CurvatureOptions) -> Result<CurvatureReport, String> {
    let problem = ProblemConfig { inputs: net.inputs(), hidden: net.hidden(), activation: net.activation, ..options.problem.clone() };
    let key = Key::new(options.seed);
    let (x, y) = problem.sample::<f64>(key.fold_in(0), 1, options.points);
    let (x, y) = (Tensor::constant(x), Tensor::constant(y));
    let theta = flatten(net);
    let weights = theta.len();
    let curvature = Curvature::at(error_of(net, &x, &y, problem.variance().value), Tensor::param(ArrayD::from_shape_vec(IxDyn(&[weights]), theta.clone()).expect("a flat vector")));
    let gradient_norm = curvature.gradient().iter().map(|g| g * g).sum::<f64>().sqrt();
    if weights <= options.max_full {
        let sds = prior_sds(net, &options.priors);
        let mean_norm = theta.iter().zip(&sds).map(|(t, s)| (t / s) * (t / s)).sum();
        let spectrum = spectrum(&curvature.hessian(), &sds, curvature.value(), mean_norm, &options.log10_betas)?;
        let mut by_size = spectrum.hessian.clone();
        by_size.sort_by(|a, b| b.abs().total_cmp(&a.abs()));
        by_size.truncate(options.top);
        return Ok(CurvatureReport { weights, nmse: curvature.value(), gradient_norm, top: by_size, top_method: TopMethod::FullSpectrum, spectrum: Some(spectrum) });
    }
    let product = |v: &[f64]| curvature.hvp(&ArrayD::from_shape_vec(IxDyn(&[weights]), v.to_vec()).expect("a flat vector")).into_raw_vec_and_offset().0;
    let top = eigen::top_by_power_iteration(weights, options.top, POWER_ITERATIONS, key.fold_in(1), product);
    Ok(CurvatureReport { weights, nmse: curvature.value(), gradient_norm, top, top_method: TopMethod::PowerIteration, spectrum: None })
}

/// The spectra of `h` (symmetrised) and of `D h D` (`D = diag(sds)`), and the Laplace bits.
fn spectrum(h: &Array2<f64>, sds: &[f64], nmse: f64, mean_norm: f64, log10_betas: &[f64]) -> Result<Spectrum, String> {
    let asymmetry = h.iter().zip(h.t().iter()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    let symmetric = (h + &h.t()) / 2.0;
    let whitened_matrix = Array2::from_shape_fn(symmetric.dim(), |(i, j)| symmetric[[i, j]] * sds[i] * sds[j]);
    let hessian = eigen::symmetric_eigenvalues(&symmetric)?;
    let whitened = eigen::symmetric_eigenvalues(&whitened_matrix)?;
    let laplace = laplace_bits(nmse, sds.len(), &whitened, mean_norm, log10_betas);
    Ok(Spectrum { hessian, whitened, asymmetry, laplace })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::{arr1, arr2};

    fn small_net() -> TargetWeights {
        TargetWeights {
            w1: arr2(&[[0.8, -0.3, 0.1], [-0.5, 0.9, 0.4]]),
            b1: arr1(&[0.1, -0.2]),
            w2: arr1(&[0.7, 0.6]),
            b2: 0.3,
            activation: hypernet::target::Activation::Silu,
        }
    }

    fn options() -> CurvatureOptions {
        CurvatureOptions { points: 256, top: 3, ..CurvatureOptions::default() }
    }

    /// The Hessian of the error against central differences of its gradient.
    #[test]
    fn the_hessian_matches_differences_of_the_gradient() {
        let net = small_net();
        let (x, y) = ProblemConfig { inputs: 3, hidden: 2, ..ProblemConfig::default() }.sample::<f64>(Key::new(9), 1, 64);
        let (x, y) = (Tensor::constant(x), Tensor::constant(y));
        let f = error_of(&net, &x, &y, 1.0);
        let theta = flatten(&net);
        let at = |t: &[f64]| Curvature::at(&f, Tensor::param(ArrayD::from_shape_vec(IxDyn(&[t.len()]), t.to_vec()).unwrap()));
        let h = at(&theta).hessian();
        let eps = 1e-5;
        for j in 0..theta.len() {
            let shifted = |d: f64| {
                let mut t = theta.clone();
                t[j] += d;
                at(&t).gradient()
            };
            let column = (shifted(eps) - shifted(-eps)) / (2.0 * eps);
            for (i, v) in column.iter().enumerate() {
                assert_abs_diff_eq!(h[[i, j]], *v, epsilon = 1e-6 * (1.0 + v.abs()));
            }
        }
    }

    #[test]
    fn power_iteration_agrees_with_the_full_spectrum() {
        let report = analyse(&small_net(), &options()).unwrap();
        let spectrum = report.spectrum.expect("11 weights are below max_full");
        assert!(spectrum.asymmetry < 1e-12, "asymmetry {}", spectrum.asymmetry);
        let powered = analyse(&small_net(), &CurvatureOptions { max_full: 10, ..options() }).unwrap();
        assert_eq!((report.top_method, powered.top_method), (TopMethod::FullSpectrum, TopMethod::PowerIteration));
        assert_eq!(report.top.len(), 3);
        for (got, want) in powered.top.iter().zip(&report.top) {
            assert_abs_diff_eq!(*got, *want, epsilon = 1e-5 * want.abs().max(1e-3));
        }
        assert_eq!((report.weights, spectrum.laplace.len()), (11, 7));
        let bits: Vec<f64> = spectrum.laplace.iter().map(|l| l.bits).collect();
        assert!(bits.windows(2).all(|w| w[0] >= w[1]), "bits fall as beta rises: {bits:?}");
    }

    #[test]
    fn the_analysis_is_deterministic_and_skips_the_full_hessian_above_the_limit() {
        let small = CurvatureOptions { max_full: 10, ..options() };
        let (a, b) = (analyse(&small_net(), &small).unwrap(), analyse(&small_net(), &small).unwrap());
        assert_eq!((a.nmse.to_bits(), &a.top), (b.nmse.to_bits(), &b.top));
        assert!(b.spectrum.is_none());
    }
}
