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
#[cfg(feature = "cuda")]
use crate::cuda::{launch, DeviceArray};

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

    /// `dA = sum_to(G B^T)`, `dB = sum_to(A^T G)`.
    fn vjp_graph(&self, inputs: &[Tensor<T>], _output: &Tensor<T>, grad: &Tensor<T>, needs: &[bool]) -> Vec<Option<Tensor<T>>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        vec![
            needs[0].then(|| grad.matmul(&b.transpose(-1, -2)).sum_to(&a.shape())),
            needs[1].then(|| a.transpose(-1, -2).matmul(grad).sum_to(&b.shape())),
        ]
    }

    #[cfg(feature = "cuda")]
    fn forward_cuda(&self, inputs: &[&DeviceArray<T>]) -> DeviceArray<T> {
        let batch = batch_shape(inputs[0].shape(), inputs[1].shape());
        device::product(&device::operand(inputs[0], &batch, false), &device::operand(inputs[1], &batch, false), &batch)
    }

    /// `dA = G B^T`, `dB = A^T G` through cuBLAS, summed over broadcast batch axes.
    #[cfg(feature = "cuda")]
    fn backward_cuda(&self, inputs: &[&DeviceArray<T>], _output: &DeviceArray<T>, grad: DeviceArray<T>, needs: &[bool]) -> Vec<Option<DeviceArray<T>>> {
        let (a, b) = (inputs[0], inputs[1]);
        let batch = batch_shape(a.shape(), b.shape());
        let g = device::operand(&grad, &batch, false);
        let da = || launch::sum_to_shape("matmul", device::product(&g, &device::operand(b, &batch, true), &batch), a.shape());
        let db = || {
            let a_t = device::operand(a, &batch, true);
            if a_t.batch_stride != 0 && matrices(b.shape()) == 1 {
                return device::shared_operand_gradient(&a_t, &g, &batch, b.shape());
            }
            launch::sum_to_shape("matmul", device::product(&a_t, &g, &batch), b.shape())
        };
        vec![needs[0].then(da), needs[1].then(db)]
    }
}

/// The same products on the device, through cuBLAS.
#[cfg(feature = "cuda")]
mod device {
    use crate::cuda::{launch, DeviceArray};
    use crate::float::Float;
    use kernels::cuda::GemmBatch;
    use std::borrow::Cow;

    /// One operand on the device, as [`super::Operand`]: its buffer (materialised
    /// over the batch only when its batch axes are partly broadcast), the shape of
    /// `op(x)` (`rows x cols`), whether it is read transposed, and its batch stride.
    pub(super) struct Operand<'a, T: Float> {
        data: Cow<'a, DeviceArray<T>>,
        rows: usize,
        cols: usize,
        transposed: bool,
        pub(super) batch_stride: usize,
    }

    pub(super) fn operand<'a, T: Float>(x: &'a DeviceArray<T>, batch: &[usize], transpose: bool) -> Operand<'a, T> {
        let nd = x.shape().len();
        let (r, c) = (x.shape()[nd - 2], x.shape()[nd - 1]);
        let (rows, cols) = if transpose { (c, r) } else { (r, c) };
        let own_batch: usize = x.shape()[..nd - 2].iter().product();
        let full_batch: usize = batch.iter().product();
        let (data, batch_stride) = if own_batch == 1 {
            (Cow::Borrowed(x), 0)
        } else if own_batch == full_batch {
            (Cow::Borrowed(x), r * c)
        } else {
            let shape: Vec<usize> = batch.iter().copied().chain([r, c]).collect();
            (Cow::Owned(launch::broadcast("matmul", x, &shape)), r * c)
        };
        Operand { data, rows, cols, transposed: transpose, batch_stride }
    }

    /// `c = op(a) op(b)` for `batch` products into a new `[rows, cols]` array of
    /// `shape` (zeros first when the inner dimension is empty).
    fn gemm<T: Float>(dims: GemmBatch, a: &DeviceArray<T>, b: &DeviceArray<T>, shape: &[usize]) -> DeviceArray<T> {
        let device = a.device();
        let mut c = if dims.k == 0 { DeviceArray::zeros("matmul", device, shape) } else { DeviceArray::uninit("matmul", device, shape) };
        launch::ok("matmul", device, device.kernels().gemm(dims, T::one(), a.buffer(), b.buffer(), T::zero(), c.buffer_mut()));
        c
    }

    /// `[batch..., m, n]` product of two prepared operands.
    pub(super) fn product<T: Float>(a: &Operand<T>, b: &Operand<T>, batch: &[usize]) -> DeviceArray<T> {
        let (m, k, n) = (a.rows, a.cols, b.cols);
        let dims = GemmBatch {
            batch: batch.iter().product(),
            m,
            k,
            n,
            a_transposed: a.transposed,
            b_transposed: b.transposed,
            a_batch_stride: a.batch_stride,
            b_batch_stride: b.batch_stride,
        };
        let shape: Vec<usize> = batch.iter().copied().chain([m, n]).collect();
        gemm(dims, &a.data, &b.data, &shape)
    }

    /// `dB = [A_1; ...; A_n]^T [G_1; ...; G_n]` for a `B` shared by the batch, as one
    /// product with a long inner dimension (as the CPU version), shaped as `b_shape`.
    pub(super) fn shared_operand_gradient<T: Float>(a_t: &Operand<T>, g: &Operand<T>, batch: &[usize], b_shape: &[usize]) -> DeviceArray<T> {
        let rows: usize = batch.iter().product::<usize>() * a_t.cols;
        let dims = GemmBatch {
            batch: 1,
            m: a_t.rows,
            k: rows,
            n: g.cols,
            a_transposed: true,
            b_transposed: false,
            a_batch_stride: 0,
            b_batch_stride: 0,
        };
        gemm(dims, &a_t.data, &g.data, b_shape)
    }
}

impl<T: Float> Tensor<T> {
    /// Matrix product over the last two axes, broadcasting the batch axes.
    pub fn matmul(&self, other: &Tensor<T>) -> Tensor<T> {
        Tensor::apply(MatMul, &[self, other])
    }
}
