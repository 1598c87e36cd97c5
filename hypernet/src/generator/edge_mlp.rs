//! The edge-MLP W1 readout: each input weight from a small MLP of the pair of nodes it
//! joins,
//!
//! ```text
//! W1[j, i] = w . silu(A [H_j, X_i, H_j * X_i] + a) + c,
//! ```
//!
//! with hidden features `H_j`, input features `X_i` (width d), one hidden layer of
//! width e (`key_dim`) and `*` elementwise. `A = [A_h; A_x; A_p]` is computed in three
//! parts, `A_h H_j` per neuron and `A_x X_i` per input (cheap) plus `A_p (H_j * X_i)`
//! per pair, so no `[B, m, n, 3d]` concatenation is built. Each weight depends on its
//! own two nodes only, so permuting nodes permutes `W1` alike.

use super::linear::Linear;
use crate::params::ParamStore;
use autodiff::{Float, Key, Tensor};

pub struct EdgeMlp<F: Float = f32> {
    /// `A [3d, e]` and `a`.
    hidden: Linear<F>,
    /// `w [e, 1]` and `c`.
    out: Linear<F>,
}

impl<F: Float> EdgeMlp<F> {
    pub fn new(store: &mut ParamStore<F>, name: &str, d: usize, e: usize, key: Key) -> EdgeMlp<F> {
        let k = key.split(2);
        EdgeMlp {
            hidden: Linear::new(store, &format!("{name}.hidden"), 3 * d, e, 1.0, 0.0, k[0]),
            out: Linear::new(store, &format!("{name}.out"), e, 1, 1.0, 0.0, k[1]),
        }
    }

    /// `W1 [B, m, n]` from hidden features `[B, m, d]` and input features `[B, n, d]`.
    pub fn forward(&self, hidden: &Tensor<F>, inputs: &Tensor<F>) -> Tensor<F> {
        let (hs, xs) = (hidden.shape(), inputs.shape());
        assert!(hs.len() == 3 && xs.len() == 3 && hs[0] == xs[0] && hs[2] == xs[2], "EdgeMlp: hidden {hs:?} and inputs {xs:?} must be [B, m, d] and [B, n, d]");
        let (b, m, n, d) = (hs[0], hs[1], xs[1], hs[2]);
        let e = self.hidden.bias.len();
        let part = |p: usize| self.hidden.weight.narrow(0, p * d, d);
        let per_neuron = hidden.matmul(&part(0)).add(&self.hidden.bias).reshape(&[b, m, 1, e]);
        let per_input = inputs.matmul(&part(1)).reshape(&[b, 1, n, e]);
        let products = hidden.reshape(&[b, m, 1, d]).mul(&inputs.reshape(&[b, 1, n, d])); // [B, m, n, d]
        let pre = products.matmul(&part(2)).add(&per_neuron).add(&per_input);
        self.out.forward(&pre.silu()).reshape(&[b, m, n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{concatenate, Axis};

    /// The split computation equals the MLP of the concatenated pair, entry by entry.
    #[test]
    fn equals_the_mlp_of_the_concatenated_pair() {
        let (b, m, n, d, e) = (2, 3, 4, 5, 6);
        let mut store = ParamStore::<f64>::new();
        let mlp = EdgeMlp::new(&mut store, "edge", d, e, Key::new(1));
        mlp.hidden.bias.update(|v| v.assign(&Key::new(2).normal::<f64>(&[e])));
        let k = Key::new(3).split(2);
        let (h, x) = (k[0].normal::<f64>(&[b, m, d]), k[1].normal::<f64>(&[b, n, d]));
        let w1 = mlp.forward(&Tensor::constant(h.clone()), &Tensor::constant(x.clone())).to_array();
        let (a, bias, w, c) = (mlp.hidden.weight.to_array(), mlp.hidden.bias.to_array(), mlp.out.weight.to_array(), mlp.out.bias.to_array());
        let silu = |u: f64| u / (1.0 + (-u).exp());
        for net in 0..b {
            for j in 0..m {
                for i in 0..n {
                    let (hj, xi) = (h.slice(ndarray::s![net, j, ..]), x.slice(ndarray::s![net, i, ..]));
                    let pair = concatenate(Axis(0), &[hj, xi, (&hj * &xi).view()]).unwrap();
                    let want: f64 = (0..e).map(|q| silu((0..3 * d).map(|p| pair[p] * a[[p, q]]).sum::<f64>() + bias[q]) * w[[q, 0]]).sum::<f64>() + c[0];
                    assert!((w1[[net, j, i]] - want).abs() < 1e-12, "W1[{net}, {j}, {i}] = {}, want {want}", w1[[net, j, i]]);
                }
            }
        }
    }
}
