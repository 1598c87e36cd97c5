//! Algorithm fractions against beta: for each method, the fraction of sampled networks
//! in each family at each beta. Generator: all seeds pooled, with bars of one standard
//! deviation of the per-seed fraction. The variational MLPs are drawn first, thinner and
//! with smaller markers, so that where both methods sit at the same fraction (often 0)
//! the generator's lines stay visible on top.

use crate::classify::Label;
use crate::report::chart::{Axis, Chart, LegendEntry, Scale};
use crate::report::csv::Csv;
use crate::report::figure::Figure;
use crate::report::palette::{family_colour, Method};
use crate::studies::beta_sweep::Spread;
use crate::studies::family::Family;
use crate::studies::sweep_record::SweepRecord;

/// The figure, and the per-beta numbers of both methods as its CSV; `vmlp_networks` is
/// the number of variational MLPs trained per beta (`vmlp.seeds`).
pub fn fractions_figure(per_seed: &[(u64, Vec<SweepRecord>)], pooled: &[SweepRecord], vmlp: &[SweepRecord], vmlp_networks: usize) -> Figure {
    let seed_spread = |k: usize, f: Family| Spread::of(&per_seed.iter().map(|(_, s)| f.fraction(&s[k].labels)).collect::<Vec<_>>());
    let mut header = vec!["method".to_string(), "log10_beta".into(), "networks".into(), "nmse_mean".into(), "nmse_std".into(), "bits_mean".into(), "bits_std".into()];
    header.extend(Family::ALL.iter().map(|f| format!("fraction_{}", f.name())));
    header.extend(Family::ALL.iter().map(|f| format!("fraction_{}_seed_std", f.name())));
    header.extend(Label::ALL.iter().map(|l| format!("count_{}", l.name())));
    let mut csv = Csv::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for (method, sweep) in [(Method::Generator, pooled), (Method::VariationalMlp, vmlp)] {
        for (k, r) in sweep.iter().enumerate() {
            let mut row = vec![method.name().to_string(), r.log10_beta.to_string(), r.labels.total().to_string()];
            row.extend([r.nmse.mean, r.nmse.std, r.bits.mean, r.bits.std].map(|v| v.to_string()));
            row.extend(Family::ALL.iter().map(|f| f.fraction(&r.labels).to_string()));
            row.extend(Family::ALL.iter().map(|f| if method == Method::Generator { seed_spread(k, *f).std.to_string() } else { String::new() }));
            row.extend(Label::ALL.iter().map(|l| r.labels.0[l.name()].to_string()));
            csv.row(row);
        }
    }

    let x = Axis::fit("log10 beta", Scale::Linear, pooled.iter().chain(vmlp).map(|r| r.log10_beta));
    let mut chart = Chart::new("Algorithm fractions against beta", x, Axis::fixed("fraction of networks", 0.0, 1.0));
    // Beneath first: the variational MLPs, thin, with small markers; then the generator.
    for (method, sweep, width, radius) in [(Method::VariationalMlp, vmlp, 1.2, 2.5), (Method::Generator, pooled, 2.0, 3.5)] {
        for (i, f) in Family::ALL.into_iter().enumerate() {
            let colour = family_colour(f);
            let points: Vec<(f64, f64)> = sweep.iter().map(|r| (r.log10_beta, f.fraction(&r.labels))).collect();
            chart.line(&points, colour, width, method.dashed());
            for (k, &(lb, frac)) in points.iter().enumerate() {
                if method == Method::Generator && per_seed.len() > 1 {
                    let s = seed_spread(k, f);
                    chart.error_bar(lb, (s.mean - s.std).max(0.0), (s.mean + s.std).min(1.0), colour, 3.0 * i as f64 - 4.5);
                }
                let tip = format!("{}: {} at log10 beta {lb:+.2}: {:.0}%", method.name(), f.name(), 100.0 * frac);
                chart.point((lb, frac), radius, method.marker(), colour, 1.0, Some(&tip));
            }
        }
    }
    let mut legend: Vec<LegendEntry> = Family::ALL.iter().map(|f| LegendEntry { colour: family_colour(*f).into(), marker: None, dashed: false, label: f.name().into() }).collect();
    for method in [Method::Generator, Method::VariationalMlp] {
        legend.push(LegendEntry { colour: "#333333".into(), marker: None, dashed: method.dashed(), label: method.title().into() });
    }
    chart.legend(&legend);
    Figure {
        id: "fractions".into(),
        title: "Algorithm fractions against beta".into(),
        caption: format!(
            "Fraction of sampled networks the classifier assigns to each algorithm, at each beta of the final sweep. \
             Solid lines and dots: the generators, all seeds pooled, with bars of one seed-to-seed standard deviation. \
             Dashed lines and hollow squares, drawn beneath: the variational MLPs, {} trained per beta; a point is the share \
             of the networks sampled from {} at that beta, not of independently trained networks.",
            if vmlp_networks == 1 { "one network".to_string() } else { format!("{vmlp_networks} networks") },
            if vmlp_networks == 1 { "that one network's posterior" } else { "those networks' posteriors" },
        ),
        svg: chart.finish(),
        data: vec![("fractions.csv".into(), csv.finish())],
    }
}
