//! Balanced attention between hidden neurons and columns (inputs or signed slots) by
//! log-domain Sinkhorn normalisation.
//!
//! On logits `L [B, m, c]`, each round is
//! `L <- L - logsumexp_cols L` (every row sums to 1), then
//! `L <- L - logsumexp_rows L + ln mass` (column k sums to `mass_k`), and the result is
//! `P = exp L`. After the last round the columns hold their masses exactly and the rows
//! sum to 1 approximately; more rounds bring the rows closer (entropic optimal transport
//! between m neurons of mass 1 and the columns). The masses must sum to m.

use crate::params::constant_on;
use autodiff::{Float, Tensor};

/// `exp L` after `rounds` Sinkhorn rounds with every column's mass `m / c`.
pub fn even_columns<F: Float>(logits: &Tensor<F>, rounds: usize) -> Tensor<F> {
    let s = logits.shape();
    let log_mass = (F::c(s[1] as f64) / F::c(s[2] as f64)).ln();
    rounds_with(logits, rounds, |l| l, |l| l.add_scalar(log_mass))
}

/// `exp L` after `rounds` Sinkhorn rounds with column masses `masses` (one per column
/// of `logits [B, m, c]`, summing to m).
pub fn with_masses<F: Float>(logits: &Tensor<F>, masses: &[f64], rounds: usize) -> Tensor<F> {
    let column_mass = log_masses(logits, masses, 2);
    rounds_with(logits, rounds, |l| l, |l| l.add(&column_mass))
}

/// `exp L` after `rounds` Sinkhorn rounds with row masses `rows` and column masses
/// `columns` (both summing to the same total): each round sets
/// `L <- L - logsumexp_cols L + ln rows_j`, then `L <- L - logsumexp_rows L + ln columns_k`.
pub fn with_row_and_column_masses<F: Float>(logits: &Tensor<F>, rows: &[f64], columns: &[f64], rounds: usize) -> Tensor<F> {
    let (row_mass, column_mass) = (log_masses(logits, rows, 1), log_masses(logits, columns, 2));
    rounds_with(logits, rounds, |l| l.add(&row_mass), |l| l.add(&column_mass))
}

/// `ln masses` as a constant on the logits' device, shaped to broadcast along `axis`
/// (1: one per row, 2: one per column) of `logits [B, m, c]`.
fn log_masses<F: Float>(logits: &Tensor<F>, masses: &[f64], axis: usize) -> Tensor<F> {
    let s = logits.shape();
    assert_eq!(masses.len(), s[axis], "sinkhorn: {} masses along axis {axis} of logits of shape {s:?}", masses.len());
    let mut shape = vec![1, 1, 1];
    shape[axis] = s[axis];
    let values = masses.iter().map(|&v| F::c(v).ln()).collect();
    constant_on(&logits.device(), ndarray::ArrayD::from_shape_vec(shape, values).expect("one mass per row or column"))
}

/// The rounds: `L <- add_row_mass(L - logsumexp_cols L)`, then
/// `L <- add_column_mass(L - logsumexp_rows L)`; then `exp L`.
fn rounds_with<F: Float>(
    logits: &Tensor<F>,
    rounds: usize,
    add_row_mass: impl Fn(Tensor<F>) -> Tensor<F>,
    add_column_mass: impl Fn(Tensor<F>) -> Tensor<F>,
) -> Tensor<F> {
    let mut l = logits.clone();
    for _ in 0..rounds {
        l = add_row_mass(l.sub(&l.logsumexp(2, true)));
        l = add_column_mass(l.sub(&l.logsumexp(1, true)));
    }
    l.exp()
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use autodiff::Key;

    fn sums(p: &ndarray::ArrayD<f32>, b: usize, axis_len: usize, other_len: usize, column: bool) -> Vec<f32> {
        (0..axis_len).map(|k| (0..other_len).map(|o| if column { p[[b, o, k]] } else { p[[b, k, o]] }).sum()).collect()
    }

    #[test]
    fn even_columns_share_the_neurons_out_evenly() {
        let logits = Tensor::constant(Key::new(4).normal::<f32>(&[2, 6, 3]).mapv(|v| 3.0 * v));
        let p = even_columns(&logits, 5).to_array();
        for b in 0..2 {
            for (i, column) in sums(&p, b, 3, 6, true).into_iter().enumerate() {
                assert!(abs_diff_eq!(column, 2.0, epsilon = 1e-4), "column {i} sums to {column}, want m/c = 2");
            }
            for (j, row) in sums(&p, b, 6, 3, false).into_iter().enumerate() {
                assert!(abs_diff_eq!(row, 1.0, epsilon = 0.1), "row {j} sums to {row}");
            }
        }
    }

    #[test]
    fn row_and_column_masses_are_both_met() {
        let logits = Tensor::constant(Key::new(9).normal::<f64>(&[1, 4, 3]).mapv(|v| 2.0 * v));
        let (rows, columns) = ([1.0, 1.0, 1.0, 3.0], [1.0, 1.0, 4.0]);
        let p = with_row_and_column_masses(&logits, &rows, &columns, 200).to_array();
        for (k, want) in columns.iter().enumerate() {
            let got: f64 = (0..4).map(|j| p[[0, j, k]]).sum();
            assert!(abs_diff_eq!(got, want, epsilon = 1e-9), "column {k} sums to {got}, want {want}");
        }
        for (j, want) in rows.iter().enumerate() {
            let got: f64 = (0..3).map(|k| p[[0, j, k]]).sum();
            assert!(abs_diff_eq!(got, want, epsilon = 1e-6), "row {j} sums to {got}, want {want}");
        }
    }

    #[test]
    fn given_masses_are_met_and_more_rounds_bring_rows_to_one() {
        let logits = Tensor::constant(Key::new(7).normal::<f32>(&[1, 7, 5]).mapv(|v| 3.0 * v));
        let masses = [1.0, 1.0, 1.0, 1.0, 3.0];
        let row_error = |rounds| {
            let p = with_masses(&logits, &masses, rounds).to_array();
            for (k, column) in sums(&p, 0, 5, 7, true).into_iter().enumerate() {
                assert!(abs_diff_eq!(column as f64, masses[k], epsilon = 1e-4), "column {k} sums to {column}, want {}", masses[k]);
            }
            sums(&p, 0, 7, 5, false).into_iter().map(|r| (r - 1.0).abs()).fold(0.0f32, f32::max)
        };
        let (few, many) = (row_error(2), row_error(50));
        assert!(many < 1e-3 && many < few, "row sums off by {few} after 2 rounds and {many} after 50");
    }
}
