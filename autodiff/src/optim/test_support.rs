//! Helpers shared by the optimiser tests.

use super::optimizer::Optimizer;
use crate::rng::Key;
use crate::tensor::Tensor;
use ndarray::{ArrayD, IxDyn};

/// A 1-D f64 parameter.
pub fn param(values: &[f64]) -> Tensor<f64> {
    Tensor::param(ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.to_vec()).unwrap())
}

/// Gives `params[i]` the gradient `coeffs[i]`, through backward of
/// `L = sum_i sum_j coeffs[i]_j params[i]_j`.
pub fn set_grads(params: &[Tensor<f64>], coeffs: &[&[f64]]) {
    params.iter().for_each(Tensor::zero_grad);
    params
        .iter()
        .zip(coeffs)
        .map(|(p, c)| p.mul(&Tensor::from_vec(&[c.len()], c.to_vec())).sum_all())
        .reduce(|a, b| a.add(&b))
        .expect("at least one parameter")
        .backward();
}

/// Asserts `t`'s values equal `want` up to rounding of the hand arithmetic.
pub fn assert_close(t: &Tensor<f64>, want: &[f64]) {
    let got = t.to_vec();
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        approx::assert_abs_diff_eq!(g, w, epsilon = 1e-12 * w.abs().max(1.0));
    }
}

fn params_from(values: &[ArrayD<f64>]) -> Vec<Tensor<f64>> {
    values.iter().map(|v| Tensor::param(v.clone())).collect()
}

/// Steps `opt` with the gradient of `L = sum_i sum(c_i * p_i^2)`, `c_i` drawn from
/// `key.fold_in(step)`, for steps `from..to`.
fn run(opt: &mut impl Optimizer<f64>, key: Key, from: u64, to: u64) {
    for step in from..to {
        opt.zero_grad();
        let keys = key.fold_in(step).split(opt.params().len());
        opt.params()
            .iter()
            .zip(keys)
            .map(|(p, k)| Tensor::constant(k.normal::<f64>(&p.shape())).mul(&p.mul(p)).sum_all())
            .reduce(|a, b| a.add(&b))
            .unwrap()
            .backward();
        opt.step();
    }
}

/// Four steps in one go give the same bits as two steps, a save (parameter values and
/// `state()`), a fresh optimiser built by `make` that loads it, and two more steps.
/// Also checks that a state for other parameters is refused.
pub fn resume_is_bit_identical<O: Optimizer<f64>>(make: impl Fn(Vec<Tensor<f64>>) -> O) {
    let key = Key::new(11);
    let init = vec![key.normal::<f64>(&[3]), key.fold_in(99).normal::<f64>(&[2, 2])];
    let bits = |o: &O| o.params().iter().flat_map(|p| p.to_vec()).map(f64::to_bits).collect::<Vec<_>>();

    let mut whole = make(params_from(&init));
    run(&mut whole, key, 0, 4);

    let mut first = make(params_from(&init));
    run(&mut first, key, 0, 2);
    let saved_values: Vec<ArrayD<f64>> = first.params().iter().map(Tensor::to_array).collect();
    let mut resumed = make(params_from(&saved_values));
    resumed.load_state(first.state()).expect("state fits the same parameters");
    run(&mut resumed, key, 2, 4);

    assert_eq!(bits(&whole), bits(&resumed), "resumed training diverged from uninterrupted training");
    assert_eq!(whole.state(), resumed.state());
    assert_ne!(bits(&whole), bits(&make(params_from(&init))), "the optimiser did not move the parameters");

    let mut other = make(params_from(&init[..1]));
    let err = other.load_state(first.state()).unwrap_err();
    assert!(err.to_string().contains("buffers"), "{err}");
    let mut reshaped = make(params_from(&[init[0].clone(), ArrayD::zeros(IxDyn(&[4]))]));
    let err = reshaped.load_state(first.state()).unwrap_err();
    assert!(err.to_string().contains("shape [2, 2]"), "{err}");
}
