//! How well the classifier labels networks that carry the weight noise of sampled
//! networks: a confusion matrix per noise level.
//!
//! `cargo run --release -p interpret --example classifier_confusion [-- --draws D]
//! [--rows-only] [--show CASE LABEL]`
//!
//! `--rows-only` puts the noise on the W1 rows only (b1 and w2 exact); `--show` prints
//! the first few networks of a case (as named in the per-case table) that got LABEL at
//! r = 0.3, with their order parameters. The results are in `docs/order-parameters.md`,
//! "Noisy samples".
//!
//! Cases, each at n in {8, 16} with m = 3n neurons (padded with dead neurons,
//! [`pad_with_dead_neurons`]) and swish sharpness s in {2, 3, 10}: the five reference
//! algorithms ([`Algorithm::build`]; convexity with fresh directions per draw) and four
//! partial-coverage variants, whose true label is `partial-coverage`: double-sided
//! without the neurons of input 0, or of inputs 0 and 1; positive pudding without the
//! relu of input 0; mixed pudding without the relus of inputs 0 and 1 (one of each
//! sign; the linear neuron still reads them). Each case is drawn D times (default 25)
//! with per-neuron noise [`add_row_noise`] of relative size r in {0, 0.1, 0.2, 0.3}:
//! W1 row j gets a noise vector of norm about `r |W1_j|`, b1 and w2 matching relative
//! noise. The keys depend on (case, n, s, draw) only, so the same draw at every r uses
//! the same standard normals scaled by r. The output is deterministic.
//!
//! Prints, per r: the confusion matrix (true label -> predicted label, pooled over n,
//! s and draws) and the accuracy; then the accuracy per case and n, the reasons of the
//! wrong labels per r, and the order parameters that decided them (alignment of the
//! neurons built axis-aligned, the positive fraction of the pudding's linear neuron,
//! the aligned share, the oddness).

use autodiff::Key;
use hypernet::TargetWeights;
use interpret::classify::{classify, Classification, Label};
use interpret::order_params::{aligned_min_alignment, Role, ALIGNED_MIN_ALIGNMENT, LINEAR_MIN_POSITIVE_FRACTION};
use interpret::reference::{alternating_signs, pad_with_dead_neurons, pudding, Algorithm};
use interpret::transform::{add_row_noise, drop_inputs_neurons};
use std::collections::BTreeMap;

const SIZES: [usize; 2] = [8, 16];
const SHARPNESS: [f32; 3] = [2.0, 3.0, 10.0];
const NOISE: [f32; 4] = [0.0, 0.1, 0.2, 0.3];
const SEED: u64 = 0xC0_4F05;

/// A network to classify, before padding and noise.
#[derive(Clone, Copy)]
enum Case {
    Full(Algorithm),
    /// Double-sided without the neurons reading the first `k` inputs.
    DoubleSidedMissing(usize),
    /// Positive pudding without the relu of input 0.
    PositivePuddingMissingOne,
    /// Mixed (alternating) pudding without the relus of inputs 0 and 1.
    MixedPuddingMissingTwo,
}

impl Case {
    fn all() -> Vec<Case> {
        let mut cases: Vec<Case> = Algorithm::ALL.into_iter().map(Case::Full).collect();
        cases.extend([
            Case::DoubleSidedMissing(1),
            Case::DoubleSidedMissing(2),
            Case::PositivePuddingMissingOne,
            Case::MixedPuddingMissingTwo,
        ]);
        cases
    }

    fn name(self) -> String {
        match self {
            Case::Full(a) => a.name().to_string(),
            Case::DoubleSidedMissing(k) => format!("double-sided -{k} input(s)"),
            Case::PositivePuddingMissingOne => "positive-pudding -1 input".into(),
            Case::MixedPuddingMissingTwo => "mixed-pudding -2 inputs".into(),
        }
    }

    fn truth(self) -> Label {
        match self {
            Case::Full(a) => a.into(),
            _ => Label::PartialCoverage,
        }
    }

