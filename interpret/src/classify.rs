//! Classification of a target network into the algorithms of the paper, from its
//! order parameters ([`crate::order_params`]).
//!
//! Shares are over the non-dead, non-linear neurons, weighted by `|a_j|` (effective
//! output): the aligned share is `sum_{aligned} |a_j| / sum_{aligned, diffuse} |a_j|`.
//! Each input gets a role from its aligned outputs `P_i` (reading `+x_i`) and `N_i`
//! (reading `-x_i`), negative sums counting as 0: uncovered when `max(P_i, N_i)` is
//! below [`COVERED_MIN_RELATIVE`] of its mean over inputs, two-sided when the
//! weaker sign has at least [`TWO_SIDED_MIN_RATIO`] of the stronger, else one-sided
//! with the stronger sign. A one-sided input is cancelled when the linear term reads
//! it with the sign that cancels its odd part and comparable weight
//! ([`LINEAR_MIN_RELATIVE_COEFFICIENT`]).
//!
//! Decision, first match wins:
//! 1. output standard deviation below [`CONSTANT_MAX_RELATIVE_STD`] of the task's:
//!    **constant**;
//! 2. aligned share at least [`STRUCTURED_MIN_ALIGNED_SHARE`] (an axis-aligned network):
//!    some input uncovered: **partial coverage**; some one-sided input not cancelled,
//!    some two-sided input with `|O_i / E_i|` above [`ODDNESS_MAX`], or
//!    `sum_i |O_i| / sum_i E_i` above [`ODDNESS_MAX`] (the network is not even in its
//!    inputs, so not the L1 norm): **other**; all inputs two-sided: **double-sided**;
//!    all one-sided `+`: **positive pudding**; all `-`: **negative pudding**;
//!    one-sided of both signs: **mixed pudding**; two-sided and one-sided inputs
//!    together: **other**;
//! 3. otherwise, diffuse neurons with positive outputs carrying at least
//!    [`CONVEXITY_MIN_POSITIVE_SHARE`] of the diffuse `|a_j|`: **convexity**;
//! 4. **other**.
//!
//! A pudding's one-sided inputs pass only when linear neurons cancel the odd part
//! `(P_i - N_i) / 2`, so "linear-regime neuron present" is part of the evidence for
//! every pudding label.
//!
//! Generated networks are samples, whose weights carry noise (up to about 30% of a
//! row's norm). The tests read per input are ones that 30% noise on one weight flips
//! only at about 3 sigma (coverage against the mean input, sides down to the ratio
//! the oddness allows, the linear term's sign and rough size); how much the linear
//! term cancels is read on the sum over inputs. `docs/order-parameters.md` ("Noisy
//! samples") has the confusion matrices, from `examples/classifier_confusion.rs`.

pub use crate::label::Label;
use crate::order_params::{OrderParameters, Role};
use hypernet::TargetWeights;
use std::fmt;

/// Below this output standard deviation, relative to the task's `sqrt(n (1 - 2/pi))`,
/// the network barely depends on its input.
pub const CONSTANT_MAX_RELATIVE_STD: f32 = 0.1;
/// From this aligned share on, a network is read as axis-aligned (double-sided or a
/// pudding). Random directions give shares near 0 for `n >= 4`, about 0.4 at `n = 2`.
pub const STRUCTURED_MIN_ALIGNED_SHARE: f32 = 0.75;
/// Convexity needs its diffuse bumps to add up, not cancel: at least this share of
/// their `|a_j|` has positive sign.
pub const CONVEXITY_MIN_POSITIVE_SHARE: f32 = 0.8;
/// An input is two-sided when its weaker sign has at least this fraction of the
/// stronger sign's summed effective output (1 for the double-sided reference, 0 for a
/// pudding): `(1 - ODDNESS_MAX) / (1 + ODDNESS_MAX) = 1/7`, the ratio from which the
/// two signs alone, with no linear term, make `|O_i / E_i| <= ODDNESS_MAX`, i.e. an
/// input the oddness test accepts as `|x_i|`. (It was 0.3: an input between the two
/// was even enough for the oddness test but "one-sided", so a double-sided network
/// whose output weight for one side drew about 2.3 sigma low under 30% noise became
/// a hybrid.)
pub const TWO_SIDED_MIN_RATIO: f32 = (1.0 - ODDNESS_MAX) / (1.0 + ODDNESS_MAX);
/// An input is covered when its stronger sign's summed effective output is at least
/// this fraction of the mean over all inputs (the typical input; the largest, used
/// before, grows with `n` under noise: with 30% noise on output weights the largest
/// of 16 inputs is about 1.6 times the mean, and an input about 2.3 sigma low fell
/// below 0.2 of it).
pub const COVERED_MIN_RELATIVE: f32 = 0.2;
/// Largest oddness accepted as computing `|x_i|`: per two-sided input `|O_i / E_i|`,
/// and over the whole network `sum_i |O_i| / sum_i E_i` (odd part over even part).
/// A correct algorithm has 0; `2 relu(x_i)` with no linear term to cancel its odd
/// part has 1. Accepting up to 0.75 asks a pudding's linear term to cancel at least a
/// quarter of the odd part (and overshoot by at most three quarters): its structure,
/// not its accuracy, which shows in the formula's and the network's nMSE.
///
/// A one-sided input is not held to it on its own: its `O_i / E_i` combines three
/// noisy weights (its relu's, the linear neuron's output and its entry in the linear
/// row), so 30% weight noise spreads it by about 0.5 and the largest of 16 inputs
/// passes 0.75 in most sampled puddings. Per input the classifier asks for the
/// pudding's structure ([`LINEAR_MIN_RELATIVE_COEFFICIENT`]); the amount of
/// cancellation is judged on the sum over inputs, where the noise averages out.
pub const ODDNESS_MAX: f32 = 0.75;
/// A one-sided input is cancelled by the linear term when `L_i` has the sign opposite
/// to its relu's (`L_i (P_i - N_i) < 0`) and `|L_i|` is at least this fraction of the
/// median `|L_k|` over the one-sided inputs: the linear neuron reads it like the
/// others. A missing entry (`L_i = 0`, as in `2 relu(x_i)` alone) fails; an entry of
/// a sampled row with noise of 30% of each entry falls below it only at 3 sigma.
pub const LINEAR_MIN_RELATIVE_COEFFICIENT: f32 = 0.1;

