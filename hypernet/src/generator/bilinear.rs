//! A bilinear form between two sets of nodes, `q(a_j) . k(b_i) / sqrt(dk)` with learnt
//! linear maps q and k to width dk: the pointer's and the slots' logits, and weight
//! sigma's per-weight W1 term.

use super::linear::Linear;
use crate::params::ParamStore;
use autodiff::{Float, Key, Tensor};

/// A bilinear form `q(a) . k(b) / sqrt(dk)` between two node sets: `[B, rows, cols]`.
pub struct Bilinear<F: Float = f32> {
    q: Linear<F>,
    k: Linear<F>,
    scale: F,
}

impl<F: Float> Bilinear<F> {
    pub fn new(store: &mut ParamStore<F>, name: &str, d: usize, dk: usize, key: Key) -> Bilinear<F> {
        let k = key.split(2);
        Bilinear {
            q: Linear::new(store, &format!("{name}.q"), d, dk, 1.0, 0.0, k[0]),
            k: Linear::new(store, &format!("{name}.k"), d, dk, 1.0, 0.0, k[1]),
            scale: F::one() / F::c(dk as f64).sqrt(),
        }
    }

    pub fn forward(&self, rows: &Tensor<F>, cols: &Tensor<F>) -> Tensor<F> {
        self.q.forward(rows).matmul(&self.k.forward(cols).transpose(1, 2)).mul_scalar(self.scale)
    }
}
