//! Hand-built target networks for the three algorithms of the paper, for any input
//! size `n`, with swish (SiLU) hidden units of sharpness `s`.
//!
//! Every construction is a sum of relu units `a relu(w . x + b)`. A swish neuron
//! realises one as `W1_j = s w`, `b1_j = s b`, `w2_j = a / s`, because
//! `silu(s u) / s = u sigmoid(s u) -> relu(u)` as `s -> inf` (the error is at most
//! `0.28 / s` and only for `|u| < ~5 / s`). So a neuron's effective output
//! `w2_j |W1_j| = a |w|` does not depend on `s`.
//!
//! * double-sided: `|x_i| = relu(x_i) + relu(-x_i)`, `2n` axis-aligned neurons.
//! * pudding with signs `t_i in {+1, -1}`: `|x_i| = 2 relu(t_i x_i) - t_i x_i`. `n`
//!   axis-aligned neurons plus one linear-regime neuron
//!   `sqrt(n) relu(-t . x / sqrt(n) + M)` = `-t . x + sqrt(n) M` whenever
//!   `t . x / sqrt(n) < M`; with `t . x / sqrt(n) ~ N(0, 1)` and margin
//!   [`LINEAR_MARGIN`] `M = 5` that holds for all but ~3e-7 of inputs. The output bias
//!   `-sqrt(n) M` cancels the constant. Positive: all `t_i = +1`; negative: all `-1`;
//!   mixed: both signs.
//! * convexity: `m` neurons `relu(u_j . x)` with random unit directions `u_j`, all
//!   with the same positive output weight `A`, plus output bias `c`; `A` and `c` are
//!   the least-squares fit to `sum_i |x_i|` on sampled inputs. A sum of convex bumps:
//!   the least accurate of the three.

use crate::least_squares::least_squares;
use crate::probe::{gaussian_inputs, l1_targets, PROBE_SAMPLES};
use autodiff::Key;
use hypernet::{Activation, TargetWeights};
use ndarray::{concatenate, Array1, Array2, Axis};

/// Margin, in standard deviations of its input, that keeps the pudding's linear
/// neuron in its linear regime.
pub const LINEAR_MARGIN: f32 = 5.0;

/// Sharpness at which the exact constructions reach nMSE < 1e-3 at every `n`
/// (the residual error falls like `1 / s^2`).
pub const SHARP: f32 = 100.0;

/// The reference algorithms, in the paper's order of decreasing complexity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    DoubleSided,
    PositivePudding,
    NegativePudding,
    MixedPudding,
    Convexity,
}

impl Algorithm {
    pub const ALL: [Algorithm; 5] = [
        Algorithm::DoubleSided,
        Algorithm::PositivePudding,
        Algorithm::NegativePudding,
        Algorithm::MixedPudding,
        Algorithm::Convexity,
    ];

    /// Name used in file names and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::DoubleSided => "double-sided",
            Algorithm::PositivePudding => "positive-pudding",
            Algorithm::NegativePudding => "negative-pudding",
            Algorithm::MixedPudding => "mixed-pudding",
            Algorithm::Convexity => "convexity",
        }
    }

    /// Parses a name written by [`Algorithm::name`].
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The network for `n` inputs at sharpness `s`. Convexity uses `3n` neurons (the
    /// paper's width ratio) with directions drawn from `key`; the others ignore `key`.
    /// Mixed pudding alternates signs, `t_i = +1` for even `i` (needs `n >= 2`).
    pub fn build(self, n: usize, s: f32, key: Key) -> TargetWeights {
        match self {
            Algorithm::DoubleSided => double_sided(n, s),
            Algorithm::PositivePudding => pudding(&vec![1.0; n], s),
            Algorithm::NegativePudding => pudding(&vec![-1.0; n], s),
            Algorithm::MixedPudding => {
                assert!(n >= 2, "mixed pudding needs n >= 2 inputs to hold both signs, got n = {n}");
                pudding(&alternating_signs(n), s)
            }
            Algorithm::Convexity => convexity(n, 3 * n, s, key),
        }
    }
}

/// `+1, -1, +1, ...`: the mixed pudding's default signs.
pub fn alternating_signs(n: usize) -> Vec<f32> {
    (0..n).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect()
}

/// One relu unit `output * relu(direction . x + bias)`.
struct ReluUnit {
    direction: Vec<f32>,
    bias: f32,
    output: f32,
}

