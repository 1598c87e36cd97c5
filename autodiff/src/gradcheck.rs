//! Gradient checking: analytic VJPs against central differences, in f64.
//!
//! For `y = f(x_1, ..., x_k)`, the numeric derivative of output `o` with respect to
//! input element `x_j` is `(f(x + eps e_j)_o - f(x - eps e_j)_o) / (2 eps)` (error
//! O(eps^2)). An analytic entry `a` passes against a numeric `n` when
//! `|a - n| <= atol + rtol |n|`.
//!
//! * [`check_gradients`]: the full Jacobian, column by column (small inputs).
//! * [`check_gradients_fast`]: one random direction: `v . (J u)` from one central
//!   difference along `u` against `(v^T J) . u` from one VJP (large inputs).
//!
//! Both also run backward twice and require bit-identical gradients.

use crate::grad_mode::no_grad;
use crate::rng::Key;
use crate::tensor::Tensor;
use ndarray::{ArrayD, IxDyn};
use std::fmt;

/// Step and tolerances.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    pub eps: f64,
    pub atol: f64,
    pub rtol: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance { eps: 1e-6, atol: 1e-6, rtol: 1e-5 }
    }
}

/// The element with the largest excess `|a - n| - (atol + rtol |n|)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Worst {
    /// Which input, and the multi-index of the element in it (empty in fast mode).
    pub input: usize,
    pub index: Vec<usize>,
    /// Which output element (flat row-major index; 0 in fast mode).
    pub output: usize,
    pub analytic: f64,
    pub numeric: f64,
    /// `|a - n| - (atol + rtol |n|)`: positive means failure.
    pub excess: f64,
}

impl fmt::Display for Worst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "input {} element {:?}, output element {}: analytic {:.9e}, numeric {:.9e} (|diff| {:.3e})",
            self.input, self.index, self.output, self.analytic, self.numeric, (self.analytic - self.numeric).abs()
        )
    }
}

/// Why a gradient check failed.
#[derive(Clone, Debug, PartialEq)]
pub enum GradcheckError {
    /// Analytic and numeric derivatives disagree beyond tolerance.
    Mismatch(Worst),
    /// Two backward passes gave different bits for this input.
    Nondeterministic { input: usize },
    /// The function or a derivative was not finite.
    NonFinite(String),
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradcheckError::Mismatch(w) => write!(f, "gradient mismatch at {w}"),
            GradcheckError::Nondeterministic { input } => {
                write!(f, "backward run twice gave different gradients for input {input}")
            }
            GradcheckError::NonFinite(what) => write!(f, "non-finite value: {what}"),
        }
    }
}

impl std::error::Error for GradcheckError {}

/// A function under test: tensors in, one tensor out.
pub type TestFn<'a> = &'a dyn Fn(&[Tensor<f64>]) -> Tensor<f64>;

/// Analytic gradients of `sum(seed * f(inputs))`, one array per input.
pub(crate) fn vjp(f: TestFn, inputs: &[ArrayD<f64>], seed: &ArrayD<f64>) -> Vec<ArrayD<f64>> {
    let params: Vec<Tensor<f64>> = inputs.iter().map(|x| Tensor::param(x.clone())).collect();
    f(&params).backward_with(seed.clone());
    params
        .iter()
        .zip(inputs)
        .map(|(p, x)| p.grad().unwrap_or_else(|| ArrayD::zeros(x.raw_dim())))
        .collect()
}

/// Runs the VJP twice and demands identical bits.
pub(crate) fn deterministic_vjp(f: TestFn, inputs: &[ArrayD<f64>], seed: &ArrayD<f64>) -> Result<Vec<ArrayD<f64>>, GradcheckError> {
    let first = vjp(f, inputs, seed);
    let second = vjp(f, inputs, seed);
    for (i, (a, b)) in first.iter().zip(&second).enumerate() {
        if a.iter().zip(b).any(|(x, y)| x.to_bits() != y.to_bits()) {
            return Err(GradcheckError::Nondeterministic { input: i });
        }
    }
    Ok(first)
}

fn evaluate(f: TestFn, inputs: &[ArrayD<f64>]) -> ArrayD<f64> {
    no_grad(|| {
        let ts: Vec<Tensor<f64>> = inputs.iter().map(|x| Tensor::constant(x.clone())).collect();
        f(&ts).to_array()
    })
}

pub(crate) fn excess(a: f64, n: f64, tol: &Tolerance) -> f64 {
    (a - n).abs() - (tol.atol + tol.rtol * n.abs())
}

fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for ax in (0..shape.len()).rev() {
        idx[ax] = flat % shape[ax];
        flat /= shape[ax];
    }
    idx
}

pub(crate) fn finite(what: &str, a: &ArrayD<f64>) -> Result<(), GradcheckError> {
    match a.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(GradcheckError::NonFinite(format!("{what} element {i} is {}", a.iter().nth(i).unwrap()))),
        None => Ok(()),
    }
}

