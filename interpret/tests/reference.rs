//! The hand-built reference networks compute the L1 norm: the exact constructions to
//! nMSE < 1e-3 at large sharpness on every size; convexity's (larger) error is printed
//! (run with `--nocapture`). With `m = 3n` random directions it is about 0.4-0.65:
//! a sum of relus over random directions tends to a multiple of the L2 norm, and only
//! with many more directions (m = 100 n) reaches the isotropic limit, about 0.1.

use autodiff::Key;
use interpret::probe::{gaussian_inputs, l1_targets, normalised_mse};
use interpret::reference::{pad_with_dead_neurons, Algorithm, SHARP};

const SIZES: [usize; 5] = [2, 4, 8, 16, 32];

fn nmse(net: &hypernet::TargetWeights, key: Key) -> f64 {
    let x = gaussian_inputs(key, 8192, net.inputs());
    normalised_mse(net.forward(x.view()).view(), l1_targets(x.view()).view(), net.inputs())
}

#[test]
fn exact_constructions_reach_small_error_at_large_sharpness() {
    let exact = [Algorithm::DoubleSided, Algorithm::PositivePudding, Algorithm::NegativePudding, Algorithm::MixedPudding];
    for n in SIZES {
        for algorithm in exact {
            let net = algorithm.build(n, SHARP, Key::new(0));
            let e = nmse(&net, Key::new(100 + n as u64));
            println!("{:>17} n = {n:>2}, s = {SHARP}: nMSE {e:.2e}", algorithm.name());
            assert!(e < 1e-3, "{} at n = {n}: nMSE {e}", algorithm.name());
        }
    }
}

#[test]
fn error_falls_as_swish_sharpens() {
    for algorithm in [Algorithm::DoubleSided, Algorithm::PositivePudding, Algorithm::MixedPudding] {
        let errors: Vec<f64> = [2.0, 10.0, 50.0].iter().map(|&s| nmse(&algorithm.build(8, s, Key::new(0)), Key::new(7))).collect();
        let shown: Vec<String> = errors.iter().map(|e| format!("{e:.2e}")).collect();
        println!("{:>17} n = 8, s = 2, 10, 50: nMSE {}", algorithm.name(), shown.join(", "));
        assert!(errors.windows(2).all(|w| w[1] < 0.5 * w[0]), "{}: {errors:?}", algorithm.name());
    }
}

#[test]
fn convexity_error_is_reported_and_beats_the_best_constant() {
    for n in SIZES {
        let errors: Vec<f64> =
            (0..4).map(|seed| nmse(&Algorithm::Convexity.build(n, SHARP, Key::new(seed)), Key::new(1000 + seed))).collect();
        let mean = errors.iter().sum::<f64>() / errors.len() as f64;
        println!("convexity n = {n:>2}, m = {:>2}, s = {SHARP}: nMSE {errors:.3?} (mean {mean:.3})", 3 * n);
        assert!(errors.iter().all(|e| e.is_finite() && *e < 1.0), "convexity at n = {n}: {errors:?}");
    }
}

#[test]
fn dead_padding_changes_nothing() {
    let net = Algorithm::NegativePudding.build(5, 20.0, Key::new(0));
    let padded = pad_with_dead_neurons(&net, 40, Key::new(1));
    let x = gaussian_inputs(Key::new(2), 256, 5);
    assert_eq!(padded.hidden(), 40);
    let (y, y_padded) = (net.forward(x.view()), padded.forward(x.view()));
    assert!(y.iter().zip(&y_padded).all(|(a, b)| (a - b).abs() <= 1e-5 * a.abs().max(1.0)), "{y} vs {y_padded}");
}
