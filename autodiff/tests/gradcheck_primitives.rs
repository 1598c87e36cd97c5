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
//! run backward twice and demand identical bits. On failure the report names the
//! primitive, the (shrunk) shapes, the seed, the drawn parameters, the input values
//! and the worst element; `GRADCHECK_ONLY=<name>` runs the cases whose name contains
//! `<name>`, and `PROPTEST_RNG_SEED` / `PROPTEST_CASES` change the draw.

mod common;

use autodiff::{no_grad, Tensor};
use common::cases::{case, selected_cases, Case, Sample, Shapes::Same, CASES};
use common::{check_masked, describe_inputs, Domain::AwayFromZero};
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
        check_masked(&f, &sample.inputs(case.domain), &sample.needs_grad(), sample.direction_key())
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
