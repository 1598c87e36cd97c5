//! `layer_norm`: over the last axis (no affine parameters; compose `mul`/`add` for
//! gain and bias), `y = (x - mu) / sigma` with `mu = mean(x)`,
//! `sigma = sqrt(mean((x - mu)^2) + eps)` (biased variance);
//! VJP `dx = (g - mean(g) - y mean(g y)) / sigma`, means over the last axis
//! (`kernels::norm`).

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::tensor::Tensor;
use super::owned::{elements, single_input};
use crate::shape::{array, buffer, contiguous};
use ndarray::ArrayD;
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

/// Normalisation over the last axis.
pub struct LayerNorm<T> {
    pub eps: T,
}

/// The length of the last axis, panicking for a 0-d tensor.
fn last_axis_len<T: Float>(x: &ArrayD<T>) -> usize {
    assert!(x.ndim() >= 1, "layer_norm: needs at least one axis, got shape {:?}", x.shape());
    x.shape()[x.ndim() - 1]
}

impl<T: Float> Primitive<T> for LayerNorm<T> {
    fn name(&self) -> String {
        format!("layer_norm(eps={})", self.eps)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let mut y = buffer(x.len());
        kernels::norm::layer_norm_rows(&contiguous(x), last_axis_len(x), self.eps, &mut y);
        array(x.shape(), y)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        super::owned::backward_on_copy(self, v)
    }

    /// The VJP over `g`'s buffer.
    fn backward_owned(&self, inputs: &[&ArrayD<T>], output: &ArrayD<T>, grad: ArrayD<T>, needs: &[bool]) -> Vec<Option<ArrayD<T>>> {
        let x = inputs[0];
        single_input(grad, needs, |mut g| {
            kernels::norm::layer_norm_backward_rows(&contiguous(x), &contiguous(output), last_axis_len(x), self.eps, elements(&mut g));
            g
        })
    }

    /// `(g - mean(g) - y mean(g y)) / sigma`, with `sigma` recomputed from `x` so that
    /// its dependence on `x` is recorded.
    fn vjp_graph(&self, inputs: &[Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        vec![needs[0].then(|| {
            let x = &inputs[0];
            let sigma = x.sub(&x.mean(-1, true)).square().mean(-1, true).add_scalar(self.eps).sqrt();
            grad.sub(&grad.mean(-1, true)).sub(&output.mul(&grad.mul(output).mean(-1, true))).div(&sigma)
        })]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let x = inputs[0];
        assert!(!x.shape().is_empty(), "layer_norm: needs at least one axis, got shape {:?}", x.shape());
        let mut y = DeviceArray::uninit("layer_norm", x.device(), x.shape());
        if !x.is_empty() {
            let (d, cols) = (x.device().kernels(), x.shape()[x.shape().len() - 1]);
            launch::ok("layer_norm", x.device(), d.layernorm_rows(x.buffer(), cols, self.eps.to_f64_lossless(), y.buffer_mut()));
        }
        y
    }

    /// The VJP, on the device.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        vec![needs[0].then(|| {
            let x = inputs[0];
            let mut dx = DeviceArray::uninit("layer_norm", x.device(), x.shape());
            if !x.is_empty() {
                let (d, cols, eps) = (x.device().kernels(), x.shape()[x.shape().len() - 1], self.eps.to_f64_lossless());
                launch::ok("layer_norm", x.device(), d.layernorm_rows_backward(x.buffer(), output.buffer(), grad.buffer(), cols, eps, dx.buffer_mut()));
            }
            dx
        })]
    }
}

impl<T: Float> Tensor<T> {
    /// Normalises each row of the last axis to mean 0 and variance ~1 (see module doc).
    pub fn layer_norm(&self, eps: T) -> Tensor<T> {
        Tensor::apply(LayerNorm { eps }, &[self])
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::{assert_close, value_and_grad};
    use crate::Tensor;

    #[test]
    fn layer_norm_and_its_gradient() {
        // Row (1, 3): mu = 2, variance 1, eps 3 -> sigma 2, y = (-1/2, 1/2).
        let (y, dx) = value_and_grad(&[2, 2], &[1.0, 3.0, 5.0, 5.0], |x| x.layer_norm(3.0));
        assert_close(&y, &[-0.5, 0.5, 0.0, 0.0]);
        // The outputs of a row sum to 0 whatever x is.
        assert_close(&dx, &[0.0; 4]);
        // Weights g = (1, 0) on row (1, 3): mean(g) = 1/2, mean(g y) = -1/4, so
        // dx = (g - 1/2 - y (-1/4)) / 2 = (3/16, -3/16). Directly: y_0 = (d/2) / sqrt(d^2/4 + 3)
        // with d = x_0 - x_1 = -2 has dy_0/dd = (1 - 1/4) / 4 = 3/16.
        let (_, dx) = value_and_grad(&[2], &[1.0, 3.0], |x| {
            x.layer_norm(3.0).mul(&Tensor::from_vec(&[2], vec![1.0, 0.0]))
        });
        assert_close(&dx, &[0.1875, -0.1875]);
    }
}