    fn build(self, n: usize, s: f32, key: Key) -> TargetWeights {
        match self {
            Case::Full(a) => a.build(n, s, key),
            Case::DoubleSidedMissing(k) => drop_inputs_neurons(&Algorithm::DoubleSided.build(n, s, key), &(0..k).collect::<Vec<_>>()),
            Case::PositivePuddingMissingOne => drop_inputs_neurons(&pudding(&vec![1.0; n], s), &[0]),
            Case::MixedPuddingMissingTwo => drop_inputs_neurons(&pudding(&alternating_signs(n), s), &[0, 1]),
        }
    }
}

/// One classified network and the numbers kept for the diagnosis.
struct Outcome {
    case: usize,
    n: usize,
    r: f32,
    truth: Label,
    classification: Classification,
    /// Alignments of the neurons that were axis-aligned (alignment 1, live) before noise.
    built_aligned: Vec<f32>,
    /// Positive fractions of the neurons that were linear-regime before noise.
    built_linear: Vec<f32>,
}

/// The network for one draw: built, padded to 3n, then noised.
fn draw(case: Case, n: usize, s: f32, r: f32, key: Key, rows_only: bool) -> (TargetWeights, TargetWeights) {
    let clean = case.build(n, s, key.fold_in(1));
    let padded = pad_with_dead_neurons(&clean, 3 * n, key.fold_in(2));
    let mut noisy = add_row_noise(&padded, r, key.fold_in(3));
    if rows_only {
        noisy.b1 = padded.b1.clone();
        noisy.w2 = padded.w2.clone();
    }
    (padded, noisy)
}

fn outcomes(draws: usize, show: Option<(String, Label)>, rows_only: bool) -> Vec<Outcome> {
    let cases = Case::all();
    let mut out = Vec::new();
    let mut shown = 0;
    for (c, &case) in cases.iter().enumerate() {
        for &n in &SIZES {
            for (si, &s) in SHARPNESS.iter().enumerate() {
                for d in 0..draws {
                    let key = Key::new(SEED).fold_in(c as u64).fold_in(n as u64).fold_in(si as u64).fold_in(d as u64);
                    for &r in &NOISE {
                        let (clean, noisy) = draw(case, n, s, r, key, rows_only);
                        let reference = classify(&clean).params;
                        let axis = |j: usize| reference.neurons[j].alignment > 0.999;
                        let classification = classify(&noisy);
                        let pick = |want: &dyn Fn(usize) -> bool, value: &dyn Fn(usize) -> f32| -> Vec<f32> {
                            (0..noisy.hidden()).filter(|&j| want(j)).map(value).collect()
                        };
                        let p = &classification.params;
                        let built_aligned =
                            pick(&|j| axis(j) && matches!(reference.neurons[j].role, Role::Aligned { .. }), &|j| p.neurons[j].alignment);
                        let built_linear = pick(&|j| reference.neurons[j].role == Role::Linear, &|j| p.neurons[j].positive_fraction);
                        if show.as_ref().is_some_and(|(name, label)| *name == case.name() && classification.label == *label)
                            && r == 0.3
                            && shown < 4
                        {
                            shown += 1;
                            println!("--- {} n = {n} s = {s} draw {d}:\n{classification}", case.name());
                            for (j, q) in p.neurons.iter().enumerate().filter(|(_, q)| q.role != Role::Dead) {
                                println!(
                                    "  neuron {j:>2}: {:<10} alignment {:.3} a = {:>7.3} positive {:.3}",
                                    q.role.name(),
                                    q.alignment,
                                    q.effective_output,
                                    q.positive_fraction
                                );
                            }
                            for (i, q) in p.inputs.iter().enumerate() {
                                println!(
                                    "  input {i:>2}: P {:.3} N {:.3} L {:.3} O/E {:.3}",
                                    q.positive_output,
                                    q.negative_output,
                                    q.linear_coefficient,
                                    q.oddness()
                                );
                            }
                        }
                        out.push(Outcome { case: c, n, r, truth: case.truth(), classification, built_aligned, built_linear });
                    }
                }
            }
        }
    }
    out
}

