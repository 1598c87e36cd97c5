//! Order parameters of a target network `y = sum_j w2_j act(W1_j . x + b1_j) + b2`:
//! the numbers the classifier reads, each measurable on any network.
//!
//! Per hidden neuron `j` (with `u_j(x) = W1_j . x + b1_j` its pre-activation and
//! inputs `x ~ N(0, I_n)` sampled with a fixed key):
//! * direction `d_j = W1_j / |W1_j|`;
//! * alignment `max_i |d_ji|`: 1 for a neuron reading one input, about
//!   `sqrt(2 ln(2n) / n)` for a random direction (but never below `1/sqrt(n)`);
//! * dominant input `i* = argmax_i |d_ji|` and its sign `sign(d_{j i*})`;
//! * effective output `a_j = w2_j |W1_j|`: the slope of the neuron's relu in the
//!   sharp limit, independent of the swish sharpness;
//! * uniformity `sum_i |W1_ji| / (sqrt(n) |W1_j|)`: 1 when all inputs have weights
//!   of equal magnitude, `1/sqrt(n)` for a single input;
//! * contribution `std_x(w2_j act(u_j(x)))`: how much the neuron moves the output;
//! * positive fraction `P_x(u_j(x) > 0)`.
//!
//! Each neuron gets one role, tested in this order:
//! dead (contribution below [`DEAD_MAX_RELATIVE_STD`] of the task's standard
//! deviation `sqrt(n (1 - 2/pi))`), linear (positive fraction at least
//! [`LINEAR_MIN_POSITIVE_FRACTION`]: `act(u) ~ u` on almost every input, so the neuron
//! adds the linear function `w2_j W1_j . x`; a pre-activation that keeps the other,
//! negative, sign leaves the neuron off, and an off neuron either is dead or is read
//! by its direction like any other), aligned with its dominant input and sign
//! (alignment at least [`aligned_min_alignment`]`(n)`), else diffuse.
//!
//! The alignment threshold depends on `n`. Generated networks are samples: each W1
//! row carries noise of up to about 30% of its norm, which turns an axis-aligned
//! neuron by about `atan 0.3 = 17 deg` (alignment 0.96 on average, below 0.95 for a
//! fifth of them). A fixed 18 deg cone ([`ALIGNED_MIN_ALIGNMENT`]) is needed where
//! random directions are often that close to an axis (40% of them at `n = 2`, 5% at
//! `n = 4`), but from `n = 5` on they rarely are, and the cone widens, as far as
//! [`ALIGNED_MIN_ALIGNMENT_FLOOR`] (32 deg), while a random direction still falls in
//! it with probability at most [`RANDOM_ALIGNED_MAX_PROBABILITY`]
//! ([`random_alignment_tail`] gives that probability exactly).
//!
//! Per input `i`: counts of aligned neurons of each sign, their summed effective
//! outputs `P_i` (sign +) and `N_i` (sign -), and the linear coefficient
//! `L_i = sum_{j linear} w2_j W1_ji`. In the sharp limit the network restricted to
//! input `i` is `P_i relu(x_i) + N_i relu(-x_i) + L_i x_i`, whose even part is
//! `E_i |x_i|` with `E_i = (P_i + N_i) / 2` and odd part `O_i x_i` with
//! `O_i = (P_i - N_i) / 2 + L_i`. The L1 norm needs `E_i = 1`, `O_i = 0`; the
//! oddness `O_i / E_i` is 0 for every correct algorithm.

pub use crate::alignment::{aligned_min_alignment, random_alignment_tail, ALIGNED_MIN_ALIGNMENT, ALIGNED_MIN_ALIGNMENT_FLOOR, RANDOM_ALIGNED_MAX_PROBABILITY};
use crate::probe::{forward_in_chunks, gaussian_inputs, l1_variance, PROBE_SAMPLES, PROBE_SEED};
use autodiff::Key;
use hypernet::TargetWeights;
use ndarray::{ArrayView1, Axis};

