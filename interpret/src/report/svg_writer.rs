//! The SVG elements the report's charts are made of: lines and polylines (solid or
//! dashed), markers with optional hover tooltips, rectangles and text (optionally
//! rotated). Coordinates in pixels, origin top left.

use crate::svg::escape;
use std::fmt::Write;

/// Font of every chart label.
const FONT: &str = "DejaVu Sans, Arial, sans-serif";

/// An SVG document being written.
pub struct SvgWriter {
    width: f64,
    height: f64,
    body: String,
}

/// The shape of a data point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Dot,
    Ring,
    Square,
    HollowSquare,
}

impl SvgWriter {
    /// A white canvas.
    pub fn new(width: f64, height: f64) -> SvgWriter {
        let mut w = SvgWriter { width, height, body: String::new() };
        w.rect((0.0, 0.0, width, height), "#ffffff", 1.0, None);
        w
    }

    pub fn line(&mut self, from: (f64, f64), to: (f64, f64), colour: &str, width: f64, opacity: f64, dashed: bool) {
        let dash = if dashed { r#" stroke-dasharray="5 3""# } else { "" };
        let _ = writeln!(
            self.body,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="{width:.1}" stroke-opacity="{opacity:.2}"{dash}/>"#,
            from.0, from.1, to.0, to.1
        );
    }

    pub fn polyline(&mut self, points: &[(f64, f64)], colour: &str, width: f64, dashed: bool) {
        let coords: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let dash = if dashed { r#" stroke-dasharray="6 4""# } else { "" };
        let _ = writeln!(self.body, r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="{width:.1}"{dash}/>"#, coords.join(" "));
    }

    /// A marker of radius `r` centred at `at`, with a tooltip shown on hover.
    pub fn marker(&mut self, at: (f64, f64), r: f64, marker: Marker, colour: &str, opacity: f64, tooltip: Option<&str>) {
        let (x, y) = at;
        let shape = match marker {
            Marker::Dot => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{colour}" fill-opacity="{opacity:.2}""#),
            Marker::Ring => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-opacity="{opacity:.2}""#),
            Marker::Square => format!(r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}" fill-opacity="{opacity:.2}""#, x - r, y - r, 2.0 * r, 2.0 * r),
            Marker::HollowSquare => format!(
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-opacity="{opacity:.2}""#,
                x - r,
                y - r,
                2.0 * r,
                2.0 * r
            ),
        };
        self.element(shape, tooltip);
    }

    /// The rectangle `(x, y, width, height)`.
    pub fn rect(&mut self, (x, y, width, height): (f64, f64, f64, f64), fill: &str, opacity: f64, tooltip: Option<&str>) {
        self.element(format!(r#"<rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}" fill="{fill}" fill-opacity="{opacity:.2}""#), tooltip);
    }

    /// Text with its baseline at `(x, y)`; `anchor` is `start`, `middle` or `end`;
    /// `rotate` in degrees about `(x, y)`.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, rotate: f64, content: &str) {
        let transform = if rotate != 0.0 { format!(r#" transform="rotate({rotate} {x:.1} {y:.1})""#) } else { String::new() };
        let _ = writeln!(
            self.body,
            r##"<text x="{x:.1}" y="{y:.1}" font-family="{FONT}" font-size="{size:.1}" text-anchor="{anchor}" fill="#222222"{transform}>{}</text>"##,
            escape(content)
        );
    }

    fn element(&mut self, open: String, tooltip: Option<&str>) {
        match tooltip {
            Some(t) => {
                let _ = writeln!(self.body, "{open}><title>{}</title>{}", escape(t), closing_tag(&open));
            }
            None => {
                let _ = writeln!(self.body, "{open}/>");
            }
        }
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

/// `</tag>` for an element opened as `<tag ...`.
fn closing_tag(open: &str) -> String {
    let tag: String = open[1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    format!("</{tag}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tooltips_close_their_element_and_text_is_escaped() {
        let mut w = SvgWriter::new(10.0, 10.0);
        w.marker((1.0, 1.0), 2.0, Marker::Dot, "#000000", 1.0, Some("a < b"));
        w.marker((1.0, 1.0), 2.0, Marker::HollowSquare, "#000000", 1.0, Some("sq"));
        let svg = w.finish();
        assert!(svg.contains("<title>a &lt; b</title></circle>"), "{svg}");
        assert!(svg.contains("<title>sq</title></rect>"), "{svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }
}