/// How the aligned neurons read one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputRole {
    /// Neurons of both signs: `relu(x_i)` and `relu(-x_i)`.
    TwoSided,
    /// Only `relu(x_i)`.
    Positive,
    /// Only `relu(-x_i)`.
    Negative,
    /// No aligned neuron of weight.
    Uncovered,
}

/// The numbers the decision read.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// `std(y) / sqrt(n (1 - 2/pi))`.
    pub output_std_ratio: f32,
    pub active_neurons: usize,
    pub total_neurons: usize,
    pub linear_neurons: usize,
    /// `sum_{aligned} |a_j| / sum_{aligned, diffuse} |a_j|` (0 without such neurons).
    pub aligned_share: f32,
    /// `sum_{diffuse, a_j > 0} a_j / sum_{diffuse} |a_j|` (0 without diffuse neurons).
    pub diffuse_positive_share: f32,
    pub input_roles: Vec<InputRole>,
    /// `max_i |O_i / E_i|` (infinite when some input has no even part).
    pub max_abs_oddness: f32,
    /// `sum_i |O_i| / sum_i E_i` over all inputs (infinite without an even part).
    pub network_oddness: f32,
    /// `max |O_i / E_i|` over the two-sided inputs (0 without such inputs).
    pub two_sided_max_oddness: f32,
    /// One-sided inputs whose odd part the linear term does not cancel (see
    /// [`LINEAR_MIN_RELATIVE_COEFFICIENT`]).
    pub uncancelled_inputs: Vec<usize>,
    /// See [`OrderParameters::linear_uniformity`].
    pub linear_uniformity: Option<f32>,
}

impl Evidence {
    /// Number of inputs with the given role.
    pub fn inputs_with(&self, role: InputRole) -> usize {
        self.input_roles.iter().filter(|r| **r == role).count()
    }

    /// Indices of the inputs with the given role.
    pub fn inputs_where(&self, role: InputRole) -> Vec<usize> {
        (0..self.input_roles.len()).filter(|&i| self.input_roles[i] == role).collect()
    }
}

/// A label, the sentence that justifies it, and the numbers behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    pub label: Label,
    pub reason: String,
    pub evidence: Evidence,
    pub params: OrderParameters,
}

/// Classifies `net` from its order parameters on the default probe inputs.
pub fn classify(net: &TargetWeights) -> Classification {
    classify_params(OrderParameters::of(net))
}

/// Classifies a network from already measured order parameters.
pub fn classify_params(params: OrderParameters) -> Classification {
    let evidence = gather_evidence(&params);
    let (label, reason) = decide(&evidence);
    Classification { label, reason, evidence, params }
}

