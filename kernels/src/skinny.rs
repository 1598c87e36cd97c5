//! Matrix products with an axis of length 1, which `matrixmultiply` would pack
//! (copy) in full for a kernel that then does one multiply-add per element:
//!
//! - `n = 1`, `c = A b` (matrix-vector), and `m = 1`, `c^T = B^T a^T` (the same with
//!   the roles swapped). With `A`'s rows contiguous each `c_i` is a dot product
//!   (`lanes::dot`, 16 interleaved partial sums added in order); with `A`'s columns
//!   contiguous `c += b_p A[:, p]` for `p` in order.
//! - `k = 1`, `C = a b^T` (outer product), one row at a time.
//!
//! The summation order is fixed by this code alone (not by threads or vector width),
//! so results are reproducible; they differ in the last bits from `matrixmultiply`'s
//! own order. `C <- alpha * product + beta * C`, with `C` not read when `beta = 0`.

use crate::element::Element;
use crate::layout::MatLayout;
use crate::lanes::dot;
use crate::simd::widest;

/// `c <- alpha a b + beta c` by one of the loops above, when the shapes and strides
/// fit one; returns false (and touches nothing) otherwise. The caller has checked
/// that the layouts agree and stay inside their buffers.
#[allow(clippy::too_many_arguments)]
pub fn try_skinny<T: Element>(alpha: T, a: &[T], la: MatLayout, b: &[T], lb: MatLayout, beta: T, c: &mut [T], lc: MatLayout) -> bool {
    let (m, k, n) = (la.rows, la.cols, lb.cols);
    if n == 1 && lc.row_stride == 1 && lb.row_stride == 1 {
        matrix_vector(alpha, a, la, &b[..k], beta, c, m)
    } else if m == 1 && lc.col_stride == 1 && la.col_stride == 1 {
        matrix_vector(alpha, b, lb.t(), &a[..k], beta, c, n)
    } else if k == 1 && lc.col_stride == 1 && lb.col_stride == 1 {
        widest(#[inline(always)] || outer(alpha, a, la.row_stride as usize, &b[..n], beta, c, lc));
        true
    } else {
        false
    }
}

/// `c[..rows] <- alpha M v + beta c` for `M` of `layout` (`rows x v.len()`), when
/// `M`'s rows or columns are contiguous.
fn matrix_vector<T: Element>(alpha: T, mat: &[T], layout: MatLayout, v: &[T], beta: T, c: &mut [T], rows: usize) -> bool {
    let c = &mut c[..rows];
    let finish = |c: &mut T, dot: T| *c = if beta == T::zero() { alpha * dot } else { alpha * dot + beta * *c };
    if layout.col_stride == 1 {
        let rs = layout.row_stride as usize;
        widest(#[inline(always)] || {
            for (i, ci) in c.iter_mut().enumerate() {
                finish(ci, dot(&mat[i * rs..i * rs + v.len()], v));
            }
        });
        true
    } else if layout.row_stride == 1 {
        let cs = layout.col_stride as usize;
        widest(#[inline(always)] || {
            let mut acc = vec![T::zero(); rows];
            for (p, &vp) in v.iter().enumerate() {
                let column = &mat[p * cs..p * cs + rows];
                for (s, &x) in acc.iter_mut().zip(column) {
                    *s = *s + x * vp;
                }
            }
            for (ci, &s) in c.iter_mut().zip(&acc) {
                finish(ci, s);
            }
        });
        true
    } else {
        false
    }
}

/// `C <- alpha a b^T + beta C` for a column `a` (stride `a_stride`) and a contiguous row `b`.
#[inline(always)]
fn outer<T: Element>(alpha: T, a: &[T], a_stride: usize, b: &[T], beta: T, c: &mut [T], lc: MatLayout) {
    let rs = lc.row_stride as usize;
    for i in 0..lc.rows {
        let ai = alpha * a[i * a_stride];
        let row = &mut c[i * rs..i * rs + b.len()];
        if beta == T::zero() {
            for (cij, &bj) in row.iter_mut().zip(b) {
                *cij = ai * bj;
            }
        } else {
            for (cij, &bj) in row.iter_mut().zip(b) {
                *cij = ai * bj + beta * *cij;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::tests::naive;

    /// Small integers: every summation order gives the exact product.
    fn ints(n: usize, salt: usize) -> Vec<f64> {
        (0..n).map(|i| ((i * 31 + salt * 17) % 11) as f64 - 5.0).collect()
    }

    #[test]
    fn each_skinny_shape_matches_the_naive_product() {
        let rm = MatLayout::row_major;
        // (a layout, b layout) with an axis of length 1, in both orientations of the matrix.
        let cases = [
            (rm(37, 53), rm(53, 1)),
            (rm(53, 37).t(), rm(53, 1)),
            (rm(1, 53), rm(53, 37)),
            (rm(1, 53), rm(37, 53).t()),
            (rm(37, 1), rm(1, 29)),
        ];
        for (la, lb) in cases {
            let (a, b) = (ints(la.rows * la.cols, 1), ints(lb.rows * lb.cols, 2));
            let lc = rm(la.rows, lb.cols);
            let want = naive(&a, la, &b, lb);
            let mut c = vec![f64::NAN; la.rows * lb.cols];
            assert!(try_skinny(1.0, &a, la, &b, lb, 0.0, &mut c, lc), "{la:?} x {lb:?} took no skinny path");
            assert_eq!(c, want, "{la:?} x {lb:?}");
            // alpha and beta: c <- 2 ab + 3 c.
            let mut c2 = c.clone();
            assert!(try_skinny(2.0, &a, la, &b, lb, 3.0, &mut c2, lc));
            assert_eq!(c2, want.iter().map(|w| 5.0 * w).collect::<Vec<_>>(), "{la:?} x {lb:?} with beta");
        }
    }

    #[test]
    fn wider_products_are_left_to_matrixmultiply() {
        let rm = MatLayout::row_major;
        let mut c = vec![0.0f32; 4];
        assert!(!try_skinny(1.0, &[0.0; 4], rm(2, 2), &[0.0; 4], rm(2, 2), 0.0, &mut c, rm(2, 2)));
    }
}
