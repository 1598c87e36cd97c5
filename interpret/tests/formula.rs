//! The formula read-out recovers each reference algorithm's coefficients and matches
//! the network it was read from.

use approx::abs_diff_eq;
use autodiff::Key;
use interpret::formula::{explain, Explanation, Feature};
use interpret::order_params::{OrderParameters, Sign};
use interpret::reference::{alternating_signs, pad_with_dead_neurons, Algorithm, SHARP};

fn read(algorithm: Algorithm, n: usize) -> Explanation {
    let net = algorithm.build(n, SHARP, Key::new(3));
    let e = explain(&net, &OrderParameters::of(&net));
    println!("{} n = {n}:\n{e}\n", algorithm.name());
    e
}

fn coefficient(e: &Explanation, pick: impl Fn(&Feature) -> bool) -> f64 {
    let matching: Vec<f64> = e.formula.terms.iter().filter(|t| pick(&t.feature)).map(|t| t.coefficient).collect();
    assert_eq!(matching.len(), 1, "expected one such term in {}", e.formula);
    matching[0]
}

fn relu_sum(sign: Sign) -> impl Fn(&Feature) -> bool {
    move |f| matches!(f, Feature::ReluSum { sign: s, .. } if *s == sign)
}

fn is_linear(f: &Feature) -> bool {
    matches!(f, Feature::Linear { .. })
}

fn close(a: f64, b: f64) -> bool {
    abs_diff_eq!(a, b, epsilon = 0.02)
}

#[test]
fn double_sided_reads_as_both_relu_sums() {
    let e = read(Algorithm::DoubleSided, 8);
    assert_eq!(e.formula.terms.len(), 2);
    assert!(close(coefficient(&e, relu_sum(Sign::Positive)), 1.0) && close(coefficient(&e, relu_sum(Sign::Negative)), 1.0));
    assert!(e.discrepancy_nmse < 1e-3, "{}", e.discrepancy_nmse);
}

#[test]
fn puddings_read_as_twice_a_relu_sum_and_a_linear_term() {
    let e = read(Algorithm::PositivePudding, 4);
    assert!(e.formula.to_string().starts_with("y ~ 2.00 * sum_i relu(x_i) - 1.00 * sum_i x_i"), "{}", e.formula);
    let e = read(Algorithm::NegativePudding, 16);
    assert!(close(coefficient(&e, relu_sum(Sign::Negative)), 2.0) && close(coefficient(&e, is_linear), 1.0), "{}", e.formula);
    for e in [&e, &read(Algorithm::MixedPudding, 6)] {
        assert!(e.discrepancy_nmse < 1e-3 && e.formula_task_nmse < 1e-3, "{e}");
    }
}

#[test]
fn mixed_pudding_names_its_sign_pattern() {
    let e = read(Algorithm::MixedPudding, 6);
    assert!(close(coefficient(&e, relu_sum(Sign::Positive)), 2.0) && close(coefficient(&e, relu_sum(Sign::Negative)), 2.0));
    let linear = e.formula.terms.iter().find(|t| is_linear(&t.feature)).expect("a linear term");
    let Feature::Linear { weights } = &linear.feature else { unreachable!() };
    let t = alternating_signs(6);
    let signed: Vec<f64> = weights.iter().map(|w| linear.coefficient * *w as f64).collect();
    assert!(signed.iter().zip(&t).all(|(c, t)| close(*c, -*t as f64)), "{signed:?}");
    assert!(e.formula.to_string().contains("sum_{i in {0, 2, 4}} relu(x_i)"), "{}", e.formula);
}

#[test]
fn convexity_reads_as_one_sum_of_equal_bumps() {
    for n in [4, 16] {
        let e = read(Algorithm::Convexity, n);
        assert_eq!(e.formula.terms.len(), 1, "{}", e.formula);
        let Feature::Bumps { weights, offsets, directions, .. } = &e.formula.terms[0].feature else { panic!("{}", e.formula) };
        assert!(weights.iter().all(|w| *w == 1.0) && offsets.iter().all(|c| *c == 0.0));
        assert_eq!(directions.nrows(), 3 * n);
        assert!(e.formula.terms[0].coefficient > 0.0);
        assert!(e.discrepancy_nmse < 1e-3, "the formula is the sharp limit of the network: {}", e.discrepancy_nmse);
        assert!(abs_diff_eq!(e.formula_task_nmse, e.network_task_nmse, epsilon = 1e-2));
    }
}

#[test]
fn dead_neurons_are_pruned_and_counted() {
    let net = Algorithm::PositivePudding.build(5, SHARP, Key::new(0));
    let padded = pad_with_dead_neurons(&net, 20, Key::new(1));
    let e = explain(&padded, &OrderParameters::of(&padded));
    assert_eq!((e.pruned, e.neurons), (14, 20));
    assert_eq!(e.formula.terms.len(), 2, "{}", e.formula);
}
