//! The landscape's table and figure: `landscape.csv` (one row per trained network)
//! and, per measure, the loss each start reached against beta (the best of its seeds),
//! with a marker per point in the colour of the family of that run's final label, so a
//! start that left its basin shows it.

use crate::landscape::run::LandscapeRow;
use crate::landscape::starts::Start;
use crate::landscape::verdict::MeasureVerdict;
use crate::report::chart::{Axis, Chart, LegendEntry, Scale};
use crate::report::csv::Csv;
use crate::report::palette::{family_colour, sequence_colour};
use crate::report::svg_writer::Marker;
use crate::studies::family::Family;

/// The columns of `landscape.csv`.
pub const CSV_HEADER: [&str; 11] = ["measure", "log10_beta", "start", "seed", "final_label", "label_share", "mean_label", "nmse", "nmse_mean", "bits", "loss"];

/// Every row as CSV.
pub fn landscape_csv(rows: &[LandscapeRow]) -> String {
    let mut csv = Csv::new(&CSV_HEADER);
    for r in rows {
        csv.row(vec![
            r.measure.name().to_string(),
            r.log10_beta.to_string(),
            r.start.name().to_string(),
            r.seed.to_string(),
            r.final_label.name().to_string(),
            r.label_share.to_string(),
            r.mean_label.name().to_string(),
            r.nmse.to_string(),
            r.nmse_mean.to_string(),
            r.bits.to_string(),
            r.loss.to_string(),
        ]);
    }
    csv.finish()
}

/// The figure of one measure: a line per start through its best loss at each beta.
pub fn landscape_svg(v: &MeasureVerdict) -> String {
    let starts: Vec<Start> = v.per_beta.first().map(|b| b.best_by_start.iter().map(|p| p.0).collect()).unwrap_or_default();
    let x = Axis::fit("log10 beta", Scale::Linear, v.per_beta.iter().map(|b| b.log10_beta));
    let y = Axis::fit("loss = nMSE + beta * bits / W (best seed)", Scale::Log10, v.per_beta.iter().flat_map(|b| b.best_by_start.iter().map(|p| p.1)));
    let mut chart = Chart::new(&format!("Loss reached from each start ({})", v.measure.name()), x, y);
    let mut legend = Vec::new();
    for (k, start) in starts.iter().enumerate() {
        let colour = sequence_colour(k, starts.len());
        let points: Vec<(f64, f64)> = (v.per_beta.iter()).filter_map(|b| b.best_by_start.iter().find(|p| p.0 == *start).map(|p| (b.log10_beta, p.1))).collect();
        chart.line(&points, colour, 2.0, *start == Start::Random);
        legend.push(LegendEntry { colour: colour.to_string(), marker: None, dashed: *start == Start::Random, label: format!("from {}", start.name()) });
    }
    for b in &v.per_beta {
        chart.point((b.log10_beta, b.winner.loss), 6.0, Marker::Ring, family_colour(b.winner_family()), 1.0, Some(&format!("winner: {} from {}", b.winner.final_label.name(), b.winner.start.name())));
    }
    for f in Family::ALL {
        legend.push(LegendEntry { colour: family_colour(f).to_string(), marker: Some(Marker::Ring), dashed: false, label: format!("winner ends {}", f.name()) });
    }
    chart.legend(&legend);
    chart.finish()
}
