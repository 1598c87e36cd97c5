//! A closed-form read-out of a network: dead neurons pruned, the others grouped by
//! role into a few features, the features' coefficients fitted by least squares to
//! the network's output, and the formula checked against the network on fresh inputs.
//!
//! Features (each present only when neurons of that role exist):
//! * `sum_{i in I+} relu(x_i)` over the inputs read by aligned `+` neurons, and
//!   `sum_{i in I-} relu(-x_i)` likewise (all inputs: `sum_i`);
//! * the linear term of the linear-regime neurons, `sum_i v_i x_i` with `v` the summed
//!   linear coefficients `L` scaled to `max |v_i| = 1`, or just their signs when `L`
//!   weighs the inputs evenly (uniformity at least [`EVEN_LINEAR_MIN_UNIFORMITY`]);
//! * for diffuse neurons of each output sign, `sum_j r_j relu(u_j . x + c_j)` with
//!   `u_j = W1_j / |W1_j|`, `c_j = b1_j / |W1_j|`, `r_j = |a_j| / mean |a|` (the `r_j`
//!   are dropped when all within [`EQUAL_WEIGHT_TOLERANCE`] of 1, the `c_j` when all
//!   below [`ZERO_OFFSET_TOLERANCE`]).
//!
//! The printed formula is exactly the function that is evaluated, so the reported
//! discrepancy `nMSE(formula, network)` measures everything the read-out leaves out
//! (swish curvature, biases of aligned neurons, off-axis weights, noise).

use crate::least_squares::least_squares;
use crate::order_params::{OrderParameters, Role, Sign};
use crate::probe::{forward_in_chunks, gaussian_inputs, l1_targets, normalised_mse, PROBE_SAMPLES, PROBE_SEED};
use autodiff::Key;
use hypernet::TargetWeights;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use std::fmt;

/// A linear term with uniformity at least this is printed as a signed plain sum.
pub const EVEN_LINEAR_MIN_UNIFORMITY: f32 = 0.95;
/// Relative output weights within this of 1 are printed (and evaluated) as equal.
pub const EQUAL_WEIGHT_TOLERANCE: f32 = 0.05;
/// Bump offsets below this (in input standard deviations) are printed (and
/// evaluated) as 0.
pub const ZERO_OFFSET_TOLERANCE: f32 = 0.05;

/// One function of `x` in a formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Feature {
    /// `sum_{i in inputs} relu(sign * x_i)`, out of `n` inputs in all.
    ReluSum { sign: Sign, inputs: Vec<usize>, n: usize },
    /// `sum_i weights_i x_i`.
    Linear { weights: Vec<f32> },
    /// `sum_j weights_j relu(directions_j . x + offsets_j)` over diffuse neurons
    /// whose output weights have sign `sign`.
    Bumps { sign: Sign, directions: Array2<f32>, offsets: Vec<f32>, weights: Vec<f32> },
}

impl Feature {
    /// The feature on each row of `x`.
    pub fn evaluate(&self, x: ArrayView2<f32>) -> Array1<f32> {
        match self {
            Feature::ReluSum { sign, inputs, .. } => x
                .rows()
                .into_iter()
                .map(|r| inputs.iter().map(|&i| (sign.value() * r[i]).max(0.0)).sum())
                .collect(),
            Feature::Linear { weights } => x.dot(&Array1::from(weights.clone())),
            Feature::Bumps { directions, offsets, weights, .. } => {
                let pre = x.dot(&directions.t()) + &Array1::from(offsets.clone());
                pre.mapv(|u| u.max(0.0)).dot(&Array1::from(weights.clone()))
            }
        }
    }

    /// How the feature is printed inside a formula.
    pub fn name(&self) -> String {
        match self {
            Feature::ReluSum { sign, inputs, n } => {
                let arg = if *sign == Sign::Negative { "-x_i" } else { "x_i" };
                let sum = if inputs.len() == *n {
                    "sum_i".to_string()
                } else {
                    format!("sum_{{i in {}}}", braced(inputs.iter().map(|i| i.to_string())))
                };
                format!("{sum} relu({arg})")
            }
            Feature::Linear { weights } => {
                if weights.iter().all(|w| *w == 1.0) {
                    "sum_i x_i".into()
                } else if weights.iter().all(|w| w.abs() == 1.0) {
                    "sum_i t_i x_i".into()
                } else {
                    "sum_i v_i x_i".into()
                }
            }
            Feature::Bumps { sign, offsets, weights, .. } => {
                let j = bump_index(*sign);
                let r = if weights.iter().all(|w| *w == 1.0) { String::new() } else { format!("r_{j} ") };
                let c = if offsets.iter().all(|c| *c == 0.0) { String::new() } else { format!(" + c_{j}") };
                format!("sum_{j} {r}relu(u_{j} . x{c})")
            }
        }
    }

