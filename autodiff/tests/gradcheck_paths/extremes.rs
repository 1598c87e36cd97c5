//! Primitives at the arguments where they take their overflow guards and special
//! branches, which the property tests' ranges ([-2, 2], [0.3, 3]) never reach.
//!
//! * Elementwise functions ([`UNARY`]) over log-uniform magnitudes plus fixed special
//!   points: `e^x` near f32's overflow (88.7) and underflow (-87.3, -103.97) and f64's
//!   (709.8, -745); sigmoid, tanh, silu and softplus out to +-1000 (past every `exp`
//!   limit of both precisions); `log`, `sqrt`, `powf` (random exponents) from 1e-37 to
//!   1e38; `abs` and `relu` at exactly 0. For each element, in f64, the output and the
//!   derivative are finite and the derivative matches a central difference with a step
//!   relative to `x` (`h = 1e-6 max(|x|, 1)`, or `1e-6 x` on `(0, inf)`), within
//!   `1e-5` relative plus the difference's own rounding error; at a kink the derivative
//!   is the documented subgradient 0. The same inputs (f32-exact) in f32 must agree
//!   with f64 within the case's f32 tolerance, give the infinity of the right sign
//!   where the f64 value is beyond f32's range, and be finite everywhere else.
//! * Softmax, log-softmax, logsumexp and layer norm ([`ROWS`]) on rows at offsets up
//!   to 1e4 (an unguarded `exp` overflows), spreads up to 300 (`e^(x - max)`
//!   underflows to 0 in f32 and nearly in f64), a constant row, and `-inf` entries for
//!   softmax and logsumexp: full Jacobian in f64, and f32 against f64.
//! * `max` with exact ties: the whole gradient goes to the first maximal element,
//!   in f64 and f32 alike.


use autodiff::gradcheck::{check_gradients, Tolerance};
use autodiff::{Key, Tensor};
use crate::common::cases::{Ctx, Op};
use crate::common::precision::{agree, run, runs_agree, to_f32_grid, Tol32};
use ndarray::{ArrayD, Axis, IxDyn};

/// An elementwise function and where to evaluate it.
struct Unary {
    name: &'static str,
    op: Op<f64>,
    op32: Op<f32>,
    /// Magnitudes are `10^e`, `e` uniform in `[lo, hi]`; both signs unless `positive`.
    lo: f64,
    hi: f64,
    positive: bool,
    special: &'static [f64],
    /// The subgradient required at exactly 0, for a function with a kink there (no
    /// central difference is taken within two steps of it).
    kink: Option<f64>,
    tol32: Tol32,
}

/// `unary!(name, lo, hi, positive, special, kink, tol32, |x, c| body)`, compiled for f64 and f32.
macro_rules! unary {
    ($name:expr, $lo:expr, $hi:expr, $positive:expr, $special:expr, $kink:expr, $tol:expr, |$x:pat_param, $c:pat_param| $body:expr) => {
        Unary {
            name: $name,
            op: |$x: &[Tensor<f64>], $c: &Ctx| $body,
            op32: |$x: &[Tensor<f32>], $c: &Ctx| $body,
            lo: $lo,
            hi: $hi,
            positive: $positive,
            special: $special,
            kink: $kink,
            tol32: $tol,
        }
    };
}

/// The `exp` limits of both precisions, and past them.
const EXP_POINTS: &[f64] = &[0.0, 88.72, 88.73, 89.0, -87.34, -103.97, -104.0, -110.0, 700.0, 708.0, -700.0, -744.0];
const SATURATING: &[f64] = &[0.0, 17.0, -17.0, 88.72, -88.72, 89.0, -89.0, 103.97, -103.97, 104.0, -104.0, 700.0, -700.0, 709.8, -709.8, 745.2, -745.2, 800.0, -800.0, 1000.0, -1000.0];
const TINY_AND_HUGE: &[f64] = &[1e-37, 1e-30, 1.0, 1e30, 3e38];
const AROUND_ZERO: &[f64] = &[0.0, -0.0, 1e-30, -1e-30, 1e30, -1e30];

