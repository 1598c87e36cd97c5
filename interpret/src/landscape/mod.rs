//! The objective's own phase diagram (`hnet landscape`): which algorithm the
//! generator's objective `nMSE + beta * bits / W` prefers at each beta, measured
//! without a generator.
//!
//! For each complexity measure that prices the target weights (a sigma per tensor, per
//! weight or per neuron: [`hypernet::posterior::SigmaSharing`]) and each beta, direct
//! variational MLPs start from every reference algorithm (with a little noise, several
//! seeds) and from random starts ([`starts`]), train on that objective ([`run`]) and
//! are labelled again at the end. The run with the lowest loss tells what the
//! objective prefers there ([`mod@verdict`]); if its winners go double-sided, pudding,
//! convexity as beta grows, the objective orders the paper's three phases and a
//! generator that misses one fails at search; if not, no generator trained on this
//! objective should be expected to show them. Walk-through: `docs/landscape.md`.

pub mod config;
pub mod figure;
pub mod memory;
pub mod read;
pub mod run;
pub mod starts;
pub mod verdict;

use crate::landscape::config::LandscapeConfig;
use crate::landscape::figure::{landscape_csv, landscape_svg};
use crate::landscape::run::{run_measure, LandscapeRow};
use crate::landscape::verdict::{verdict, verdict_json, MeasureVerdict};
use crate::report::write::write_file;
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// Every row and each measure's verdict.
pub struct Landscape {
    pub rows: Vec<LandscapeRow>,
    pub verdicts: Vec<MeasureVerdict>,
    /// Seconds each measure took.
    pub seconds: Vec<f64>,
}

/// Runs every measure of `cfg` (printing a line as each ends).
pub fn landscape(cfg: &LandscapeConfig) -> Result<Landscape, String> {
    cfg.validate()?;
    let (mut rows, mut verdicts, mut seconds) = (Vec::new(), Vec::new(), Vec::new());
    for &measure in &cfg.measures {
        let clock = Instant::now();
        let measured = run_measure(cfg, measure)?;
        let v = verdict(&measured, measure);
        seconds.push(clock.elapsed().as_secs_f64());
        let sequence: Vec<&str> = v.sequence.iter().map(|f| f.name()).collect();
        println!("{:>13}: {} networks in {:.0} s; winners in increasing beta: {}", measure.name(), measured.len(), seconds.last().unwrap(), sequence.join(" -> "));
        rows.extend(measured);
        verdicts.push(v);
    }
    Ok(Landscape { rows, verdicts, seconds })
}

/// `landscape.json`: the configuration's size, each measure's verdict and the overall
/// claim (does any measure order the paper's three phases?).
pub fn landscape_json(cfg: &LandscapeConfig, l: &Landscape) -> serde_json::Value {
    let ordering: Vec<&str> = l.verdicts.iter().filter(|v| v.orders_paper()).map(|v| v.measure.name()).collect();
    json!({
        "claim": {
            "objective_orders_double_sided_pudding_convexity": !ordering.is_empty(),
            "measures_that_order_them": ordering,
        },
        "networks_per_measure": cfg.networks_per_measure(),
        "steps": cfg.steps,
        "seconds_per_measure": l.seconds,
        "measures": l.verdicts.iter().map(verdict_json).collect::<Vec<_>>(),
    })
}

/// Writes `landscape.csv`, `landscape.json` and `landscape-<measure>.svg` into `out`.
pub fn write_landscape(cfg: &LandscapeConfig, l: &Landscape, out: &Path) -> Result<(), String> {
    let write = |name: &str, text: &str| write_file(out, name, text.as_bytes());
    write("landscape.csv", &landscape_csv(&l.rows))?;
    write("landscape.json", &serde_json::to_string_pretty(&landscape_json(cfg, l)).expect("json"))?;
    for v in &l.verdicts {
        write(&format!("landscape-{}.svg", v.measure.name()), &landscape_svg(v))?;
    }
    Ok(())
}
