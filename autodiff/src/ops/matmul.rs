//! `matmul`: `Y = A B` over the last two axes, `[..., m, k] x [..., k, n] -> [..., m, n]`,
//! with the leading (batch) axes broadcast by numpy's rules. A 1-D operand is not
//! promoted: both must have at least two axes.
//!
//! VJP: `dA = G B^T`, `dB = A^T G`, each summed over the batch axes along which that
//! operand was broadcast. Transposes are strided views handed to the GEMM kernel, so
//! they cost no copy. A `B` shared by the whole batch (a layer's weight) gets its
//! summed gradient from one product over the stacked batches.

use crate::float::Float;
use crate::primitive::{Primitive, Vjp};
use crate::shape::{array, buffer, contiguous, sum_to_shape_owned};
use crate::tensor::Tensor;
use kernels::{batched_gemm, MatLayout};
use ndarray::{ArrayD, IxDyn};
use std::borrow::Cow;

/// Batched, broadcasting matrix product.
pub struct MatMul;

/// One operand prepared for the batched kernel: its data (materialised over the
/// batch only when its batch axes are partly broadcast), its matrix layout, and the
/// stride between consecutive matrices (0 when one matrix serves the whole batch).
struct Operand<'a, T: Float> {
    data: Cow<'a, [T]>,
    layout: MatLayout,
    batch_stride: usize,
}

fn operand<'a, T: Float>(x: &'a ArrayD<T>, batch: &[usize], transpose: bool) -> Operand<'a, T> {
    let nd = x.ndim();
    let (r, c) = (x.shape()[nd - 2], x.shape()[nd - 1]);
    let own_batch: usize = x.shape()[..nd - 2].iter().product();
    let full_batch: usize = batch.iter().product();
    let layout = if transpose { MatLayout::row_major(r, c).t() } else { MatLayout::row_major(r, c) };
    if own_batch == 1 {
        return Operand { data: contiguous(x), layout, batch_stride: 0 };
    }
    let data = if own_batch == full_batch {
        contiguous(x)
    } else {
        let shape: Vec<usize> = batch.iter().copied().chain([r, c]).collect();
        Cow::Owned(x.broadcast(IxDyn(&shape)).expect("matmul: batch axes broadcast").iter().copied().collect())
    };
    Operand { data, layout, batch_stride: r * c }
}

/// `[batch..., m, n]` product of two prepared operands.
fn product<T: Float>(a: &Operand<T>, b: &Operand<T>, batch: &[usize]) -> ArrayD<T> {
    let (m, n) = (a.layout.rows, b.layout.cols);
    let count: usize = batch.iter().product();
    let mut out = buffer(count * m * n);
    batched_gemm(
        count, T::one(),
        &a.data, a.layout, a.batch_stride,
        &b.data, b.layout, b.batch_stride,
        T::zero(), &mut out, MatLayout::row_major(m, n),
    );
    let shape: Vec<usize> = batch.iter().copied().chain([m, n]).collect();
    array(&shape, out)
}

/// Matrices in a batch of matrices of `shape` (the product of its batch axes).
fn matrices(shape: &[usize]) -> usize {
    shape[..shape.len() - 2].iter().product()
}

/// `dB = sum_i A_i^T G_i` for a `B` shared by the whole batch, as one product
/// `[A_1; ...; A_n]^T [G_1; ...; G_n]` of the batches stacked row-wise (one GEMM with
/// a long inner dimension instead of `n` products and a sum), shaped as `b_shape`.
fn shared_operand_gradient<T: Float>(a_t: &Operand<T>, g: &Operand<T>, batch: &[usize], b_shape: &[usize]) -> ArrayD<T> {
    let rows: usize = batch.iter().product::<usize>() * a_t.layout.cols;
    let (k, n) = (a_t.layout.rows, g.layout.cols);
    let mut out = buffer(k * n);
    kernels::gemm::gemm_row_blocks(
        T::one(),
        &a_t.data, MatLayout::row_major(rows, k).t(),
        &g.data, MatLayout::row_major(rows, n),
        T::zero(), &mut out, MatLayout::row_major(k, n),
    );
    array(b_shape, out)
}

fn batch_shape(a: &[usize], b: &[usize]) -> Vec<usize> {
    assert!(a.len() >= 2 && b.len() >= 2, "matmul: operands need at least 2 axes, got {a:?} and {b:?}");
    assert_eq!(a[a.len() - 1], b[b.len() - 2], "matmul: inner dimensions differ: {a:?} x {b:?}");
    kernels::map::broadcast_shape(&a[..a.len() - 2], &b[..b.len() - 2])
        .unwrap_or_else(|| panic!("matmul: batch axes of {a:?} and {b:?} do not broadcast"))
}

impl<T: Float> Primitive<T> for MatMul {
    fn name(&self) -> String {
        "matmul".into()
    }

    fn forward(&self, inputs: &[&ArrayD<T>]) -> ArrayD<T> {
        let batch = batch_shape(inputs[0].shape(), inputs[1].shape());
        product(&operand(inputs[0], &batch, false), &operand(inputs[1], &batch, false), &batch)
    }

    fn backward(&self, v: &Vjp<T>) -> Vec<Option<ArrayD<T>>> {
        let (a, b) = (v.inputs[0], v.inputs[1]);
        let batch = batch_shape(a.shape(), b.shape());
        let g = operand(v.grad, &batch, false);
        let db = || {
            let a_t = operand(a, &batch, true);
            if a_t.batch_stride != 0 && matrices(b.shape()) == 1 {
                return shared_operand_gradient(&a_t, &g, &batch, b.shape());
            }
            sum_to_shape_owned(product(&a_t, &g, &batch), b.shape())
        };
        vec![v.when(0, || sum_to_shape_owned(product(&g, &operand(b, &batch, true), &batch), a.shape())), v.when(1, db)]
    }
}

impl<T: Float> Tensor<T> {
    /// Matrix product over the last two axes, broadcasting the batch axes.
    pub fn matmul(&self, other: &Tensor<T>) -> Tensor<T> {
        Tensor::apply(MatMul, &[self, other])
    }
}