    /// What the symbols in [`Feature::name`] stand for, when it is not obvious.
    pub fn legend(&self) -> Option<String> {
        match self {
            Feature::ReluSum { .. } => None,
            Feature::Linear { weights } if weights.iter().all(|w| *w == 1.0) => None,
            Feature::Linear { weights } if weights.iter().all(|w| w.abs() == 1.0) => {
                let signs: String = weights.iter().map(|w| if *w > 0.0 { '+' } else { '-' }).collect();
                Some(format!("t = ({signs}) per input"))
            }
            Feature::Linear { weights } => Some(format!("v = {}", braced(weights.iter().map(|w| format!("{w:.2}"))))),
            Feature::Bumps { sign, directions, offsets, weights } => {
                let range = |v: &[f32]| {
                    let lo = v.iter().copied().fold(f32::INFINITY, f32::min);
                    let hi = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    format!("[{lo:.2}, {hi:.2}]")
                };
                let j = bump_index(*sign);
                Some(format!(
                    "{j} over {} diffuse neurons with {} outputs: u_{j} = W1_{j} / |W1_{j}| (max |u_{j}i| in {}), \
                     c_{j} = b1_{j} / |W1_{j}| in {}, r_{j} = |a_{j}| / mean in {}",
                    directions.nrows(),
                    if *sign == Sign::Positive { "positive" } else { "negative" },
                    range(&directions.rows().into_iter().map(|r| r.iter().fold(0.0f32, |m, v| m.max(v.abs()))).collect::<Vec<_>>()),
                    range(offsets),
                    range(weights)
                ))
            }
        }
    }
}

/// Index letter of a bump sum: `j` for positive outputs, `k` for negative ones.
fn bump_index(sign: Sign) -> char {
    match sign {
        Sign::Positive => 'j',
        Sign::Negative => 'k',
    }
}

/// `{a, b, c}`.
fn braced(items: impl Iterator<Item = String>) -> String {
    format!("{{{}}}", items.collect::<Vec<_>>().join(", "))
}

/// A coefficient times a feature.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub coefficient: f64,
    pub feature: Feature,
}

/// `y ~ sum_k coefficient_k * feature_k(x) + constant`.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    pub terms: Vec<Term>,
    pub constant: f64,
}

impl Formula {
    /// The formula on each row of `x`.
    pub fn evaluate(&self, x: ArrayView2<f32>) -> Array1<f32> {
        self.terms.iter().fold(Array1::from_elem(x.nrows(), self.constant as f32), |acc, t| {
            acc + t.feature.evaluate(x).mapv(|f| f * t.coefficient as f32)
        })
    }
}

/// A number as printed in formulas: two decimals from 0.1 on, two significant digits
/// below, scientific below 1e-3.
pub fn format_number(v: f64) -> String {
    let a = v.abs();
    if a >= 0.1 || a == 0.0 {
        format!("{a:.2}")
    } else if a >= 1e-3 {
        format!("{a:.*}", (1.0 - a.log10().floor()) as usize)
    } else {
        format!("{a:.1e}")
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "y ~ ")?;
        for (k, t) in self.terms.iter().enumerate() {
            let sign = match (k, t.coefficient < 0.0) {
                (0, false) => "",
                (0, true) => "-",
                (_, false) => " + ",
                (_, true) => " - ",
            };
            write!(f, "{sign}{} * {}", format_number(t.coefficient), t.feature.name())?;
        }
        let sign = match (self.terms.is_empty(), self.constant < 0.0) {
            (true, false) => "",
            (true, true) => "-",
            (false, false) => " + ",
            (false, true) => " - ",
        };
        write!(f, "{sign}{}", format_number(self.constant))
    }
}

/// A formula and how well it matches the network and the task.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub formula: Formula,
    /// Dead neurons left out.
    pub pruned: usize,
    pub neurons: usize,
    /// `nMSE(formula, network)` on fresh inputs: what the formula leaves out.
    pub discrepancy_nmse: f64,
    /// `nMSE(formula, sum_i |x_i|)`.
    pub formula_task_nmse: f64,
    /// `nMSE(network, sum_i |x_i|)`.
    pub network_task_nmse: f64,
    /// Inputs the coefficients were fitted on, and the discrepancy measured on.
    pub samples: usize,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.formula)?;
        for legend in self.formula.terms.iter().filter_map(|t| t.feature.legend()) {
            writeln!(f, "  where {legend}")?;
        }
        writeln!(f, "dead neurons pruned:   {} of {}", self.pruned, self.neurons)?;
        writeln!(f, "formula vs network:    nMSE {:.2e}   (on {} fresh inputs)", self.discrepancy_nmse, self.samples)?;
        writeln!(f, "formula vs sum|x_i|:   nMSE {:.2e}", self.formula_task_nmse)?;
        write!(f, "network vs sum|x_i|:   nMSE {:.2e}", self.network_task_nmse)
    }
}