fn gather_evidence(params: &OrderParameters) -> Evidence {
    let share = |part: f32, whole: f32| if whole > 0.0 { part / whole } else { 0.0 };
    // Sums start from +0.0 (f32's `Sum` starts from -0.0, which would print as "-0.00").
    let abs_output = |pick: &dyn Fn(Role) -> bool| -> f32 {
        params.neurons.iter().filter(|p| pick(p.role)).map(|p| p.effective_output.abs()).fold(0.0, |a, b| a + b)
    };
    let aligned = abs_output(&|r| matches!(r, Role::Aligned { .. }));
    let diffuse = abs_output(&|r| r == Role::Diffuse);
    let diffuse_positive =
        params.neurons.iter().filter(|p| p.role == Role::Diffuse).map(|p| p.effective_output.max(0.0)).fold(0.0, |a, b| a + b);
    let strongest = |p: &crate::order_params::InputParams| p.positive_output.max(p.negative_output).max(0.0);
    let typical = params.inputs.iter().map(strongest).fold(0.0f32, |a, b| a + b) / params.inputs.len() as f32;
    let input_roles: Vec<InputRole> = params
        .inputs
        .iter()
        .map(|p| {
            let (pos, neg) = (p.positive_output.max(0.0), p.negative_output.max(0.0));
            let strong = pos.max(neg);
            if strong <= 0.0 || strong < COVERED_MIN_RELATIVE * typical {
                InputRole::Uncovered
            } else if pos.min(neg) >= TWO_SIDED_MIN_RATIO * strong {
                InputRole::TwoSided
            } else if pos > neg {
                InputRole::Positive
            } else {
                InputRole::Negative
            }
        })
        .collect();
    let one_sided = |i: usize| matches!(input_roles[i], InputRole::Positive | InputRole::Negative);
    let n = params.inputs.len();
    let mut linear_sizes: Vec<f32> = (0..n).filter(|&i| one_sided(i)).map(|i| params.inputs[i].linear_coefficient.abs()).collect();
    linear_sizes.sort_by(f32::total_cmp);
    let typical_linear = linear_sizes.get(linear_sizes.len() / 2).copied().unwrap_or(0.0);
    let uncancelled_inputs = (0..n)
        .filter(|&i| one_sided(i))
        .filter(|&i| {
            let p = &params.inputs[i];
            let opposes = p.linear_coefficient * (p.positive_output - p.negative_output) < 0.0;
            !(opposes && p.linear_coefficient.abs() >= LINEAR_MIN_RELATIVE_COEFFICIENT * typical_linear)
        })
        .collect();
    let even: f32 = params.inputs.iter().map(|p| p.even_part()).fold(0.0, |a, b| a + b);
    let odd: f32 = params.inputs.iter().map(|p| p.odd_part().abs()).fold(0.0, |a, b| a + b);
    let two_sided_max_oddness =
        (0..n).filter(|&i| input_roles[i] == InputRole::TwoSided).map(|i| params.inputs[i].oddness().abs()).fold(0.0, f32::max);
    Evidence {
        output_std_ratio: share(params.output_std, params.task_std),
        active_neurons: params.active().len(),
        total_neurons: params.neurons.len(),
        linear_neurons: params.neurons.iter().filter(|p| p.role == Role::Linear).count(),
        aligned_share: share(aligned, aligned + diffuse),
        diffuse_positive_share: share(diffuse_positive, diffuse),
        input_roles,
        max_abs_oddness: params.inputs.iter().map(|p| p.oddness().abs()).fold(0.0, f32::max),
        network_oddness: if even > 0.0 { odd / even } else { f32::INFINITY },
        two_sided_max_oddness,
        uncancelled_inputs,
        linear_uniformity: params.linear_uniformity,
    }
}

fn decide(e: &Evidence) -> (Label, String) {
    if e.output_std_ratio < CONSTANT_MAX_RELATIVE_STD {
        return (
            Label::Constant,
            format!(
                "the output's standard deviation is {:.3} of the task's (below {CONSTANT_MAX_RELATIVE_STD})",
                e.output_std_ratio
            ),
        );
    }
    if e.aligned_share >= STRUCTURED_MIN_ALIGNED_SHARE {
        return decide_aligned(e);
    }
    if e.diffuse_positive_share >= CONVEXITY_MIN_POSITIVE_SHARE {
        return (
            Label::Convexity,
            format!(
                "most weight sits on diffuse neurons (aligned share {:.2} < {STRUCTURED_MIN_ALIGNED_SHARE}), \
                 {:.0}% of it with positive outputs: a sum of convex bumps",
                e.aligned_share,
                100.0 * e.diffuse_positive_share
            ),
        );
    }
    (
        Label::Other,
        format!(
            "neither axis-aligned (aligned share {:.2} < {STRUCTURED_MIN_ALIGNED_SHARE}) nor a sum of positive bumps \
             (positive share of diffuse weight {:.2} < {CONVEXITY_MIN_POSITIVE_SHARE})",
            e.aligned_share, e.diffuse_positive_share
        ),
    )
}

