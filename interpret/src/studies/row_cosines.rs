//! Collapse of a generator, measured on its networks' input weights: the mean |cos|
//! between W1 rows of different sampled networks and between rows of the same network.
//!
//! For live rows `u_r = W1_r / |W1_r|` (row r of network `net(r)`),
//!
//! ```text
//! between = mean over pairs r, s with net(r) != net(s) of |u_r . u_s|,
//! within  = mean over pairs r != s with net(r) == net(s) of |u_r . u_s|.
//! ```
//!
//! A generator that emits the same network every time (collapse) has `between` near 1;
//! one whose neurons all point the same way has `within` near 1. Random directions in
//! n dimensions give about `sqrt(2 / (pi n))` (0.2 at n = 16), networks of axis-aligned
//! neurons on different inputs about `1 / n`. A row is live when its effective output
//! weight `|w2_j| |W1_j|` exceeds [`LIVE_OUTPUT_WEIGHT`]: silent neurons point anywhere
//! and would only add noise. |cos| ignores sign: `x_i` and `-x_i` read the same input.

use hypernet::TargetWeights;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

/// Smallest `|w2_j| |W1_j|` of a live neuron (against outputs of order 1-10 for the
/// L1 norm at n = 16, a neuron below it moves the output by about a hundredth).
pub const LIVE_OUTPUT_WEIGHT: f64 = 1e-2;

/// The two mean |cos| and how many rows they are over.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowCosines {
    /// Mean |cos| between live rows of different networks; `None` with fewer than two
    /// networks that have live rows.
    pub between_networks: Option<f64>,
    /// Mean |cos| between distinct live rows of the same network; `None` when no
    /// network has two live rows.
    pub within_network: Option<f64>,
    /// Live rows over all networks.
    pub live_rows: usize,
}

impl RowCosines {
    /// The cosines of `networks` (all of the same input size).
    pub fn of<'a>(networks: impl IntoIterator<Item = &'a TargetWeights>) -> RowCosines {
        let units: Vec<Array2<f64>> = networks.into_iter().map(live_unit_rows).filter(|u| u.nrows() > 0).collect();
        let (mut between, mut within) = (Mean::default(), Mean::default());
        for (a, ua) in units.iter().enumerate() {
            let gram = ua.dot(&ua.t());
            for r in 0..gram.nrows() {
                for s in r + 1..gram.ncols() {
                    within.add(gram[[r, s]].abs());
                }
            }
            for ub in &units[a + 1..] {
                ua.dot(&ub.t()).iter().for_each(|c| between.add(c.abs()));
            }
        }
        RowCosines { between_networks: between.value(), within_network: within.value(), live_rows: units.iter().map(|u| u.nrows()).sum() }
    }
}

/// The unit-norm rows of `W1` whose neuron is live, `[live, n]`, in f64.
fn live_unit_rows(net: &TargetWeights) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = net
        .w1
        .axis_iter(Axis(0))
        .zip(&net.w2)
        .filter_map(|(row, &w2)| {
            let norm = row.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt();
            (w2.abs() as f64 * norm > LIVE_OUTPUT_WEIGHT).then(|| row.iter().map(|&v| v as f64 / norm).collect())
        })
        .collect();
    let n = net.inputs();
    Array2::from_shape_vec((rows.len(), n), rows.concat()).expect("every row has n entries")
}

/// A running mean.
#[derive(Default)]
struct Mean {
    sum: f64,
    count: usize,
}

impl Mean {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.count += 1;
    }

    fn value(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use hypernet::Activation;
    use ndarray::{arr1, arr2};

    fn net(w1: Array2<f32>, w2: Vec<f32>) -> TargetWeights {
        let m = w1.nrows();
        TargetWeights { w1, b1: ndarray::Array1::zeros(m), w2: arr1(&w2), b2: 0.0, activation: Activation::Silu }
    }

    fn close(got: Option<f64>, want: f64) {
        let got = got.expect("a defined mean");
        assert!(abs_diff_eq!(got, want, epsilon = 1e-12), "got {got}, want {want}");
    }

    #[test]
    fn identical_rows_give_one_everywhere() {
        let row = [0.3f32, -1.2, 0.5, 2.0];
        let nets: Vec<TargetWeights> = (0..3).map(|_| net(arr2(&[row, row, row]), vec![1.0, -0.5, 2.0])).collect();
        let c = RowCosines::of(&nets);
        close(c.between_networks, 1.0);
        close(c.within_network, 1.0);
        assert_eq!(c.live_rows, 9);
    }

    #[test]
    fn orthogonal_axis_rows_give_zero_and_silent_rows_are_left_out() {
        let a = net(arr2(&[[1.0, 0.0, 0.0, 0.0], [0.0, -2.0, 0.0, 0.0]]), vec![1.0, 1.0]);
        // The third row is parallel to a's first, but its neuron is silent.
        let b = net(arr2(&[[0.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 1.0], [5.0, 0.0, 0.0, 0.0]]), vec![1.0, -1.0, 1e-4]);
        let c = RowCosines::of([&a, &b]);
        close(c.between_networks, 0.0);
        close(c.within_network, 0.0);
        assert_eq!(c.live_rows, 4);
    }

    #[test]
    fn shared_axes_across_networks_count_once_per_pair_with_either_sign() {
        let a = net(arr2(&[[1.0, 0.0], [0.0, 1.0]]), vec![1.0, 1.0]);
        let b = net(arr2(&[[-1.0, 0.0], [0.0, 1.0]]), vec![1.0, 1.0]);
        let c = RowCosines::of([&a, &b]);
        close(c.between_networks, 0.5); // two of the four cross pairs are parallel
        close(c.within_network, 0.0);
        let lone = RowCosines::of([&a]);
        assert_eq!(lone.between_networks, None);
    }
}
