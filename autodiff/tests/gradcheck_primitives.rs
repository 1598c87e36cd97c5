//! Every primitive against central differences, over random shapes and values.
//!
//! Each primitive is ONE LINE in `CASES` (`common/cases.rs`, shared with the device
//! parity tests): its name, how many inputs it takes, how their shapes are drawn,
//! where their values are drawn from, and a closure applying it.
//!
//! Each draw also picks which inputs need a gradient (a non-empty random subset; the
//! others are constants), so that a VJP that mishandles constant inputs (skipping
//! bookkeeping for an input it need not differentiate) fails. Scalar parameters
//! (`powf`'s exponent, `layer_norm`'s eps, scalar constants) are drawn per case.
//!
//! Small inputs get the full Jacobian, larger ones the random-direction check; both
//! run backward twice and demand identical bits.
//!
//! The same cases run in f32 against f64 ([`every_primitive_in_f32_agrees_with_f64`]),
//! and a test reads `src/ops/` to make sure every primitive file has a case. On failure the report names the
//! primitive, the (shrunk) shapes, the seed, the drawn parameters, the input values
//! and the worst element; `GRADCHECK_ONLY=<name>` runs the cases whose name contains
//! `<name>`, and `PROPTEST_RNG_SEED` / `PROPTEST_CASES` change the draw.

mod common;

use autodiff::{no_grad, Tensor};
use common::cases::{case, selected_cases, Case, Sample, Shapes::Same, CASES};
use common::precision::{run, runs_agree, to_f32_grid, Tol32};
use common::{check_masked, describe_inputs, gradgrad_masked, values, Domain, Domain::AwayFromZero};
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Proptest cases per primitive.
const CASES_PER_PRIMITIVE: u32 = 48;

/// Proptest cases per primitive in the second-order check.
const SECOND_ORDER_CASES_PER_PRIMITIVE: u32 = 32;

/// A masked check: first order ([`check_masked`]) or second ([`gradgrad_masked`]).
type Checker = fn(autodiff::gradcheck::TestFn, &[ndarray::ArrayD<f64>], &[bool], autodiff::Key) -> Result<autodiff::gradcheck::Worst, autodiff::gradcheck::GradcheckError>;

/// Runs one primitive's property with the first-order check; `Some(report)` on failure.
fn run_case(case: &Case) -> Option<String> {
    run_case_with(case, check_masked, CASES_PER_PRIMITIVE)
}

/// Runs one primitive's property with `checker` over `cases` draws.
fn run_case_with(case: &Case, checker: Checker, cases: u32) -> Option<String> {
    let config = common::config(cases);
    let seed = config.rng_seed;
    let result = TestRunner::new(config).run(&case.samples(), |sample| {
        let f = |t: &[Tensor<f64>]| (case.op)(t, &sample.ctx());
        checker(&f, &sample.inputs(case.domain), &sample.needs_grad(), sample.direction_key())
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
        "`{}` failed: {why}\n  shapes {:?}, axis {}, inputs needing a gradient {:?}, value seed {} ({:?} domain), {output}\n  parameters drawn: [{}]\n{}  rerun: GRADCHECK_ONLY={} PROPTEST_RNG_SEED={proptest_seed}\n",
        case.name,
        sample.shapes,
        sample.axis,
        sample.needs_grad(),
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

/// Every primitive at second order: its recorded VJP (`Primitive::vjp_graph`) equals
/// its first-order VJP, and its derivatives along random directions (in the inputs and
/// in the output seed) match central differences of first-order gradients.
#[test]
fn every_primitive_matches_finite_differences_at_second_order() {
    let selected = selected_cases();
    let failures: Vec<String> = selected.iter().filter_map(|c| run_case_with(c, gradgrad_masked, SECOND_ORDER_CASES_PER_PRIMITIVE)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} primitives failed the second-order check:\n\n{}",
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
    fn vjp_graph(&self, inputs: &[Tensor<f64>], _output: &Tensor<f64>, grad: &Tensor<f64>, needs: &[bool]) -> Vec<Option<Tensor<f64>>> {
        vec![needs[0].then(|| grad.mul(&inputs[0]))]
    }
    autodiff::cpu_only!(f64);
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

/// Files of `src/ops/` that hold no primitive of their own (read to decide): `mod.rs`
/// (the module list), `axes.rs` (axis arithmetic), `binary.rs` and `unary.rs` (the
/// shared `Binary`/`Unary` wrappers that the elementwise files instantiate), `owned.rs`
/// (VJP buffer helpers), `testing.rs` (unit-test helpers).
const OPS_HELPERS: &[&str] = &["mod", "axes", "binary", "unary", "owned", "testing"];

/// Cases named after a method that lives in another primitive's file.
const CASE_FILES: &[(&str, &str)] = &[("transpose", "permute")];

/// The file of `src/ops/` that a case checks: its alias, or the longest file name
/// that is the case name or a prefix of it followed by `_` (`sum_all` -> `sum`).
fn file_of_case<'a>(case: &str, files: &'a [String]) -> Option<&'a str> {
    if let Some((_, file)) = CASE_FILES.iter().find(|(c, _)| *c == case) {
        return files.iter().find(|f| f == file).map(|f| f.as_str());
    }
    files
        .iter()
        .filter(|f| case == f.as_str() || case.starts_with(&format!("{f}_")))
        .max_by_key(|f| f.len())
        .map(|f| f.as_str())
}

/// Every primitive file in `src/ops/` (read at test time, so a new file without a
/// line in `CASES` fails here), every case maps to a file, and every listed helper
/// still exists.
#[test]
fn every_primitive_file_has_a_gradient_check_case() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ops");
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().expect("file name").to_string_lossy().into_owned())
        .collect();
    stems.sort();
    for helper in OPS_HELPERS {
        assert!(stems.iter().any(|s| s == helper), "helper `{helper}.rs` is gone from src/ops: update OPS_HELPERS");
    }
    let primitives: Vec<String> = stems.into_iter().filter(|s| !OPS_HELPERS.contains(&s.as_str())).collect();
    assert!(primitives.len() >= 30, "only {} primitive files found in {}", primitives.len(), dir.display());
    let unmapped: Vec<&str> = CASES.iter().map(|c| c.name).filter(|c| file_of_case(c, &primitives).is_none()).collect();
    assert!(unmapped.is_empty(), "cases that check no file of src/ops: {unmapped:?}");
    let uncovered: Vec<&String> =
        primitives.iter().filter(|p| !CASES.iter().any(|c| file_of_case(c.name, &primitives) == Some(p.as_str()))).collect();
    assert!(uncovered.is_empty(), "primitives in src/ops without a line in CASES (tests/common/cases.rs): {uncovered:?}");
    assert!(CASES.iter().all(|c| c.op32.is_some()), "every case runs in f32 too (write it with `case!`)");
}

