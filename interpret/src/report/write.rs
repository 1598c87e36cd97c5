//! The report folder, written from the studies:
//!
//! * `index.html`: the page ([`crate::report::html`]);
//! * `summary.json`: the claims ([`crate::studies::claims`]), identical for reruns;
//! * `run.json`: commit, command and wall times (what changes between reruns);
//! * `config.toml`: the configuration, every field written out;
//! * `data/*.csv`: the numbers behind every figure; `figures/*.svg`: the figures;
//! * `networks/*.safetensors`: the drawn networks;
//! * `checkpoints/`, `logs/`: written while the studies ran ([`crate::studies::reproduce`]).
//!
//! A run may also be split: [`train_only`] per seed (one job each), then [`assemble`].

use crate::report::csv::Csv;
use crate::report::figure::Figure;
use crate::report::fractions_figure::fractions_figure;
use crate::report::generalisation_figure::generalisation_figure;
use crate::report::html::index_html;
use crate::output_folder::kinds::REPRODUCE;
use crate::output_folder::CONFIG_FILE;
use crate::report::pareto_figure::pareto_figure;
use crate::report::phase_figure::phase_figure;
use crate::report::run_info::{RunInfo, BUILD_COMMIT};
use crate::report::training_figure::training_figure;
use crate::studies::drawings::Drawing;
use crate::studies::progress::Progress;
use crate::studies::reproduce::{analyse, run_studies, train_generators, Studies, ANALYSIS_STAGES};
use crate::studies::seed_store::{load_seed_runs, save_seed_run};
use crate::studies::seed_training::SeedRun;
use crate::studies::reproduce_config::ReproduceConfig;
use hypernet::weights_io::{save_target_weights, write_atomic};
use crate::landscape::verdict::MeasureVerdict;
use crate::report::landscape_figure::landscape_figure;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where and how to write a report.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    pub out: PathBuf,
    /// Replace a folder holding another run's report.
    pub force: bool,
    /// The command line, as shown in the report.
    pub command: String,
    /// The objective's optimum per beta for the generator's measure (`hnet landscape`),
    /// shown beside the generator's fractions when given.
    pub landscape: Option<MeasureVerdict>,
}

/// Runs the studies of `cfg` and writes their report to `options.out`.
pub fn reproduce(cfg: &ReproduceConfig, options: &ReportOptions) -> Result<Studies, String> {
    cfg.validate()?;
    let start = Instant::now();
    take_folder(cfg, options)?;
    let studies = run_studies(cfg, &options.out)?;
    finish(cfg, studies, options, start)
}

/// Claims `options.out` for a run of `cfg` (refusing another run's folder without
/// `--force`) and writes `config.toml` there.
fn take_folder(cfg: &ReproduceConfig, options: &ReportOptions) -> Result<(), String> {
    let config_toml = cfg.to_toml();
    REPRODUCE.replace_same_config(&options.out, &config_toml, options.force)?;
    write_file(&options.out, CONFIG_FILE, config_toml.as_bytes())
}

/// Writes the report of `studies` of `cfg`, begun at `start`.
fn finish(cfg: &ReproduceConfig, studies: Studies, options: &ReportOptions, start: Instant) -> Result<Studies, String> {
    let info = RunInfo {
        commit: BUILD_COMMIT.to_string(),
        command: options.command.clone(),
        total_seconds: start.elapsed().as_secs_f64(),
        stages: studies.timings.clone(),
        threads: rayon::current_num_threads(),
    };
    write_report(cfg, &studies, &info, options.landscape.as_ref(), &options.out)?;
    Ok(studies)
}

/// Stage 1 only, for one job of a split run: trains the generators of `cfg` and
/// saves their snapshots and curves under `options.out` (for [`assemble`]).
pub fn train_only(cfg: &ReproduceConfig, options: &ReportOptions) -> Result<Vec<SeedRun>, String> {
    cfg.validate()?;
    take_folder(cfg, options)?;
    train_generators(cfg, &options.out, &mut Progress::new(1))
}

/// The report of generators trained apart ([`train_only`]) in `parts`: their
/// configurations must agree but for the seeds, and their seeds must be consecutive;
/// the studies are then those of one run over all of those seeds.
pub fn assemble(parts: &[PathBuf], options: &ReportOptions) -> Result<Studies, String> {
    let start = Instant::now();
    let (cfg, runs) = gather(parts)?;
    take_folder(&cfg, options)?;
    for run in &runs {
        save_seed_run(&options.out, run)?;
    }
    copy_training_logs(parts, &options.out)?;
    let studies = analyse(&cfg, runs, &options.out, Progress::new(ANALYSIS_STAGES))?;
    finish(&cfg, studies, options, start)
}

