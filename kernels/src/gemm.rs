//! Matrix products through `matrixmultiply`.
//!
//! `C <- alpha * op(A) op(B) + beta * C` where each operand is a strided view of a
//! buffer. A transposed operand is just a view with its strides swapped, so `A^T B`
//! and `A B^T` (the matmul VJPs) never copy. Batched products take a batch stride per
//! operand; a batch stride of 0 broadcasts one matrix over the whole batch. Products
//! with an axis of length 1 (matrix-vector, outer) take the loops of `skinny.rs`.

use crate::element::Element;
pub use crate::layout::MatLayout;
use rayon::prelude::*;

/// `c <- alpha * a b + beta * c` for one matrix product.
///
/// Panics if the shapes disagree or a layout reaches outside its buffer.
#[allow(clippy::too_many_arguments)] // BLAS's argument list: each operand with its layout
pub fn gemm<T: Element>(alpha: T, a: &[T], la: MatLayout, b: &[T], lb: MatLayout, beta: T, c: &mut [T], lc: MatLayout) {
    assert!(
        la.cols == lb.rows && la.rows == lc.rows && lb.cols == lc.cols,
        "gemm: shapes disagree: a {}x{}, b {}x{}, c {}x{}",
        la.rows, la.cols, lb.rows, lb.cols, lc.rows, lc.cols
    );
    assert!(a.len() >= la.extent(), "gemm: a's layout reaches past its buffer");
    assert!(b.len() >= lb.extent(), "gemm: b's layout reaches past its buffer");
    assert!(c.len() >= lc.extent(), "gemm: c's layout reaches past its buffer");
    if lc.rows == 0 || lc.cols == 0 {
        return;
    }
    if la.cols == 0 {
        // Empty inner dimension: the product is zero.
        for r in 0..lc.rows {
            for col in 0..lc.cols {
                let i = r * lc.row_stride as usize + col * lc.col_stride as usize;
                c[i] = if beta == T::zero() { T::zero() } else { beta * c[i] };
            }
        }
        return;
    }
    if crate::skinny::try_skinny(alpha, a, la, b, lb, beta, c, lc) {
        return;
    }
    // SAFETY: shapes agree and every layout was checked to stay inside its buffer.
    unsafe {
        T::raw_gemm(
            la.rows, la.cols, lb.cols, alpha,
            a.as_ptr(), la.row_stride, la.col_stride,
            b.as_ptr(), lb.row_stride, lb.col_stride,
            beta, c.as_mut_ptr(), lc.row_stride, lc.col_stride,
        )
    }
}

/// Rows of `c` per block in [`gemm_row_blocks`]: at most 16 blocks, each of at least
/// 2^16 multiply-adds and at least 64 rows (every block packs all of `b`, `k n`
/// elements, so a block needs many rows to repay that). A function of the shape alone.
fn rows_per_block(rows: usize, k: usize, n: usize) -> usize {
    let min_rows = (1usize << 16).div_ceil((k * n).max(1)).max(64);
    rows.div_ceil(16).max(min_rows)
}

/// [`gemm`] with `c` row-major contiguous and its rows cut into blocks (fixed by the
/// shape, see `rows_per_block`) that run in parallel. Each element of `c` is a
/// product of one row of `a` and one column of `b` computed by the same code
/// whichever block holds it, so the bits do not depend on the thread count.
#[allow(clippy::too_many_arguments)]
pub fn gemm_row_blocks<T: Element>(alpha: T, a: &[T], la: MatLayout, b: &[T], lb: MatLayout, beta: T, c: &mut [T], lc: MatLayout) {
    assert_eq!(lc, MatLayout::row_major(lc.rows, lc.cols), "gemm_row_blocks: c must be row-major contiguous");
    assert!(la.row_stride >= 0 && la.rows == lc.rows, "gemm_row_blocks: a must have c's rows and a non-negative row stride");
    let (rows, n) = (lc.rows, lc.cols);
    let per_block = rows_per_block(rows, la.cols, n);
    if per_block >= rows || n == 0 || rayon::current_num_threads() == 1 {
        return gemm(alpha, a, la, b, lb, beta, c, lc);
    }
    c[..rows * n].par_chunks_mut(per_block * n).enumerate().for_each(|(i, ci)| {
        let r = ci.len() / n;
        let a_block = &a[i * per_block * la.row_stride as usize..];
        gemm(alpha, a_block, MatLayout { rows: r, ..la }, b, lb, beta, ci, MatLayout::row_major(r, n));
    });
}

