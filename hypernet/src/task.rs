//! Tasks: a function `y = f(x)` of an input vector `x in R^n` that target networks
//! learn, the distribution the inputs are drawn from, and the variance of `y` under
//! it, which turns a mean squared error into the normalised error
//! `nMSE = MSE / Var(y)` (0 is perfect; 1 is what the best constant achieves).
//!
//! | task | Gaussian `x ~ N(0, I_n)` | uniform `x ~ U[-1, 1]^n` |
//! |---|---|---|
//! | L1 `sum_i abs(x_i)` | `n (1 - 2/pi)` (closed form) | `n / 12` (closed form) |
//! | L2 `sqrt(sum_i x_i^2)` | `n - 2 (Gamma((n+1)/2) / Gamma(n/2))^2` (chi distribution) | Monte Carlo |
//! | max `max_i abs(x_i)` | Monte Carlo | `n / ((n+1)^2 (n+2))` (Beta(n, 1)) |
//!
//! Where no closed form is known, [`Task::variance`] estimates `Var(y)` from
//! [`MONTE_CARLO_SAMPLES`] inputs drawn with the fixed key [`MONTE_CARLO_SEED`]
//! (relative standard error about `sqrt(2 / 400000)`, 0.2%), and says so in the
//! returned [`OutputVariance`].

use autodiff::{Float, Key, Tensor};
use ndarray::{ArrayD, Axis, IxDyn};
use serde::{Deserialize, Serialize};

/// Inputs per Monte-Carlo variance estimate.
pub const MONTE_CARLO_SAMPLES: usize = 400_000;
/// Seed of the Monte-Carlo variance estimate (fixed, so the estimate is reproducible).
pub const MONTE_CARLO_SEED: u64 = 0x5EED_F00D;

/// Where the components of an input vector come from (independent and identical).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputDistribution {
    /// `x_i ~ N(0, 1)`, the project's default.
    #[default]
    Gaussian,
    /// `x_i ~ U[-1, 1]`.
    Uniform,
}

impl InputDistribution {
    /// Inputs of the given shape (the last axis is the input vector).
    pub fn sample<T: Float>(self, key: Key, shape: &[usize]) -> ArrayD<T> {
        match self {
            InputDistribution::Gaussian => key.normal(shape),
            InputDistribution::Uniform => key.uniform(shape, -1.0, 1.0),
        }
    }
}

/// How [`Task::variance`] obtained `Var(y)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VarianceSource {
    ClosedForm,
    MonteCarlo { samples: usize, seed: u64 },
}

/// `Var(y)` for inputs of one size and distribution, and how it was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputVariance {
    pub value: f64,
    pub source: VarianceSource,
}

/// A function of an input vector that target networks learn.
pub trait Task {
    /// Name used in files and on the command line.
    fn name(&self) -> &'static str;

    /// `y = f(x)` for one input vector.
    fn value(&self, x: &[f64]) -> f64;

    /// `Var(y)` in closed form for `n` inputs from `inputs`, if one is known.
    fn closed_form_variance(&self, n: usize, inputs: InputDistribution) -> Option<f64>;

    /// `Var(y)`: the closed form if known, else a seeded Monte-Carlo estimate.
    fn variance(&self, n: usize, inputs: InputDistribution) -> OutputVariance {
        match self.closed_form_variance(n, inputs) {
            Some(value) => OutputVariance { value, source: VarianceSource::ClosedForm },
            None => OutputVariance {
                value: monte_carlo_variance(self, n, inputs, MONTE_CARLO_SAMPLES, Key::new(MONTE_CARLO_SEED)),
                source: VarianceSource::MonteCarlo { samples: MONTE_CARLO_SAMPLES, seed: MONTE_CARLO_SEED },
            },
        }
    }
}

/// `y` for every input vector of `x` (the last axis): shape `[..., n] -> [...]`.
pub fn targets<T: Float>(task: &(impl Task + ?Sized), x: &ArrayD<T>) -> ArrayD<T> {
    assert!(x.ndim() >= 1, "{}: inputs need at least one axis, got shape {:?}", task.name(), x.shape());
    let last = Axis(x.ndim() - 1);
    let mut row = Vec::with_capacity(x.len_of(last));
    let values: Vec<T> = x
        .lanes(last)
        .into_iter()
        .map(|lane| {
            row.clear();
            row.extend(lane.iter().map(|v| v.to_f64_lossless()));
            T::c(task.value(&row))
        })
        .collect();
    ArrayD::from_shape_vec(IxDyn(&x.shape()[..x.ndim() - 1]), values).expect("one target per input vector")
}

