//! Second-order checking: the recorded backward pass against finite differences of
//! first-order gradients.

use super::grad;
use crate::gradcheck::{deterministic_vjp, excess, finite, GradcheckError, TestFn, Tolerance, Worst};
use crate::rng::Key;
use crate::tensor::Tensor;
use ndarray::{ArrayD, Dimension};

/// Checks the second derivatives of `f` at `inputs`, along random directions from
/// `key`, in two steps.
///
/// 1. The recorded VJP `G_i(x, v) = grad(sum(v * f(x)), x_i)` ([`grad`] with
///    `create_graph`), for a random output seed `v`, must equal the first-order VJP of
///    [`crate::Tensor::backward_with`] within `tol` (a mismatch reports the worst
///    element, the recorded value as `analytic` and the first-order one as `numeric`).
/// 2. Its derivative along random directions `u_i` (inputs) and `u_v` (seed),
///    contracted with random `w_i`: analytically, one more reverse sweep from
///    `sum_i w_i . G_i` gives `sum_i (dG/dx_i u_i) . w + (dG/dv u_v) . w`; numerically,
///    the central difference of `sum_i w_i . VJP_i(x + e u, v + e u_v)` with the
///    first-order VJP (itself checked by [`crate::gradcheck`]). The analytic side runs
///    twice and must give identical bits.
///
/// The first part of step 2 is `w^T (d^2 (v . f) / dx^2) u`, the Hessian of every
/// output weighted by `v`; the second is `w^T J^T u_v`, which checks that the recorded
/// VJP is linear in the seed with the right Jacobian.
pub fn gradgradcheck(f: TestFn, inputs: &[ArrayD<f64>], tol: &Tolerance, key: Key) -> Result<Worst, GradcheckError> {
    let keys = key.split(3 * inputs.len() + 2);
    let y = crate::no_grad(|| f(&inputs.iter().map(|x| Tensor::constant(x.clone())).collect::<Vec<_>>()).to_array());
    finite("output", &y)?;
    let v: ArrayD<f64> = keys[0].normal(y.shape());
    let u_v: ArrayD<f64> = keys[1].normal(y.shape());
    let draw = |k: usize| -> Vec<ArrayD<f64>> { inputs.iter().enumerate().map(|(i, x)| keys[2 + k * inputs.len() + i].normal(x.shape())).collect() };
    let (u, w) = (draw(0), draw(1));

    let first_order = deterministic_vjp(f, inputs, &v)?;
    let recorded = recorded_vjp(f, inputs, &v);
    agree(&recorded.gradients, &first_order, tol)?;

    let analytic = contracted_second_derivative(&recorded, &w, &u, &u_v);
    if analytic.to_bits() != contracted_second_derivative(&recorded, &w, &u, &u_v).to_bits() {
        return Err(GradcheckError::Nondeterministic { input: 0 });
    }
    let along = |e: f64| -> Result<f64, GradcheckError> {
        let xs: Vec<ArrayD<f64>> = inputs.iter().zip(&u).map(|(x, u)| x + &(u * e)).collect();
        let grads = deterministic_vjp(f, &xs, &(&v + &(&u_v * e)))?;
        Ok(grads.iter().zip(&w).map(|(g, w)| (g * w).sum()).sum())
    };
    let numeric = (along(tol.eps)? - along(-tol.eps)?) / (2.0 * tol.eps);
    if !analytic.is_finite() {
        return Err(GradcheckError::NonFinite("second-order derivative".into()));
    }
    let worst = Worst { input: 0, index: vec![], output: 0, analytic, numeric, excess: excess(analytic, numeric, tol) };
    if worst.excess > 0.0 {
        Err(GradcheckError::Mismatch(worst))
    } else {
        Ok(worst)
    }
}

/// The recorded VJP of `f` at `inputs` for the seed `v`: the parameters, the seed as a
/// parameter too, and the gradient tensors with their graph.
struct RecordedVjp {
    params: Vec<Tensor<f64>>,
    seed: Tensor<f64>,
    gradients: Vec<Tensor<f64>>,
}

fn recorded_vjp(f: TestFn, inputs: &[ArrayD<f64>], v: &ArrayD<f64>) -> RecordedVjp {
    let params: Vec<Tensor<f64>> = inputs.iter().map(|x| Tensor::param(x.clone())).collect();
    let seed = Tensor::param(v.clone());
    let y = f(&params);
    let gradients = grad(&y, &params.iter().collect::<Vec<_>>(), Some(&seed), true);
    RecordedVjp { params, seed, gradients }
}

