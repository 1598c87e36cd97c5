//! Force-directed layout of a target network (a spring embedder), deterministic:
//! the same weights give the same picture, bit for bit.
//!
//! Nodes live in the unit square. The `n` inputs are pinned on the left
//! (`x = 0`, `y_i = (i + 1/2) / n`, in index order) and the output on the right
//! (`x = 1`, `y = 1/2`); they are the anchors. Each hidden neuron `j` moves under
//! * springs to the inputs: `F = sum_i k_att w_ji (p_i - p_j)` in `y`, with edge
//!   weight `w_ji = d_ji^2` (its direction's squared components, so the weights of a
//!   neuron sum to 1); the spring's rest point is the `w`-weighted mean height of the
//!   neuron's inputs, so a neuron reading one input sits level with it and a neuron
//!   reading all inputs evenly sits in the middle. Edges are signed, but the sign
//!   only colours them: `relu(x_i)` and `relu(-x_i)` are equally "about" input `i`;
//! * repulsion from every other hidden neuron closer than `2k`, `F = k^2 / d` along
//!   the line between them (the grid variant of Fruchterman-Reingold, which ignores
//!   farther pairs), with `k = 0.4 sqrt(A / h)` for `h` hidden neurons in the band's
//!   area `A`, so neurons sharing an input spread out side by side without pushing
//!   the whole column apart;
//! * a column prior `F_x = k_col (1/2 - x)`: hidden neurons stay in the middle band.
//!
//! Starting from the rest points (plus a fixed golden-ratio offset per neuron to
//! break ties), [`ITERATIONS`] steps move each neuron along its force by at most a
//! temperature that cools linearly to zero (Fruchterman and Reingold, 1991).

use hypernet::TargetWeights;

/// Simulation steps.
pub const ITERATIONS: usize = 400;
/// Strength of the input springs.
const ATTRACTION: f64 = 1.0;
/// Strength of the pull back to the middle column.
const COLUMN_PULL: f64 = 2.0;
/// Largest step at the first iteration (cools linearly to 0).
const START_TEMPERATURE: f64 = 0.05;
/// Hidden neurons are kept within this distance of the middle column.
const COLUMN_HALF_WIDTH: f64 = 0.3;

/// A position in the unit square (`y` grows downwards, as in SVG).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Positions of the inputs, of the drawn hidden neurons (in the order given), and of
/// the output.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub inputs: Vec<Point>,
    pub hidden: Vec<Point>,
    pub output: Point,
}

/// Lays out `net` with the hidden neurons `neurons` (others are left out, e.g. dead).
pub fn force_layout(net: &TargetWeights, neurons: &[usize]) -> Layout {
    let n = net.inputs();
    let inputs: Vec<Point> = (0..n).map(|i| Point { x: 0.0, y: (i as f64 + 0.5) / n as f64 }).collect();
    let weights: Vec<Vec<f64>> = neurons
        .iter()
        .map(|&j| {
            let row = net.w1.row(j);
            let total: f64 = row.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().max(f64::MIN_POSITIVE);
            row.iter().map(|v| (*v as f64).powi(2) / total).collect()
        })
        .collect();
    let rest: Vec<f64> = weights.iter().map(|w| w.iter().zip(&inputs).map(|(w, p)| w * p.y).sum()).collect();
    let h = neurons.len();
    let k = 0.4 * (2.0 * COLUMN_HALF_WIDTH / h.max(1) as f64).sqrt();
    let mut hidden: Vec<Point> = rest
        .iter()
        .enumerate()
        .map(|(j, &y)| {
            let jitter = ((j as f64 * 0.618_033_988_75).fract() - 0.5) * k;
            Point { x: 0.5 + jitter, y: y + 0.1 * jitter }
        })
        .collect();
    for step in 0..ITERATIONS {
        let temperature = START_TEMPERATURE * (1.0 - step as f64 / ITERATIONS as f64);
        let forces: Vec<(f64, f64)> = (0..h)
            .map(|j| {
                let p = hidden[j];
                let mut f = (COLUMN_PULL * (0.5 - p.x), ATTRACTION * (rest[j] - p.y));
                for (other, q) in hidden.iter().enumerate() {
                    if other != j {
                        let (dx, dy) = (p.x - q.x, p.y - q.y);
                        let d2 = (dx * dx + dy * dy).max(1e-12);
                        if d2 < 4.0 * k * k {
                            f.0 += k * k * dx / d2;
                            f.1 += k * k * dy / d2;
                        }
                    }
                }
                f
            })
            .collect();
        for (p, (fx, fy)) in hidden.iter_mut().zip(forces) {
            let len = (fx * fx + fy * fy).sqrt();
            let scale = if len > temperature { temperature / len } else { 1.0 };
            p.x = (p.x + fx * scale).clamp(0.5 - COLUMN_HALF_WIDTH, 0.5 + COLUMN_HALF_WIDTH);
            p.y = (p.y + fy * scale).clamp(0.0, 1.0);
        }
    }
    Layout { inputs, hidden, output: Point { x: 1.0, y: 0.5 } }
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;
    use crate::reference::{double_sided, pudding};

    #[test]
    fn same_weights_same_layout() {
        let net = double_sided(6, 10.0);
        let all: Vec<usize> = (0..12).collect();
        assert_eq!(force_layout(&net, &all), force_layout(&net, &all));
    }

    #[test]
    fn aligned_neurons_sit_near_their_input_and_the_pudding_near_the_middle() {
        let n = 8;
        let net = pudding(&vec![1.0; n], 10.0);
        let all: Vec<usize> = (0..=n).collect();
        let layout = force_layout(&net, &all);
        for i in 0..n {
            assert!((layout.hidden[i].y - layout.inputs[i].y).abs() < 0.5 / n as f64, "neuron {i}: {:?}", layout.hidden[i]);
        }
        assert!(abs_diff_eq!(layout.hidden[n].y, 0.5, epsilon = 0.15), "linear neuron at {:?}", layout.hidden[n]);
    }
}