/// The features of `net`'s non-dead neurons, grouped by role.
pub fn features(net: &TargetWeights, params: &OrderParameters) -> Vec<Feature> {
    let mut features = Vec::new();
    for sign in [Sign::Positive, Sign::Negative] {
        let mut inputs: Vec<usize> = params
            .neurons
            .iter()
            .filter_map(|p| match p.role {
                Role::Aligned { input, sign: s } if s == sign => Some(input),
                _ => None,
            })
            .collect();
        inputs.sort_unstable();
        inputs.dedup();
        if !inputs.is_empty() {
            features.push(Feature::ReluSum { sign, inputs, n: net.inputs() });
        }
    }
    if let Some(uniformity) = params.linear_uniformity {
        let l = params.linear_coefficients();
        let scale = l.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        if scale > 0.0 {
            let flip = if l[0] < 0.0 { -1.0 } else { 1.0 };
            let weights = if uniformity >= EVEN_LINEAR_MIN_UNIFORMITY {
                l.iter().map(|v| flip * v.signum()).collect()
            } else {
                l.iter().map(|v| flip * v / scale).collect()
            };
            features.push(Feature::Linear { weights });
        }
    }
    for sign in [Sign::Positive, Sign::Negative] {
        let group: Vec<usize> = (0..params.neurons.len())
            .filter(|&j| params.neurons[j].role == Role::Diffuse && Sign::of(params.neurons[j].effective_output) == sign)
            .collect();
        if !group.is_empty() {
            features.push(bumps(net, params, sign, &group));
        }
    }
    features
}

fn bumps(net: &TargetWeights, params: &OrderParameters, sign: Sign, group: &[usize]) -> Feature {
    let norms: Vec<f32> = group.iter().map(|&j| params.neurons[j].norm.max(f32::MIN_POSITIVE)).collect();
    let mut directions = net.w1.select(Axis(0), group);
    for (mut row, norm) in directions.rows_mut().into_iter().zip(&norms) {
        row.mapv_inplace(|v| v / norm);
    }
    let mut offsets: Vec<f32> = group.iter().zip(&norms).map(|(&j, norm)| net.b1[j] / norm).collect();
    let outputs: Vec<f32> = group.iter().map(|&j| params.neurons[j].effective_output.abs()).collect();
    let mean = outputs.iter().sum::<f32>() / outputs.len() as f32;
    let mut weights: Vec<f32> = outputs.iter().map(|a| a / mean).collect();
    if weights.iter().all(|w| (w - 1.0).abs() <= EQUAL_WEIGHT_TOLERANCE) {
        weights.fill(1.0);
    }
    if offsets.iter().all(|c| c.abs() <= ZERO_OFFSET_TOLERANCE) {
        offsets.fill(0.0);
    }
    Feature::Bumps { sign, directions, offsets, weights }
}

/// Reads `net` as a formula: features from the non-dead neurons' roles, coefficients
/// fitted to the network on [`PROBE_SAMPLES`] inputs, the discrepancy measured on as
/// many fresh ones (keys derived from [`PROBE_SEED`]).
pub fn explain(net: &TargetWeights, params: &OrderParameters) -> Explanation {
    let n = net.inputs();
    let features = features(net, params);
    let root = Key::new(PROBE_SEED);
    let fit_x = gaussian_inputs(root.fold_in(1), PROBE_SAMPLES, n);
    let mut design = Array2::ones((PROBE_SAMPLES, features.len() + 1));
    for (k, feature) in features.iter().enumerate() {
        design.column_mut(k).assign(&feature.evaluate(fit_x.view()).mapv(f64::from));
    }
    let fit = least_squares(design.view(), forward_in_chunks(net, fit_x.view(), |_, _, _| ()).mapv(f64::from).view());
    let formula = Formula {
        terms: features.into_iter().zip(&fit).map(|(feature, &coefficient)| Term { coefficient, feature }).collect(),
        constant: fit[fit.len() - 1],
    };
    let test_x = gaussian_inputs(root.fold_in(2), PROBE_SAMPLES, n);
    let (y_formula, y_net, y_task) = (formula.evaluate(test_x.view()), forward_in_chunks(net, test_x.view(), |_, _, _| ()), l1_targets(test_x.view()));
    Explanation {
        pruned: params.neurons.len() - params.active().len(),
        neurons: params.neurons.len(),
        discrepancy_nmse: normalised_mse(y_formula.view(), y_net.view(), n),
        formula_task_nmse: normalised_mse(y_formula.view(), y_task.view(), n),
        network_task_nmse: normalised_mse(y_net.view(), y_task.view(), n),
        samples: PROBE_SAMPLES,
        formula,
    }
}