/// Normalised mean squared error over the last axis: `mean_i (pred_i - y_i)^2 / Var(y)`,
/// shape `[..., N] -> [...]` (one value per network for `[B, N]` predictions).
pub fn normalised_mse<T: Float>(pred: &Tensor<T>, target: &Tensor<T>, variance: f64) -> Tensor<T> {
    assert_eq!(pred.shape(), target.shape(), "normalised_mse: predictions {:?} and targets {:?} differ in shape", pred.shape(), target.shape());
    pred.sub(target).square().mean(-1, false).mul_scalar(T::c(1.0 / variance))
}

/// Unbiased sample variance of `y` over `samples` inputs drawn with `key`, in chunks
/// so that memory stays small.
pub fn monte_carlo_variance(task: &(impl Task + ?Sized), n: usize, inputs: InputDistribution, samples: usize, key: Key) -> f64 {
    const CHUNK: usize = 16_384;
    let ys: Vec<f64> = (0..samples.div_ceil(CHUNK))
        .flat_map(|c| {
            let rows = CHUNK.min(samples - c * CHUNK);
            targets(task, &inputs.sample::<f64>(key.fold_in(c as u64), &[rows, n])).into_raw_vec_and_offset().0
        })
        .collect();
    let mean = ys.iter().sum::<f64>() / samples as f64;
    ys.iter().map(|y| (y - mean) * (y - mean)).sum::<f64>() / (samples - 1) as f64
}

/// The L1 norm `y = sum_i abs(x_i)`, the paper's task.
#[derive(Clone, Copy, Debug, Default)]
pub struct L1Norm;

impl Task for L1Norm {
    fn name(&self) -> &'static str {
        "l1"
    }

    fn value(&self, x: &[f64]) -> f64 {
        x.iter().map(|v| v.abs()).sum()
    }

    /// Sum of `n` independent `abs(x_i)`: Gaussian `Var abs(x) = 1 - (E abs(x))^2 = 1 - 2/pi`;
    /// uniform `abs(x) ~ U[0, 1]`, variance `1/12`.
    fn closed_form_variance(&self, n: usize, inputs: InputDistribution) -> Option<f64> {
        let per_input = match inputs {
            InputDistribution::Gaussian => 1.0 - 2.0 / std::f64::consts::PI,
            InputDistribution::Uniform => 1.0 / 12.0,
        };
        Some(n as f64 * per_input)
    }
}

/// The Euclidean norm `y = sqrt(sum_i x_i^2)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct L2Norm;

impl Task for L2Norm {
    fn name(&self) -> &'static str {
        "l2"
    }

    fn value(&self, x: &[f64]) -> f64 {
        x.iter().map(|v| v * v).sum::<f64>().sqrt()
    }

    /// Gaussian: `y` is chi-distributed with `n` degrees of freedom, `E y^2 = n` and
    /// `E y = sqrt(2) r_n` with `r_n = Gamma((n+1)/2) / Gamma(n/2)`, so
    /// `Var y = n - 2 r_n^2`. `r_n` comes from `r_1 = 1/sqrt(pi)`, `r_2 = sqrt(pi)/2`
    /// and `r_{k+2} = r_k (k+1)/k` (from `Gamma(z+1) = z Gamma(z)`).
    fn closed_form_variance(&self, n: usize, inputs: InputDistribution) -> Option<f64> {
        match inputs {
            InputDistribution::Gaussian => {
                let pi = std::f64::consts::PI;
                let (mut k, mut r) = if n % 2 == 1 { (1, 1.0 / pi.sqrt()) } else { (2, pi.sqrt() / 2.0) };
                while k < n {
                    r *= (k + 1) as f64 / k as f64;
                    k += 2;
                }
                Some(n as f64 - 2.0 * r * r)
            }
            InputDistribution::Uniform => None,
        }
    }
}

/// The largest magnitude `y = max_i abs(x_i)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct MaxAbs;

impl Task for MaxAbs {
    fn name(&self) -> &'static str {
        "max-abs"
    }

    fn value(&self, x: &[f64]) -> f64 {
        x.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    /// Uniform: `abs(x_i) ~ U[0, 1]`, so `y ~ Beta(n, 1)` with variance
    /// `n / ((n+1)^2 (n+2))`. Gaussian: no closed form.
    fn closed_form_variance(&self, n: usize, inputs: InputDistribution) -> Option<f64> {
        let n = n as f64;
        match inputs {
            InputDistribution::Uniform => Some(n / ((n + 1.0) * (n + 1.0) * (n + 2.0))),
            InputDistribution::Gaussian => None,
        }
    }
}

