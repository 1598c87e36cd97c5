//! The shared shape of elementwise binary primitives with broadcasting.
//!
//! A binary primitive states `f(a, b)` and its partial derivatives once. Inputs
//! broadcast by numpy's rules to the output shape; the VJP is
//! `da = sum_to_shape(g * df/da)`, `db = sum_to_shape(g * df/db)`, where the sum
//! runs over the axes along which each input was broadcast.
//!
//! The VJP owns `g` and writes the last partial it needs over `g`'s buffer. When both
//! partials are constants (`add`: 1, 1; `sub`: 1, -1), it makes no pass over the
//! inputs at all: `da = sum_to_shape(g)` is `g` itself when `a` was not broadcast.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, buffer, contiguous, copy, recycle, standard, sum_to_shape, sum_to_shape_owned};
use crate::tensor::Tensor;
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// An elementwise binary function and its partial derivatives.
pub trait BinaryFn<T: Float>: 'static {
    /// Name used in messages.
    fn name(&self) -> &'static str;
    /// `y = f(a, b)`.
    fn f(&self, a: T, b: T) -> T;
    /// `dy/da` at `(a, b)` with `y = f(a, b)`.
    fn da(&self, a: T, b: T, y: T) -> T;
    /// `dy/db` at `(a, b)` with `y = f(a, b)`.
    fn db(&self, a: T, b: T, y: T) -> T;
    /// `[g dy/da, g dy/db]` in the output's shape (before summing back to each
    /// input's shape), written with tensor operations on tensors of the graph (`y` the
    /// output, `g` the output gradient) so that they can be differentiated again
    /// ([`Primitive::vjp_graph`]); each only where `needs` asks.
    fn vjp_graph(&self, a: &Tensor<T>, b: &Tensor<T>, y: &Tensor<T>, g: &Tensor<T>, needs: &[bool]) -> [Option<Tensor<T>>; 2];
    /// `Some((dy/da, dy/db))` when both are the same constants everywhere (then the
    /// VJP only scales and sums `g`); `None` (the default) otherwise.
    fn constant_partials(&self) -> Option<(T, T)> {
        None
    }
    /// The same function in the device kernel (`kernels/cuda/binary.cu`).
    #[cfg(feature = "cuda")]
    fn cuda(&self) -> kernels::cuda::BinaryOp;
}

/// The primitive made from a [`BinaryFn`].
pub struct Binary<F>(pub F);

/// `c g` summed to `shape`.
fn scaled_sum<T: Float>(g: ArrayD<T>, shape: &[usize], c: T) -> ArrayD<T> {
    let mut out = standard(sum_to_shape_owned(g, shape));
    if c != T::one() {
        kernels::map::update(out.as_slice_mut().expect("standard layout is contiguous"), |v| c * v);
    }
    out
}

/// The gradient buffer for a partial: `g` itself for the last partial computed (`keep`
/// false), else a copy, so that `g` stays intact for the next one.
fn take_or_copy<T: Float>(g: &mut Option<ArrayD<T>>, keep: bool) -> ArrayD<T> {
    let g_ref = g.as_ref().expect("binary VJP: gradient taken once");
    if keep {
        copy(g_ref)
    } else {
        g.take().expect("binary VJP: gradient taken once")
    }
}

/// `g * df(a, b, y)` over `g`'s buffer, summed to `shape`.
fn partial<T: Float>(
    g: ArrayD<T>, a: &ArrayD<T>, b: &ArrayD<T>, y: &ArrayD<T>, shape: &[usize], df: impl Fn(T, T, T) -> T + Sync,
) -> ArrayD<T> {
    let mut g = standard(g);
    kernels::map::update_broadcast(
        g.as_slice_mut().expect("standard layout is contiguous"),
        &contiguous(a), a.shape(), &contiguous(b), b.shape(), &contiguous(y),
        |g, x, w, o| g * df(x, w, o),
    );
    sum_to_shape_owned(g, shape)
}

impl<T: Float, F: BinaryFn<T> + Sync> Primitive<T> for Binary<F> {
    fn name(&self) -> String {
        self.0.name().to_string()
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let (a, b) = (inputs[0], inputs[1]);
        let shape = kernels::map::broadcast_shape(a.shape(), b.shape()).unwrap_or_else(|| {
            panic!("{}: shapes {:?} and {:?} do not broadcast", self.0.name(), a.shape(), b.shape())
        });
        let mut out = buffer(shape.iter().product());
        kernels::map::binary_broadcast(&contiguous(a), a.shape(), &contiguous(b), b.shape(), &mut out, |x, y| self.0.f(x, y));
        array(&shape, out)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        super::owned::backward_on_copy(self, v)
    }

    /// `db` first, from `g` (or a copy of it when `da` still needs `g`), then `da`
    /// over `g` itself.
    fn backward_owned(&self, inputs: &[&ArrayD<T>], output: &ArrayD<T>, grad: ArrayD<T>, needs: &[bool]) -> Vec<Option<ArrayD<T>>> {
        let (a, b) = (inputs[0], inputs[1]);
        let mut g = Some(grad);
        let (da, db) = match self.0.constant_partials() {
            Some((ca, cb)) => {
                let db = needs[1].then(|| {
                    let g_b = if needs[0] { sum_to_shape(g.as_ref().expect("gradient present"), b.shape()) } else { take_or_copy(&mut g, false) };
                    scaled_sum(g_b, b.shape(), cb)
                });
                (needs[0].then(|| scaled_sum(take_or_copy(&mut g, false), a.shape(), ca)), db)
            }
            None => {
                let db = needs[1].then(|| partial(take_or_copy(&mut g, needs[0]), a, b, output, b.shape(), |x, w, o| self.0.db(x, w, o)));
                let da = needs[0].then(|| partial(take_or_copy(&mut g, false), a, b, output, a.shape(), |x, w, o| self.0.da(x, w, o)));
                (da, db)
            }
        };
        if let Some(unused) = g {
            recycle(unused);
        }
        vec![da, db]
    }

    /// Each partial of [`BinaryFn::vjp_graph`] summed to its input's shape (`sum_to`).
    fn vjp_graph(&self, inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        let partials = self.0.vjp_graph(&inputs[0], &inputs[1], output, grad, needs);
        partials.into_iter().zip(inputs).map(|(p, x)| p.map(|p| p.sum_to(&x.shape()))).collect()
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        launch::binary(self.0.name(), self.0.cuda(), inputs[0], inputs[1])
    }

    /// `sum_to_shape(g * partial)` for each operand that needs it, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        use kernels::cuda::Operand;
        let partial = |operand| launch::binary_backward(self.0.name(), self.0.cuda(), operand, inputs[0], inputs[1], &grad);
        vec![needs[0].then(|| partial(Operand::A)), needs[1].then(|| partial(Operand::B))]
    }
}