/// Step 1: the recorded gradients against the first-order ones, element by element.
fn agree(recorded: &[Tensor<f64>], first_order: &[ArrayD<f64>], tol: &Tolerance) -> Result<(), GradcheckError> {
    for (i, (r, g)) in recorded.iter().zip(first_order).enumerate() {
        let r = r.to_array();
        finite("recorded gradient", &r)?;
        let worst = r.indexed_iter().zip(g.iter()).map(|((index, &a), &n)| (excess(a, n, tol), index, a, n)).max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((e, index, analytic, numeric)) = worst.filter(|w| w.0 > 0.0) {
            let index = index.slice().to_vec();
            return Err(GradcheckError::Mismatch(Worst { input: i, index, output: 0, analytic, numeric, excess: e }));
        }
    }
    Ok(())
}

/// Step 2's analytic side: one reverse sweep from `sum_i w_i . G_i`, its gradients
/// with respect to the inputs dotted with `u`, and with respect to the seed with `u_v`.
fn contracted_second_derivative(r: &RecordedVjp, w: &[ArrayD<f64>], u: &[ArrayD<f64>], u_v: &ArrayD<f64>) -> f64 {
    let terms: Vec<Tensor<f64>> = r.gradients.iter().zip(w).map(|(g, w)| g.mul(&Tensor::constant(w.clone())).sum_all()).collect();
    let total = terms.iter().skip(1).fold(terms[0].clone(), |acc, t| acc.add(t));
    let wrt: Vec<&Tensor<f64>> = r.params.iter().chain([&r.seed]).collect();
    let second = grad(&total, &wrt, None, false);
    let by_inputs: f64 = second.iter().zip(u).map(|(s, u)| (&s.to_array() * u).sum()).sum();
    by_inputs + (&second[r.params.len()].to_array() * u_v).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::arr;
    use crate::primitive::{Primitive, Vjp};

    /// `y = x^3` with the right first-order VJP (`3 x^2 g`) and the recorded VJP given by
    /// its field, `(x, g) -> dx`, for planting a wrong second-order rule.
    struct CubeRecordedBy(fn(&Tensor<f64>, &Tensor<f64>) -> Tensor<f64>);
    impl Primitive<f64> for CubeRecordedBy {
        fn name(&self) -> String {
            "cube_recorded_by".into()
        }
        fn forward(&self, inputs: &[&ArrayD<f64>]) -> ArrayD<f64> {
            inputs[0].mapv(|x| x * x * x)
        }
        fn backward(&self, v: &Vjp<f64>) -> Vec<Option<ArrayD<f64>>> {
            vec![v.when(0, || v.grad * &v.inputs[0].mapv(|x| 3.0 * x * x))]
        }
        fn vjp_graph(&self, inputs: &[Tensor<f64>], _output: &Tensor<f64>, grad: &Tensor<f64>, needs: &[bool]) -> Vec<Option<Tensor<f64>>> {
            vec![needs[0].then(|| (self.0)(&inputs[0], grad))]
        }
        crate::cpu_only!(f64);
    }

    /// A wrong recorded VJP, `dx = 3 x g`: step 1 must catch it.
    const WRONG_RECORDED: CubeRecordedBy = CubeRecordedBy(|x, g| g.mul(x).mul_scalar(3.0));

    /// The right value with no dependence on `x` (the derivative detached): step 1
    /// passes, step 2 must catch it.
    const DETACHED: CubeRecordedBy = CubeRecordedBy(|x, g| g.mul(&x.detach().square()).mul_scalar(3.0));

    fn x() -> Vec<ArrayD<f64>> {
        vec![arr(&[3], vec![0.5, -1.5, 2.0])]
    }

    #[test]
    fn catches_a_wrong_recorded_vjp() {
        let f = |t: &[Tensor<f64>]| Tensor::apply(WRONG_RECORDED, &[&t[0]]);
        assert!(matches!(gradgradcheck(&f, &x(), &Tolerance::default(), Key::new(1)), Err(GradcheckError::Mismatch(w)) if w.input == 0 && w.index.len() == 1));
    }

    #[test]
    fn catches_a_recorded_vjp_without_second_order() {
        let f = |t: &[Tensor<f64>]| Tensor::apply(DETACHED, &[&t[0]]);
        let err = gradgradcheck(&f, &x(), &Tolerance::default(), Key::new(2)).unwrap_err();
        assert!(matches!(err, GradcheckError::Mismatch(ref w) if w.index.is_empty()), "{err}");
    }

    #[test]
    fn passes_a_correct_composition() {
        let a = arr(&[2, 3], vec![0.1, 0.2, -0.3, 0.4, 0.5, -0.6]);
        let b = arr(&[3, 2], vec![1.0, -1.0, 0.5, 0.25, 2.0, 0.0]);
        let f = |t: &[Tensor<f64>]| t[0].matmul(&t[1]).tanh().mul(&t[0].sum(1, true)).softmax(0);
        gradgradcheck(&f, &[a, b], &Tolerance::default(), Key::new(3)).unwrap();
    }
}