/// The tasks by name, for configs and the command line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskKind {
    #[default]
    L1,
    L2,
    MaxAbs,
}

impl TaskKind {
    /// The task this names.
    pub fn task(self) -> &'static (dyn Task + Sync) {
        match self {
            TaskKind::L1 => &L1Norm,
            TaskKind::L2 => &L2Norm,
            TaskKind::MaxAbs => &MaxAbs,
        }
    }
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;

    #[test]
    fn values_on_a_known_vector() {
        let x = [3.0, -4.0, 0.0, -1.0];
        assert_eq!(L1Norm.value(&x), 8.0);
        assert!(abs_diff_eq!(L2Norm.value(&x), 26f64.sqrt(), epsilon = 1e-15));
        assert_eq!(MaxAbs.value(&x), 4.0);
    }

    #[test]
    fn batched_targets_map_the_last_axis() {
        let x = ndarray::Array3::from_shape_fn((2, 3, 4), |(b, i, j)| (b * 12 + i * 4 + j) as f32 - 10.0).into_dyn();
        let y = targets(&L1Norm, &x);
        assert_eq!(y.shape(), &[2, 3]);
        for b in 0..2 {
            for i in 0..3 {
                let expect: f32 = (0..4).map(|j| x[[b, i, j]].abs()).sum();
                assert_eq!(y[[b, i]], expect);
            }
        }
        assert_eq!(targets(TaskKind::L1.task(), &x), y);
    }

    /// Each closed form against an independent Monte-Carlo estimate (other seed),
    /// within 3% (the estimate's standard error is about 0.5% at 100k samples).
    #[test]
    fn closed_form_variances_match_monte_carlo() {
        let cases: [(&dyn Task, InputDistribution); 4] = [
            (&L1Norm, InputDistribution::Gaussian),
            (&L1Norm, InputDistribution::Uniform),
            (&L2Norm, InputDistribution::Gaussian),
            (&MaxAbs, InputDistribution::Uniform),
        ];
        for (task, dist) in cases {
            for n in [1, 4, 16] {
                let exact = task.closed_form_variance(n, dist).expect("closed form");
                let mc = monte_carlo_variance(task, n, dist, 100_000, Key::new(99));
                assert!(abs_diff_eq!(mc / exact, 1.0, epsilon = 0.03), "{} {dist:?} n={n}: closed {exact}, Monte Carlo {mc}", task.name());
            }
        }
        assert!(abs_diff_eq!(L1Norm.variance(16, InputDistribution::Gaussian).value, 16.0 * (1.0 - 2.0 / std::f64::consts::PI), epsilon = 1e-12));
    }

    #[test]
    fn variance_without_closed_form_is_seeded_monte_carlo() {
        let v = MaxAbs.variance(8, InputDistribution::Gaussian);
        assert_eq!(v.source, VarianceSource::MonteCarlo { samples: MONTE_CARLO_SAMPLES, seed: MONTE_CARLO_SEED });
        assert_eq!(v, MaxAbs.variance(8, InputDistribution::Gaussian), "same seed, same estimate");
        assert!(v.value > 0.0 && v.value < 1.0, "max of 8 |N(0,1)| has variance well below 1, got {}", v.value);
    }

    #[test]
    fn normalised_mse_of_the_best_constant_is_one() {
        let x: ArrayD<f64> = Key::new(4).normal(&[2, 50_000, 16]);
        let y = targets(&L1Norm, &x);
        let var = L1Norm.variance(16, InputDistribution::Gaussian).value;
        let mean = Tensor::full(&[2, 50_000], 16.0 * (2.0 / std::f64::consts::PI).sqrt());
        let nmse = normalised_mse(&mean, &Tensor::constant(y.clone()), var).to_vec();
        assert!(nmse.iter().all(|&v| abs_diff_eq!(v, 1.0, epsilon = 0.03)), "{nmse:?}");
        let exact = normalised_mse(&Tensor::constant(y.clone()), &Tensor::constant(y), var).to_vec();
        assert_eq!(exact, vec![0.0, 0.0]);
    }

    #[test]
    fn uniform_inputs_stay_in_range() {
        let x: ArrayD<f64> = InputDistribution::Uniform.sample(Key::new(3), &[1000, 4]);
        assert!(x.iter().all(|v| (-1.0..1.0).contains(v)));
        assert!(x.iter().any(|v| *v < -0.9) && x.iter().any(|v| *v > 0.9));
    }
}
