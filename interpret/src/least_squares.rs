//! Ordinary least squares for a handful of features: the `c` minimising
//! `|F c - y|^2`, from the normal equations `(F^T F + eps I) c = F^T y` solved in f64
//! by Gaussian elimination with partial pivoting. The tiny ridge
//! `eps = 1e-12 * trace(F^T F) / k` only keeps exactly collinear features (say, two
//! identical columns) from making the system singular.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// Coefficients `c` (one per column of `features`) minimising `|features c - y|^2`.
pub fn least_squares(features: ArrayView2<f64>, y: ArrayView1<f64>) -> Array1<f64> {
    assert_eq!(
        features.nrows(),
        y.len(),
        "least_squares: features {:?} need one row per target, got {} targets",
        features.dim(),
        y.len()
    );
    let k = features.ncols();
    let mut a: Array2<f64> = features.t().dot(&features);
    let mut b: Array1<f64> = features.t().dot(&y);
    let eps = 1e-12 * a.diag().sum() / k.max(1) as f64 + f64::MIN_POSITIVE;
    a.diag_mut().mapv_inplace(|d| d + eps);
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| a[[i, col]].abs().total_cmp(&a[[j, col]].abs())).expect("col < k");
        for c in 0..k {
            a.swap([col, c], [pivot, c]);
        }
        b.swap(col, pivot);
        for row in col + 1..k {
            let factor = a[[row, col]] / a[[col, col]];
            for c in col..k {
                a[[row, c]] -= factor * a[[col, c]];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut c = Array1::zeros(k);
    for row in (0..k).rev() {
        let tail: f64 = (row + 1..k).map(|j| a[[row, j]] * c[j]).sum();
        c[row] = (b[row] - tail) / a[[row, row]];
    }
    c
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use ndarray::array;

    #[test]
    fn recovers_exact_coefficients() {
        let f = array![[1.0, 0.0, 1.0], [2.0, 1.0, 1.0], [0.0, 3.0, 1.0], [1.0, 1.0, 1.0], [4.0, -1.0, 1.0]];
        let truth = array![2.0, -0.5, 0.25];
        let c = least_squares(f.view(), f.dot(&truth).view());
        assert!((&c - &truth).iter().all(|d| d.abs() < 1e-9), "{c}");
    }

    #[test]
    fn duplicate_columns_split_the_weight_instead_of_failing() {
        let f = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        let c = least_squares(f.view(), array![2.0, 4.0, 6.0].view());
        assert!(abs_diff_eq!(c[0] + c[1], 2.0, epsilon = 1e-6) && c.iter().all(|v| v.is_finite()), "{c}");
    }
}
