//! SVG drawing of a target network on its force-directed layout ([`crate::layout`]).
//!
//! Inputs on the left, hidden neurons in the middle, the output on the right; dead
//! neurons are left out (and counted in the caption). Nodes are coloured by type and
//! role ([`crate::svg::node_colour`]); edges are red for positive and blue for
//! negative weights. An input edge's width and opacity grow with `|W1_ji| / |W1_j|`
//! (the share of the neuron's direction, so sharpness does not matter); an output
//! edge's with `|a_j| / max_k |a_k|` (effective output). Input edges below
//! [`MIN_DRAWN_SHARE`] are omitted.

use crate::classify::Classification;
use crate::layout::{force_layout, Point};
use crate::svg::{node_colour, node_legend, sign_colour, NodeKind, Svg};
use hypernet::TargetWeights;

/// Input edges carrying less than this share `|W1_ji| / |W1_j|` are not drawn.
pub const MIN_DRAWN_SHARE: f32 = 0.05;

const WIDTH: f64 = 760.0;
const MARGIN_X: f64 = 70.0;
const TOP: f64 = 60.0;
const ROW: f64 = 40.0;
const LEGEND: f64 = 70.0;
/// Longest caption line, in characters.
const CAPTION_WIDTH: usize = 110;

/// The network drawn as SVG, titled with its classification.
pub fn network_svg(net: &TargetWeights, classification: &Classification) -> String {
    let params = &classification.params;
    let active = params.active();
    let layout = force_layout(net, &active);
    let n = net.inputs();
    let plot_height = (ROW * n.max(active.len() / 2).max(8) as f64).min(1400.0);
    let caption = caption(classification, net.hidden() - active.len());
    let top = TOP + 14.0 * (caption.len() as f64 - 1.0);
    let height = top + plot_height + LEGEND;
    let at = |p: Point| (MARGIN_X + p.x * (WIDTH - 2.0 * MARGIN_X), top + p.y * plot_height);
    let mut svg = Svg::new(WIDTH, height);
    svg.text(
        WIDTH / 2.0,
        24.0,
        15.0,
        "middle",
        &format!("{}   (n = {n}, m = {}, {} drawn)", classification.label, net.hidden(), active.len()),
    );
    for (k, line) in caption.iter().enumerate() {
        svg.text(WIDTH / 2.0, 42.0 + 14.0 * k as f64, 11.0, "middle", line);
    }

    let max_output = active.iter().map(|&j| params.neurons[j].effective_output.abs()).fold(0.0f32, f32::max);
    for (slot, &j) in active.iter().enumerate() {
        let norm = params.neurons[j].norm.max(f32::MIN_POSITIVE);
        for i in 0..n {
            let share = (net.w1[[j, i]] / norm).abs();
            if share >= MIN_DRAWN_SHARE {
                let colour = sign_colour(net.w1[[j, i]]);
                svg.line(at(layout.inputs[i]), at(layout.hidden[slot]), &colour, 0.4 + 3.0 * share as f64, 0.25 + 0.6 * share as f64);
            }
        }
        let a = params.neurons[j].effective_output;
        let share = if max_output > 0.0 { a.abs() / max_output } else { 0.0 };
        svg.line(at(layout.hidden[slot]), at(layout.output), &sign_colour(a), 0.4 + 3.0 * share as f64, 0.2 + 0.5 * share as f64);
    }
    for (i, p) in layout.inputs.iter().enumerate() {
        let (x, y) = at(*p);
        svg.circle((x, y), 7.0, node_colour(NodeKind::Input));
        svg.text(x - 12.0, y + 4.0, 11.0, "end", &format!("x{i}"));
    }
    for (slot, &j) in active.iter().enumerate() {
        svg.circle(at(layout.hidden[slot]), 6.0, node_colour(NodeKind::Hidden(params.neurons[j].role)));
    }
    let (x, y) = at(layout.output);
    svg.circle((x, y), 9.0, node_colour(NodeKind::Output));
    svg.text(x + 14.0, y + 4.0, 12.0, "start", "y");
    draw_legend(&mut svg, height - LEGEND + 20.0);
    svg.finish()
}

/// The classification's reason (and the count of undrawn dead neurons), wrapped
/// into lines of at most [`CAPTION_WIDTH`] characters.
fn caption(classification: &Classification, dead: usize) -> Vec<String> {
    let mut text = classification.reason.clone();
    if dead > 0 {
        text.push_str(&format!(" [{dead} dead neurons not drawn]"));
    }
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("starts with one line");
        if !line.is_empty() && line.len() + 1 + word.len() > CAPTION_WIDTH {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

fn draw_legend(svg: &mut Svg, y: f64) {
    let entries = node_legend();
    let step = (WIDTH - 2.0 * 20.0) / 4.0;
    for (k, (colour, meaning)) in entries.iter().enumerate() {
        let (x, row_y) = (20.0 + step * (k % 4) as f64, y + 18.0 * (k / 4) as f64);
        svg.circle((x + 6.0, row_y - 4.0), 5.0, colour);
        svg.text(x + 16.0, row_y, 11.0, "start", meaning);
    }
    let (x, row_y) = (20.0 + step * 2.0, y + 18.0);
    svg.line((x, row_y - 4.0), (x + 24.0, row_y - 4.0), &sign_colour(1.0), 2.5, 0.8);
    svg.text(x + 30.0, row_y, 11.0, "start", "positive weight");
    svg.line((x + step, row_y - 4.0), (x + step + 24.0, row_y - 4.0), &sign_colour(-1.0), 2.5, 0.8);
    svg.text(x + step + 30.0, row_y, 11.0, "start", "negative weight");
}
