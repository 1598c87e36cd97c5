//! Eigenvalues of a real symmetric matrix: Householder reduction to tridiagonal form,
//! then the QL algorithm with implicit shifts (the classic `tred2` / `tqli` pair,
//! eigenvalues only), `O(d^3)` for a `d x d` matrix.
//!
//! 1. Householder: for `i = d-1, ..., 1`, a reflection `P = I - u u^T / h` zeroes row
//!    `i` left of the subdiagonal; `A <- P A P` keeps the eigenvalues. What is left is a
//!    tridiagonal `T` (diagonal `d`, off-diagonal `e`).
//! 2. QL with implicit Wilkinson-type shifts: repeated orthogonal similarity
//!    transforms of `T` that drive each off-diagonal `e_l` to zero, a block at a time;
//!    a zero `e_l` splits the problem, and `d_l` is then an eigenvalue.
//!
//! Also: [`top_by_power_iteration`], the largest-magnitude eigenvalues of a symmetric
//! operator known only through products `v -> A v` (a Hessian through `hvp`).

use autodiff::Key;
use ndarray::Array2;

/// The eigenvalues of the symmetric matrix `a` (only its lower triangle is read),
/// ascending. Errs if the QL iteration does not converge (it does for any finite
/// symmetric matrix in practice; the bound is 60 sweeps per eigenvalue).
pub fn symmetric_eigenvalues(a: &Array2<f64>) -> Result<Vec<f64>, String> {
    let n = a.nrows();
    assert_eq!(a.ncols(), n, "symmetric_eigenvalues: a {n}x{} matrix is not square", a.ncols());
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut a = a.clone();
    let (mut d, mut e) = (vec![0.0; n], vec![0.0; n]);
    tridiagonalise(&mut a, &mut d, &mut e);
    ql_implicit(&mut d, &mut e)?;
    d.sort_by(f64::total_cmp);
    Ok(d)
}

/// Householder reduction of `a` (lower triangle) to a tridiagonal matrix: diagonal
/// into `d`, subdiagonal into `e[1..]` (`e[0] = 0`). `a` is overwritten.
fn tridiagonalise(a: &mut Array2<f64>, d: &mut [f64], e: &mut [f64]) {
    let n = d.len();
    for i in (1..n).rev() {
        let l = i - 1;
        let mut h = 0.0;
        if l > 0 {
            let scale: f64 = (0..=l).map(|k| a[[i, k]].abs()).sum();
            if scale == 0.0 {
                e[i] = a[[i, l]];
            } else {
                for k in 0..=l {
                    a[[i, k]] /= scale;
                    h += a[[i, k]] * a[[i, k]];
                }
                let f = a[[i, l]];
                let g = if f >= 0.0 { -h.sqrt() } else { h.sqrt() };
                e[i] = scale * g;
                h -= f * g;
                a[[i, l]] = f - g;
                let mut f = 0.0;
                for j in 0..=l {
                    let g = (0..=j).map(|k| a[[j, k]] * a[[i, k]]).sum::<f64>() + (j + 1..=l).map(|k| a[[k, j]] * a[[i, k]]).sum::<f64>();
                    e[j] = g / h;
                    f += e[j] * a[[i, j]];
                }
                let hh = f / (h + h);
                for j in 0..=l {
                    let f = a[[i, j]];
                    let g = e[j] - hh * f;
                    e[j] = g;
                    for k in 0..=j {
                        a[[j, k]] -= f * e[k] + g * a[[i, k]];
                    }
                }
            }
        } else {
            e[i] = a[[i, l]];
        }
        d[i] = h;
    }
    e[0] = 0.0;
    for (i, di) in d.iter_mut().enumerate() {
        *di = a[[i, i]];
    }
}

/// `|a|` with the sign of `b`.
fn with_sign(a: f64, b: f64) -> f64 {
    if b >= 0.0 {
        a.abs()
    } else {
        -a.abs()
    }
}

