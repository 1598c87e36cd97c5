//! Second order: a backward pass that records its own graph.
//!
//! [`Tensor::backward`] runs each primitive's VJP on plain arrays, so a gradient has no
//! history. [`grad`] runs the same reverse sweep with each primitive's
//! [`Primitive::vjp_graph`], its VJP written with tensor operations, and sums adjoints
//! with `add`. With `create_graph` those operations are recorded like any others, so
//! a gradient `g(x) = grad(f, x)` is a tensor with a history and can be differentiated
//! again. For a scalar `f` and a constant direction `v`,
//!
//! ```text
//! d/dx (g(x) . v) = H(x) v,        H = d^2 f / dx^2 (symmetric),
//! ```
//!
//! so a second reverse sweep from `g . v` gives the Hessian-vector product at the cost
//! of a few gradients, without forming `H` (Pearlmutter 1994; "reverse over reverse").
//! [`Curvature`] keeps `g(x)` and its graph and answers `H v` for any `v` with one
//! sweep; [`hessian`] stacks `H e_i` for every unit vector `e_i`.
//!
//! ```
//! use autodiff::{hessian, hvp, Tensor};
//! use ndarray::arr1;
//!
//! // f(x) = x0^2 x1 + x1^3: at (1, 2) the Hessian [[2 x1, 2 x0], [2 x0, 6 x1]] is [[4, 2], [2, 12]].
//! let f = |x: &Tensor<f64>| {
//!     let (x0, x1) = (x.narrow(0, 0, 1), x.narrow(0, 1, 1));
//!     x0.square().mul(&x1).add(&x1.powf(3.0)).sum_all()
//! };
//! let x = arr1(&[1.0, 2.0]).into_dyn();
//! assert_eq!(hvp(f, &x, &arr1(&[1.0, -1.0]).into_dyn()).into_raw_vec_and_offset().0, vec![2.0, -10.0]);
//! assert_eq!(hessian(f, &x).into_raw_vec_and_offset().0, vec![4.0, 2.0, 2.0, 12.0]);
//! ```
//!
//! [`gradgradcheck()`] checks all of this against finite differences of first-order
//! gradients, as [`crate::gradcheck`] checks the first order against finite
//! differences of values.

mod curvature;
mod gradgradcheck;

pub use curvature::{hessian, hvp, Curvature};
pub use gradgradcheck::gradgradcheck;

use crate::backward::{first_order_vjp, reverse_topological};
use crate::float::Float;
use crate::grad_mode::no_grad;
use crate::primitive::Primitive;
use crate::tensor::{Storage, Tensor};
use ndarray::{ArrayD, IxDyn};
use std::collections::BTreeMap;

/// The gradients of `sum(seed * output)` with respect to each tensor of `wrt`, as
/// tensors (a tensor `output` does not depend on gets zeros). The seed defaults to
/// ones, so for a scalar `output` these are its gradients.
///
/// With `create_graph`, the sweep is recorded and the results can be differentiated
/// again (PyTorch's `torch.autograd.grad(..., create_graph=True)`); without it they
/// are constants, the same values [`Tensor::backward`] accumulates (up to rounding:
/// the sweep uses the tensor form of each VJP). Nothing is accumulated into `.grad()`.
pub fn grad<T: Float>(output: &Tensor<T>, wrt: &[&Tensor<T>], seed: Option<&Tensor<T>>, create_graph: bool) -> Vec<Tensor<T>> {
    let sweep = || {
        let seed = match seed {
            Some(s) => {
                assert_eq!(s.shape(), output.shape(), "grad: seed of shape {:?} for an output of shape {:?}", s.shape(), output.shape());
                s.clone()
            }
            None => full_like(output, &output.shape(), T::one()),
        };
        let adjoints = if output.requires_grad() { adjoints(output, seed) } else { BTreeMap::new() };
        wrt.iter()
            .map(|x| adjoints.get(&x.id()).cloned().unwrap_or_else(|| full_like(x, &x.shape(), T::zero())))
            .collect()
    };
    if create_graph {
        sweep()
    } else {
        no_grad(sweep)
    }
}

/// The adjoint of every tensor `output` depends on through tensors that require grad,
/// by the reverse sweep of [`Tensor::backward`] with [`Primitive::vjp_graph`].
fn adjoints<T: Float>(output: &Tensor<T>, seed: Tensor<T>) -> BTreeMap<u64, Tensor<T>> {
    let mut pending: BTreeMap<u64, Tensor<T>> = BTreeMap::new();
    let mut done = BTreeMap::new();
    pending.insert(output.id(), seed);
    for t in reverse_topological(output) {
        let Some(g) = pending.remove(&t.id()) else { continue };
        if let Some(origin) = &t.0.origin {
            let needs: Vec<bool> = origin.inputs.iter().map(|i| i.requires_grad()).collect();
            let grads = origin.op.vjp_graph(&origin.inputs, &t, &g, &needs);
            assert_eq!(grads.len(), origin.inputs.len(), "{}: vjp_graph returned {} gradients for {} inputs", origin.op.name(), grads.len(), origin.inputs.len());
            for ((input, grad), need) in origin.inputs.iter().zip(grads).zip(&needs) {
                let Some(grad) = grad.filter(|_| *need) else { continue };
                assert_eq!(
                    grad.shape(), input.shape(),
                    "{}: vjp_graph returned a gradient of shape {:?} for an input of shape {:?}",
                    origin.op.name(), grad.shape(), input.shape()
                );
                let sum = match pending.remove(&input.id()) {
                    Some(acc) => acc.add(&grad),
                    None => grad,
                };
                pending.insert(input.id(), sum);
            }
        }
        done.insert(t.id(), g);
    }
    done
}

/// A constant of `shape` filled with `v`, on the device `like` lives on.
pub(crate) fn full_like<T: Float>(like: &Tensor<T>, shape: &[usize], v: T) -> Tensor<T> {
    Tensor::constant_on(ArrayD::from_elem(IxDyn(shape), v), &like.device())
}

/// `op`'s Jacobian contracted with ones, `1^T dy/dx_i`, as a constant of each input's
/// shape (`None` where `needs[i]` is false), computed by its first-order VJP.
///
/// For a primitive whose derivative is piecewise constant, this is the derivative
/// itself: `[x > 0]` for `relu`, `sign(x)` for `abs`, the one-hot of the first
/// maximal element for `max`. Its VJP in graph form is then `grad` (broadcast to the
/// input) times this constant, exact to second order because the derivative's own
/// derivative is zero almost everywhere.
pub fn constant_jacobian<T: Float>(op: &dyn Primitive<T>, inputs: &[Tensor<T>], output: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
    let ones = Storage::on(&output.device(), ArrayD::from_elem(IxDyn(&output.shape()), T::one()), op.name().as_str());
    first_order_vjp(op, inputs, output, ones, needs)
        .into_iter()
        .map(|d| d.map(|d| Tensor::leaf(d, false)))
        .collect()
}
