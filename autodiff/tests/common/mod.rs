//! Shared pieces of the gradient property tests: random shapes, input values kept
//! inside each primitive's smooth domain, the choice between the full-Jacobian and
//! the random-direction check, and readable failure reports.
//!
//! Shapes come from proptest (so failures shrink to small shapes); values come from
//! a [`Key`] seeded by a proptest-drawn `u64` (so a case is its shapes plus one seed).
#![allow(dead_code)] // each test file uses part of this module

pub mod cases;
pub mod precision;

use autodiff::gradcheck::{check_gradients, check_gradients_fast, GradcheckError, TestFn, Tolerance, Worst};
use autodiff::{gradgradcheck, Key, Tensor};
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Largest number of elements of a random shape.
pub const MAX_ELEMENTS: usize = 96;

/// Inputs with at most this many elements in all get the full Jacobian; larger ones
/// the random-direction check.
pub const FULL_JACOBIAN_LIMIT: usize = 48;

/// Seed of proptest's own generator unless `PROPTEST_RNG_SEED` is set, so that every
/// run draws the same cases.
pub const DEFAULT_PROPTEST_SEED: u64 = 0x5EED_6AD0;

/// Where input values are drawn from, chosen to stay clear of kinks and domain edges
/// by much more than the finite-difference step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Uniform in [-2, 2].
    Any,
    /// Uniform in [0.3, 3] (log, sqrt, powf bases).
    Positive,
    /// `|x|` uniform in [0.3, 2], either sign (abs, relu, denominators).
    AwayFromZero,
    /// A shuffled grid on [-1.5, 1.5] with jitter: no two elements closer than
    /// 1.5/n (max, where ties are kinks).
    Distinct,
}

/// Values of `shape` drawn from `domain` with `key`.
pub fn values(domain: Domain, shape: &[usize], key: Key) -> ArrayD<f64> {
    let n = shape.iter().product();
    let u = key.uniform_f64(2 * n);
    let (u, v) = u.split_at(n);
    let data: Vec<f64> = match domain {
        Domain::Any => u.iter().map(|u| -2.0 + 4.0 * u).collect(),
        Domain::Positive => u.iter().map(|u| 0.3 + 2.7 * u).collect(),
        Domain::AwayFromZero => {
            u.iter().zip(v).map(|(u, v)| (0.3 + 1.7 * u) * if *v < 0.5 { -1.0 } else { 1.0 }).collect()
        }
        Domain::Distinct => {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| u[a].total_cmp(&u[b]));
            let gap = 3.0 / n as f64;
            let mut data = vec![0.0; n];
            for (rank, &i) in order.iter().enumerate() {
                data[i] = -1.5 + gap * (rank as f64 + 0.25 + 0.5 * v[i]);
            }
            data
        }
    };
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("values fill the shape")
}

/// One axis length: 1 often (size-1 axes are where broadcasting bugs hide), else 2..=5.
pub fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(1usize), 3 => 2usize..=5]
}

