//! The phase diagram over training as a heatmap: one cell per (snapshot step, beta),
//! coloured by the dominant algorithm, more opaque the larger its share (hover for
//! every family's share).

use crate::classify::Label;
use crate::report::csv::Csv;
use crate::report::figure::Figure;
use crate::report::palette::family_colour;
use crate::report::svg_writer::{Marker, SvgWriter};
use crate::studies::family::Family;
use crate::studies::phase_diagram::PhaseDiagram;

const LEFT: f64 = 90.0;
const TOP: f64 = 40.0;
const GRID_WIDTH: f64 = 560.0;
const GRID_HEIGHT: f64 = 300.0;

/// The heatmap and its cells as CSV.
pub fn phase_figure(phase: &PhaseDiagram, seeds: usize) -> Figure {
    let mut header = vec!["step".to_string(), "log10_beta".into(), "networks".into(), "dominant".into()];
    header.extend(Family::ALL.iter().map(|f| format!("fraction_{}", f.name())));
    header.extend(Label::ALL.iter().map(|l| format!("count_{}", l.name())));
    let mut csv = Csv::new(&header.iter().map(String::as_str).collect::<Vec<_>>());

    let (cols, rows) = (phase.log10_betas.len(), phase.steps.len());
    let (cell_w, cell_h) = ((GRID_WIDTH / cols as f64).min(60.0), (GRID_HEIGHT / rows as f64).min(40.0));
    let (grid_w, grid_h) = (cell_w * cols as f64, cell_h * rows as f64);
    let mut svg = SvgWriter::new(LEFT + grid_w + 170.0, TOP + grid_h + 60.0);
    svg.text(LEFT + grid_w / 2.0, 22.0, 14.0, "middle", 0.0, &format!("Dominant algorithm over training ({seeds} seeds pooled)"));
    for (s, &step) in phase.steps.iter().enumerate() {
        // Later snapshots higher up.
        let y = TOP + (rows - 1 - s) as f64 * cell_h;
        svg.text(LEFT - 6.0, y + cell_h / 2.0 + 4.0, 10.0, "end", 0.0, &step.to_string());
        for (k, &lb) in phase.log10_betas.iter().enumerate() {
            let counts = &phase.counts[s][k];
            let dominant = Family::dominant(counts);
            let share = dominant.fraction(counts);
            let shares: Vec<String> = Family::ALL.iter().map(|f| format!("{} {:.0}%", f.name(), 100.0 * f.fraction(counts))).collect();
            let tip = format!("step {step}, log10 beta {lb:+.2}, {} networks: {}", counts.total(), shares.join(", "));
            svg.rect((LEFT + k as f64 * cell_w, y, cell_w - 1.0, cell_h - 1.0), family_colour(dominant), 0.15 + 0.85 * share, Some(&tip));
            if cell_w >= 30.0 && cell_h >= 14.0 {
                svg.text(LEFT + (k as f64 + 0.5) * cell_w, y + cell_h / 2.0 + 3.5, 9.0, "middle", 0.0, &format!("{:.0}", 100.0 * share));
            }
            let mut row = vec![step.to_string(), lb.to_string(), counts.total().to_string(), dominant.name().to_string()];
            row.extend(Family::ALL.iter().map(|f| f.fraction(counts).to_string()));
            row.extend(Label::ALL.iter().map(|l| counts.0[l.name()].to_string()));
            csv.row(row);
        }
    }
    let label_every = cols.div_ceil(12);
    for (k, &lb) in phase.log10_betas.iter().enumerate().filter(|(k, _)| k % label_every == 0) {
        svg.text(LEFT + (k as f64 + 0.5) * cell_w, TOP + grid_h + 14.0, 10.0, "middle", 0.0, &format!("{lb:.1}"));
    }
    svg.text(LEFT + grid_w / 2.0, TOP + grid_h + 34.0, 12.0, "middle", 0.0, "log10 beta");
    svg.text(20.0, TOP + grid_h / 2.0, 12.0, "middle", -90.0, "training step");
    for (i, f) in Family::ALL.iter().enumerate() {
        let y = TOP + 10.0 + 20.0 * i as f64;
        svg.marker((LEFT + grid_w + 25.0, y - 4.0), 5.0, Marker::Square, family_colour(*f), 1.0, None);
        svg.text(LEFT + grid_w + 36.0, y, 11.0, "start", 0.0, f.name());
    }
    Figure {
        id: "phase".into(),
        title: "Phase diagram over training".into(),
        caption: format!(
            "Each cell: the networks sampled at one beta from every seed's generator snapshot at one training step. Colour: the \
             algorithm most of them implement; opacity and the number: its share in percent. Hover for every algorithm's share. \
             Rows: snapshots {:?}.",
            phase.steps
        ),
        svg: svg.finish(),
        data: vec![("phase.csv".into(), csv.finish())],
    }
}