const fn tol(rtol: f64, atol: f64) -> Tol32 {
    Tol32 { rtol, scaled: 0.0, atol }
}

#[rustfmt::skip]
const UNARY: &[Unary] = &[
    unary!("exp", -3.0, 2.85, false, EXP_POINTS, None, tol(3e-7, 3e-45), |x, _| x[0].exp()),
    unary!("sigmoid", -4.0, 3.0, false, SATURATING, None, tol(1e-6, 1.2e-7), |x, _| x[0].sigmoid()),
    unary!("tanh", -4.0, 3.0, false, SATURATING, None, tol(3e-7, 2.4e-7), |x, _| x[0].tanh()),
    unary!("silu", -4.0, 3.0, false, SATURATING, None, tol(2e-6, 2e-7), |x, _| x[0].silu()),
    unary!("softplus", -4.0, 3.0, false, SATURATING, None, tol(5e-7, 3e-45), |x, _| x[0].softplus()),
    unary!("log", -37.0, 38.0, true, TINY_AND_HUGE, None, tol(3e-7, 0.0), |x, _| x[0].log()),
    unary!("sqrt", -37.0, 38.0, true, TINY_AND_HUGE, None, tol(3e-7, 0.0), |x, _| x[0].sqrt()),
    unary!("powf", -6.0, 6.0, true, &[1e-6, 1.0, 1e6], None, tol(1e-6, 0.0), |x, c| x[0].powf(c.exponent())),
    unary!("abs", -30.0, 30.0, false, AROUND_ZERO, Some(0.0), tol(0.0, 0.0), |x, _| x[0].abs()),
    unary!("relu", -30.0, 30.0, false, AROUND_ZERO, Some(0.0), tol(0.0, 0.0), |x, _| x[0].relu()),
];

/// Draws per key, besides the special points.
const DRAWS: usize = 256;

/// Keys per function (each draws new values and, for `powf`, a new exponent).
const KEYS: u64 = 6;

/// The values of one run of `case`: drawn magnitudes and the special points, f32-exact.
fn unary_values(case: &Unary, key: Key) -> ArrayD<f64> {
    let u = key.uniform_f64(2 * DRAWS);
    let drawn = (0..DRAWS).map(|i| {
        let m = 10f64.powf(case.lo + (case.hi - case.lo) * u[i]);
        if case.positive || u[DRAWS + i] < 0.5 { m } else { -m }
    });
    let all: Vec<f64> = drawn.chain(case.special.iter().copied()).collect();
    to_f32_grid(&ArrayD::from_shape_vec(IxDyn(&[all.len()]), all).expect("1-d"))
}