fn decide_aligned(e: &Evidence) -> (Label, String) {
    let uncovered = e.inputs_where(InputRole::Uncovered);
    if !uncovered.is_empty() {
        return (
            Label::PartialCoverage,
            format!("axis-aligned (share {:.2}), but inputs {uncovered:?} have no aligned neuron of weight", e.aligned_share),
        );
    }
    if !e.uncancelled_inputs.is_empty() {
        return (
            Label::Other,
            format!(
                "axis-aligned, but inputs {:?} are read by one sign only and no linear term cancels their odd part, \
                 so the response to them is not |x_i|",
                e.uncancelled_inputs
            ),
        );
    }
    if e.two_sided_max_oddness > ODDNESS_MAX {
        return (
            Label::Other,
            format!(
                "axis-aligned, but the response to some two-sided input is lopsided (|O_i/E_i| = {:.2} > {ODDNESS_MAX}), \
                 so it is not |x_i|",
                e.two_sided_max_oddness
            ),
        );
    }
    if e.network_oddness > ODDNESS_MAX {
        return (
            Label::Other,
            format!(
                "axis-aligned, but the response is lopsided on the whole (sum |O_i| / sum E_i = {:.2} > {ODDNESS_MAX}): \
                 the linear term does not cancel the odd part, so it is not the L1 norm",
                e.network_oddness
            ),
        );
    }
    let n = e.input_roles.len();
    let (two, pos, neg) =
        (e.inputs_with(InputRole::TwoSided), e.inputs_with(InputRole::Positive), e.inputs_with(InputRole::Negative));
    let pudding = |sides: &str| {
        format!(
            "every input is read by {sides}, and {} linear neuron(s) cancel the odd part (sum |O_i| / sum E_i = {:.2})",
            e.linear_neurons, e.network_oddness
        )
    };
    if two == n {
        (
            Label::DoubleSided,
            format!("every input is read by neurons of both signs (sum |O_i| / sum E_i = {:.2})", e.network_oddness),
        )
    } else if pos == n {
        (Label::PositivePudding, pudding("relu(+x_i) neurons only"))
    } else if neg == n {
        (Label::NegativePudding, pudding("relu(-x_i) neurons only"))
    } else if two == 0 {
        (Label::MixedPudding, pudding(&format!("one sign only, + for {pos} inputs and - for {neg}")))
    } else {
        (
            Label::Other,
            format!("a hybrid: {two} inputs are read by both signs and {} by one sign only", pos + neg),
        )
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.evidence;
        writeln!(f, "label: {}", self.label)?;
        writeln!(f, "why:   {}", self.reason)?;
        writeln!(f, "order parameters:")?;
        writeln!(f, "  output std / task std      {:>8.3}   (constant below {CONSTANT_MAX_RELATIVE_STD})", e.output_std_ratio)?;
        writeln!(
            f,
            "  active neurons             {:>8}   of {} ({} linear-regime)",
            e.active_neurons, e.total_neurons, e.linear_neurons
        )?;
        writeln!(f, "  aligned share              {:>8.3}   (axis-aligned from {STRUCTURED_MIN_ALIGNED_SHARE})", e.aligned_share)?;
        writeln!(
            f,
            "  diffuse positive share     {:>8.3}   (convexity from {CONVEXITY_MIN_POSITIVE_SHARE})",
            e.diffuse_positive_share
        )?;
        writeln!(
            f,
            "  inputs two-sided/+/-/none  {:>2}/{}/{}/{}",
            e.inputs_with(InputRole::TwoSided),
            e.inputs_with(InputRole::Positive),
            e.inputs_with(InputRole::Negative),
            e.inputs_with(InputRole::Uncovered)
        )?;
        let uncancelled = format!("{:?}", e.uncancelled_inputs);
        writeln!(f, "  uncancelled one-sided      {uncancelled:>8}   (inputs whose odd part no linear term cancels)")?;
        writeln!(f, "  max |odd/even| two-sided   {:>8.3}   (|x_i| up to {ODDNESS_MAX})", e.two_sided_max_oddness)?;
        writeln!(f, "  sum |odd| / sum even       {:>8.3}   (the L1 norm up to {ODDNESS_MAX})", e.network_oddness)?;
        writeln!(f, "  max |odd/even| any input   {:>8.3}", e.max_abs_oddness)?;
        match e.linear_uniformity {
            Some(u) => writeln!(f, "  linear-term uniformity     {u:>8.3}   (1 = equal weight on every input)"),
            None => writeln!(f, "  linear-term uniformity          -     (no linear-regime neuron)"),
        }
    }
}