/// A neuron whose contribution's standard deviation is below this fraction of the
/// task's (`sqrt(n (1 - 2/pi))`) changes no output noticeably: it is dead.
pub const DEAD_MAX_RELATIVE_STD: f32 = 1e-3;
/// A neuron whose pre-activation is positive on at least this fraction of inputs
/// acts as a linear function: its relu/swish kink is almost never crossed.
pub const LINEAR_MIN_POSITIVE_FRACTION: f32 = 0.99;
/// A sign, `+1` or `-1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sign {
    Positive,
    Negative,
}

impl Sign {
    /// The sign of `v` (zero counts as positive).
    pub fn of(v: f32) -> Sign {
        if v < 0.0 {
            Sign::Negative
        } else {
            Sign::Positive
        }
    }

    /// `+1.0` or `-1.0`.
    pub fn value(self) -> f32 {
        match self {
            Sign::Positive => 1.0,
            Sign::Negative => -1.0,
        }
    }

    /// `+` or `-`.
    pub fn symbol(self) -> &'static str {
        match self {
            Sign::Positive => "+",
            Sign::Negative => "-",
        }
    }
}

/// What a hidden neuron does (see the module documentation for the tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Negligible contribution on the probe inputs.
    Dead,
    /// Pre-activation positive on almost every input: a linear function of `x`.
    Linear,
    /// A relu of one input, `relu(sign * x_input)`.
    Aligned { input: usize, sign: Sign },
    /// A relu of a direction spread over several inputs.
    Diffuse,
}

impl Role {
    /// Short name for tables and legends.
    pub fn name(self) -> String {
        match self {
            Role::Dead => "dead".into(),
            Role::Linear => "linear".into(),
            Role::Aligned { input, sign } => format!("relu({}x_{input})", if sign == Sign::Negative { "-" } else { "" }),
            Role::Diffuse => "diffuse".into(),
        }
    }
}

/// Order parameters of one hidden neuron.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronParams {
    /// `|W1_j|`.
    pub norm: f32,
    /// `max_i |W1_ji| / |W1_j|`.
    pub alignment: f32,
    /// `argmax_i |W1_ji|`.
    pub dominant_input: usize,
    /// `sign(W1_{j, dominant_input})`.
    pub dominant_sign: Sign,
    /// `a_j = w2_j |W1_j|`.
    pub effective_output: f32,
    /// `sum_i |W1_ji| / (sqrt(n) |W1_j|)`.
    pub uniformity: f32,
    /// `std_x(w2_j act(W1_j . x + b1_j))`.
    pub contribution_std: f32,
    /// Fraction of probe inputs with `W1_j . x + b1_j > 0`.
    pub positive_fraction: f32,
    pub role: Role,
}

/// Order parameters of one input.
#[derive(Clone, Debug, PartialEq)]
pub struct InputParams {
    /// Aligned neurons reading `+x_i`.
    pub positive_aligned: usize,
    /// Aligned neurons reading `-x_i`.
    pub negative_aligned: usize,
    /// `P_i`: summed effective outputs of the `+x_i` neurons.
    pub positive_output: f32,
    /// `N_i`: summed effective outputs of the `-x_i` neurons.
    pub negative_output: f32,
    /// `L_i = sum_{j linear} w2_j W1_ji`.
    pub linear_coefficient: f32,
}

impl InputParams {
    /// `E_i = (P_i + N_i) / 2`, the coefficient of `|x_i|`.
    pub fn even_part(&self) -> f32 {
        (self.positive_output + self.negative_output) / 2.0
    }

    /// `O_i = (P_i - N_i) / 2 + L_i`, the coefficient of `x_i`.
    pub fn odd_part(&self) -> f32 {
        (self.positive_output - self.negative_output) / 2.0 + self.linear_coefficient
    }

    /// `O_i / E_i`; infinite when the input has no even part.
    pub fn oddness(&self) -> f32 {
        let even = self.even_part();
        if even > 0.0 {
            self.odd_part() / even
        } else {
            f32::INFINITY
        }
    }
}

