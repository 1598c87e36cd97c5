//! One pre-norm transformer block over all nodes of the target network's graph:
//! `h <- h + Attn(FiLM(h))`, then `h <- h + MLP(FiLM(h))`, with full multi-head
//! self-attention `softmax(Q K^T / sqrt(d_h)) V` (every node sees every node) and a
//! two-layer SiLU MLP. Node order never enters, so the block is equivariant to any
//! permutation of the nodes.

use super::condition::Film;
use super::linear::Linear;
use crate::params::ParamStore;
use autodiff::{Float, Key, Tensor};

pub struct Block<F: Float = f32> {
    attn_norm: Film<F>,
    qkv: Linear<F>,
    attn_out: Linear<F>,
    mlp_norm: Film<F>,
    fc1: Linear<F>,
    fc2: Linear<F>,
    heads: usize,
}

impl<F: Float> Block<F> {
    pub fn new(store: &mut ParamStore<F>, name: &str, width: usize, heads: usize, code_width: usize, key: Key) -> Block<F> {
        let k = key.split(6);
        let n = |part: &str| format!("{name}.{part}");
        Block {
            attn_norm: Film::new(store, &n("attn_norm"), code_width, width, k[0]),
            qkv: Linear::new(store, &n("qkv"), width, 3 * width, 1.0, 0.0, k[1]),
            attn_out: Linear::new(store, &n("attn_out"), width, width, 0.5, 0.0, k[2]),
            mlp_norm: Film::new(store, &n("mlp_norm"), code_width, width, k[3]),
            fc1: Linear::new(store, &n("fc1"), width, 2 * width, 1.0, 0.0, k[4]),
            fc2: Linear::new(store, &n("fc2"), 2 * width, width, 0.5, 0.0, k[5]),
            heads,
        }
    }

    /// `h: [B, T, d]` to `[B, T, d]`, conditioned on the beta code `c: [B, cw]`.
    pub fn forward(&self, h: &Tensor<F>, code: &Tensor<F>) -> Tensor<F> {
        let h = h.add(&self.attention(&self.attn_norm.forward(h, code)));
        let inner = self.fc1.forward(&self.mlp_norm.forward(&h, code)).silu();
        h.add(&self.fc2.forward(&inner))
    }

    fn attention(&self, x: &Tensor<F>) -> Tensor<F> {
        let s = x.shape();
        let (b, t, d) = (s[0], s[1], s[2]);
        let dh = d / self.heads;
        let qkv = self.qkv.forward(x);
        // [B, T, d] -> [B, H, T, dh]
        let split = |i: usize| qkv.narrow(2, i * d, d).reshape(&[b, t, self.heads, dh]).permute(&[0, 2, 1, 3]);
        let (q, k, v) = (split(0), split(1), split(2));
        let scores = q.matmul(&k.transpose(2, 3)).mul_scalar(F::one() / F::c(dh as f64).sqrt());
        let mixed = scores.softmax(-1).matmul(&v);
        self.attn_out.forward(&mixed.permute(&[0, 2, 1, 3]).reshape(&[b, t, d]))
    }
}
