//! One function run in f64 and in f32 from the same inputs, and the comparison of the
//! two: the forward output and the gradient of every input that needs one.
//!
//! The inputs and the seed gradient are rounded to f32 first, so both runs start from
//! identical numbers and any difference comes from the arithmetic alone.

use super::cases::{Ctx, Op};
use autodiff::{Float, Tensor};
use ndarray::ArrayD;

/// `x` rounded to the nearest f32 (and kept in f64).
pub fn to_f32_grid(x: &ArrayD<f64>) -> ArrayD<f64> {
    x.mapv(|v| v as f32 as f64)
}

/// A function's output and, for each input, its gradient (`None` for a constant).
pub struct Run<T> {
    pub output: ArrayD<T>,
    pub grads: Vec<Option<ArrayD<T>>>,
    /// The seed gradient backward started from (f64, f32-exact).
    pub seed: ArrayD<f64>,
}

/// Runs `op` in precision `T` on `inputs` (parameters where `needs`, constants
/// elsewhere) and backward from `seed(output shape)`.
pub fn run<T: Float>(
    op: Op<T>,
    inputs: &[ArrayD<f64>],
    needs: &[bool],
    ctx: &Ctx,
    seed: &dyn Fn(&[usize]) -> ArrayD<f64>,
) -> Run<T> {
    let tensors: Vec<Tensor<T>> = inputs
        .iter()
        .zip(needs)
        .map(|(x, &n)| if n { Tensor::param(x.mapv(T::c)) } else { Tensor::constant(x.mapv(T::c)) })
        .collect();
    let y = op(&tensors, ctx);
    let s = seed(&y.shape());
    y.backward_with(s.mapv(T::c));
    let grads = tensors
        .iter()
        .zip(needs)
        .map(|(t, &n)| n.then(|| t.grad().unwrap_or_else(|| ArrayD::zeros(t.shape()))))
        .collect();
    Run { output: y.to_array(), grads, seed: s }
}

/// How close an f32 result must be to the f64 one: `|a32 - a64| <= rtol |a64| +
/// scaled S + atol` elementwise, with `S` the scale of the run (the largest finite
/// magnitude of its output, seed and gradients): elements that are sums of many terms,
/// or differences of nearly equal ones (a `layer_norm` row of two, whose gradient
/// nearly cancels), round against the size of their terms, not their own. Where the
/// f64 value is beyond f32's range, the f32 one must be the infinity of its sign;
/// where it is NaN or infinite, the same.
#[derive(Clone, Copy, Debug)]
pub struct Tol32 {
    pub rtol: f64,
    pub scaled: f64,
    pub atol: f64,
}

/// The largest finite magnitude in `a`.
pub fn max_finite(a: &ArrayD<f64>) -> f64 {
    a.iter().filter(|v| v.is_finite()).fold(0.0f64, |m, v| m.max(v.abs()))
}

/// Compares `got` (f32) with `want` (f64) at scale `scale`; `Ok(worst ratio of
/// error to allowance)`.
pub fn agree<T: Float>(what: &str, got: &ArrayD<T>, want: &ArrayD<f64>, tol: Tol32, scale: f64) -> Result<f64, String> {
    if got.shape() != want.shape() {
        return Err(format!("{what}: shape {:?} in f32, {:?} in f64", got.shape(), want.shape()));
    }
    let mut worst = 0.0f64;
    for (i, (g, &w)) in got.iter().zip(want).enumerate() {
        let g = g.to_f64_lossless();
        let fail = |why: &str| Err(format!("{what}: element {i} is {g:e} in f32 and {w:e} in f64 ({why})"));
        if !w.is_finite() || w.abs() > f32::MAX as f64 {
            let expected = if w.is_nan() { g.is_nan() } else { g == w.signum() * f64::INFINITY };
            if !expected {
                return fail("f64 is beyond f32's range or not finite");
            }
            continue;
        }
        if !g.is_finite() {
            return fail("f32 is not finite where f64 is finite and within f32's range");
        }
        let allowed = tol.rtol * w.abs() + tol.scaled * scale + tol.atol;
        let ratio = (g - w).abs() / allowed;
        if ratio > 1.0 {
            return fail(&format!("|diff| {:.3e} > allowed {allowed:.3e}", (g - w).abs()));
        }
        worst = worst.max(ratio);
    }
    Ok(worst)
}

/// Compares two runs from the same `seed`: output, then each gradient; `Ok(worst ratio)`.
pub fn runs_agree(r32: &Run<f32>, r64: &Run<f64>, tol: Tol32) -> Result<f64, String> {
    let start = max_finite(&r64.output).max(max_finite(&r64.seed));
    let scale = r64.grads.iter().flatten().map(max_finite).fold(start, f64::max);
    let mut worst = agree("output", &r32.output, &r64.output, tol, scale)?;
    for (i, (a, b)) in r32.grads.iter().zip(&r64.grads).enumerate() {
        if let (Some(a), Some(b)) = (a, b) {
            worst = worst.max(agree(&format!("gradient of input {i}"), a, b, tol, scale)?);
        }
    }
    Ok(worst)
}