/// `c[i] <- alpha * a[i] b[i] + beta * c[i]` for `i in 0..batch`.
///
/// Matrix `i` of `a` starts at offset `i * a_batch_stride` (0 broadcasts one matrix);
/// the same for `b`. `c` is contiguous: `batch` row-major `lc.rows x lc.cols` blocks.
/// When one `b` serves every batch and the `a`s lie one below the other
/// (`a_batch_stride = rows * row_stride`), the batch is one tall product
/// `[batch * rows, k] x [k, n]` split by rows ([`gemm_row_blocks`]); otherwise
/// batches run in parallel. Each output block is computed by the same serial code
/// whatever the thread count, so results do not depend on it.
#[allow(clippy::too_many_arguments)]
pub fn batched_gemm<T: Element>(
    batch: usize, alpha: T,
    a: &[T], la: MatLayout, a_batch_stride: usize,
    b: &[T], lb: MatLayout, b_batch_stride: usize,
    beta: T, c: &mut [T], lc: MatLayout,
) {
    let block = lc.rows * lc.cols;
    assert_eq!(lc, MatLayout::row_major(lc.rows, lc.cols), "batched_gemm: c must be row-major contiguous");
    assert!(c.len() >= batch * block, "batched_gemm: c holds {} elements, needs {}", c.len(), batch * block);
    if batch == 0 || block == 0 {
        return;
    }
    let stacked = batch == 1 || (b_batch_stride == 0 && la.row_stride >= 0 && a_batch_stride as isize == la.rows as isize * la.row_stride);
    if stacked {
        let tall = |l: MatLayout| MatLayout { rows: batch * l.rows, ..l };
        return gemm_row_blocks(alpha, a, tall(la), b, lb, beta, &mut c[..batch * block], tall(lc));
    }
    let one = |i: usize, ci: &mut [T]| {
        gemm(alpha, &a[i * a_batch_stride..], la, &b[i * b_batch_stride..], lb, beta, ci, lc)
    };
    let flops = batch * block * la.cols;
    if flops >= 1 << 16 && batch > 1 && rayon::current_num_threads() > 1 {
        c[..batch * block].par_chunks_mut(block).enumerate().for_each(|(i, ci)| one(i, ci));
    } else {
        c[..batch * block].chunks_mut(block).enumerate().for_each(|(i, ci)| one(i, ci));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The product by the definition, `out[r, c] = sum_k a[r, k] b[k, c]`, through the layouts.
    pub(crate) fn naive(a: &[f64], la: MatLayout, b: &[f64], lb: MatLayout) -> Vec<f64> {
        let at = |m: &[f64], l: MatLayout, r: usize, c: usize| m[(r as isize * l.row_stride + c as isize * l.col_stride) as usize];
        let mut out = vec![0.0; la.rows * lb.cols];
        for r in 0..la.rows {
            for c in 0..lb.cols {
                out[r * lb.cols + c] = (0..la.cols).map(|k| at(a, la, r, k) * at(b, lb, k, c)).sum();
            }
        }
        out
    }

    #[test]
    fn transposed_operands_match_naive_product() {
        let a: Vec<f64> = (0..12).map(|v| v as f64 * 0.5 - 2.0).collect();
        let b: Vec<f64> = (0..20).map(|v| (v as f64).sin()).collect();
        // a is stored 4x3 and read as its 3x4 transpose; b is 4x5.
        let la = MatLayout::row_major(4, 3).t();
        let lb = MatLayout::row_major(4, 5);
        let mut c = vec![0.0; 15];
        gemm(1.0, &a, la, &b, lb, 0.0, &mut c, MatLayout::row_major(3, 5));
        let want = naive(&a, la, &b, lb);
        for (x, y) in c.iter().zip(&want) {
            approx::assert_abs_diff_eq!(x, y, epsilon = 1e-12);
        }
    }

    #[test]
    fn batched_broadcast_and_accumulate() {
        let a: Vec<f64> = (0..2 * 6).map(|v| v as f64).collect(); // 2 batches of 2x3
        let b: Vec<f64> = (0..6).map(|v| 1.0 + v as f64).collect(); // one 3x2, broadcast
        let mut c = vec![1.0; 2 * 4];
        batched_gemm(2, 2.0, &a, MatLayout::row_major(2, 3), 6, &b, MatLayout::row_major(3, 2), 0, 1.0, &mut c, MatLayout::row_major(2, 2));
        for i in 0..2 {
            let want = naive(&a[i * 6..], MatLayout::row_major(2, 3), &b, MatLayout::row_major(3, 2));
            for j in 0..4 {
                assert_eq!(c[i * 4 + j], 2.0 * want[j] + 1.0);
            }
        }
    }

    #[test]
    fn stacked_batches_and_row_blocks_match_naive_products() {
        // 40 batches of [7, 33] x one shared [33, 300]: a tall product split by rows.
        let (batch, m, k, n) = (40, 7, 33, 300);
        let a: Vec<f64> = (0..batch * m * k).map(|v| ((v * 13) % 17) as f64 - 8.0).collect();
        let b: Vec<f64> = (0..k * n).map(|v| ((v * 7) % 11) as f64 - 5.0).collect();
        let (la, lb) = (MatLayout::row_major(m, k), MatLayout::row_major(k, n));
        let run = |threads: usize| {
            let mut c = vec![0.0; batch * m * n];
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| batched_gemm(batch, 1.0, &a, la, m * k, &b, lb, 0, 0.0, &mut c, MatLayout::row_major(m, n)));
            c
        };
        let c = run(2);
        assert_eq!(c, run(1));
        for i in 0..batch {
            assert_eq!(&c[i * m * n..(i + 1) * m * n], &naive(&a[i * m * k..], la, &b, lb)[..], "batch {i}");
        }
    }

    #[test]
    fn empty_inner_dimension_gives_zero() {
        let mut c = vec![7.0f32; 4];
        gemm(1.0, &[], MatLayout::row_major(2, 0), &[], MatLayout::row_major(0, 2), 0.0, &mut c, MatLayout::row_major(2, 2));
        assert_eq!(c, vec![0.0; 4]);
    }

    #[test]
    #[should_panic(expected = "gemm: shapes disagree: a 2x3, b 2x2")]
    fn shape_mismatch_names_the_shapes() {
        let mut c = vec![0.0f32; 4];
        gemm(1.0, &[0.0; 6], MatLayout::row_major(2, 3), &[0.0; 4], MatLayout::row_major(2, 2), 0.0, &mut c, MatLayout::row_major(2, 2));
    }
}
