//! The classifier on networks that carry the weight noise of sampled networks
//! ([`add_row_noise`]: each W1 row gets a noise vector of about `r` times its norm, b1
//! and w2 matching relative noise), at `r = 0.3`, the size seen in sampled networks;
//! and the failure labels, which noise must not turn into algorithms.
//! `examples/classifier_confusion.rs` measures the full confusion matrices
//! (`docs/order-parameters.md`, "Noisy samples"); this checks a fixed subset.

use autodiff::Key;
use hypernet::TargetWeights;
use interpret::classify::{classify, Label};
use interpret::reference::{alternating_signs, double_sided, pad_with_dead_neurons, pudding, Algorithm};
use interpret::transform::{add_row_noise, drop_inputs_neurons, select_neurons};

const R: f32 = 0.3;
const SIZES: [usize; 2] = [8, 16];
const SHARPNESS: [f32; 3] = [2.0, 3.0, 10.0];
/// Draws per (algorithm, n, s).
const DRAWS: u64 = 6;
/// Share of the noisy references (at `r = 0.3`, over the draws above) that must keep
/// their label. Measured: 168/180 (93%): double-sided 35/36, positive pudding 31/36,
/// negative 33/36, mixed 33/36, convexity 36/36 (before the noise-aware thresholds:
/// 39/180, the 36 convexity networks and 3 puddings). The misses: puddings whose
/// linear term, after the noise on its output weight, cancels less than a quarter or
/// more than 1.75 times the relus' odd part (`sum |O_i| / sum E_i` above 0.75:
/// lopsided in function, not only noisy), puddings whose linear neuron the noise on
/// its bias pushed out of the linear regime, and one double-sided input whose weaker
/// side drew below a seventh of the stronger.
const MIN_ACCURACY: f64 = 0.9;
/// No algorithm may fall below this share on its own.
const MIN_ACCURACY_PER_ALGORITHM: f64 = 0.8;

/// `net` padded to `3n` neurons with dead ones, then with row noise of size `r`.
fn sampled(net: &TargetWeights, r: f32, key: Key) -> TargetWeights {
    let n = net.inputs();
    add_row_noise(&pad_with_dead_neurons(net, 3 * n, key.fold_in(2)), r, key.fold_in(3))
}

fn draws() -> impl Iterator<Item = (usize, f32, Key)> {
    SIZES.into_iter().flat_map(|n| {
        SHARPNESS
            .into_iter()
            .enumerate()
            .flat_map(move |(si, s)| (0..DRAWS).map(move |d| (n, s, Key::new(0x5A_3E1E).fold_in(n as u64).fold_in(si as u64).fold_in(d))))
    })
}

#[test]
fn references_with_30_percent_row_noise_keep_their_label() {
    let (mut right, mut total) = (0, 0);
    for algorithm in Algorithm::ALL {
        let mut wrong = Vec::new();
        let mut hits = 0;
        for (n, s, key) in draws() {
            let c = classify(&sampled(&algorithm.build(n, s, key.fold_in(1)), R, key));
            if c.label == algorithm.into() {
                hits += 1;
            } else {
                wrong.push(format!("n = {n} s = {s}: {} ({})", c.label, c.reason));
            }
        }
        let count = SIZES.len() * SHARPNESS.len() * DRAWS as usize;
        println!("{}: {hits}/{count} at r = {R}", algorithm.name());
        for w in &wrong {
            println!("  {w}");
        }
        assert!(
            hits as f64 >= MIN_ACCURACY_PER_ALGORITHM * count as f64,
            "{}: only {hits}/{count} keep their label at r = {R}: {wrong:#?}",
            algorithm.name()
        );
        right += hits;
        total += count;
    }
    let accuracy = right as f64 / total as f64;
    println!("all: {right}/{total}");
    assert!(accuracy >= MIN_ACCURACY, "only {right}/{total} noisy references keep their label (at least {MIN_ACCURACY} expected)");
}

#[test]
fn partial_coverage_is_recognised_under_noise() {
    for (n, s, key) in draws() {
        let partial = [
            ("double-sided without input 0", drop_inputs_neurons(&double_sided(n, s), &[0])),
            ("double-sided without inputs 0, 1", drop_inputs_neurons(&double_sided(n, s), &[0, 1])),
            ("positive pudding without input 0's relu", drop_inputs_neurons(&pudding(&vec![1.0; n], s), &[0])),
            ("mixed pudding without inputs 0, 1's relus", drop_inputs_neurons(&pudding(&alternating_signs(n), s), &[0, 1])),
        ];
        for (what, net) in partial {
            let c = classify(&sampled(&net, R, key));
            assert_eq!(c.label, Label::PartialCoverage, "{what}, n = {n} s = {s} r = {R}:\n{c}");
        }
    }
}

/// Networks that are not an algorithm, noise-free, at several sizes.
fn failures(n: usize, s: f32) -> Vec<(&'static str, TargetWeights)> {
    let ds = double_sided(n, s);
    let pd = pudding(&alternating_signs(n), s);
    let linear = n; // the pudding's linear neuron comes last
    let mut uncancelled = pd.clone();
    uncancelled.w1[[linear, 1]] = 0.0;
    let mut half_linear = pd.clone();
    for i in 0..n / 2 {
        half_linear.w1[[linear, i]] = 0.0;
    }
    let mut wrong_sign = pd.clone();
    wrong_sign.w1.row_mut(linear).mapv_inplace(|v| -v);
    let mut triple = pd.clone();
    triple.w2[linear] *= 3.0;
    let mut weak_side = ds.clone();
    weak_side.w2[5] *= 0.1; // relu(-x_2) at a tenth of relu(x_2)
    vec![
        ("pudding without its linear neuron", select_neurons(&pd, &(0..n).collect::<Vec<_>>())),
        ("pudding whose linear neuron does not read input 1", uncancelled),
        ("pudding whose linear neuron reads half the inputs", half_linear),
        ("pudding whose linear term has the wrong sign", wrong_sign),
        ("pudding whose linear term is three times too large", triple),
        ("double-sided without relu(-x_2)", select_neurons(&ds, &(0..2 * n).filter(|&j| j != 5).collect::<Vec<_>>())),
        ("double-sided with relu(-x_2) at a tenth", weak_side),
    ]
}

#[test]
fn noise_free_failures_are_other() {
    for n in [4, 8, 16] {
        for (what, net) in failures(n, 10.0) {
            let c = classify(&net);
            assert_eq!(c.label, Label::Other, "{what}, n = {n}:\n{c}");
        }
    }
}

/// The failures that stay visible under noise: a missing linear neuron, a missing
/// side. (A linear row with one zero entry is not: 30% noise on the row gives that
/// entry a third of a full one; see "Noisy samples" in docs/order-parameters.md.)
#[test]
fn structural_failures_stay_other_under_noise() {
    for (n, s, key) in draws() {
        let ds = double_sided(n, s);
        let pd = pudding(&alternating_signs(n), s);
        let robust = [
            ("pudding without its linear neuron", select_neurons(&pd, &(0..n).collect::<Vec<_>>())),
            ("double-sided without relu(-x_2)", select_neurons(&ds, &(0..2 * n).filter(|&j| j != 5).collect::<Vec<_>>())),
        ];
        for (what, net) in robust {
            let c = classify(&sampled(&net, R, key));
            assert_eq!(c.label, Label::Other, "{what}, n = {n} s = {s} r = {R}:\n{c}");
        }
    }
}
