//! The phase diagram over training as a heatmap: one cell per (snapshot step, beta),
//! coloured by the dominant algorithm, more opaque the larger its share (hover for
//! every family's share). Snapshots taken while a schedule was in force (the warm
//! start, a curriculum: [`crate::studies::training_stage`]) are named beside their row,
//! and a dashed line divides them from free training.

use crate::classify::Label;
use crate::report::csv::Csv;
use crate::report::figure::Figure;
use crate::report::palette::family_colour;
use crate::report::svg_writer::{Marker, SvgWriter};
use crate::studies::family::Family;
use crate::studies::phase_diagram::PhaseDiagram;
use crate::studies::training_stage::{stages_at, Stage};
use hypernet::generator::GeneratorTrainConfig;

/// Room left of the row labels (the axis title).
const MARGIN: f64 = 50.0;
/// Width of a character of the 10-pixel row labels, generously.
const CHAR_WIDTH: f64 = 6.0;
const TOP: f64 = 40.0;
const GRID_WIDTH: f64 = 560.0;
const GRID_HEIGHT: f64 = 300.0;

/// The heatmap of `phase` (from generators trained with `training`) and its cells as CSV.
pub fn phase_figure(phase: &PhaseDiagram, seeds: usize, training: &GeneratorTrainConfig) -> Figure {
    let mut header = vec!["step".to_string(), "log10_beta".into(), "networks".into(), "dominant".into()];
    header.extend(Family::ALL.iter().map(|f| format!("fraction_{}", f.name())));
    header.extend(Label::ALL.iter().map(|l| format!("count_{}", l.name())));
    header.push("schedule".into());
    let mut csv = Csv::new(&header.iter().map(String::as_str).collect::<Vec<_>>());

    let (cols, rows) = (phase.log10_betas.len(), phase.steps.len());
    let (cell_w, cell_h) = ((GRID_WIDTH / cols as f64).min(60.0), (GRID_HEIGHT / rows as f64).min(40.0));
    let (grid_w, grid_h) = (cell_w * cols as f64, cell_h * rows as f64);
    let stages: Vec<Vec<Stage>> = phase.steps.iter().map(|&step| stages_at(training, step)).collect();
    let schedules: Vec<String> = stages.iter().map(|s| s.iter().map(|st| st.name()).collect::<Vec<_>>().join(", ")).collect();
    let labels: Vec<String> = phase.steps.iter().zip(&schedules).map(|(step, sc)| if sc.is_empty() { step.to_string() } else { format!("{sc} \u{b7} {step}") }).collect();
    let left = MARGIN + CHAR_WIDTH * labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let mut svg = SvgWriter::new(left + grid_w + 170.0, TOP + grid_h + 60.0);
    svg.text(left + grid_w / 2.0, 22.0, 14.0, "middle", 0.0, &format!("Dominant algorithm over training ({seeds} seeds pooled)"));
    for (s, &step) in phase.steps.iter().enumerate() {
        // Later snapshots higher up.
        let y = TOP + (rows - 1 - s) as f64 * cell_h;
        svg.text(left - 6.0, y + cell_h / 2.0 + 4.0, 10.0, "end", 0.0, &labels[s]);
        for (k, &lb) in phase.log10_betas.iter().enumerate() {
            let counts = &phase.counts[s][k];
            let dominant = Family::dominant(counts);
            let share = dominant.fraction(counts);
            let shares: Vec<String> = Family::ALL.iter().map(|f| format!("{} {:.0}%", f.name(), 100.0 * f.fraction(counts))).collect();
            let tip = format!("step {step}, log10 beta {lb:+.2}, {} networks: {}", counts.total(), shares.join(", "));
            svg.rect((left + k as f64 * cell_w, y, cell_w - 1.0, cell_h - 1.0), family_colour(dominant), 0.15 + 0.85 * share, Some(&tip));
            if cell_w >= 30.0 && cell_h >= 14.0 {
                svg.text(left + (k as f64 + 0.5) * cell_w, y + cell_h / 2.0 + 3.5, 9.0, "middle", 0.0, &format!("{:.0}", 100.0 * share));
            }
            let mut row = vec![step.to_string(), lb.to_string(), counts.total().to_string(), dominant.name().to_string()];
            row.extend(Family::ALL.iter().map(|f| f.fraction(counts).to_string()));
            row.extend(Label::ALL.iter().map(|l| counts.0[l.name()].to_string()));
            row.push(schedules[s].replace(", ", "+"));
            csv.row(row);
        }
    }
    // The dashed line above the last snapshot taken under a schedule, when free ones follow.
    if let Some(last) = stages.iter().rposition(|s| !s.is_empty()).filter(|&s| s + 1 < rows) {
        let y = TOP + (rows - 1 - last) as f64 * cell_h - 0.5;
        svg.line((MARGIN, y), (left + grid_w, y), "#222222", 1.5, 1.0, true);
    }
    let label_every = cols.div_ceil(12);
    for (k, &lb) in phase.log10_betas.iter().enumerate().filter(|(k, _)| k % label_every == 0) {
        svg.text(left + (k as f64 + 0.5) * cell_w, TOP + grid_h + 14.0, 10.0, "middle", 0.0, &format!("{lb:.1}"));
    }
    svg.text(left + grid_w / 2.0, TOP + grid_h + 34.0, 12.0, "middle", 0.0, "log10 beta");
    svg.text(20.0, TOP + grid_h / 2.0, 12.0, "middle", -90.0, "training step");
    for (i, f) in Family::ALL.iter().enumerate() {
        let y = TOP + 10.0 + 20.0 * i as f64;
        svg.marker((left + grid_w + 25.0, y - 4.0), 5.0, Marker::Square, family_colour(*f), 1.0, None);
        svg.text(left + grid_w + 36.0, y, 11.0, "start", 0.0, f.name());
    }
    Figure {
        id: "phase".into(),
        title: "Phase diagram over training".into(),
        caption: format!(
            "Each cell: the networks sampled at one beta from every seed's generator snapshot at one training step. Colour: the \
             algorithm most of them implement; opacity and the number: its share in percent. Hover for every algorithm's share. \
             Rows: snapshots {:?}.{}",
            phase.steps,
            schedule_caption(training, &stages)
        ),
        svg: svg.finish(),
        data: vec![("phase.csv".into(), csv.finish())],
    }
}

/// What the rows marked with a schedule mean, for the schedules that mark a row.
fn schedule_caption(training: &GeneratorTrainConfig, stages: &[Vec<Stage>]) -> String {
    let meaning = |stage: Stage| match stage {
        Stage::WarmStart => format!(
            "<em>warm start</em>: every step up to the snapshot had the complexity term off and deterministic weights (the first {} steps)",
            training.complexity_warmup_steps()
        ),
        Stage::BetaCurriculum => format!("<em>beta curriculum</em>: training had not yet sampled betas down to log10 beta {:+.1}", training.log10_beta_min),
        Stage::PuddingCurriculum => "<em>pudding curriculum</em>: the <code>-</code> slots' output weights were still gated".to_string(),
    };
    let marked: Vec<String> = Stage::ALL.into_iter().filter(|st| stages.iter().any(|s| s.contains(st))).map(meaning).collect();
    if marked.is_empty() {
        return String::new();
    }
    format!(
        " Rows named by a schedule were taken while it was in force ({}); a dashed line divides them from free training. Their \
         networks show the schedule, so a change of colour across that line is a schedule switch, not a phase transition.",
        marked.join("; ")
    )
}