/// One run of an elementwise case: f64 against central differences, then f32.
fn check_unary(case: &Unary, key: Key) -> Result<(), String> {
    let ctx = Ctx::new(0, key.fold_in(1));
    let x = unary_values(case, key);
    let ones = |s: &[usize]| ArrayD::ones(IxDyn(s));
    let r64 = run(case.op, std::slice::from_ref(&x), &[true], &ctx, &ones);
    let d64 = r64.grads[0].as_ref().expect("the input needs a gradient");
    let f = |v: &ArrayD<f64>| autodiff::no_grad(|| (case.op)(&[Tensor::constant(v.clone())], &ctx).to_array());
    let step: ArrayD<f64> = x.mapv(|v| if case.positive { 1e-6 * v } else { 1e-6 * v.abs().max(1.0) });
    let (plus, minus) = (f(&(&x + &step)), f(&(&x - &step)));
    for i in 0..x.len() {
        let (xi, y, a, h) = (x[i], r64.output[i], d64[i], step[i]);
        let at = format!("x = {xi:e} (parameters [{}])", ctx.log.borrow().join(", "));
        if !y.is_finite() || !a.is_finite() {
            return Err(format!("f64 output {y:e} and derivative {a:e} at {at}: not finite"));
        }
        match case.kink {
            Some(sub) if xi == 0.0 && a != sub => return Err(format!("derivative {a:e} at the kink, {at}; the subgradient is {sub}")),
            Some(_) if xi.abs() <= 2.0 * h => continue,
            _ => {}
        }
        let n = (plus[i] - minus[i]) / (2.0 * h);
        let rounding = 4.0 * (f64::EPSILON * (plus[i].abs() + minus[i].abs()) + f64::MIN_POSITIVE) / (2.0 * h);
        if (a - n).is_nan() || (a - n).abs() > 1e-5 * a.abs().max(n.abs()) + rounding {
            return Err(format!("derivative {a:e} but central difference {n:e} (step {h:e}) at {at}"));
        }
    }
    let r32 = run(case.op32, std::slice::from_ref(&x), &[true], &ctx, &ones);
    let where_ = |e: String| format!("f32: {e} (parameters [{}])", ctx.log.borrow().join(", "));
    agree("output", &r32.output, &r64.output, case.tol32, 0.0).map_err(where_)?;
    let d32 = r32.grads[0].as_ref().expect("the input needs a gradient");
    agree("derivative", d32, d64, case.tol32, 0.0).map_err(where_).map(|_| ())
}