/// Order parameters of a whole network.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderParameters {
    pub neurons: Vec<NeuronParams>,
    pub inputs: Vec<InputParams>,
    /// `sum_i |L_i| / (sqrt(n) |L|)` over the summed linear coefficients `L`, when a
    /// linear neuron exists: 1 when the linear term weighs all inputs equally (the
    /// pudding), whatever its signs.
    pub linear_uniformity: Option<f32>,
    /// `std_x(y(x))` of the network's output.
    pub output_std: f32,
    /// `sqrt(n (1 - 2/pi))`, the L1 task's standard deviation.
    pub task_std: f32,
}

impl OrderParameters {
    /// Measures `net` on the default probe inputs ([`PROBE_SAMPLES`] drawn with
    /// [`PROBE_SEED`]).
    pub fn of(net: &TargetWeights) -> OrderParameters {
        OrderParameters::measure(net, Key::new(PROBE_SEED), PROBE_SAMPLES)
    }

    /// Measures `net` on `samples` inputs drawn with `key`, in memory bounded by the
    /// inputs and one chunk of neurons (see [`forward_in_chunks`]).
    pub fn measure(net: &TargetWeights, key: Key, samples: usize) -> OrderParameters {
        let n = net.inputs();
        let x = gaussian_inputs(key, samples, n);
        let task_std = l1_variance(n).sqrt() as f32;
        let min_alignment = aligned_min_alignment(n);
        let mut neurons = Vec::with_capacity(net.hidden());
        let output = forward_in_chunks(net, x.view(), |first, pre, act| {
            for (k, (u, h)) in pre.columns().into_iter().zip(act.columns()).enumerate() {
                let j = first + k;
                let contribution = h.mapv(|v| net.w2[j] * v);
                let positive_fraction = u.iter().filter(|v| **v > 0.0).count() as f32 / samples as f32;
                neurons.push(neuron_params(net, j, std(contribution.view()), positive_fraction, task_std, min_alignment));
            }
        });
        let inputs = (0..n).map(|i| input_params(net, &neurons, i)).collect::<Vec<InputParams>>();
        let has_linear = neurons.iter().any(|p| p.role == Role::Linear);
        let linear_uniformity = has_linear.then(|| {
            let l: Vec<f32> = inputs.iter().map(|p| p.linear_coefficient).collect();
            let norm = l.iter().map(|v| v * v).sum::<f32>().sqrt();
            l.iter().map(|v| v.abs()).sum::<f32>() / ((n as f32).sqrt() * norm.max(f32::MIN_POSITIVE))
        });
        let output_std = std(output.view());
        OrderParameters { neurons, inputs, linear_uniformity, output_std, task_std }
    }

    /// Indices of the neurons that are not dead.
    pub fn active(&self) -> Vec<usize> {
        (0..self.neurons.len()).filter(|&j| self.neurons[j].role != Role::Dead).collect()
    }

    /// The summed linear coefficients `L_i`, one per input.
    pub fn linear_coefficients(&self) -> Vec<f32> {
        self.inputs.iter().map(|p| p.linear_coefficient).collect()
    }
}

fn std(v: ArrayView1<f32>) -> f32 {
    v.std_axis(Axis(0), 0.0).into_scalar()
}