/// A shape with rank in `ranks` and at most [`MAX_ELEMENTS`] elements.
pub fn shape(ranks: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<usize>> {
    ranks
        .prop_flat_map(|r| proptest::collection::vec(dim(), r))
        .prop_filter("too many elements", |s| s.iter().product::<usize>() <= MAX_ELEMENTS)
}

/// Shapes that broadcast to `full`: each keeps a trailing run of its axes, some of
/// them set to 1.
pub fn broadcast_sources(full: Vec<usize>, count: usize) -> impl Strategy<Value = Vec<Vec<usize>>> {
    let rank = full.len();
    let one_input = (0..=rank, proptest::collection::vec(proptest::bool::weighted(0.3), rank));
    proptest::collection::vec(one_input, count).prop_map(move |specs| {
        specs
            .into_iter()
            .map(|(keep, ones)| (rank - keep..rank).map(|ax| if ones[ax] { 1 } else { full[ax] }).collect())
            .collect()
    })
}

/// Tolerance of the checks (the library default: eps 1e-6, atol 1e-6, rtol 1e-5).
pub fn tolerance() -> Tolerance {
    Tolerance::default()
}

/// Checks `f` at `inputs`: the full Jacobian when the inputs are small, otherwise one
/// random direction drawn from `key`.
pub fn check(f: TestFn, inputs: &[ArrayD<f64>], key: Key) -> Result<Worst, GradcheckError> {
    let size: usize = inputs.iter().map(|x| x.len()).sum();
    if size <= FULL_JACOBIAN_LIMIT {
        check_gradients(f, inputs, &tolerance())
    } else {
        check_gradients_fast(f, inputs, &tolerance(), key)
    }
}

/// A non-empty subset of `count` inputs, drawn uniformly with `key`: which inputs a
/// check makes parameters (`true`) and which constants.
pub fn mask(count: usize, key: Key) -> Vec<bool> {
    let subsets = (1usize << count) - 1;
    let pick = 1 + ((key.uniform_f64(1)[0] * subsets as f64) as usize).min(subsets - 1);
    (0..count).map(|i| pick >> i & 1 == 1).collect()
}

/// [`check`] of `f` with only the inputs marked in `needs` as parameters; the others
/// enter as constants (`Tensor::constant`), so that backward sees `needs[i] = false`
/// for them and skips their gradient, as in training with frozen inputs. An input
/// index in the error counts all inputs, constants included.
pub fn check_masked(f: TestFn, inputs: &[ArrayD<f64>], needs: &[bool], key: Key) -> Result<Worst, GradcheckError> {
    masked(f, inputs, needs, |g, params| check(g, params, key))
}

/// [`check_masked`] with the random-direction check whatever the size (for inputs
/// with many outputs, whose full Jacobian would take one VJP per output element).
pub fn check_masked_fast(f: TestFn, inputs: &[ArrayD<f64>], needs: &[bool], key: Key) -> Result<Worst, GradcheckError> {
    masked(f, inputs, needs, |g, params| check_gradients_fast(g, params, &tolerance(), key))
}

/// [`check_masked`] at second order: [`gradgradcheck`] (the recorded VJP against the
/// first-order one, and its derivative along random directions against finite
/// differences of first-order gradients) with only the marked inputs as parameters.
pub fn gradgrad_masked(f: TestFn, inputs: &[ArrayD<f64>], needs: &[bool], key: Key) -> Result<Worst, GradcheckError> {
    masked(f, inputs, needs, |g, params| gradgradcheck(g, params, &tolerance(), key))
}

/// Runs `checker` on `f` restricted to the marked inputs (the others constants), and
/// maps an input index in its error back to the index among all inputs.
fn masked(
    f: TestFn,
    inputs: &[ArrayD<f64>],
    needs: &[bool],
    checker: impl Fn(TestFn, &[ArrayD<f64>]) -> Result<Worst, GradcheckError>,
) -> Result<Worst, GradcheckError> {
    assert_eq!(inputs.len(), needs.len(), "one mask entry per input");
    let marked: Vec<usize> = (0..inputs.len()).filter(|&i| needs[i]).collect();
    let params: Vec<ArrayD<f64>> = marked.iter().map(|&i| inputs[i].clone()).collect();
    let g = |p: &[Tensor<f64>]| {
        let mut p = p.iter();
        let all: Vec<Tensor<f64>> = inputs
            .iter()
            .zip(needs)
            .map(|(x, &n)| if n { p.next().expect("one parameter per marked input").clone() } else { Tensor::constant(x.clone()) })
            .collect();
        f(&all)
    };
    checker(&g, &params).map_err(|e| match e {
        GradcheckError::Mismatch(w) => GradcheckError::Mismatch(Worst { input: marked[w.input], ..w }),
        GradcheckError::Nondeterministic { input } => GradcheckError::Nondeterministic { input: marked[input] },
        other => other,
    })
}

/// Every input with its shape and values, one block each.
pub fn describe_inputs(inputs: &[ArrayD<f64>]) -> String {
    inputs
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let values = format!("{x:.6}").lines().map(|line| format!("    {line}\n")).collect::<String>();
            format!("  input {i}, shape {:?}:\n{values}", x.shape())
        })
        .collect()
}

/// The proptest configuration: `cases` cases (unless `PROPTEST_CASES` is set), a
/// fixed seed (unless `PROPTEST_RNG_SEED` is set), no regression files.
pub fn config(cases: u32) -> Config {
    let mut config = Config { failure_persistence: None, ..Config::default() };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(DEFAULT_PROPTEST_SEED);
    }
    config
}