/// The swish network `sum_j w2_j silu(W1_j . x + b1_j) + b2` whose neurons realise
/// `units` at sharpness `s` (see the module documentation).
fn assemble(n: usize, units: &[ReluUnit], b2: f32, s: f32) -> TargetWeights {
    assert!(s > 0.0, "reference network: sharpness must be positive, got {s}");
    let m = units.len();
    let mut w1 = Array2::zeros((m, n));
    for (j, unit) in units.iter().enumerate() {
        assert_eq!(unit.direction.len(), n, "reference network: unit {j} has {} inputs, expected {n}", unit.direction.len());
        w1.row_mut(j).assign(&Array1::from(unit.direction.clone()).mapv(|v| s * v));
    }
    TargetWeights {
        w1,
        b1: units.iter().map(|u| s * u.bias).collect(),
        w2: units.iter().map(|u| u.output / s).collect(),
        b2,
        activation: Activation::Silu,
    }
}

fn axis(n: usize, i: usize, sign: f32) -> Vec<f32> {
    let mut e = vec![0.0; n];
    e[i] = sign;
    e
}

/// Double-sided: `sum_i relu(x_i) + relu(-x_i)`, neurons ordered `+e_0, -e_0, +e_1, ...`.
pub fn double_sided(n: usize, s: f32) -> TargetWeights {
    let units: Vec<ReluUnit> = (0..n)
        .flat_map(|i| [1.0, -1.0].map(|sign| ReluUnit { direction: axis(n, i, sign), bias: 0.0, output: 1.0 }))
        .collect();
    assemble(n, &units, 0.0, s)
}

/// Pudding with per-input signs `t`: `sum_i 2 relu(t_i x_i) - t . x`, the linear term
/// carried by one linear-regime neuron (last), the constant cancelled by `b2`.
pub fn pudding(signs: &[f32], s: f32) -> TargetWeights {
    let n = signs.len();
    assert!(signs.iter().all(|t| *t == 1.0 || *t == -1.0), "pudding: signs must be +1 or -1, got {signs:?}");
    let root_n = (n as f32).sqrt();
    let mut units: Vec<ReluUnit> =
        signs.iter().enumerate().map(|(i, &t)| ReluUnit { direction: axis(n, i, t), bias: 0.0, output: 2.0 }).collect();
    units.push(ReluUnit { direction: signs.iter().map(|t| -t / root_n).collect(), bias: LINEAR_MARGIN, output: root_n });
    assemble(n, &units, -root_n * LINEAR_MARGIN, s)
}

/// `count` unit vectors in `R^n`, uniformly distributed on the sphere (normalised
/// Gaussians drawn with `key`), one per row.
pub fn random_directions(key: Key, count: usize, n: usize) -> Array2<f32> {
    let mut z = gaussian_inputs(key, count, n);
    for mut row in z.rows_mut() {
        let norm = row.dot(&row).sqrt();
        row.mapv_inplace(|v| v / norm);
    }
    z
}

/// Convexity: `A sum_j relu(u_j . x) + c` with `m` random directions from `key`; the
/// equal output weight `A` and the bias `c` are fitted by least squares to the L1
/// norm on [`PROBE_SAMPLES`] inputs drawn with a key derived from `key`.
pub fn convexity(n: usize, m: usize, s: f32, key: Key) -> TargetWeights {
    let [direction_key, fit_key] = [key.fold_in(0), key.fold_in(1)];
    let units: Vec<ReluUnit> = random_directions(direction_key, m, n)
        .rows()
        .into_iter()
        .map(|u| ReluUnit { direction: u.to_vec(), bias: 0.0, output: 1.0 })
        .collect();
    let mut net = assemble(n, &units, 0.0, s);
    let x = gaussian_inputs(fit_key, PROBE_SAMPLES, n);
    let bumps = net.forward(x.view()).mapv(f64::from).insert_axis(Axis(1));
    let features = concatenate![Axis(1), bumps, Array2::ones((x.nrows(), 1))];
    let fit = least_squares(features.view(), l1_targets(x.view()).mapv(f64::from).view());
    net.w2.mapv_inplace(|w| w * fit[0] as f32);
    net.b2 = fit[1] as f32;
    net
}

/// `net` widened to `m` hidden neurons by appending dead ones: random directions
/// (from `key`) scaled to the median input-weight norm of the existing neurons, zero
/// bias and zero output weight, so they look like neurons but contribute nothing.
pub fn pad_with_dead_neurons(net: &TargetWeights, m: usize, key: Key) -> TargetWeights {
    let (old, n) = net.w1.dim();
    assert!(m >= old, "pad_with_dead_neurons: target width {m} is below the current width {old}");
    let mut norms: Vec<f32> = net.w1.rows().into_iter().map(|r| r.dot(&r).sqrt()).collect();
    norms.sort_by(f32::total_cmp);
    let scale = norms.get(old / 2).copied().unwrap_or(1.0);
    let extra = random_directions(key, m - old, n).mapv(|v| v * scale);
    TargetWeights {
        w1: concatenate![Axis(0), net.w1, extra],
        b1: concatenate![Axis(0), net.b1, Array1::zeros(m - old)],
        w2: concatenate![Axis(0), net.w2, Array1::zeros(m - old)],
        b2: net.b2,
        activation: net.activation,
    }
}
