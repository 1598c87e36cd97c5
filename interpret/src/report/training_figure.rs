//! Training curves: each generator's training nMSE (window means over betas drawn
//! log-uniformly, so it mixes every phase) against step, with the snapshot steps
//! marked.

use crate::report::chart::{Axis, Chart, LegendEntry, Scale};
use crate::report::csv::Csv;
use crate::report::figure::Figure;
use crate::report::palette::sequence_colour;
use crate::studies::seed_training::SeedRun;

/// Seeds listed one by one in the legend, at most.
const MAX_LEGEND_SEEDS: usize = 10;

pub fn training_figure(runs: &[SeedRun]) -> Figure {
    let mut csv = Csv::new(&["seed", "step", "loss", "nmse", "bits"]);
    for run in runs {
        for p in &run.curve {
            csv.row(vec![run.seed.to_string(), p.step.to_string(), p.loss.to_string(), p.nmse.to_string(), p.bits.to_string()]);
        }
    }
    let points = || runs.iter().flat_map(|r| r.curve.iter());
    let x = Axis::fit("training step", Scale::Linear, points().map(|p| p.step as f64).chain([0.0]));
    let y = Axis::fit("training nMSE (window mean)", Scale::Log10, points().map(|p| p.nmse));
    let mut chart = Chart::new("Generator training", x, y);
    let mut legend = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        let colour = sequence_colour(k, runs.len());
        chart.line(&run.curve.iter().map(|p| (p.step as f64, p.nmse)).collect::<Vec<_>>(), colour, 1.2, false);
        if runs.len() <= MAX_LEGEND_SEEDS {
            legend.push(LegendEntry { colour: colour.into(), marker: None, dashed: false, label: format!("seed {}", run.seed) });
        }
    }
    if runs.len() > MAX_LEGEND_SEEDS {
        legend.push(LegendEntry { colour: sequence_colour(0, 1).into(), marker: None, dashed: false, label: format!("one line per seed ({})", runs.len()) });
    }
    if let Some(run) = runs.first() {
        let (lo, hi) = (chart.y.min, chart.y.max);
        for s in &run.snapshots {
            chart.line(&[(s.step as f64, lo), (s.step as f64, hi)], "#bbbbbb", 1.0, true);
        }
    }
    legend.push(LegendEntry { colour: "#bbbbbb".into(), marker: None, dashed: true, label: "snapshot".into() });
    chart.legend(&legend);
    Figure {
        id: "training".into(),
        title: "Generator training".into(),
        caption: "Training nMSE of each generator, averaged over windows of steps (each step draws its betas log-uniformly over the \
                  trained range, so this mixes accurate low-beta and coarse high-beta networks). Dashed: the snapshots of the phase \
                  diagram."
            .into(),
        svg: chart.finish(),
        data: vec![("training.csv".into(), csv.finish())],
    }
}
