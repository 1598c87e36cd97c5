//! Every primitive against central differences, over random shapes and values.
//!
//! Each primitive is ONE LINE in `CASES` (`common/cases.rs`, shared with the device
//! parity tests): its name, how many inputs it takes, how their shapes are drawn,
//! where their values are drawn from, and a closure applying it.
//!
//! Small inputs get the full Jacobian, larger ones the random-direction check; both
//! run backward twice and demand identical bits. On failure the report names the
//! primitive, the (shrunk) shapes, the seed, the drawn parameters, the input values
//! and the worst element; `GRADCHECK_ONLY=<name>` runs the cases whose name contains
//! `<name>`, and `PROPTEST_RNG_SEED` / `PROPTEST_CASES` change the draw.

mod common;

use autodiff::{no_grad, Tensor};
use common::cases::{case, selected_cases, Case, Sample, Shapes::Same, CASES};
use common::{check, describe_inputs, Domain::AwayFromZero};
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Proptest cases per primitive.
const CASES_PER_PRIMITIVE: u32 = 48;

/// Runs one primitive's property; `Some(report)` on failure.
fn run_case(case: &Case) -> Option<String> {
    let config = common::config(CASES_PER_PRIMITIVE);
    let seed = config.rng_seed;
    let result = TestRunner::new(config).run(&case.samples(), |sample| {
        let f = |t: &[Tensor<f64>]| (case.op)(t, &sample.ctx());
        check(&f, &sample.inputs(case.domain), sample.direction_key())
            .map(|_| ())
            .map_err(|e| TestCaseError::fail(e.to_string()))
    });
    match result {
        Ok(()) => None,
        Err(TestError::Abort(why)) => Some(format!("`{}`: proptest gave up: {why}", case.name)),
        Err(TestError::Fail(why, sample)) => Some(report(case, &sample, &why.to_string(), &seed.to_string())),
    }
}

/// A readable account of a failing (shrunk) case.
fn report(case: &Case, sample: &Sample, why: &str, proptest_seed: &str) -> String {
    let inputs = sample.inputs(case.domain);
    let ctx = sample.ctx();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        no_grad(|| (case.op)(&inputs.iter().map(|x| Tensor::constant(x.clone())).collect::<Vec<_>>(), &ctx).shape())
    }));
    let output = match outcome {
        Ok(shape) => format!("output shape {shape:?}"),
        Err(_) => "the forward panicked".to_string(),
    };
    format!(
        "`{}` failed: {why}\n  shapes {:?}, axis {}, value seed {} ({:?} domain), {output}\n  parameters drawn: [{}]\n{}  rerun: GRADCHECK_ONLY={} PROPTEST_RNG_SEED={proptest_seed}\n",
        case.name,
        sample.shapes,
        sample.axis,
        sample.seed,
        case.domain,
        ctx.log.borrow().join(", "),
        describe_inputs(&inputs),
        case.name,
    )
}

#[test]
fn every_primitive_matches_finite_differences() {
    let selected = selected_cases();
    let failures: Vec<String> = selected.iter().filter_map(|c| run_case(c)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} primitives failed the gradient check:\n\n{}",
        failures.len(),
        selected.len(),
        failures.join("\n")
    );
}

#[test]
fn case_names_are_unique() {
    for (i, a) in CASES.iter().enumerate() {
        assert!(CASES[i + 1..].iter().all(|b| b.name != a.name), "case `{}` is listed twice", a.name);
    }
}

/// `y = x^2` claiming `dy/dx = x`: the harness must catch it and say where.
struct WrongSquare;

impl autodiff::Primitive<f64> for WrongSquare {
    fn name(&self) -> String {
        "wrong_square".into()
    }
    fn forward(&self, inputs: &[&ndarray::ArrayD<f64>]) -> ndarray::ArrayD<f64> {
        inputs[0].mapv(|x| x * x)
    }
    fn backward(&self, v: &autodiff::Vjp<f64>) -> Vec<Option<ndarray::ArrayD<f64>>> {
        vec![v.when(0, || v.grad * v.inputs[0])]
    }
}

#[test]
fn the_harness_catches_a_wrong_vjp_and_reports_it() {
    let wrong = case("wrong_square", 1, Same, AwayFromZero, |x, _| Tensor::apply(WrongSquare, &[&x[0]]));
    let report = run_case(&wrong).expect("a wrong VJP must fail");
    for needle in
        ["`wrong_square` failed", "gradient mismatch", "shapes [", "value seed", "input 0, shape", "PROPTEST_RNG_SEED="]
    {
        assert!(report.contains(needle), "report lacks {needle:?}:\n{report}");
    }
}
