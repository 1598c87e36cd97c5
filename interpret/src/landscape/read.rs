//! Reading a landscape back from its `landscape.csv` (for the reproduce report, which
//! shows the objective's preference beside the generator's fractions).

use crate::classify::Label;
use crate::landscape::config::LandscapeConfig;
use crate::landscape::figure::CSV_HEADER;
use crate::landscape::run::LandscapeRow;
use crate::landscape::starts::Start;
use crate::landscape::verdict::{verdict, MeasureVerdict};
use hypernet::vmlp::SigmaSharing;
use std::path::Path;

/// The rows of `dir/landscape.csv`, with a message naming the file, line and field
/// at fault.
pub fn read_landscape(dir: &Path) -> Result<Vec<LandscapeRow>, String> {
    let path = dir.join("landscape.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e} (pass a folder written by `hnet landscape`)", path.display()))?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    if header != CSV_HEADER.join(",") {
        return Err(format!("{} does not start with the landscape header `{}`", path.display(), CSV_HEADER.join(",")));
    }
    (lines.enumerate())
        .map(|(k, line)| parse_row(line).map_err(|e| format!("{} line {}: {e}", path.display(), k + 2)))
        .collect()
}

/// The verdict of the landscape in `dir` for `measure` at `inputs` inputs (the
/// generator's sweep), refusing a landscape measured at another size or without that
/// measure.
pub fn landscape_verdict_for(dir: &Path, measure: SigmaSharing, inputs: usize) -> Result<MeasureVerdict, String> {
    let path = dir.join("config.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e} (pass a folder written by `hnet landscape`)", path.display()))?;
    let cfg: LandscapeConfig = toml::from_str(&text).map_err(|e| format!("{} is not a landscape configuration: {e}", path.display()))?;
    if cfg.problem.inputs != inputs {
        return Err(format!("the landscape in {} was measured at n = {}, the generator's sweep is at n = {inputs}; run `hnet landscape` with problem.inputs = {inputs}", dir.display(), cfg.problem.inputs));
    }
    let rows = read_landscape(dir)?;
    if !rows.iter().any(|r| r.measure == measure) {
        return Err(format!("the landscape in {} has no runs for {}, the generator's complexity measure; add it to its measures", dir.display(), measure.name()));
    }
    Ok(verdict(&rows, measure))
}

fn parse_row(line: &str) -> Result<LandscapeRow, String> {
    let f: Vec<&str> = line.split(',').collect();
    if f.len() != CSV_HEADER.len() {
        return Err(format!("{} fields, expected {}", f.len(), CSV_HEADER.len()));
    }
    let named = |i: usize, names: &[&str]| names.iter().position(|n| *n == f[i]).ok_or_else(|| format!("{} `{}` is not one of {names:?}", CSV_HEADER[i], f[i]));
    let number = |i: usize| f[i].parse::<f64>().map_err(|_| format!("{} `{}` is not a number", CSV_HEADER[i], f[i]));
    let labels = Label::ALL.map(Label::name);
    Ok(LandscapeRow {
        measure: SigmaSharing::ALL[named(0, &SigmaSharing::ALL.map(SigmaSharing::name))?],
        log10_beta: number(1)?,
        start: Start::ALL[named(2, &Start::ALL.map(Start::name))?],
        seed: f[3].parse().map_err(|_| format!("seed `{}` is not a count", f[3]))?,
        final_label: Label::ALL[named(4, &labels)?],
        label_share: number(5)?,
        mean_label: Label::ALL[named(6, &labels)?],
        nmse: number(7)?,
        nmse_mean: number(8)?,
        bits: number(9)?,
        loss: number(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::figure::landscape_csv;

    #[test]
    fn rows_survive_the_round_trip_and_bad_fields_are_named() {
        let row = LandscapeRow {
            measure: SigmaSharing::NeuronSigma,
            log10_beta: -2.5,
            start: Start::MixedPudding,
            seed: 1,
            final_label: Label::PositivePudding,
            label_share: 0.875,
            mean_label: Label::Other,
            nmse: 0.0123,
            nmse_mean: 0.01,
            bits: 2345.5,
            loss: 0.1,
        };
        let dir = std::env::temp_dir().join(format!("hnet-landscape-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("landscape.csv"), landscape_csv(std::slice::from_ref(&row))).unwrap();
        assert_eq!(read_landscape(&dir).unwrap(), vec![row]);
        let bad = landscape_csv(&[]) + "neuron-sigma,-2.5,mixed-pudding,1,tripple,1,other,0.1,0.1,1,0.1\n";
        std::fs::write(dir.join("landscape.csv"), bad).unwrap();
        let err = read_landscape(&dir).unwrap_err();
        assert!(err.contains("line 2") && err.contains("tripple"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