fn neuron_params(
    net: &TargetWeights,
    j: usize,
    contribution_std: f32,
    positive_fraction: f32,
    task_std: f32,
    min_alignment: f32,
) -> NeuronParams {
    let row = net.w1.row(j);
    let n = row.len();
    let norm = row.dot(&row).sqrt();
    let (dominant_input, dominant) = row
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(i, v)| (i, *v))
        .expect("a target network has at least one input");
    let safe_norm = norm.max(f32::MIN_POSITIVE);
    let alignment = dominant.abs() / safe_norm;
    let dominant_sign = Sign::of(dominant);
    let role = if contribution_std < DEAD_MAX_RELATIVE_STD * task_std {
        Role::Dead
    } else if positive_fraction >= LINEAR_MIN_POSITIVE_FRACTION {
        Role::Linear
    } else if alignment >= min_alignment {
        Role::Aligned { input: dominant_input, sign: dominant_sign }
    } else {
        Role::Diffuse
    };
    NeuronParams {
        norm,
        alignment,
        dominant_input,
        dominant_sign,
        effective_output: net.w2[j] * norm,
        uniformity: row.iter().map(|v| v.abs()).sum::<f32>() / ((n as f32).sqrt() * safe_norm),
        contribution_std,
        positive_fraction,
        role,
    }
}

fn input_params(net: &TargetWeights, neurons: &[NeuronParams], i: usize) -> InputParams {
    let mut p = InputParams {
        positive_aligned: 0,
        negative_aligned: 0,
        positive_output: 0.0,
        negative_output: 0.0,
        linear_coefficient: 0.0,
    };
    for (j, neuron) in neurons.iter().enumerate() {
        match neuron.role {
            Role::Aligned { input, sign: Sign::Positive } if input == i => {
                p.positive_aligned += 1;
                p.positive_output += neuron.effective_output;
            }
            Role::Aligned { input, sign: Sign::Negative } if input == i => {
                p.negative_aligned += 1;
                p.negative_output += neuron.effective_output;
            }
            Role::Linear => p.linear_coefficient += net.w2[j] * net.w1[[j, i]],
            _ => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use crate::reference::{double_sided, pad_with_dead_neurons, pudding};

    #[test]
    fn double_sided_neurons_are_aligned_with_both_signs() {
        let p = OrderParameters::of(&double_sided(3, 10.0));
        for (j, neuron) in p.neurons.iter().enumerate() {
            let sign = if j % 2 == 0 { Sign::Positive } else { Sign::Negative };
            assert_eq!(neuron.role, Role::Aligned { input: j / 2, sign });
            assert!(abs_diff_eq!(neuron.effective_output, 1.0, epsilon = 1e-6));
            assert!(abs_diff_eq!(neuron.positive_fraction, 0.5, epsilon = 0.05));
        }
        for input in &p.inputs {
            assert_eq!((input.positive_aligned, input.negative_aligned), (1, 1));
            assert!(abs_diff_eq!(input.even_part(), 1.0, epsilon = 1e-6) && input.oddness().abs() < 1e-6);
        }
        assert_eq!(p.linear_uniformity, None);
    }

    #[test]
    fn pudding_has_one_uniform_linear_neuron_cancelling_the_odd_part() {
        let p = OrderParameters::of(&pudding(&[1.0, -1.0, 1.0, 1.0], 10.0));
        let linear: Vec<_> = p.neurons.iter().filter(|q| q.role == Role::Linear).collect();
        assert_eq!(linear.len(), 1);
        assert!(abs_diff_eq!(linear[0].uniformity, 1.0, epsilon = 1e-6));
        assert!(abs_diff_eq!(p.linear_uniformity.unwrap(), 1.0, epsilon = 1e-6));
        let expected = [-1.0, 1.0, -1.0, -1.0];
        assert!(p.linear_coefficients().iter().zip(expected).all(|(&l, e)| abs_diff_eq!(l, e, epsilon = 1e-6)), "{:?}", p.linear_coefficients());
        assert!(p.inputs.iter().all(|q| q.oddness().abs() < 1e-5 && abs_diff_eq!(q.even_part(), 1.0, epsilon = 1e-6)));
    }

    #[test]
    fn padding_neurons_are_dead_and_skipped() {
        let p = OrderParameters::of(&pad_with_dead_neurons(&double_sided(2, 10.0), 7, Key::new(9)));
        assert_eq!(p.active(), vec![0, 1, 2, 3]);
        assert!(p.neurons[4..].iter().all(|q| q.role == Role::Dead && q.contribution_std == 0.0));
    }
}
