//! The Pareto front: error (nMSE) against complexity (bits) of every sampled network,
//! coloured by algorithm, both methods on one chart; each method's per-beta means are
//! joined in order of beta and coloured by that beta's dominant algorithm.

use crate::report::chart::{Axis, Chart, LegendEntry, Scale};
use crate::report::csv::Csv;
use crate::report::figure::Figure;
use crate::report::palette::{family_colour, Method};
use crate::studies::family::Family;
use crate::studies::sweep_record::SweepRecord;

/// Networks drawn individually at most (beyond, every k-th): keeps the page light.
const MAX_DRAWN_NETWORKS: usize = 6000;

/// The figure from each generator's final sweep and the variational MLPs' sweep.
pub fn pareto_figure(per_seed: &[(u64, Vec<SweepRecord>)], pooled: &[SweepRecord], vmlp: &[SweepRecord]) -> Figure {
    let mut csv = Csv::new(&["method", "seed", "log10_beta", "bits", "nmse", "label", "algorithm"]);
    let mut networks = Vec::new();
    for (seed, sweep) in per_seed {
        networks.extend(sweep.iter().flat_map(|r| r.networks.iter().map(move |n| (Method::Generator, seed.to_string(), r.log10_beta, *n))));
    }
    networks.extend(vmlp.iter().flat_map(|r| r.networks.iter().map(move |n| (Method::VariationalMlp, String::new(), r.log10_beta, *n))));
    for (method, seed, lb, n) in &networks {
        let row = [method.name().to_string(), seed.clone(), lb.to_string(), n.bits.to_string(), n.nmse.to_string(), n.label.name().to_string(), Family::of(n.label).name().to_string()];
        csv.row(row.to_vec());
    }

    let x = Axis::fit("complexity (bits)", Scale::Log10, networks.iter().map(|n| n.3.bits));
    let y = Axis::fit("normalised MSE", Scale::Log10, networks.iter().map(|n| n.3.nmse));
    let mut chart = Chart::new("Error against complexity", x, y);
    // Every network is in the CSV; the chart shows an even subsample of large runs.
    let stride = networks.len().div_ceil(MAX_DRAWN_NETWORKS).max(1);
    for (method, seed, lb, n) in networks.iter().step_by(stride) {
        let tip = format!("{} {seed} log10 beta {lb:+.2}: {} bits, nMSE {:.4}, {}", method.name(), n.bits.round(), n.nmse, n.label);
        chart.point((n.bits, n.nmse), 2.5, method.marker(), family_colour(Family::of(n.label)), 0.35, Some(&tip));
    }
    for (method, sweep) in [(Method::Generator, pooled), (Method::VariationalMlp, vmlp)] {
        let means: Vec<(f64, f64)> = sweep.iter().map(|r| (r.bits.mean, r.nmse.mean)).collect();
        chart.line(&means, "#333333", 1.5, method.dashed());
        for r in sweep {
            let dominant = Family::dominant(&r.labels);
            let tip = format!("{} mean at log10 beta {:+.2}: {:.0} bits, nMSE {:.4}, mostly {}", method.name(), r.log10_beta, r.bits.mean, r.nmse.mean, dominant.name());
            chart.point((r.bits.mean, r.nmse.mean), 5.5, method.marker(), family_colour(dominant), 1.0, Some(&tip));
        }
    }
    let mut legend: Vec<LegendEntry> = Family::ALL.iter().map(|f| LegendEntry { colour: family_colour(*f).into(), marker: Some(Method::Generator.marker()), dashed: false, label: f.name().into() }).collect();
    for method in [Method::Generator, Method::VariationalMlp] {
        legend.push(LegendEntry { colour: "#333333".into(), marker: None, dashed: method.dashed(), label: format!("{}, mean per beta", method.title()) });
        legend.push(LegendEntry { colour: "#333333".into(), marker: Some(method.marker()), dashed: false, label: format!("{} network", method.title()) });
    }
    chart.legend(&legend);
    Figure {
        id: "pareto".into(),
        title: "Pareto front: error against complexity".into(),
        caption: format!(
            "Every sampled network of the final beta sweep: generator networks as dots, variational-MLP samples as hollow \
             squares, coloured by the algorithm the classifier read. Large markers: each method's mean at each beta, joined in \
             order of beta (solid: generator, dashed: variational MLPs) and coloured by that beta's dominant algorithm. Hover \
             for values. Runs with more than {MAX_DRAWN_NETWORKS} networks show an even subsample; the CSV holds them all."
        ),
        svg: chart.finish(),
        data: vec![("pareto.csv".into(), csv.finish())],
    }
}