/// Checks the full Jacobian of `f` at `inputs`. Returns the worst element on success.
pub fn check_gradients(f: TestFn, inputs: &[ArrayD<f64>], tol: &Tolerance) -> Result<Worst, GradcheckError> {
    let y = evaluate(f, inputs);
    finite("output", &y)?;
    let mut worst: Option<Worst> = None;
    // Analytic rows: one VJP per output element.
    let rows: Vec<Vec<ArrayD<f64>>> = (0..y.len())
        .map(|o| {
            let mut seed = ArrayD::zeros(y.raw_dim());
            seed.as_slice_mut().expect("fresh array is contiguous")[o] = 1.0;
            deterministic_vjp(f, inputs, &seed)
        })
        .collect::<Result<_, _>>()?;
    // Numeric columns: one central difference per input element.
    for (i, x) in inputs.iter().enumerate() {
        for j in 0..x.len() {
            let shifted = |d: f64| {
                let mut xs = inputs.to_vec();
                let flat = xs[i].as_slice_mut().expect("inputs are contiguous");
                flat[j] += d;
                evaluate(f, &xs)
            };
            let (plus, minus) = (shifted(tol.eps), shifted(-tol.eps));
            for (o, row) in rows.iter().enumerate() {
                let numeric = (plus.as_slice().unwrap()[o] - minus.as_slice().unwrap()[o]) / (2.0 * tol.eps);
                let analytic = row[i].iter().nth(j).copied().expect("gradient has the input's shape");
                if !analytic.is_finite() {
                    return Err(GradcheckError::NonFinite(format!("analytic derivative of output {o} by input {i} element {j}")));
                }
                let e = excess(analytic, numeric, tol);
                if worst.as_ref().is_none_or(|w| e > w.excess) {
                    worst = Some(Worst { input: i, index: unravel(j, x.shape()), output: o, analytic, numeric, excess: e });
                }
            }
        }
    }
    let worst = worst.unwrap_or(Worst { input: 0, index: vec![], output: 0, analytic: 0.0, numeric: 0.0, excess: f64::NEG_INFINITY });
    if worst.excess > 0.0 {
        Err(GradcheckError::Mismatch(worst))
    } else {
        Ok(worst)
    }
}

/// Checks `f` along one random direction: `v . (J u)` (one central difference along
/// `u`) against `(v^T J) . u` (one VJP), with `u`, `v` standard normal from `key`.
pub fn check_gradients_fast(f: TestFn, inputs: &[ArrayD<f64>], tol: &Tolerance, key: Key) -> Result<Worst, GradcheckError> {
    let y = evaluate(f, inputs);
    finite("output", &y)?;
    let keys = key.split(inputs.len() + 1);
    let v: ArrayD<f64> = keys[0].normal(y.shape());
    let u: Vec<ArrayD<f64>> = inputs.iter().zip(&keys[1..]).map(|(x, k)| k.normal(x.shape())).collect();
    let grads = deterministic_vjp(f, inputs, &v)?;
    for g in &grads {
        finite("analytic gradient", g)?;
    }
    let analytic: f64 = grads.iter().zip(&u).map(|(g, u)| (g * u).sum()).sum();
    let along = |d: f64| {
        let xs: Vec<ArrayD<f64>> = inputs.iter().zip(&u).map(|(x, u)| x + &(u * d)).collect();
        (&evaluate(f, &xs) * &v).sum()
    };
    let numeric = (along(tol.eps) - along(-tol.eps)) / (2.0 * tol.eps);
    let worst = Worst { input: 0, index: vec![], output: 0, analytic, numeric, excess: excess(analytic, numeric, tol) };
    if worst.excess > 0.0 {
        Err(GradcheckError::Mismatch(worst))
    } else {
        Ok(worst)
    }
}

/// A scalar-valued helper for tests: an f64 array from shape and data.
pub fn arr(shape: &[usize], data: Vec<f64>) -> ArrayD<f64> {
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("data fills shape")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitive::{Primitive, Vjp};

    /// A deliberately wrong primitive: y = x^2 with claimed derivative x (should be 2x).
    struct BadSquare;
    impl Primitive<f64> for BadSquare {
        fn name(&self) -> String {
            "bad_square".into()
        }
        fn forward(&self, inputs: &[&ArrayD<f64>]) -> ArrayD<f64> {
            inputs[0].mapv(|x| x * x)
        }
        fn backward(&self, v: &Vjp<f64>) -> Vec<Option<ArrayD<f64>>> {
            vec![v.when(0, || v.grad * v.inputs[0])]
        }
        fn vjp_graph(&self, inputs: &[Tensor<f64>], _output: &Tensor<f64>, grad: &Tensor<f64>, needs: &[bool]) -> Vec<Option<Tensor<f64>>> {
            vec![needs[0].then(|| grad.mul(&inputs[0]))]
        }
        crate::cpu_only!(f64);
    }

    #[test]
    fn catches_a_wrong_vjp_and_names_the_element() {
        let x = arr(&[3], vec![0.5, -2.0, 1.0]);
        let f = |t: &[Tensor<f64>]| Tensor::apply(BadSquare, &[&t[0]]);
        let err = check_gradients(&f, std::slice::from_ref(&x), &Tolerance::default()).unwrap_err();
        match err {
            GradcheckError::Mismatch(w) => {
                assert_eq!(w.index, vec![1], "largest error is at x = -2");
                approx::assert_abs_diff_eq!(w.analytic, -2.0, epsilon = 1e-12);
                approx::assert_abs_diff_eq!(w.numeric, -4.0, epsilon = 1e-6);
            }
            other => panic!("expected a mismatch, got {other}"),
        }
        assert!(check_gradients_fast(&f, &[x], &Tolerance::default(), Key::new(1)).is_err());
    }

    #[test]
    fn passes_a_correct_composition() {
        let a = arr(&[2, 3], vec![0.1, 0.2, -0.3, 0.4, 0.5, -0.6]);
        let b = arr(&[3, 2], vec![1.0, -1.0, 0.5, 0.25, 2.0, 0.0]);
        let f = |t: &[Tensor<f64>]| t[0].matmul(&t[1]).exp().mul(&t[0].sum(1, true));
        check_gradients(&f, &[a.clone(), b.clone()], &Tolerance::default()).unwrap();
        check_gradients_fast(&f, &[a, b], &Tolerance::default(), Key::new(3)).unwrap();
    }
}
