//! Hard balanced assignment of neurons to columns, with the Sinkhorn attention's
//! gradient (straight-through).
//!
//! Sinkhorn at gain g is entropic optimal transport at temperature 1/g; as g grows it
//! tends to the linear assignment `A = argmax_A sum_jk A[j, k] L[j, k]` over 0/1 plans whose
//! rows sum to 1 and whose columns hold at most their (integer) capacities. The
//! forward pass here uses that limit: every neuron reads exactly one column and no
//! column exceeds its capacity, so no neuron is split between slots and no slot is left
//! to split neurons (`NOTES.md`, E21). The backward pass differentiates the soft plan
//! `P`: the result is `P - stop_grad(P) + A`, whose value is `A` and whose gradient is
//! `P`'s.
//!
//! The assignment is the Hungarian algorithm with potentials (O(rows^2 cols)), each
//! column repeated by its capacity; ties go to the lower index, so it is deterministic.

use crate::params::constant_on;
use autodiff::{Float, Tensor};
use ndarray::ArrayD;

/// `P - stop_grad(P) + A`: the hard assignment `A [B, r, c]` of the rows of `logits`
/// in the forward pass (row j stands for `copies[j]` rows, column k takes at most
/// `capacity[k]` of them; `A[b, j, k]` counts row j's copies in column k), the soft
/// plan `soft`'s gradient in the backward pass. Logits that are not finite, or so large
/// that sums of them could overflow (beyond `LARGEST_LOGIT`), have no assignment: the
/// soft plan is returned as it is, and the non-finite loss it leads to is reported by
/// the trainer's diagnostic.
pub fn straight_through<F: Float>(soft: &Tensor<F>, logits: &Tensor<F>, copies: &[usize], capacity: &[usize]) -> Tensor<F> {
    let s = logits.shape();
    let batch = s[0];
    assert_eq!((copies.len(), capacity.len()), (s[1], s[2]), "assignment: {} row counts and {} capacities for logits of shape {s:?}", copies.len(), capacity.len());
    let expand = |counts: &[usize]| -> Vec<usize> { counts.iter().enumerate().flat_map(|(k, &c)| std::iter::repeat_n(k, c)).collect() };
    let (rows, columns) = (expand(copies), expand(capacity));
    assert!(columns.len() >= rows.len(), "assignment: capacities {capacity:?} cannot take rows {copies:?}");
    let values = logits.to_array();
    if values.iter().any(|v| {
        let a = v.to_f64_lossless().abs();
        a.is_nan() || a > LARGEST_LOGIT
    }) {
        return soft.clone();
    }
    let mut hard = ArrayD::<F>::zeros(s.to_vec());
    for b in 0..batch {
        let values = &values;
        let cost: Vec<f64> = rows.iter().flat_map(|&j| columns.iter().map(move |&k| -values[[b, j, k]].to_f64_lossless())).collect();
        for (row, column) in min_cost_assignment(&cost, rows.len(), columns.len()).into_iter().enumerate() {
            hard[[b, rows[row], columns[column]]] += F::one();
        }
    }
    soft.sub(&soft.detach()).add(&constant_on(&soft.device(), hard))
}

/// The magnitude beyond which logits are not assigned (see [`straight_through`]).
pub const LARGEST_LOGIT: f64 = 1e100;

