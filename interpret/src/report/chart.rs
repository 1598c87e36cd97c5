//! A two-axis chart: a frame, ticks and grid lines on linear or log10 scales, and data
//! drawn in data coordinates. Log axes span whole decades; values at or below zero on
//! a log axis are drawn at its lower end (a chart cannot show them otherwise).

use crate::report::svg_writer::{Marker, SvgWriter};

/// How an axis maps values to positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log10,
}

/// One axis: its label, scale and range.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub label: String,
    pub scale: Scale,
    pub min: f64,
    pub max: f64,
}

impl Axis {
    /// An axis covering `values` (finite ones; positive ones on a log scale): a log
    /// axis from the decade below the smallest to the decade above the largest, a
    /// linear one padded by 5% each side. An empty or constant set gets a unit range.
    pub fn fit(label: &str, scale: Scale, values: impl IntoIterator<Item = f64>) -> Axis {
        let usable: Vec<f64> = values.into_iter().filter(|v| v.is_finite() && (scale == Scale::Linear || *v > 0.0)).collect();
        let lo = usable.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = usable.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (min, max) = match scale {
            _ if usable.is_empty() => (if scale == Scale::Log10 { 0.1 } else { 0.0 }, 1.0),
            Scale::Log10 => {
                let (a, b) = (lo.log10().floor(), hi.log10().ceil());
                (10f64.powf(a), 10f64.powf(if b > a { b } else { a + 1.0 }))
            }
            Scale::Linear if hi > lo => (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)),
            Scale::Linear => (lo - 0.5, hi + 0.5),
        };
        Axis { label: label.to_string(), scale, min, max }
    }

    /// A linear axis with a fixed range.
    pub fn fixed(label: &str, min: f64, max: f64) -> Axis {
        Axis { label: label.to_string(), scale: Scale::Linear, min, max }
    }

    /// Where `v` lies on the axis, 0 at `min` and 1 at `max` (clamped to [0, 1]).
    pub fn position(&self, v: f64) -> f64 {
        let t = match self.scale {
            Scale::Linear => (v - self.min) / (self.max - self.min),
            Scale::Log10 if v <= 0.0 => 0.0,
            Scale::Log10 => (v.log10() - self.min.log10()) / (self.max.log10() - self.min.log10()),
        };
        t.clamp(0.0, 1.0)
    }

    /// Tick values and their labels: every decade (every second one past eight) on a
    /// log axis, steps of 1, 2 or 5 times a power of ten on a linear one.
    pub fn ticks(&self) -> Vec<(f64, String)> {
        match self.scale {
            Scale::Log10 => {
                let (a, b) = (self.min.log10().round() as i32, self.max.log10().round() as i32);
                let every = if b - a > 8 { 2 } else { 1 };
                (a..=b).filter(|e| (e - a) % every == 0).map(|e| (10f64.powi(e), format!("1e{e}"))).collect()
            }
            Scale::Linear => {
                let raw = (self.max - self.min) / 5.0;
                let magnitude = 10f64.powf(raw.log10().floor());
                let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude);
                let first = (self.min / step).ceil() as i64;
                let last = (self.max / step).floor() as i64;
                (first..=last).map(|k| k as f64 * step).map(|v| (v, format_tick(v, step))).collect()
            }
        }
    }
}

fn format_tick(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
    format!("{v:.decimals$}")
}

/// A legend line: a marker (or a line when `marker` is `None`) and its meaning.
pub struct LegendEntry {
    pub colour: String,
    pub marker: Option<Marker>,
    pub dashed: bool,
    pub label: String,
}

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 70.0;
const TOP: f64 = 40.0;
const PLOT_WIDTH: f64 = 480.0;
const PLOT_HEIGHT: f64 = 340.0;

/// A chart being drawn.
pub struct Chart {
    svg: SvgWriter,
    pub x: Axis,
    pub y: Axis,
}

