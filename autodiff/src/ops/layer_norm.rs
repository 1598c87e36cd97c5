//! `layer_norm`: over the last axis (no affine parameters; compose `mul`/`add` for
//! gain and bias), `y = (x - mu) / sigma` with `mu = mean(x)`,
//! `sigma = sqrt(mean((x - mu)^2) + eps)` (biased variance);
//! VJP `dx = (g - mean(g) - y mean(g y)) / sigma`, means over the last axis.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::tensor::Tensor;
use ndarray::{ArrayD, ArrayView1, Axis, Zip};

/// Normalisation over the last axis.
pub struct LayerNorm<T> {
    pub eps: T,
}

impl<T: Float> LayerNorm<T> {
    /// `(mu, sigma)` of one row.
    fn moments(&self, row: &ArrayView1<T>) -> (T, T) {
        let n = T::c(row.len() as f64);
        let mu = row.sum() / n;
        let var = row.fold(T::zero(), |acc, &v| acc + (v - mu) * (v - mu)) / n;
        (mu, (var + self.eps).sqrt())
    }
}

fn last_axis<T: Float>(x: &ArrayD<T>) -> Axis {
    assert!(x.ndim() >= 1, "layer_norm: needs at least one axis, got shape {:?}", x.shape());
    Axis(x.ndim() - 1)
}

impl<T: Float> Primitive<T> for LayerNorm<T> {
    fn name(&self) -> String {
        format!("layer_norm(eps={})", self.eps)
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let x = inputs[0];
        let last = last_axis(x);
        let mut y = ArrayD::zeros(x.raw_dim());
        Zip::from(y.lanes_mut(last)).and(x.lanes(last)).for_each(|y, x| {
            let (mu, sigma) = self.moments(&x);
            Zip::from(y).and(&x).for_each(|y, &x| *y = (x - mu) / sigma);
        });
        y
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        vec![v.when(0, || {
            let x = v.inputs[0];
            let last = last_axis(x);
            let mut dx = ArrayD::zeros(x.raw_dim());
            Zip::from(dx.lanes_mut(last)).and(x.lanes(last)).and(v.grad.lanes(last)).and(v.output.lanes(last)).for_each(
                |dx, x, g, y| {
                    let n = T::c(x.len() as f64);
                    let (_, sigma) = self.moments(&x);
                    let mean_g = g.sum() / n;
                    let mean_gy = Zip::from(&g).and(&y).fold(T::zero(), |acc, &g, &y| acc + g * y) / n;
                    Zip::from(dx).and(&g).and(&y).for_each(|dx, &g, &y| *dx = (g - mean_g - y * mean_gy) / sigma);
                },
            );
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
