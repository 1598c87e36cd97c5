//! Every primitive of `CASES` in f32 against the same primitive in f64.
//!
//! The gradient checks run in f64 only; the f32 code paths (the vectorised `exp` of
//! `kernels::exp`, the f32 GEMM, sums rounded at f32) are checked here. Each case runs
//! on the gradient checks' random shapes, values and parameters, rounded to f32 so
//! both precisions start from identical numbers, with every input a parameter and a
//! random seed gradient (also f32-exact). The outputs and every input gradient must
//! agree within f32 rounding: `|a32 - a64| <= 1e-5 (|a64| + S)` elementwise, with `S`
//! the run's largest magnitude (output, seed, gradients), against which sums and
//! near-cancellations round (see `common::precision::Tol32`). A value beyond f32's
//! range must be the infinity of its sign in f32, and an f32 result may be non-finite
//! only where the f64 one is.

mod common;

use common::cases::{selected_cases, Case, Sample};
use common::precision::{run, runs_agree, to_f32_grid, Tol32};
use common::{describe_inputs, values, Domain};
use proptest::test_runner::{TestCaseError, TestError, TestRunner};

/// Proptest cases per primitive.
const CASES_PER_PRIMITIVE: u32 = 64;

/// The f32 tolerance (see the module documentation).
const TOL: Tol32 = Tol32 { rtol: 1e-5, scaled: 1e-5, atol: 0.0 };

/// Runs one case in both precisions; `Ok(worst ratio of error to allowance)`.
fn compare(case: &Case, sample: &Sample) -> Result<f64, String> {
    let op32 = case.op32.ok_or("the case has no f32 closure")?;
    let inputs: Vec<_> = sample.inputs(case.domain).iter().map(to_f32_grid).collect();
    let needs = vec![true; inputs.len()];
    let seed = |shape: &[usize]| to_f32_grid(&values(Domain::Any, shape, sample.direction_key()));
    let r64 = run(case.op, &inputs, &needs, &sample.ctx(), &seed);
    let r32 = run(op32, &inputs, &needs, &sample.ctx(), &seed);
    runs_agree(&r32, &r64, TOL)
}

/// The scalar parameters a case draws, as its closure logs them.
fn drawn_parameters(case: &Case, sample: &Sample) -> String {
    let ctx = sample.ctx();
    let inputs: Vec<_> = sample.inputs(case.domain).iter().map(|x| autodiff::Tensor::constant(x.clone())).collect();
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| autodiff::no_grad(|| (case.op)(&inputs, &ctx))));
    let log = ctx.log.borrow().join(", ");
    log
}

#[test]
fn every_primitive_in_f32_agrees_with_f64() {
    let mut failures = Vec::new();
    let mut worst: (f64, &str) = (0.0, "");
    for case in selected_cases() {
        let config = common::config(CASES_PER_PRIMITIVE);
        let seed = config.rng_seed;
        let case_worst = std::cell::Cell::new(0.0f64);
        let result = TestRunner::new(config).run(&case.samples(), |sample| {
            let ratio = compare(case, &sample).map_err(TestCaseError::fail)?;
            case_worst.set(case_worst.get().max(ratio));
            Ok(())
        });
        match result {
            Ok(()) => {}
            Err(TestError::Abort(why)) => failures.push(format!("`{}`: proptest gave up: {why}", case.name)),
            Err(TestError::Fail(why, sample)) => failures.push(format!(
                "`{}` differs in f32: {why}\n  shapes {:?}, axis {}, value seed {}, parameters [{}]\n{}  rerun: GRADCHECK_ONLY={} PROPTEST_RNG_SEED={seed}\n",
                case.name,
                sample.shapes,
                sample.axis,
                sample.seed,
                drawn_parameters(case, &sample),
                describe_inputs(&sample.inputs(case.domain).iter().map(to_f32_grid).collect::<Vec<_>>()),
                case.name
            )),
        }
        if case_worst.get() > worst.0 {
            worst = (case_worst.get(), case.name);
        }
    }
    assert!(failures.is_empty(), "{} primitives differ between f32 and f64:\n\n{}", failures.len(), failures.join("\n"));
    println!("worst f32 error / allowance: {:.3} (`{}`)", worst.0, worst.1);
}
