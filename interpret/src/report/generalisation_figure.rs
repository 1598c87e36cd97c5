//! Systematic generalisation: nMSE of generated networks against input size n, one
//! series per beta; filled markers at trained sizes, rings at unseen ones, bars of
//! one seed-to-seed standard deviation.

use crate::classify::Label;
use crate::report::chart::{Axis, Chart, LegendEntry, Scale};
use crate::report::csv::Csv;
use crate::report::figure::Figure;
use crate::report::palette::sequence_colour;
use crate::report::svg_writer::Marker;
use crate::studies::family::Family;
use crate::studies::generalisation::SizeResult;

/// The figure, its per-(n, beta) table and the per-seed errors.
pub fn generalisation_figure(results: &[SizeResult], log10_betas: &[f64], seeds: &[u64]) -> Figure {
    let mut header = vec!["n".to_string(), "trained".into(), "log10_beta".into(), "nmse_mean".into(), "nmse_seed_std".into(), "networks".into()];
    header.extend(Family::ALL.iter().map(|f| format!("fraction_{}", f.name())));
    header.extend(Label::ALL.iter().map(|l| format!("count_{}", l.name())));
    let mut table = Csv::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    let mut per_seed = Csv::new(&["n", "trained", "log10_beta", "seed", "nmse"]);
    for r in results {
        let mut row = vec![r.n.to_string(), r.trained.to_string(), r.log10_beta.to_string(), r.nmse.mean.to_string(), r.nmse.std.to_string(), r.labels.total().to_string()];
        row.extend(Family::ALL.iter().map(|f| f.fraction(&r.labels).to_string()));
        row.extend(Label::ALL.iter().map(|l| r.labels.0[l.name()].to_string()));
        table.row(row);
        for (seed, nmse) in seeds.iter().zip(&r.per_seed_nmse) {
            per_seed.row(vec![r.n.to_string(), r.trained.to_string(), r.log10_beta.to_string(), seed.to_string(), nmse.to_string()]);
        }
    }

    let x = Axis::fit("input size n", Scale::Linear, results.iter().map(|r| r.n as f64));
    let y = Axis::fit("normalised MSE", Scale::Log10, results.iter().flat_map(|r| [r.nmse.mean - r.nmse.std, r.nmse.mean + r.nmse.std, r.nmse.mean]));
    let mut chart = Chart::new("Error at trained and unseen input sizes", x, y);
    let mut legend = Vec::new();
    for (k, &lb) in log10_betas.iter().enumerate() {
        let colour = sequence_colour(k, log10_betas.len());
        let series: Vec<&SizeResult> = results.iter().filter(|r| r.log10_beta == lb).collect();
        chart.line(&series.iter().map(|r| (r.n as f64, r.nmse.mean)).collect::<Vec<_>>(), colour, 1.5, false);
        for r in &series {
            chart.error_bar(r.n as f64, r.nmse.mean - r.nmse.std, r.nmse.mean + r.nmse.std, colour, 0.0);
            let marker = if r.trained { Marker::Dot } else { Marker::Ring };
            let kind = if r.trained { "trained" } else { "unseen" };
            let tip = format!("n = {} ({kind}), log10 beta {lb:+.2}: nMSE {:.4} +- {:.4}, mostly {}", r.n, r.nmse.mean, r.nmse.std, Family::dominant(&r.labels).name());
            chart.point((r.n as f64, r.nmse.mean), 4.5, marker, colour, 1.0, Some(&tip));
        }
        legend.push(LegendEntry { colour: colour.into(), marker: None, dashed: false, label: format!("log10 beta {lb:+.1}") });
    }
    legend.push(LegendEntry { colour: "#333333".into(), marker: Some(Marker::Dot), dashed: false, label: "trained size".into() });
    legend.push(LegendEntry { colour: "#333333".into(), marker: Some(Marker::Ring), dashed: false, label: "unseen size".into() });
    chart.legend(&legend);
    Figure {
        id: "generalisation".into(),
        title: "Systematic generalisation".into(),
        caption: "Mean nMSE of networks generated at each input size n (hidden width scaled with n as in training), one line per beta. \
                  Filled: sizes the generators were trained on; rings: sizes they never saw. Bars: one standard deviation from \
                  generator to generator."
            .into(),
        svg: chart.finish(),
        data: vec![("generalisation.csv".into(), table.finish()), ("generalisation_per_seed.csv".into(), per_seed.finish())],
    }
}