/// The common configuration of `parts` (seeds spanning all of theirs) and every
/// trained generator in them, in seed order.
fn gather(parts: &[PathBuf]) -> Result<(ReproduceConfig, Vec<SeedRun>), String> {
    let mut common: Option<ReproduceConfig> = None;
    let mut runs: Vec<SeedRun> = Vec::new();
    for dir in parts {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e} (pass folders written by `hnet reproduce --train-only`)", path.display()))?;
        let cfg: ReproduceConfig = toml::from_str(&text).map_err(|e| format!("{} is not a reproduce configuration: {e}", path.display()))?;
        let loaded = load_seed_runs(dir)?;
        let expected = cfg.snapshot_steps();
        for run in &loaded {
            let steps: Vec<usize> = run.snapshots.iter().map(|s| s.step).collect();
            if steps != expected || !cfg.generator_seeds().contains(&run.seed) {
                return Err(format!("{}: seed {} has snapshots at steps {steps:?}, but its configuration expects seeds {:?} with snapshots at {expected:?}", dir.display(), run.seed, cfg.generator_seeds()));
            }
        }
        let unseeded = ReproduceConfig { seed: 0, seeds: 1, ..cfg };
        match &common {
            Some(c) if *c != unseeded => return Err(format!("{} was trained with another configuration than {} (only seed and seeds may differ)", dir.display(), parts[0].display())),
            _ => common = Some(unseeded),
        }
        runs.extend(loaded);
    }
    runs.sort_by_key(|r| r.seed);
    let seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
    let first = *seeds.first().ok_or("the folders hold no trained generator")?;
    if seeds != (first..first + seeds.len() as u64).collect::<Vec<_>>() {
        return Err(format!("the folders hold seeds {seeds:?}; they must be consecutive and appear once (train the missing ones, or leave out a duplicate)"));
    }
    let cfg = ReproduceConfig { seed: first, seeds: seeds.len(), ..common.expect("at least one folder") };
    Ok((cfg, runs))
}

/// Copies the generators' training logs of `parts` into `out/logs`.
fn copy_training_logs(parts: &[PathBuf], out: &Path) -> Result<(), String> {
    std::fs::create_dir_all(out.join("logs")).map_err(|e| format!("cannot create {}: {e}", out.join("logs").display()))?;
    for dir in parts {
        let Ok(listing) = std::fs::read_dir(dir.join("logs")) else { continue };
        for entry in listing.filter_map(Result::ok) {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with("generator-seed-") {
                std::fs::copy(entry.path(), out.join("logs").join(&name)).map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

/// Every figure of the report of `studies` run with `cfg`, in page order (the
/// landscape's only when given).
pub fn figures(cfg: &ReproduceConfig, studies: &Studies, landscape: Option<&MeasureVerdict>) -> Vec<Figure> {
    let s = studies;
    let mut figures = vec![
        pareto_figure(&s.generator_sweeps, &s.generator_pooled, &s.vmlp_sweep),
        fractions_figure(&s.generator_sweeps, &s.generator_pooled, &s.vmlp_sweep, cfg.vmlp.seeds),
        phase_figure(&s.phase, s.runs.len(), &cfg.training),
        generalisation_figure(&s.generalisation, &s.summary.generalisation.iter().map(|c| c.log10_beta).collect::<Vec<_>>(), &s.summary.seeds),
        training_figure(&s.runs),
    ];
    figures.extend(landscape.map(|l| landscape_figure(&s.generator_pooled, l)));
    figures
}

/// Writes everything but the checkpoints and logs (already there).
pub fn write_report(cfg: &ReproduceConfig, studies: &Studies, info: &RunInfo, landscape: Option<&MeasureVerdict>, out: &Path) -> Result<(), String> {
    let summary = serde_json::to_string_pretty(&studies.summary).expect("the summary serialises") + "\n";
    write_file(out, "summary.json", summary.as_bytes())?;
    write_file(out, "run.json", (serde_json::to_string_pretty(info).expect("run info serialises") + "\n").as_bytes())?;
    let figures = figures(cfg, studies, landscape);
    for f in &figures {
        write_file(out, &format!("figures/{}.svg", f.id), f.svg.as_bytes())?;
        for (name, csv) in &f.data {
            write_file(out, &format!("data/{name}"), csv.as_bytes())?;
        }
    }
    for d in &studies.drawings {
        write_file(out, &format!("figures/drawing-{}.svg", d.id), d.svg.as_bytes())?;
        let path = out.join(format!("networks/{}.safetensors", d.id));
        std::fs::create_dir_all(out.join("networks")).map_err(|e| format!("cannot create {}: {e}", out.join("networks").display()))?;
        save_target_weights(&path, &d.weights).map_err(|e| format!("cannot save {}: {e}", path.display()))?;
    }
    write_file(out, "data/drawings.csv", drawings_csv(&studies.drawings).as_bytes())?;
    let mut files = listing(out)?;
    files.push("index.html".into());
    files.sort();
    write_file(out, "index.html", index_html(&cfg.to_toml(), &studies.summary, &figures, &studies.drawings, info, &files).as_bytes())
}

fn drawings_csv(drawings: &[Drawing]) -> String {
    let mut csv = Csv::new(&["id", "source", "label", "nmse", "bits", "formula"]);
    for d in drawings {
        let formula = d.explanation.lines().next().unwrap_or_default().to_string();
        csv.row(vec![d.id.clone(), d.source.clone(), d.label.name().into(), d.nmse.to_string(), d.bits.map_or(String::new(), |b| b.to_string()), formula]);
    }
    csv.finish()
}

/// Writes `out/relative` atomically, creating its folder.
pub fn write_file(out: &Path, relative: &str, bytes: &[u8]) -> Result<(), String> {
    let path = out.join(relative);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomic(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The report's files under `out`, as relative paths with `/`.
fn listing(out: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = REPRODUCE.entries.iter().map(|e| out.join(e)).filter(|p| p.exists()).collect();
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            let entries = std::fs::read_dir(&path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
            pending.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
        } else {
            let relative = path.strip_prefix(out).expect("listed under out");
            files.push(relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(files)
}
