//! SVG heatmap of a network's input weights: one row per hidden neuron, showing its
//! direction `d_ji = W1_ji / |W1_j|` (red positive, blue negative, white 0), then a
//! column with its effective output `a_j / max_k |a_k|` and one with its role.
//!
//! Rows are sorted by role so that the algorithm shows as blocks: `relu(+x_i)`
//! neurons by input (a diagonal), then `relu(-x_i)` neurons by input (another
//! diagonal), linear-regime neurons (a flat row), diffuse neurons by dominant input
//! (noise), and dead neurons last.

use crate::order_params::{OrderParameters, Role, Sign};
use crate::svg::{diverging, Svg};
use hypernet::TargetWeights;

const CELL: f64 = 16.0;
const LEFT: f64 = 20.0;
const TOP: f64 = 60.0;

/// Sort key placing neurons in the order described in the module documentation.
fn role_rank(role: Role, dominant_input: usize) -> (u8, usize) {
    match role {
        Role::Aligned { input, sign: Sign::Positive } => (0, input),
        Role::Aligned { input, sign: Sign::Negative } => (1, input),
        Role::Linear => (2, 0),
        Role::Diffuse => (3, dominant_input),
        Role::Dead => (4, dominant_input),
    }
}

/// Hidden neurons in heatmap order (stable, so ties keep their index order).
pub fn neurons_by_role(params: &OrderParameters) -> Vec<usize> {
    let mut order: Vec<usize> = (0..params.neurons.len()).collect();
    order.sort_by_key(|&j| role_rank(params.neurons[j].role, params.neurons[j].dominant_input));
    order
}

/// The heatmap as SVG, titled `title`.
pub fn heatmap_svg(net: &TargetWeights, params: &OrderParameters, title: &str) -> String {
    let (m, n) = net.w1.dim();
    let order = neurons_by_role(params);
    let grid_width = CELL * (n as f64 + 2.0);
    let width = (LEFT + grid_width + 140.0).max(2.0 * LEFT + 7.5 * title.len().max(70) as f64);
    let height = TOP + CELL * m as f64 + 40.0;
    let mut svg = Svg::new(width, height);
    svg.text(LEFT, 22.0, 14.0, "start", title);
    svg.text(LEFT, 40.0, 10.0, "start", "rows: neurons by role; columns: inputs x_i, then effective output a_j");
    for i in 0..n {
        if n <= 16 || i % 4 == 0 {
            svg.text(LEFT + CELL * (i as f64 + 0.5), TOP - 4.0, 9.0, "middle", &i.to_string());
        }
    }
    svg.text(LEFT + CELL * (n as f64 + 1.5), TOP - 4.0, 9.0, "middle", "a");
    let max_output = params.neurons.iter().map(|p| p.effective_output.abs()).fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
    for (row, &j) in order.iter().enumerate() {
        let y = TOP + CELL * row as f64;
        let p = &params.neurons[j];
        let norm = p.norm.max(f32::MIN_POSITIVE);
        for i in 0..n {
            let d = net.w1[[j, i]] / norm;
            let tip = format!("neuron {j}, input {i}: W1 = {:.4}, direction {d:.3}", net.w1[[j, i]]);
            svg.rect(LEFT + CELL * i as f64, y, CELL - 1.0, CELL - 1.0, &diverging(d), Some(&tip));
        }
        let tip = format!("neuron {j}: a = w2 |W1| = {:.4}, role {}", p.effective_output, p.role.name());
        svg.rect(LEFT + CELL * (n as f64 + 1.0), y, CELL - 1.0, CELL - 1.0, &diverging(p.effective_output / max_output), Some(&tip));
        svg.text(LEFT + grid_width + 6.0, y + CELL - 4.0, 9.0, "start", &format!("{j}: {}", p.role.name()));
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{double_sided, pad_with_dead_neurons};
    use autodiff::Key;

    #[test]
    fn rows_are_grouped_by_role() {
        let net = pad_with_dead_neurons(&double_sided(3, 10.0), 8, Key::new(1));
        let order = neurons_by_role(&OrderParameters::of(&net));
        assert_eq!(order, vec![0, 2, 4, 1, 3, 5, 6, 7]);
    }
}