#[test]
fn elementwise_functions_at_their_limits() {
    let failures: Vec<String> = UNARY
        .iter()
        .flat_map(|c| (0..KEYS).filter_map(move |k| check_unary(c, Key::new(0xE7_0000 + k)).err().map(|e| format!("`{}`: {e}", c.name))))
        .collect();
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// A reduction along rows, and how to check it.
struct Rows {
    name: &'static str,
    op: Op<f64>,
    op32: Op<f32>,
    /// Whether `-inf` entries are in its domain (the output stays finite).
    neg_inf: bool,
    /// The central-difference step (`layer_norm`'s constant row needs a small one).
    eps: f64,
}

macro_rules! rows {
    ($name:expr, $neg_inf:expr, $eps:expr, |$x:pat_param, $c:pat_param| $body:expr) => {
        Rows { name: $name, neg_inf: $neg_inf, eps: $eps, op: |$x: &[Tensor<f64>], $c: &Ctx| $body, op32: |$x: &[Tensor<f32>], $c: &Ctx| $body }
    };
}

#[rustfmt::skip]
const ROWS: &[Rows] = &[
    rows!("softmax(-1)", true, 1e-4, |x, _| x[0].softmax(-1)),
    rows!("softmax(0) of the transpose", true, 1e-4, |x, _| x[0].transpose(0, 1).softmax(0)),
    rows!("log_softmax(-1)", false, 1e-4, |x, _| x[0].log_softmax(-1)),
    rows!("logsumexp(-1)", true, 1e-4, |x, _| x[0].logsumexp(-1, false)),
    rows!("logsumexp(0, keepdim) of the transpose", true, 1e-4, |x, _| x[0].transpose(0, 1).logsumexp(0, true)),
    rows!("layer_norm", false, 1e-6, |x, c| x[0].layer_norm(c.log_uniform("eps", 1e-3, 1e-1))),
];

/// Rows `offset + spread u`, `u` uniform in [-1, 1], f32-exact; the last row is
/// constant, and with `neg_inf` two entries are `-inf`. `layer_norm` (whose f32
/// rounding grows with the offset over the spread) gets offsets up to 100 only.
fn row_values(case: &Rows, key: Key) -> ArrayD<f64> {
    let big = !case.name.starts_with("layer_norm");
    let offsets = if big { [0.0, 50.0, -1e3, 1e3, 1e4, -30.0] } else { [0.0, 50.0, -100.0, 100.0, 10.0, -30.0] };
    let spreads = [1.0, 200.0, 5.0, 300.0, 2.0, 0.0];
    let u = key.uniform_f64(30);
    let mut x = ArrayD::from_shape_fn(IxDyn(&[6, 5]), |i| offsets[i[0]] + spreads[i[0]] * (2.0 * u[i[0] * 5 + i[1]] - 1.0));
    if case.neg_inf {
        x[[0, 1]] = f64::NEG_INFINITY;
        x[[2, 4]] = f64::NEG_INFINITY;
    }
    to_f32_grid(&x)
}

#[test]
fn row_functions_at_large_offsets_and_spreads() {
    let mut failures = Vec::new();
    for case in ROWS {
        for k in 0..4u64 {
            let key = Key::new(0x0FF5_E700 + k);
            let (x, ctx) = (row_values(case, key), Ctx::new(0, key.fold_in(1)));
            let f = |t: &[Tensor<f64>]| (case.op)(t, &ctx);
            let tol = Tolerance { eps: case.eps, ..Tolerance::default() };
            if let Err(e) = check_gradients(&f, std::slice::from_ref(&x), &tol) {
                failures.push(format!("`{}` (key {k}), f64: {e}", case.name));
                continue;
            }
            let seed = |s: &[usize]| to_f32_grid(&crate::common::values(crate::common::Domain::Any, s, key.fold_in(2)));
            let r64 = run(case.op, std::slice::from_ref(&x), &[true], &ctx, &seed);
            let r32 = run(case.op32, std::slice::from_ref(&x), &[true], &ctx, &seed);
            if let Err(e) = runs_agree(&r32, &r64, Tol32 { rtol: 1e-5, scaled: 1e-5, atol: 0.0 }) {
                failures.push(format!("`{}` (key {k}), f32 against f64: {e}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// `max` over each axis of values with many exact ties (a grid of 4 integers): the
/// gradient of each lane goes whole to its first maximal element, in f64 and f32.
#[test]
fn max_sends_the_gradient_of_a_tie_to_the_first_maximum() {
    let mut ties = 0;
    for k in 0..4u64 {
        let key = Key::new(0x71E5 + k);
        let x = ArrayD::from_shape_vec(IxDyn(&[5, 6]), key.uniform_f64(30).iter().map(|u| (4.0 * u).floor() - 1.0).collect()).unwrap();
        let g = to_f32_grid(&crate::common::values(crate::common::Domain::Any, &[6], key.fold_in(1)));
        for axis in 0..2 {
            let lanes = x.lanes(Axis(axis));
            let mut want = ArrayD::zeros(x.raw_dim());
            let g_lane = g.slice_axis(Axis(0), ndarray::Slice::from(..lanes.into_iter().len())).to_owned();
            for (j, lane) in x.lanes(Axis(axis)).into_iter().enumerate() {
                let top = lane.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let first = lane.iter().position(|&v| v == top).expect("a maximum");
                ties += (lane.iter().filter(|&&v| v == top).count() > 1) as usize;
                let mut at = vec![0; 2];
                at[axis] = first;
                at[1 - axis] = j;
                want[IxDyn(&at)] = g_lane[j];
            }
            let ctx = Ctx::new(axis, key);
            let seed = |_: &[usize]| g_lane.clone();
            let op64: Op<f64> = if axis == 0 { |x, _| x[0].max(0, false) } else { |x, _| x[0].max(1, false) };
            let op32: Op<f32> = if axis == 0 { |x, _| x[0].max(0, false) } else { |x, _| x[0].max(1, false) };
            let d64 = run(op64, std::slice::from_ref(&x), &[true], &ctx, &seed).grads[0].clone().unwrap();
            let d32 = run(op32, std::slice::from_ref(&x), &[true], &ctx, &seed).grads[0].clone().unwrap();
            assert_eq!(d64, want, "f64 max over axis {axis} of\n{x}");
            assert_eq!(d32.mapv(|v| v as f64), want, "f32 max over axis {axis} of\n{x}");
        }
    }
    assert!(ties >= 10, "only {ties} lanes with a tie: the test does not exercise ties");
}
