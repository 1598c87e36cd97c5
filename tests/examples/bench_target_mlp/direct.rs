//! The same step written by hand, with no autodiff: per network, the forward and the
//! backward as `kernels::gemm` calls (matrixmultiply) and fused elementwise loops, the
//! networks spread over the rayon pool. Its time is the floor that the autodiff
//! version's graph, allocations and copies are measured against.
//!
//! Backward of the step in `workload.rs`, with `r_i = y_i - t_i` and
//! `g_i = dL/dy_i = 2 r_i / (B N)`: `db2 = sum_i g_i`, `dw2 = H^T g`,
//! `dU_ij = g_i w2_j silu'(U_ij)` with `silu'(u) = s (1 + u (1 - s))`, `s = sigmoid(u)`,
//! `db1 = sum_i dU_i`, `dW1 = dU^T X`.

use crate::workload::{Gradients, Sizes, Workload};
use kernels::{gemm, MatLayout};
use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;

/// One network's weights, borrowed from the batched buffers.
struct Network<'a> {
    x: &'a [f32],
    target: &'a [f32],
    w1: &'a [f32],
    b1: &'a [f32],
    w2: &'a [f32],
    b2: f32,
}

/// One network's share of the loss sum and its gradients.
struct NetworkGradients {
    loss: f32,
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: f32,
}

fn rm(rows: usize, cols: usize) -> MatLayout {
    MatLayout::row_major(rows, cols)
}

/// Forward and backward of one network; `scale = 1/(B N)` is the mean's factor.
fn network_step(s: Sizes, net: &Network, scale: f32) -> NetworkGradients {
    let (pts, inp, m) = (s.points, s.inputs, s.hidden);
    let mut u = vec![0.0f32; pts * m];
    gemm(1.0, net.x, rm(pts, inp), net.w1, rm(m, inp).t(), 0.0, &mut u, rm(pts, m));
    let mut sig = vec![0.0f32; pts * m];
    let mut h = vec![0.0f32; pts * m];
    for ((u_row, s_row), h_row) in u.chunks_mut(m).zip(sig.chunks_mut(m)).zip(h.chunks_mut(m)) {
        for j in 0..m {
            let uj = u_row[j] + net.b1[j];
            let sj = 1.0 / (1.0 + (-uj).exp());
            u_row[j] = uj;
            s_row[j] = sj;
            h_row[j] = uj * sj;
        }
    }
    let mut y = vec![0.0f32; pts];
    gemm(1.0, &h, rm(pts, m), net.w2, rm(m, 1), 0.0, &mut y, rm(pts, 1));
    let mut loss = 0.0f32;
    let g: Vec<f32> = y
        .iter()
        .zip(net.target)
        .map(|(&yi, &ti)| {
            let r = yi + net.b2 - ti;
            loss += r * r;
            2.0 * scale * r
        })
        .collect();
    let mut w2 = vec![0.0f32; m];
    gemm(1.0, &h, rm(pts, m).t(), &g, rm(pts, 1), 0.0, &mut w2, rm(m, 1));
    // dU overwrites U, row by row, and db1 sums its rows.
    let mut b1 = vec![0.0f32; m];
    for ((u_row, s_row), &gi) in u.chunks_mut(m).zip(sig.chunks(m)).zip(&g) {
        for j in 0..m {
            let (uj, sj) = (u_row[j], s_row[j]);
            let du = gi * net.w2[j] * sj * (1.0 + uj * (1.0 - sj));
            u_row[j] = du;
            b1[j] += du;
        }
    }
    let mut w1 = vec![0.0f32; m * inp];
    gemm(1.0, &u, rm(pts, m).t(), net.x, rm(pts, inp), 0.0, &mut w1, rm(m, inp));
    NetworkGradients { loss: loss * scale, w1, b1, w2, b2: g.iter().sum() }
}

fn slice(a: &ArrayD<f32>) -> &[f32] {
    a.as_slice().expect("direct: workload arrays are row-major contiguous")
}

/// The loss and all gradients of one step.
pub fn step(w: &Workload) -> Gradients {
    let s = w.sizes;
    let (pts, inp, m) = (s.points, s.inputs, s.hidden);
    let scale = 1.0 / (s.batch * pts) as f32;
    let per_network: Vec<NetworkGradients> = (0..s.batch)
        .into_par_iter()
        .map(|b| {
            let net = Network {
                x: &slice(&w.x)[b * pts * inp..(b + 1) * pts * inp],
                target: &slice(&w.target)[b * pts..(b + 1) * pts],
                w1: &slice(&w.w1)[b * m * inp..(b + 1) * m * inp],
                b1: &slice(&w.b1)[b * m..(b + 1) * m],
                w2: &slice(&w.w2)[b * m..(b + 1) * m],
                b2: slice(&w.b2)[b],
            };
            network_step(s, &net, scale)
        })
        .collect();
    let stack = |shape: &[usize], part: &dyn Fn(&NetworkGradients) -> &[f32]| {
        let data: Vec<f32> = per_network.iter().flat_map(|n| part(n).iter().copied()).collect();
        ArrayD::from_shape_vec(IxDyn(shape), data).expect("direct: gradient sizes match the weights")
    };
    Gradients {
        loss: per_network.iter().map(|n| n.loss).sum(),
        w1: stack(w.w1.shape(), &|n| &n.w1),
        b1: stack(w.b1.shape(), &|n| &n.b1),
        w2: stack(w.w2.shape(), &|n| &n.w2),
        b2: stack(w.b2.shape(), &|n| std::slice::from_ref(&n.b2)),
    }
}