/// The column of each row in a minimum-cost assignment of `rows <= cols` rows to
/// distinct columns, `cost` row-major `[rows, cols]` (Hungarian algorithm with row and
/// column potentials, one augmenting path per row). Costs must be finite (checked:
/// otherwise the search would never end).
pub fn min_cost_assignment(cost: &[f64], rows: usize, cols: usize) -> Vec<usize> {
    assert!(rows <= cols && cost.len() == rows * cols, "min_cost_assignment: {rows} rows, {cols} columns, {} costs", cost.len());
    assert!(cost.iter().all(|c| c.is_finite()), "min_cost_assignment: costs must be finite");
    // 1-based as in the textbook form; column 0 is the virtual start of each path.
    let (mut u, mut v) = (vec![0.0; rows + 1], vec![0.0; cols + 1]);
    let (mut owner, mut way) = (vec![0usize; cols + 1], vec![0usize; cols + 1]);
    for row in 1..=rows {
        owner[0] = row;
        let mut col = 0;
        let mut slack = vec![f64::INFINITY; cols + 1];
        let mut used = vec![false; cols + 1];
        loop {
            used[col] = true;
            let i = owner[col];
            let (mut delta, mut next) = (f64::INFINITY, 0);
            for k in 1..=cols {
                if !used[k] {
                    let reduced = cost[(i - 1) * cols + k - 1] - u[i] - v[k];
                    if reduced < slack[k] {
                        slack[k] = reduced;
                        way[k] = col;
                    }
                    if slack[k] < delta {
                        delta = slack[k];
                        next = k;
                    }
                }
            }
            for k in 0..=cols {
                if used[k] {
                    u[owner[k]] += delta;
                    v[k] -= delta;
                } else {
                    slack[k] -= delta;
                }
            }
            col = next;
            if owner[col] == 0 {
                break;
            }
        }
        while col != 0 {
            let previous = way[col];
            owner[col] = owner[previous];
            col = previous;
        }
    }
    let mut assigned = vec![0; rows];
    for k in 1..=cols {
        if owner[k] != 0 {
            assigned[owner[k] - 1] = k - 1;
        }
    }
    assigned
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use autodiff::Key;

    /// The cheapest assignment by trying every injective map (small sizes only).
    fn brute_force(cost: &[f64], rows: usize, cols: usize) -> f64 {
        fn go(cost: &[f64], row: usize, rows: usize, cols: usize, used: &mut Vec<bool>) -> f64 {
            if row == rows {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for k in 0..cols {
                if !used[k] {
                    used[k] = true;
                    best = best.min(cost[row * cols + k] + go(cost, row + 1, rows, cols, used));
                    used[k] = false;
                }
            }
            best
        }
        go(cost, 0, rows, cols, &mut vec![false; cols])
    }

    #[test]
    fn the_assignment_is_optimal_and_injective() {
        for (trial, (rows, cols)) in [(1, 1), (3, 3), (4, 6), (6, 6), (5, 7)].into_iter().enumerate() {
            let cost: Vec<f64> = Key::new(trial as u64).normal::<f64>(&[rows * cols]).iter().copied().collect();
            let a = min_cost_assignment(&cost, rows, cols);
            let mut seen = a.clone();
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), rows, "{rows}x{cols}: columns used twice in {a:?}");
            let total: f64 = a.iter().enumerate().map(|(j, &k)| cost[j * cols + k]).sum();
            let best = brute_force(&cost, rows, cols);
            assert!(abs_diff_eq!(total, best, epsilon = 1e-9), "{rows}x{cols}: cost {total}, optimum {best}");
        }
    }

    #[test]
    fn logits_without_an_assignment_give_the_soft_plan_back() {
        let soft = Tensor::constant(ndarray::ArrayD::from_elem(vec![1, 2, 2], 0.5f64));
        for bad in [f64::NAN, f64::INFINITY, 1e200] {
            let logits = Tensor::constant(ndarray::arr3(&[[[bad, 0.0], [0.0, 1.0]]]).into_dyn());
            assert_eq!(straight_through(&soft, &logits, &[1, 1], &[1, 1]).to_array(), soft.to_array(), "logit {bad}");
        }
    }

    #[test]
    fn straight_through_takes_its_value_from_the_assignment_and_its_gradient_from_the_soft_plan() {
        // 4 neurons, columns with capacities [1, 1, 2]: every neuron prefers column 0.
        let logits = Tensor::constant(ndarray::arr3(&[[[5.0f64, 1.0, 0.0], [4.0, 0.0, 0.0], [3.0, 2.0, 0.0], [2.0, 0.0, 1.0]]]).into_dyn());
        let soft = Tensor::param(ndarray::ArrayD::from_elem(vec![1, 4, 3], 0.25));
        let plan = straight_through(&soft, &logits, &[1; 4], &[1, 1, 2]);
        let value = plan.to_array();
        for k in 0..3 {
            let column: f64 = (0..4).map(|j| value[[0, j, k]]).sum();
            assert!(column <= [1.0, 1.0, 2.0][k], "column {k} holds {column}");
        }
        for j in 0..4 {
            assert_eq!((0..3).map(|k| value[[0, j, k]]).sum::<f64>(), 1.0, "row {j} is one-hot");
        }
        // The optimum (5 + 0 + 2 + 1 = 8, against at most 7 otherwise): neuron 0 takes
        // column 0, neuron 2 column 1, neurons 1 and 3 share column 2.
        assert_eq!((value[[0, 0, 0]], value[[0, 2, 1]]), (1.0, 1.0));
        // Row 2 standing for two rows (and row 3 for none): the optimum 5 + 0 + (2 + 0) = 7
        // gives row 0 column 0, row 1 and one copy of row 2 column 2, the other copy column 1.
        let doubled = straight_through(&soft, &logits, &[1, 1, 2, 0], &[1, 1, 2]).to_array();
        let row = |j: usize| (0..3).map(|k| doubled[[0, j, k]]).collect::<Vec<_>>();
        assert_eq!((row(0), row(1), row(2), row(3)), (vec![1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0], vec![0.0, 1.0, 1.0], vec![0.0; 3]));
        let weights = Tensor::constant(Key::new(3).normal::<f64>(&[1, 4, 3]));
        plan.mul(&weights).sum_all().backward();
        assert_eq!(soft.grad().unwrap(), weights.to_array(), "the gradient is the soft plan's");
    }
}