/// Proptest cases per primitive in the f32 check.
const F32_CASES_PER_PRIMITIVE: u32 = 64;

/// The f32 tolerance (see [`every_primitive_in_f32_agrees_with_f64`]).
const F32_TOL: Tol32 = Tol32 { rtol: 1e-5, scaled: 1e-5, atol: 0.0 };

/// Runs one case in f64 and f32 from the same f32-exact inputs; `Ok(worst ratio of error to allowance)`.
fn compare_f32(case: &Case, sample: &Sample) -> Result<f64, String> {
    let op32 = case.op32.ok_or("the case has no f32 closure")?;
    let inputs: Vec<_> = sample.inputs(case.domain).iter().map(to_f32_grid).collect();
    let needs = vec![true; inputs.len()];
    let seed = |shape: &[usize]| to_f32_grid(&values(Domain::Any, shape, sample.direction_key()));
    let r64 = run(case.op, &inputs, &needs, &sample.ctx(), &seed);
    let r32 = run(op32, &inputs, &needs, &sample.ctx(), &seed);
    runs_agree(&r32, &r64, F32_TOL)
}

/// The scalar parameters a case draws, as its closure logs them.
fn drawn_parameters(case: &Case, sample: &Sample) -> String {
    let ctx = sample.ctx();
    let inputs: Vec<_> = sample.inputs(case.domain).iter().map(|x| autodiff::Tensor::constant(x.clone())).collect();
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| autodiff::no_grad(|| (case.op)(&inputs, &ctx))));
    let log = ctx.log.borrow().join(", ");
    log
}

/// Every primitive of `CASES` in f32 against the same primitive in f64.
///
/// The gradient checks run in f64 only; the f32 code paths (the vectorised `exp` of
/// `kernels::exp`, the f32 GEMM, sums rounded at f32) are checked here. Each case runs
/// on the gradient checks' random shapes, values and parameters, rounded to f32 so
/// both precisions start from identical numbers, with every input a parameter and a
/// random seed gradient (also f32-exact). The outputs and every input gradient must
/// agree within f32 rounding: `|a32 - a64| <= 1e-5 (|a64| + S)` elementwise, with `S`
/// the run's largest magnitude (output, seed, gradients), against which sums and
/// near-cancellations round (see `common::precision::Tol32`). A value beyond f32's
/// range must be the infinity of its sign in f32, and an f32 result may be non-finite
/// only where the f64 one is.
#[test]
fn every_primitive_in_f32_agrees_with_f64() {
    let mut failures = Vec::new();
    let mut worst: (f64, &str) = (0.0, "");
    for case in selected_cases() {
        let config = common::config(F32_CASES_PER_PRIMITIVE);
        let seed = config.rng_seed;
        let case_worst = std::cell::Cell::new(0.0f64);
        let result = TestRunner::new(config).run(&case.samples(), |sample| {
            let ratio = compare_f32(case, &sample).map_err(TestCaseError::fail)?;
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
