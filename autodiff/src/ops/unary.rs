//! The shared shape of elementwise unary primitives.
//!
//! A unary primitive states its function once: `f(x)` and its derivative `df(x, y)`
//! (given the input `x` and output `y = f(x)`, whichever is cheaper). The forward is
//! `y_i = f(x_i)`, the VJP is `dx_i = g_i * df(x_i, y_i)`, computed in place over the
//! incoming gradient's buffer. Both run in parallel over fixed chunks.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use super::owned::{elements, single_input};
use crate::shape::{array, buffer, contiguous};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// An elementwise function and its derivative.
pub trait UnaryFn<T: Float>: 'static {
    /// Name used in messages.
    fn name(&self) -> String;
    /// `y = f(x)`.
    fn f(&self, x: T) -> T;
    /// `dy/dx` at `x`, where `y = f(x)`.
    fn df(&self, x: T, y: T) -> T;
    /// The VJP `g df(x, y)` written with tensor operations on tensors of the graph
    /// (`y` is the output, `g` the output gradient), so that it can be differentiated
    /// again ([`Primitive::vjp_graph`]). A piecewise-linear function multiplies `g` by
    /// [`constant_derivative`].
    fn vjp_graph(&self, x: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>) -> Tensor<T>;
    /// The same function in the device kernel (`kernels/cuda/elementwise.cu`).
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::UnaryOp;
}

/// The primitive made from a [`UnaryFn`].
pub struct Unary<F>(pub F);

impl<T: Float, F: UnaryFn<T> + Sync> Primitive<T> for Unary<F> {
    fn name(&self) -> String {
        self.0.name()
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = contiguous(inputs[0]);
        let mut out = buffer(x.len());
        kernels::map::unary(&x, &mut out, |v| self.0.f(v));
        array(inputs[0].shape(), out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        super::owned::backward_on_copy(self, v)
    }

    /// `dx = g * df(x, y)`, written over `g`'s own buffer.
    fn backward_owned(&self, inputs: &[&ArrayD<T>], output: &ArrayD<T>, grad: ArrayD<T>, needs: &[bool]) -> Vec<Option<ArrayD<T>>> {
        single_input(grad, needs, |mut g| {
            kernels::map::update_zip(elements(&mut g), &contiguous(inputs[0]), &contiguous(output), |g, x, y| g * self.0.df(x, y));
            g
        })
    }

    fn vjp_graph(&self, inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| self.0.vjp_graph(&inputs[0], output, grad))]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        launch::unary(&self.0.name(), self.0.cuda(), inputs[0])
    }

    /// `dx = g * df(x, y)`, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| launch::unary_backward(&self.0.name(), self.0.cuda(), inputs[0], output, &grad))]
    }
}

/// `df(x, y)` of `f` as a constant tensor on `x`'s device: the derivative of a
/// piecewise-linear function (`relu`, `abs`), whose own derivative is zero almost
/// everywhere, so `g * constant_derivative` is its VJP to second order.
pub fn constant_derivative<T: Float, F: UnaryFn<T> + Sync>(f: F, x: &Tensor<T>, y: &Tensor<T>) -> Tensor<T> {
    crate::second_order::constant_jacobian(&Unary(f), std::slice::from_ref(x), y, &[true]).remove(0).expect("the input's derivative was asked for")
}

impl<T: Float> Tensor<T> {
    /// Applies an elementwise function given as a [`UnaryFn`].
    pub fn map_unary(&self, f: impl UnaryFn<T> + Sync) -> Tensor<T> {
        Tensor::apply(Unary(f), &[self])
    }
}