impl Chart {
    /// A titled chart with its frame, grid, ticks and axis labels drawn.
    pub fn new(title: &str, x: Axis, y: Axis) -> Chart {
        let mut svg = SvgWriter::new(WIDTH, HEIGHT);
        svg.text(LEFT + PLOT_WIDTH / 2.0, 22.0, 14.0, "middle", 0.0, title);
        let mut chart = Chart { svg, x, y };
        for (v, label) in chart.x.ticks() {
            let px = chart.px(v);
            chart.svg.line((px, TOP), (px, TOP + PLOT_HEIGHT), "#e6e6e6", 1.0, 1.0, false);
            chart.svg.text(px, TOP + PLOT_HEIGHT + 16.0, 11.0, "middle", 0.0, &label);
        }
        for (v, label) in chart.y.ticks() {
            let py = chart.py(v);
            chart.svg.line((LEFT, py), (LEFT + PLOT_WIDTH, py), "#e6e6e6", 1.0, 1.0, false);
            chart.svg.text(LEFT - 6.0, py + 4.0, 11.0, "end", 0.0, &label);
        }
        let frame = [(LEFT, TOP), (LEFT + PLOT_WIDTH, TOP), (LEFT + PLOT_WIDTH, TOP + PLOT_HEIGHT), (LEFT, TOP + PLOT_HEIGHT), (LEFT, TOP)];
        chart.svg.polyline(&frame, "#555555", 1.0, false);
        chart.svg.text(LEFT + PLOT_WIDTH / 2.0, TOP + PLOT_HEIGHT + 36.0, 12.0, "middle", 0.0, &chart.x.label.clone());
        chart.svg.text(18.0, TOP + PLOT_HEIGHT / 2.0, 12.0, "middle", -90.0, &chart.y.label.clone());
        chart
    }

    /// Pixel column of an x value.
    pub fn px(&self, v: f64) -> f64 {
        LEFT + self.x.position(v) * PLOT_WIDTH
    }

    /// Pixel row of a y value.
    pub fn py(&self, v: f64) -> f64 {
        TOP + (1.0 - self.y.position(v)) * PLOT_HEIGHT
    }

    pub fn point(&mut self, at: (f64, f64), r: f64, marker: Marker, colour: &str, opacity: f64, tooltip: Option<&str>) {
        let p = (self.px(at.0), self.py(at.1));
        self.svg.marker(p, r, marker, colour, opacity, tooltip);
    }

    pub fn line(&mut self, points: &[(f64, f64)], colour: &str, width: f64, dashed: bool) {
        let pixels: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (self.px(x), self.py(y))).collect();
        self.svg.polyline(&pixels, colour, width, dashed);
    }

    /// A translucent vertical bar from `lo` to `hi` at `x`, shifted `offset` pixels
    /// sideways (so that bars at one x stay apart).
    pub fn error_bar(&mut self, x: f64, lo: f64, hi: f64, colour: &str, offset: f64) {
        let px = self.px(x) + offset;
        self.svg.line((px, self.py(lo)), (px, self.py(hi)), colour, 1.5, 0.6, false);
    }

    /// The legend, right of the plot.
    pub fn legend(&mut self, entries: &[LegendEntry]) {
        let x = LEFT + PLOT_WIDTH + 20.0;
        for (k, e) in entries.iter().enumerate() {
            let y = TOP + 10.0 + 20.0 * k as f64;
            match e.marker {
                Some(m) => self.svg.marker((x + 10.0, y - 4.0), 4.5, m, &e.colour, 1.0, None),
                None => self.svg.line((x, y - 4.0), (x + 22.0, y - 4.0), &e.colour, 2.0, 1.0, e.dashed),
            }
            self.svg.text(x + 28.0, y, 11.0, "start", 0.0, &e.label);
        }
    }

    pub fn finish(self) -> String {
        self.svg.finish()
    }
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;

    #[test]
    fn log_axes_span_whole_decades_and_ignore_non_positive_values() {
        let a = Axis::fit("bits", Scale::Log10, [0.0, 3.0, 250.0, f64::NAN]);
        assert_eq!((a.min, a.max), (1.0, 1000.0));
        assert_eq!(a.position(0.0), 0.0);
        assert!(abs_diff_eq!(a.position(10f64.powf(1.5)), 0.5, epsilon = 1e-12));
        let labels: Vec<String> = a.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, vec!["1e0", "1e1", "1e2", "1e3"]);
    }

    #[test]
    fn linear_ticks_are_round_numbers_inside_the_range() {
        let a = Axis::fixed("fraction", 0.0, 1.0);
        let labels: Vec<String> = a.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, vec!["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let b = Axis::fit("n", Scale::Linear, [4.0, 32.0]);
        assert!(b.ticks().iter().all(|t| t.0 >= b.min && t.0 <= b.max) && b.ticks().len() >= 3);
    }
}
