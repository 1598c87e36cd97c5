//! The reproduction, stage by stage, from a [`ReproduceConfig`]:
//!
//! 1. train a generator per seed, one after another (the kernels already use every
//!    core), snapshotting each ([`seed_training`]);
//! 2. sweep beta at each generator's final snapshot ([`beta_sweep`]) and pick a
//!    network per algorithm to draw ([`exemplars`]);
//! 3. train the per-beta variational MLPs, sweep them the same way ([`vmlp_sweep`])
//!    and pick theirs;
//! 4. sweep every earlier snapshot for the phase diagram over training ([`phase_diagram`]);
//! 5. draw the picked networks and an Adam-trained network ([`drawings`]);
//! 6. generate at trained and unseen input sizes ([`generalisation`]);
//!
//! then check the paper's claims on the results ([`claims`]). The raw artefacts go to
//! `out` as they are made: each seed's snapshots and curve ([`seed_store`]) and the
//! training logs `logs/*.jsonl`; the report is written from the returned [`Studies`].
//!
//! Stage 1 and stages 2 to 6 also run apart ([`train_generators`], [`analyse`]): seeds
//! trained as separate jobs, then analysed together, give the same studies as one run.
//!
//! [`seed_training`]: crate::studies::seed_training
//! [`beta_sweep`]: crate::studies::beta_sweep
//! [`exemplars`]: crate::studies::exemplars
//! [`vmlp_sweep`]: crate::studies::vmlp_sweep
//! [`phase_diagram`]: crate::studies::phase_diagram
//! [`drawings`]: crate::studies::drawings
//! [`generalisation`]: crate::studies::generalisation
//! [`claims`]: crate::studies::claims
//! [`seed_store`]: crate::studies::seed_store

use crate::studies::beta_sweep::sweep_generator;
use crate::studies::claims::{generalisation_claims, generator_claims, sweep_claims, Summary, SUMMARY_FORMAT};
use crate::studies::drawings::{draw_adam, draw_exemplar, Drawing};
use crate::studies::exemplars::Exemplars;
use crate::studies::generalisation::{generalise, SizeResult};
use crate::studies::keys::SWEEP;
use crate::studies::phase_diagram::PhaseDiagram;
use crate::studies::progress::Progress;
use crate::studies::reproduce_config::ReproduceConfig;
use crate::studies::seed_store::save_seed_run;
use crate::studies::seed_training::{train_seed, SeedRun};
use crate::studies::sweep_record::{pool, SweepRecord};
use crate::studies::vmlp_sweep::sweep_vmlp;
use autodiff::Key;
use hypernet::generator::TrainedGenerator;
use hypernet::log::MetricsLog;
use std::path::Path;

/// Number of stages after training, for the progress lines.
pub const ANALYSIS_STAGES: usize = 5;

/// Everything the reproduction measured.
pub struct Studies {
    pub runs: Vec<SeedRun>,
    /// Each generator's final sweep, in seed order.
    pub generator_sweeps: Vec<(u64, Vec<SweepRecord>)>,
    /// The final sweeps of all generators pooled.
    pub generator_pooled: Vec<SweepRecord>,
    pub vmlp_sweep: Vec<SweepRecord>,
    pub phase: PhaseDiagram,
    /// One per algorithm the generators found, in label order, the same for the
    /// variational MLPs, then the Adam network.
    pub drawings: Vec<Drawing>,
    pub generalisation: Vec<SizeResult>,
    pub summary: Summary,
    /// Wall time of each stage in seconds (for the report, not the summary).
    pub timings: Vec<(String, f64)>,
}

/// Runs every stage, writing checkpoints and logs under `out`.
pub fn run_studies(cfg: &ReproduceConfig, out: &Path) -> Result<Studies, String> {
    cfg.validate()?;
    let mut progress = Progress::new(1 + ANALYSIS_STAGES);
    let runs = train_generators(cfg, out, &mut progress)?;
    analyse(cfg, runs, out, progress)
}

