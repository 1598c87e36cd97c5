//! Strided batched matrix products through cuBLAS:
//! `c[i] <- alpha op(a[i]) op(b[i]) + beta c[i]` for `i in 0..batch`, with row-major
//! operands like the CPU [`crate::gemm::batched_gemm`]. `op` transposes an operand
//! stored the other way round (no copy); a batch stride of 0 broadcasts one matrix.
//!
//! cuBLAS is column-major, and a row-major `r x c` matrix is the column-major `c x r`
//! matrix of the same buffer. So the row-major `C = op(A) op(B)` is computed as the
//! column-major `C^T = op(B)^T op(A)^T`: cuBLAS gets B first, A second, and `m`, `n`
//! swapped. cuBLAS gives the same bits run to run on one GPU model (single stream).

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use cudarc::cublas::sys::cublasOperation_t;
use cudarc::cublas::{GemmConfig, StridedBatchedConfig};

/// The shape of a batched product: `op(a)` is `m x k`, `op(b)` is `k x n`, `c` is
/// `batch` contiguous row-major `m x n` blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GemmBatch {
    pub batch: usize,
    pub m: usize,
    pub k: usize,
    pub n: usize,
    /// `a` is stored `k x m` (row-major) and read transposed.
    pub a_transposed: bool,
    /// `b` is stored `n x k` (row-major) and read transposed.
    pub b_transposed: bool,
    /// Elements between consecutive matrices of `a` (0 broadcasts one matrix).
    pub a_batch_stride: usize,
    /// Elements between consecutive matrices of `b` (0 broadcasts one matrix).
    pub b_batch_stride: usize,
}

/// `v` as a cuBLAS `int`, or a panic naming the dimension.
fn int(what: &str, v: usize) -> i32 {
    i32::try_from(v).unwrap_or_else(|_| panic!("cuda gemm: {what} = {v} exceeds cuBLAS's 32-bit range"))
}

/// Elements a batch of `rows x cols` matrices spans (0 if the batch is empty).
fn extent(batch: usize, stride: usize, rows: usize, cols: usize) -> usize {
    if batch == 0 || rows * cols == 0 {
        0
    } else {
        (batch - 1) * stride + rows * cols
    }
}

fn transpose(t: bool) -> cublasOperation_t {
    if t {
        cublasOperation_t::CUBLAS_OP_T
    } else {
        cublasOperation_t::CUBLAS_OP_N
    }
}

impl Device {
    /// `c[i] <- alpha op(a[i]) op(b[i]) + beta c[i]` for every batch entry.
    pub fn gemm<T: GpuElement>(
        &self,
        dims: GemmBatch,
        alpha: T,
        a: &DeviceBuffer<T>,
        b: &DeviceBuffer<T>,
        beta: T,
        c: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let GemmBatch { batch, m, k, n, a_transposed, b_transposed, a_batch_stride, b_batch_stride } = dims;
        let need_a = extent(batch, a_batch_stride, m, k);
        let need_b = extent(batch, b_batch_stride, k, n);
        assert!(a.len() >= need_a, "cuda gemm {dims:?}: a holds {} elements, needs {need_a}", a.len());
        assert!(b.len() >= need_b, "cuda gemm {dims:?}: b holds {} elements, needs {need_b}", b.len());
        assert_eq!(c.len(), batch * m * n, "cuda gemm {dims:?}: c holds {} elements, needs {}", c.len(), batch * m * n);
        if batch == 0 || m == 0 || n == 0 {
            return Ok(());
        }
        // Column-major leading dimensions of the stored buffers (at least 1, as cuBLAS
        // requires even when k = 0).
        let ld_b = if b_transposed { k } else { n }.max(1);
        let ld_a = if a_transposed { m } else { k }.max(1);
        let config = StridedBatchedConfig {
            gemm: GemmConfig {
                transa: transpose(b_transposed),
                transb: transpose(a_transposed),
                m: int("n", n),
                n: int("m", m),
                k: int("k", k),
                alpha,
                lda: int("ld b", ld_b),
                ldb: int("ld a", ld_a),
                beta,
                ldc: int("n", n),
            },
            batch_size: int("batch", batch),
            stride_a: b_batch_stride as i64,
            stride_b: a_batch_stride as i64,
            stride_c: (m * n) as i64,
        };
        let blas = self.blas()?;
        // SAFETY: every batch entry of a, b and c was checked to lie inside its buffer.
        unsafe { T::gemm_strided_batched(blas, config, b.raw(), a.raw(), c.raw_mut()) }?;
        Ok(())
    }
}