/// The eigenvalues of the tridiagonal matrix (diagonal `d`, subdiagonal `e[1..]`) into
/// `d`, by QL with implicit shifts; `e` is destroyed.
fn ql_implicit(d: &mut [f64], e: &mut [f64]) -> Result<(), String> {
    let n = d.len();
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    for l in 0..n {
        let mut sweeps = 0;
        loop {
            let mut m = l;
            while m + 1 < n {
                let dd = d[m].abs() + d[m + 1].abs();
                if e[m].abs() <= f64::EPSILON * dd {
                    break;
                }
                m += 1;
            }
            if m == l {
                break;
            }
            sweeps += 1;
            if sweeps > 60 {
                return Err(format!("the QL iteration did not converge for eigenvalue {l} of {n}"));
            }
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let r = g.hypot(1.0);
            g = d[m] - d[l] + e[l] / (g + with_sign(r, g));
            let (mut s, mut c, mut p) = (1.0, 1.0, 0.0);
            let mut split = false;
            for i in (l..m).rev() {
                let f = s * e[i];
                let b = c * e[i];
                let r = f.hypot(g);
                e[i + 1] = r;
                if r == 0.0 {
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    split = true;
                    break;
                }
                s = f / r;
                c = g / r;
                let g0 = d[i + 1] - p;
                let r = (d[i] - g0) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g0 + p;
                g = c * r - b;
            }
            if split {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
    Ok(())
}

/// The `k` largest-magnitude eigenvalues (signed, in the order found) of the
/// symmetric `d x d` operator `apply`, by power iteration with deflation: each
/// eigenpair `(lambda_j, u_j)` found is removed (`A v - sum_j lambda_j u_j (u_j . v)`)
/// before the next is sought. Each runs from a random start (from `key`) for at most
/// `iterations` products, stopping early when the Rayleigh quotient changes by less
/// than `1e-9` of its size. Convergence is geometric in `|lambda_{j+1} / lambda_j|`, so
/// close eigenvalues come out less accurate than well-separated ones.
pub fn top_by_power_iteration(dim: usize, k: usize, iterations: usize, key: Key, apply: impl Fn(&[f64]) -> Vec<f64>) -> Vec<f64> {
    let mut found: Vec<(f64, Vec<f64>)> = Vec::new();
    for j in 0..k.min(dim) {
        let deflated = |v: &[f64]| {
            let mut w = apply(v);
            for (lambda, u) in &found {
                let dot: f64 = u.iter().zip(v).map(|(a, b)| a * b).sum();
                w.iter_mut().zip(u).for_each(|(w, u)| *w -= lambda * dot * u);
            }
            w
        };
        let mut v: Vec<f64> = key.fold_in(j as u64).normal::<f64>(&[dim]).into_raw_vec_and_offset().0;
        normalise(&mut v);
        let mut lambda = 0.0;
        for _ in 0..iterations {
            let w = deflated(&v);
            let next: f64 = w.iter().zip(&v).map(|(a, b)| a * b).sum();
            let converged = (next - lambda).abs() <= 1e-9 * next.abs();
            lambda = next;
            v = w;
            if normalise(&mut v) == 0.0 || converged {
                break;
            }
        }
        found.push((lambda, v));
    }
    found.into_iter().map(|(lambda, _)| lambda).collect()
}

/// Scales `v` to unit length; returns the length it had.
fn normalise(v: &mut [f64]) -> f64 {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// A random symmetric matrix from `key`.
    fn random_symmetric(n: usize, key: Key) -> Array2<f64> {
        let g: Vec<f64> = key.normal::<f64>(&[n * n]).into_raw_vec_and_offset().0;
        Array2::from_shape_fn((n, n), |(i, j)| g[i * n + j] + g[j * n + i])
    }

    #[test]
    fn a_two_by_two_and_the_path_laplacian() {
        let two = ndarray::arr2(&[[2.0, 1.0], [1.0, 2.0]]);
        let got = symmetric_eigenvalues(&two).unwrap();
        assert_abs_diff_eq!(got[0], 1.0, epsilon = 1e-15);
        assert_abs_diff_eq!(got[1], 3.0, epsilon = 1e-15);
        // The path graph's Laplacian-like matrix tridiag(-1, 2, -1) of size n has
        // eigenvalues 2 - 2 cos(k pi / (n + 1)), k = 1..n.
        let n = 9;
        let t = Array2::from_shape_fn((n, n), |(i, j)| if i == j { 2.0 } else if i.abs_diff(j) == 1 { -1.0 } else { 0.0 });
        let got = symmetric_eigenvalues(&t).unwrap();
        for (k, v) in got.iter().enumerate() {
            assert_abs_diff_eq!(*v, 2.0 - 2.0 * ((k + 1) as f64 * std::f64::consts::PI / (n + 1) as f64).cos(), epsilon = 1e-12);
        }
    }

    #[test]
    fn random_matrices_keep_trace_and_frobenius_norm() {
        for (n, seed) in [(1, 1), (3, 2), (17, 3), (64, 4)] {
            let a = random_symmetric(n, Key::new(seed));
            let eig = symmetric_eigenvalues(&a).unwrap();
            let trace: f64 = (0..n).map(|i| a[[i, i]]).sum();
            let frobenius: f64 = a.iter().map(|v| v * v).sum();
            assert_abs_diff_eq!(eig.iter().sum::<f64>(), trace, epsilon = 1e-9 * n as f64);
            assert_abs_diff_eq!(eig.iter().map(|v| v * v).sum::<f64>(), frobenius, epsilon = 1e-9 * frobenius);
        }
    }

    #[test]
    fn power_iteration_finds_the_largest_magnitudes() {
        let a = random_symmetric(24, Key::new(5));
        let mut eig = symmetric_eigenvalues(&a).unwrap();
        eig.sort_by(|x, y| y.abs().total_cmp(&x.abs()));
        let apply = |v: &[f64]| a.dot(&ndarray::ArrayView1::from(v)).to_vec();
        let top = top_by_power_iteration(24, 3, 5000, Key::new(6), apply);
        for (got, want) in top.iter().zip(&eig) {
            assert_abs_diff_eq!(*got, *want, epsilon = 1e-6 * want.abs());
        }
    }
}
