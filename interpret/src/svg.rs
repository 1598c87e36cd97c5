//! A minimal SVG writer and the colours the drawings share.
//!
//! Colours: edges and weights are red when positive, blue when negative
//! ([`POSITIVE`], [`NEGATIVE`]); [`diverging`] blends white into those for a value in
//! `[-1, 1]`; nodes are coloured by their type ([`node_colour`]).

use crate::order_params::{Role, Sign};
use std::fmt::Write;

/// Colour of positive weights.
pub const POSITIVE: (u8, u8, u8) = (200, 40, 40);
/// Colour of negative weights.
pub const NEGATIVE: (u8, u8, u8) = (30, 100, 190);

/// A node of the drawn network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Input,
    Output,
    Hidden(Role),
}

/// Fill colour of a node, by type (and a hidden neuron's role).
pub fn node_colour(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Input => "#f2c14e",
        NodeKind::Output => "#7d3c98",
        NodeKind::Hidden(Role::Aligned { sign: Sign::Positive, .. }) => "#e67e22",
        NodeKind::Hidden(Role::Aligned { sign: Sign::Negative, .. }) => "#27ae60",
        NodeKind::Hidden(Role::Linear) => "#34495e",
        NodeKind::Hidden(Role::Diffuse) => "#a6acaf",
        NodeKind::Hidden(Role::Dead) => "#eeeeee",
    }
}

/// Legend entries for node colours: (colour, meaning).
pub fn node_legend() -> Vec<(&'static str, &'static str)> {
    vec![
        (node_colour(NodeKind::Input), "input x_i"),
        (node_colour(NodeKind::Hidden(Role::Aligned { input: 0, sign: Sign::Positive })), "relu(+x_i) neuron"),
        (node_colour(NodeKind::Hidden(Role::Aligned { input: 0, sign: Sign::Negative })), "relu(-x_i) neuron"),
        (node_colour(NodeKind::Hidden(Role::Linear)), "linear-regime neuron"),
        (node_colour(NodeKind::Hidden(Role::Diffuse)), "diffuse neuron"),
        (node_colour(NodeKind::Output), "output y"),
    ]
}

/// `#rrggbb` for a weight's sign.
pub fn sign_colour(v: f32) -> String {
    hex(if v < 0.0 { NEGATIVE } else { POSITIVE })
}

/// White blended towards red (`v > 0`) or blue (`v < 0`) by `|v|` (clamped to 1).
pub fn diverging(v: f32) -> String {
    let t = v.abs().min(1.0);
    let (r, g, b) = if v < 0.0 { NEGATIVE } else { POSITIVE };
    let mix = |c: u8| (255.0 + t * (c as f32 - 255.0)).round() as u8;
    hex((mix(r), mix(g), mix(b)))
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Escapes text for SVG content.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An SVG document under construction; coordinates in pixels.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    pub fn new(width: f64, height: f64) -> Svg {
        let mut svg = Svg { width, height, body: String::new() };
        svg.rect(0.0, 0.0, width, height, "#ffffff", None);
        svg
    }

    pub fn line(&mut self, from: (f64, f64), to: (f64, f64), colour: &str, width: f64, opacity: f64) {
        let _ = writeln!(
            self.body,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="{width:.2}" stroke-opacity="{opacity:.2}" stroke-linecap="round"/>"#,
            from.0, from.1, to.0, to.1
        );
    }

    pub fn circle(&mut self, centre: (f64, f64), radius: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            r##"<circle cx="{:.1}" cy="{:.1}" r="{radius:.1}" fill="{fill}" stroke="#333333" stroke-width="0.8"/>"##,
            centre.0, centre.1
        );
    }

    /// A rectangle with an optional hover tooltip.
    pub fn rect(&mut self, x: f64, y: f64, width: f64, height: f64, fill: &str, tooltip: Option<&str>) {
        let _ = write!(self.body, r#"<rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}" fill="{fill}""#);
        match tooltip {
            Some(t) => {
                let _ = writeln!(self.body, "><title>{}</title></rect>", escape(t));
            }
            None => self.body.push_str("/>\n"),
        }
    }

    /// Text at `(x, y)` (baseline); `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, content: &str) {
        let _ = writeln!(
            self.body,
            r##"<text x="{x:.1}" y="{y:.1}" font-family="DejaVu Sans, Arial, sans-serif" font-size="{size:.1}" text-anchor="{anchor}" fill="#222222">{}</text>"##,
            escape(content)
        );
    }

    /// The finished document.
    pub fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\">\n{}</svg>\n",
            self.body,
            w = self.width,
            h = self.height
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_runs_from_blue_through_white_to_red() {
        assert_eq!(diverging(0.0), "#ffffff");
        assert_eq!(diverging(1.0), hex(POSITIVE));
        assert_eq!(diverging(-5.0), hex(NEGATIVE));
    }

    #[test]
    fn text_is_escaped() {
        let mut svg = Svg::new(10.0, 10.0);
        svg.text(0.0, 0.0, 10.0, "start", "a < b & c");
        assert!(svg.finish().contains("a &lt; b &amp; c"));
    }
}
