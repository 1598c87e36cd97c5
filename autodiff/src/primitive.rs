//! The trait every primitive implements.

use crate::float::Float;
use crate::tensor::Tensor;
use ndarray::ArrayD;

/// What a primitive's backward sees: its inputs, its output, the gradient of the
/// loss with respect to the output, and which inputs need a gradient.
pub struct Vjp<'a, T: Float> {
    pub inputs: &'a [&'a ArrayD<T>],
    pub output: &'a ArrayD<T>,
    pub grad: &'a ArrayD<T>,
    pub needs: &'a [bool],
}

impl<T: Float> Vjp<'_, T> {
    /// `Some(f())` if input `i` needs a gradient, else `None` (skips the work).
    pub fn when<F: FnOnce() -> ArrayD<T>>(&self, i: usize, f: F) -> Option<ArrayD<T>> {
        self.needs[i].then(f)
    }
}

/// A differentiable operation: `y = f(x_1, ..., x_k)` and its vector-Jacobian
/// product `g -> (g^T dy/dx_1, ..., g^T dy/dx_k)`.
///
/// Implement it once per primitive (one file under `ops/`), with a method on
/// [`crate::Tensor`] that calls [`crate::Tensor::apply`]. `forward` and `backward`
/// run on CPU values; with the `cuda` feature, `forward_cuda` and `backward_cuda` do
/// the same on device values (the tape picks by where the inputs live). `vjp_graph`
/// states the same VJP once more with tensor operations, which is what makes
/// second-order derivatives possible ([`crate::second_order`]).
pub trait Primitive<T: Float>: 'static {
    /// Name used in messages, e.g. `"matmul"`.
    fn name(&self) -> String;

    /// Computes the output from the inputs.
    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T>;

    /// Returns, for each input, the gradient of the loss with respect to it (same
    /// shape as the input), or `None` where `v.needs[i]` is false.
    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>>;

    /// The same VJP, given ownership of the output gradient `grad`, so that a
    /// primitive can pass it on (`add`: `da = g`) or overwrite it in place
    /// (`dx = g * f'(x)`) instead of allocating. The tape calls this one; the default
    /// lends `grad` to [`Primitive::backward`] and then recycles its buffer.
    fn backward_owned(&self, inputs: &[&ArrayD<T>], output: &ArrayD<T>, grad: ArrayD<T>, needs: &[bool]) -> Vec<Option<ArrayD<T>>> {
        let grads = self.backward(&Vjp { inputs, output, grad: &grad, needs });
        crate::shape::recycle(grad);
        grads
    }

    /// The VJP of [`Primitive::backward`] written with differentiable tensor
    /// operations (other primitives, or this one), on tensors of the graph: the
    /// inputs, this primitive's output and the output gradient `grad`, which may
    /// itself depend on the inputs. Returns the same gradients as `backward` (`None`
    /// where `needs[i]` is false), but as tensors whose history is recorded when grad
    /// mode is on, so [`crate::second_order::grad`] can differentiate them again.
    ///
    /// A primitive whose derivative is piecewise constant (`relu`, `abs`, `max`)
    /// multiplies `grad` by that derivative taken as a constant
    /// ([`crate::second_order::constant_jacobian`]): its own derivative is zero almost
    /// everywhere.
    fn vjp_graph(&self, inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>>;

    /// [`Primitive::forward`] on device values (all on one device). Required with the
    /// `cuda` feature: a primitive without device code does not compile.
    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&crate::cuda::DeviceArray<T>]) -> crate::cuda::DeviceArray<T>;

    /// [`Primitive::backward_owned`] on device values: the gradient of each input
    /// that `needs` one, on the device, given ownership of the output gradient.
    #[cfg(feature = "cuda")]
    fn backward_cuda(
        &self,
        inputs: &[&crate::cuda::DeviceArray<T>],
        output: &crate::cuda::DeviceArray<T>,
        grad: crate::cuda::DeviceArray<T>,
        needs: &[bool],
    ) -> Vec<Option<crate::cuda::DeviceArray<T>>>;
}

/// The device methods of a primitive that exists on the CPU only (a test's
/// deliberately wrong primitive, say): with the `cuda` feature they panic saying so.
/// Write `autodiff::cpu_only!(T);` inside `impl Primitive<T> for ...` (with the
/// element type the impl is for), so that it compiles with and without the feature.
#[macro_export]
macro_rules! cpu_only {
    ($t:ty) => {
        #[cfg(feature = "cuda")]
        fn forward_cuda(&self, _inputs: &[&$crate::cuda::DeviceArray<$t>]) -> $crate::cuda::DeviceArray<$t> {
            panic!("{}: a CPU-only primitive has no device code", $crate::Primitive::<$t>::name(self))
        }
        #[cfg(feature = "cuda")]
        fn backward_cuda(
            &self,
            _inputs: &[&$crate::cuda::DeviceArray<$t>],
            _output: &$crate::cuda::DeviceArray<$t>,
            _grad: $crate::cuda::DeviceArray<$t>,
            _needs: &[bool],
        ) -> Vec<Option<$crate::cuda::DeviceArray<$t>>> {
            panic!("{}: a CPU-only primitive has no device code", $crate::Primitive::<$t>::name(self))
        }
    };
}