/// Stages 2 to 6 on trained generators (one [`SeedRun`] per seed of `cfg`, in seed
/// order), writing logs under `out`.
pub fn analyse(cfg: &ReproduceConfig, runs: Vec<SeedRun>, out: &Path, mut progress: Progress) -> Result<Studies, String> {
    let seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
    assert_eq!(seeds, cfg.generator_seeds(), "analyse: the runs' seeds differ from the config's");
    let generators: Vec<(u64, TrainedGenerator)> = runs.iter().map(|r| Ok((r.seed, r.last().generator()?))).collect::<Result<_, String>>()?;

    let stage = progress.start("beta sweep", Some(generators.len() as u64));
    let (problem, betas) = (cfg.training.problem_at(cfg.sweep.inputs), cfg.sweep_log10_betas());
    let last = runs[0].snapshots.len() - 1;
    let mut exemplars = Exemplars::default();
    let mut generator_sweeps = Vec::new();
    for (seed, generator) in &generators {
        let points = sweep_generator(generator, &problem, &betas, cfg.sweep.samples, cfg.sweep.eval_points, sweep_key(*seed, last));
        points.iter().for_each(|p| exemplars.offer(&format!("generator seed {seed}"), p));
        generator_sweeps.push((*seed, points.iter().map(SweepRecord::from).collect::<Vec<_>>()));
        stage.bar.inc(1);
    }
    let generator_pooled = pool(&generator_sweeps.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>());
    progress.finish(stage, &format!("{} betas x {} networks x {} generators", betas.len(), cfg.sweep.samples, generators.len()));

    let stage = progress.start("variational MLPs", None);
    let mut log = open_log(out, "vmlp")?;
    let vmlp_points = sweep_vmlp(cfg, Some(&mut log))?;
    let mut vmlp_exemplars = Exemplars::default();
    vmlp_points.iter().for_each(|p| vmlp_exemplars.offer("variational MLP", p));
    let vmlp_sweep: Vec<SweepRecord> = vmlp_points.iter().map(SweepRecord::from).collect();
    drop(vmlp_points);
    progress.finish(stage, &format!("{} betas x {} networks, {} steps", betas.len(), cfg.vmlp.seeds, cfg.vmlp.steps));

    let phase = phase_diagram(cfg, &runs, &generator_sweeps, &mut progress)?;

    let stage = progress.start("drawings", None);
    let mut drawings: Vec<Drawing> = exemplars.found().into_iter().map(|e| draw_exemplar("generator", e)).collect();
    let generated = drawings.len();
    drawings.extend(vmlp_exemplars.found().into_iter().map(|e| draw_exemplar("variational-mlp", e)));
    let mut log = open_log(out, "adam")?;
    drawings.push(draw_adam(cfg, Some(&mut log))?);
    progress.finish(stage, &format!("{generated} algorithms from the generators, {} from the variational MLPs, plus the Adam network", drawings.len() - 1 - generated));

    let sizes = cfg.generalisation_sizes();
    let stage = progress.start("generalisation", Some((sizes.len() * generators.len()) as u64));
    let generalisation = generalise(cfg, &generators, || stage.bar.inc(1));
    progress.finish(stage, &format!("sizes {:?}", sizes.iter().map(|s| s.0).collect::<Vec<_>>()));

    let threshold = cfg.claims.appear_min_fraction;
    let summary = Summary {
        format: SUMMARY_FORMAT,
        preset: cfg.preset.name(),
        changed_from_preset: cfg.changed_from_preset(),
        seeds: cfg.generator_seeds(),
        sweep_inputs: cfg.sweep.inputs,
        log10_betas: betas,
        appear_min_fraction: threshold,
        trained_inputs: cfg.training.train_inputs.clone(),
        unseen_inputs: cfg.generalisation.unseen_inputs.clone(),
        generator: generator_claims(&generator_pooled, &generator_sweeps, threshold),
        variational_mlp: sweep_claims(&vmlp_sweep, threshold),
        generalisation: generalisation_claims(&generalisation, &cfg.generalisation.log10_betas),
    };
    Ok(Studies { runs, generator_sweeps, generator_pooled, vmlp_sweep, phase, drawings, generalisation, summary, timings: progress.timings() })
}

/// The evaluation stream of a generator's sweep at a snapshot.
fn sweep_key(seed: u64, snapshot: usize) -> Key {
    Key::new(seed).fold_in(SWEEP).fold_in(snapshot as u64)
}

fn open_log(out: &Path, name: &str) -> Result<MetricsLog, String> {
    MetricsLog::create(&out.join(format!("logs/{name}.jsonl"))).map_err(|e| e.to_string())
}

/// Stage 1: every seed's generator, each saved under `out` once trained.
pub fn train_generators(cfg: &ReproduceConfig, out: &Path, progress: &mut Progress) -> Result<Vec<SeedRun>, String> {
    let seeds = cfg.generator_seeds();
    let stage = progress.start("training generators", Some((seeds.len() * cfg.training.steps) as u64));
    let mut runs = Vec::new();
    for seed in seeds {
        let mut log = open_log(out, &format!("generator-seed-{seed}"))?;
        let mut log_error = None;
        let run = train_seed(&cfg.training, seed, &cfg.snapshot_steps(), |r| {
            stage.bar.inc(1);
            if r.step % 10 == 0 {
                stage.bar.set_message(format!("seed {seed}: loss {:.4}, nMSE {:.4}, {:.0} bits", r.loss, r.nmse, r.bits));
            }
            if let Err(e) = log.write(r) {
                log_error.get_or_insert(e.to_string());
            }
        })?;
        if let Some(e) = log_error {
            return Err(e);
        }
        save_seed_run(out, &run)?;
        runs.push(run);
    }
    progress.finish(stage, &format!("{} generators x {} steps", runs.len(), cfg.training.steps));
    Ok(runs)
}

/// Stage 4: every snapshot of every seed swept (the final ones reused from the beta
/// sweep, whose evaluation stream they share).
fn phase_diagram(cfg: &ReproduceConfig, runs: &[SeedRun], finals: &[(u64, Vec<SweepRecord>)], progress: &mut Progress) -> Result<PhaseDiagram, String> {
    let steps: Vec<usize> = runs[0].snapshots.iter().map(|s| s.step).collect();
    let (problem, betas) = (cfg.training.problem_at(cfg.sweep.inputs), cfg.sweep_log10_betas());
    let mut phase = PhaseDiagram::new(steps.clone(), betas.clone());
    let last = steps.len() - 1;
    let stage = progress.start("phase diagram", Some((runs.len() * last) as u64));
    for (run, (_, final_sweep)) in runs.iter().zip(finals) {
        for (s, snapshot) in run.snapshots[..last].iter().enumerate() {
            let points = sweep_generator(&snapshot.generator()?, &problem, &betas, cfg.sweep.samples, cfg.sweep.eval_points, sweep_key(run.seed, s));
            phase.add(s, &points.iter().map(SweepRecord::from).collect::<Vec<_>>());
            stage.bar.inc(1);
        }
        phase.add(last, final_sweep);
    }
    progress.finish(stage, &format!("{} snapshots x {} betas", steps.len(), betas.len()));
    Ok(phase)
}