const TRUE_LABELS: [Label; 6] =
    [Label::DoubleSided, Label::PositivePudding, Label::NegativePudding, Label::MixedPudding, Label::Convexity, Label::PartialCoverage];

fn short(label: Label) -> &'static str {
    match label {
        Label::DoubleSided => "double",
        Label::PositivePudding => "+pud",
        Label::NegativePudding => "-pud",
        Label::MixedPudding => "mixed",
        Label::Convexity => "convex",
        Label::PartialCoverage => "partial",
        Label::Constant => "const",
        Label::Other => "other",
    }
}

/// A reason with its numbers and index lists replaced by `#`, so equal causes tally.
fn reason_kind(reason: &str) -> String {
    let mut kind = String::new();
    let mut in_number = false;
    let mut depth = 0;
    for ch in reason.chars() {
        match ch {
            '[' => {
                depth += 1;
                if depth == 1 {
                    kind.push_str("[#]");
                }
            }
            ']' => depth -= 1,
            _ if depth > 0 => {}
            c if c.is_ascii_digit() || (in_number && c == '.') => {
                if !in_number {
                    kind.push('#');
                }
                in_number = true;
            }
            c => {
                in_number = false;
                kind.push(c);
            }
        }
    }
    kind
}

fn quantile(mut v: Vec<f32>, q: f64) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    v.sort_by(f32::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let draws = args.iter().position(|a| a == "--draws").map(|i| args[i + 1].parse().expect("--draws takes a count")).unwrap_or(25);
    let cases = Case::all();
    // `--show CASE LABEL`: print the first few networks of that case given that label at r = 0.3.
    let show = args.iter().position(|a| a == "--show").map(|i| {
        let label = Label::ALL.into_iter().find(|l| l.name() == args[i + 2]).expect("--show CASE LABEL");
        (args[i + 1].clone(), label)
    });
    // `--rows-only`: noise on the W1 rows only (b1 and w2 exact), to separate the effects.
    let rows_only = args.iter().any(|a| a == "--rows-only");
    let all = outcomes(draws, show, rows_only);
    println!(
        "classifier confusion: n in {SIZES:?}, m = 3n, s in {SHARPNESS:?}, {draws} draws per (case, n, s); {} networks per noise level",
        all.len() / NOISE.len()
    );

    for &r in &NOISE {
        let at: Vec<&Outcome> = all.iter().filter(|o| o.r == r).collect();
        let right = at.iter().filter(|o| o.classification.label == o.truth).count();
        println!("\n## r = {r}: {right}/{} correct ({:.1}%)", at.len(), 100.0 * right as f64 / at.len() as f64);
        print!("| true \\ predicted |");
        for l in Label::ALL {
            print!(" {} |", short(l));
        }
        println!(" accuracy |");
        println!("|---|{}---|", "---|".repeat(Label::ALL.len()));
        for truth in TRUE_LABELS {
            let row: Vec<&&Outcome> = at.iter().filter(|o| o.truth == truth).collect();
            print!("| {} |", truth.name());
            for l in Label::ALL {
                print!(" {} |", row.iter().filter(|o| o.classification.label == l).count());
            }
            let hit = row.iter().filter(|o| o.classification.label == truth).count();
            println!(" {hit}/{} |", row.len());
        }
    }

    println!("\n## accuracy per case and n (r = {NOISE:?})");
    for (c, case) in cases.iter().enumerate() {
        for &n in &SIZES {
            let cells: Vec<String> = NOISE
                .iter()
                .map(|&r| {
                    let at: Vec<&Outcome> = all.iter().filter(|o| o.case == c && o.n == n && o.r == r).collect();
                    format!("{:>3}/{}", at.iter().filter(|o| o.classification.label == o.truth).count(), at.len())
                })
                .collect();
            println!("  {:<28} n = {n:>2}: {}", case.name(), cells.join("  "));
        }
    }

    for &r in NOISE.iter().filter(|r| **r > 0.0) {
        println!("\n## wrong labels by reason, r = {r}");
        let mut tally: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for o in all.iter().filter(|o| o.r == r && o.classification.label != o.truth) {
            let mut kind = reason_kind(&o.classification.reason);
            if o.classification.evidence.linear_neurons == 0 && !o.built_linear.is_empty() {
                kind.push_str(" [its linear neuron left the linear regime]");
            }
            *tally.entry((cases[o.case].name(), o.classification.label.name().to_string(), kind)).or_default() += 1;
        }
        for ((case, label, kind), count) in &tally {
            println!("  {count:>4}  {case} -> {label}: {kind}");
        }
    }

    println!("\n## order parameters under noise");
    for &n in &SIZES {
        for &r in &NOISE {
            let at: Vec<&Outcome> = all.iter().filter(|o| o.n == n && o.r == r).collect();
            let aligned: Vec<f32> = at.iter().flat_map(|o| o.built_aligned.iter().copied()).collect();
            let below_cone = aligned.iter().filter(|a| **a < ALIGNED_MIN_ALIGNMENT).count();
            let threshold = aligned_min_alignment(n);
            let lost = aligned.iter().filter(|a| **a < threshold).count();
            let linear: Vec<f32> = at.iter().flat_map(|o| o.built_linear.iter().copied()).collect();
            let left = linear.iter().filter(|p| **p < LINEAR_MIN_POSITIVE_FRACTION).count();
            let structured: Vec<&&Outcome> = at.iter().filter(|o| !matches!(cases[o.case], Case::Full(Algorithm::Convexity))).collect();
            let shares: Vec<f32> = structured.iter().map(|o| o.classification.evidence.aligned_share).collect();
            let puddings: Vec<&&Outcome> =
                at.iter().filter(|o| matches!(o.truth, Label::PositivePudding | Label::NegativePudding | Label::MixedPudding)).collect();
            let oddness: Vec<f32> = puddings.iter().map(|o| o.classification.evidence.max_abs_oddness).collect();
            let network_oddness: Vec<f32> = puddings.iter().map(|o| o.classification.evidence.network_oddness).collect();
            let convex: Vec<f32> = at
                .iter()
                .filter(|o| matches!(cases[o.case], Case::Full(Algorithm::Convexity)))
                .flat_map(|o| {
                    o.classification.params.neurons.iter().filter(|p| p.role != Role::Dead).map(|p| p.alignment).collect::<Vec<_>>()
                })
                .collect();
            println!(
                "  n = {n:>2} r = {r:.1}: built-aligned neurons below {ALIGNED_MIN_ALIGNMENT}: {below_cone}/{}, \
                 below the threshold {threshold}: {lost} (alignment 1%/50% quantiles {:.3}/{:.3}); \
                 linear neurons below {LINEAR_MIN_POSITIVE_FRACTION}: {left}/{} (min {:.3}); aligned share of axis cases min {:.3}; \
                 puddings' max_i |O_i/E_i| 50%/90% {:.2}/{:.2}, sum |O_i| / sum E_i 50%/90%/99% {:.2}/{:.2}/{:.2}; \
                 convexity neuron alignment 99%/max {:.3}/{:.3}",
                aligned.len(),
                quantile(aligned.clone(), 0.01),
                quantile(aligned.clone(), 0.5),
                linear.len(),
                quantile(linear.clone(), 0.0),
                quantile(shares, 0.0),
                quantile(oddness.clone(), 0.5),
                quantile(oddness, 0.9),
                quantile(network_oddness.clone(), 0.5),
                quantile(network_oddness.clone(), 0.9),
                quantile(network_oddness, 0.99),
                quantile(convex.clone(), 0.99),
                quantile(convex, 1.0),
            );
        }
    }
}
