//! The objective's preference beside the generator: the generator's family fractions
//! against beta (all seeds pooled) as lines, and above them, at each beta the landscape
//! measured (`hnet landscape`, for the generator's complexity measure), a square in the
//! colour of the family of the run with the lowest loss. Where the squares and the
//! generator's dominant family agree, the generator found the objective's optimum
//! (among the landscape's starts); where they differ, its search failed, or the
//! landscape's preference is slight (the CSV gives the margin).

use crate::landscape::verdict::MeasureVerdict;
use crate::report::chart::{Axis, Chart, LegendEntry, Scale};
use crate::report::csv::Csv;
use crate::report::figure::Figure;
use crate::report::palette::family_colour;
use crate::report::svg_writer::Marker;
use crate::studies::family::Family;
use crate::studies::sweep_record::SweepRecord;

/// Height at which the landscape's winners are drawn, above the fractions.
const WINNER_ROW: f64 = 1.08;

pub fn landscape_figure(pooled: &[SweepRecord], landscape: &MeasureVerdict) -> Figure {
    let mut csv = Csv::new(&["source", "log10_beta", "family", "fraction", "winner_loss", "winner_margin"]);
    for r in pooled {
        for f in Family::ALL {
            csv.row(vec!["generator".into(), r.log10_beta.to_string(), f.name().into(), f.fraction(&r.labels).to_string(), String::new(), String::new()]);
        }
    }
    for b in &landscape.per_beta {
        let margin = b.margin().map_or(String::new(), |m| m.to_string());
        csv.row(vec!["landscape".into(), b.log10_beta.to_string(), b.winner_family().name().into(), String::new(), b.winner.loss.to_string(), margin]);
    }
    let x = Axis::fit("log10 beta", Scale::Linear, pooled.iter().map(|r| r.log10_beta).chain(landscape.per_beta.iter().map(|b| b.log10_beta)));
    let mut chart = Chart::new("The generator's algorithms and the objective's optimum", x, Axis::fixed("fraction of networks", 0.0, 1.15));
    let mut legend = Vec::new();
    for f in Family::ALL {
        let points: Vec<(f64, f64)> = pooled.iter().map(|r| (r.log10_beta, f.fraction(&r.labels))).collect();
        chart.line(&points, family_colour(f), 2.0, false);
        legend.push(LegendEntry { colour: family_colour(f).into(), marker: None, dashed: false, label: format!("generator: {}", f.name()) });
    }
    for b in &landscape.per_beta {
        let tip = format!("landscape at log10 beta {}: {} (from {}), loss {:.4}", b.log10_beta, b.winner.final_label.name(), b.winner.start.name(), b.winner.loss);
        chart.point((b.log10_beta, WINNER_ROW), 6.0, Marker::Square, family_colour(b.winner_family()), 1.0, Some(&tip));
    }
    legend.push(LegendEntry { colour: "#555555".into(), marker: Some(Marker::Square), dashed: false, label: "objective's optimum (landscape)".into() });
    chart.legend(&legend);
    Figure {
        id: "landscape".into(),
        title: "The objective's optimum beside the generator".into(),
        caption: format!(
            "Lines: the fraction of the generator's sampled networks in each family (all seeds pooled). Squares (top row): at each beta of the landscape \
             (<code>hnet landscape</code>, measure {}), the family of the variational MLP with the lowest loss nMSE + beta bits / W among runs started \
             from every reference algorithm and from random; its colour is the family's. Where the top square's colour is not the generator's dominant \
             line, the generator did not find what the objective prefers (or the preference is slight: the margin column of the CSV says by how much). \
             The landscape is one network per start and seed, trained separately at each beta; it bounds what the objective can reach from these starts, not a global optimum.",
            landscape.measure.name()
        ),
        svg: chart.finish(),
        data: vec![("landscape.csv".into(), csv.finish())],
    }
}
