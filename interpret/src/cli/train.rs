//! `hnet train --out DIR [--config FILE] [--steps N] [--seed S] [--resume [--repair]]
//! [--force] [--checkpoint-every K] [--skip-nonfinite [--max-skipped-share S]] [--device D]
//! [--max-memory BYTES] [--print-config]`: trains the beta-conditioned generator so that no typo, full
//! disk, NaN or killed process loses a run.
//!
//! DIR holds `config.toml` (every setting), `metrics.jsonl` (one record per step) and
//! `checkpoint.safetensors`, written atomically every K steps, at the end, on Ctrl-C or
//! SIGTERM, and before stopping at a non-finite step, so the last good checkpoint is
//! always loadable. A run stopped at any moment (even by SIGKILL) continues with
//! `--resume` and ends bit-identical to one never stopped: the metrics log is cut back
//! to the checkpoint's step and appended to. A damaged line in the log stops the resume
//! with the line; `--repair` keeps it and what follows in a file beside the log.
//!
//! Everything that can be checked before training is: the config (unknown keys with
//! the nearest valid name, values out of range), the device, the memory a step needs,
//! whether DIR is writable, whether it belongs to another command or holds files that
//! are not the run's (refused; `--force` or `--resume` keeps them), and whether it
//! already holds another run.

use super::device::{parse_device, require_training_device};
use super::run_dir::RunDir;
use super::run_lock::RunLock;
use interpret::output_folder::kinds::TRAIN;
use hypernet::checkpoint::{load_checkpoint, save_checkpoint, Checkpoint};
use hypernet::config_file::{load_toml, save_toml, to_toml};
use hypernet::config_parse::parse_toml;
use super::memory_limit::memory_limit;
use hypernet::generator::memory::{Bytes, StepMemory};
use hypernet::generator::train::Fault;
use hypernet::generator::{GeneratorTrainConfig, GeneratorTrainer};
use hypernet::log::MetricsLog;
use hypernet::train_error::{NonFiniteStep, TrainError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Train the beta-conditioned generator (a run folder with config.toml, metrics.jsonl
/// and checkpoint.safetensors). Stop it any time with Ctrl-C (a checkpoint is written)
/// and continue with --resume; a run killed outright continues from its last
/// checkpoint the same way.
#[derive(clap::Args)]
pub struct Args {
    /// TOML config; fields left out take their defaults (--print-config lists them all).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output folder (created if missing).
    #[arg(long, required_unless_present = "print_config")]
    out: Option<PathBuf>,
    /// Training steps (overrides the config).
    #[arg(long)]
    steps: Option<usize>,
    /// Random seed (overrides the config).
    #[arg(long)]
    seed: Option<u64>,
    /// Continue the run in --out from its checkpoint (from step 0 if it has none yet).
    #[arg(long, conflicts_with = "force")]
    resume: bool,
    /// With --resume: if metrics.jsonl has a damaged line, move it and everything after
    /// it to metrics.jsonl.cut-at-line-K and continue from the records before it.
    #[arg(long, requires = "resume")]
    repair: bool,
    /// Start over in an --out that already holds a run, deleting its checkpoint and metrics
    /// (files that are not the run's are kept).
    #[arg(long)]
    force: bool,
    /// Steps between checkpoints.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every: u64,
    /// Skip (and log) steps whose loss or gradient is NaN or infinite, instead of stopping.
    #[arg(long)]
    skip_nonfinite: bool,
    /// With --skip-nonfinite: stop (exit status 1, checkpoint written) once more than this
    /// share of the run's steps have been skipped, a run that is diverging rather than
    /// hitting a rare bad batch.
    #[arg(long, default_value_t = 0.1, value_parser = share)]
    max_skipped_share: f64,
    /// Where to train: cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Refuse a run whose training step needs more memory than this, e.g. 8G
    /// (default: the memory available now, MemAvailable in /proc/meminfo).
    #[arg(long)]
    max_memory: Option<String>,
    /// Print the full configuration (every default written out) and exit.
    #[arg(long)]
    print_config: bool,
    /// For tests: make step STEP non-finite, as STEP:loss or STEP:gradient (repeatable).
    #[arg(long, hide = true, value_parser = parse_fault)]
    inject_fault: Vec<(usize, Fault)>,
}

/// Set by Ctrl-C or SIGTERM; the training loop checkpoints and stops.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

impl Args {
    pub fn run(self) -> Result<(), String> {
        let run = self.out.as_deref().map(RunDir::new);
        if let (Some(run), true) = (&run, self.resume) {
            TRAIN.check(&run.dir, true)?; // another command's folder, before its files are read
        }
        let checkpoint = match &run {
            Some(run) if self.resume => run.checkpoint_if_any()?,
            _ => None,
        };
        let config = self.requested_config(run.as_ref(), checkpoint.as_ref())?;
        if self.print_config {
            print!("{}", to_toml(&config));
            return Ok(());
        }
        let run = run.expect("clap requires --out without --print-config");
        config.validate().map_err(|e| e.to_string())?;
        let device = require_training_device(parse_device(&self.device)?)?;
        self.check_memory(&config)?;
        run.ensure_writable()?;
        TRAIN.claim(&run.dir, self.force || self.resume)?;
        let _lock = RunLock::acquire(&run.dir)?; // held until run() returns, whichever way

        let trainer = match &checkpoint {
            Some(ckpt) => GeneratorTrainer::from_checkpoint(ckpt).map_err(|e| format!("cannot resume from {}: {e}", run.checkpoint.display()))?,
            None => {
                if !self.resume {
                    self.claim_folder(&run, &config)?;
                }
                GeneratorTrainer::new(config).map_err(|e| e.to_string())?
            }
        };
        let trainer = trainer.to_device(&device)?;
        save_toml(&run.config, &trainer.config)?;
        TRAIN.remove_temporaries(&run.dir);
        let log = MetricsLog::resume(&run.metrics, trainer.step, self.repair).map_err(|e| e.to_string())?;
        ctrlc::set_handler(|| {
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("interrupted: finishing the current step and writing a checkpoint (press Ctrl-C again to quit at once)");
        })
        .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;

        let mut session = Session {
            last_good: checkpoint.map(|c| c.step),
            run,
            trainer,
            log,
            checkpoint_every: self.checkpoint_every as usize,
            skip_nonfinite: self.skip_nonfinite,
            max_skipped_share: self.max_skipped_share,
        };
        session.trainer.faults = self.inject_fault.iter().copied().collect();
        session.train()
    }

    /// The config asked for: `--config`, else the run's own (checkpoint, then
    /// config.toml) when resuming, else the defaults; then `--steps` and `--seed`.
    /// When resuming from a checkpoint it must be the checkpoint's.
    fn requested_config(&self, run: Option<&RunDir>, checkpoint: Option<&Checkpoint>) -> Result<GeneratorTrainConfig, String> {
        let saved = match checkpoint {
            Some(ckpt) => Some(parse_toml::<GeneratorTrainConfig>(&ckpt.config).map_err(|e| format!("the configuration inside {} does not parse: {e}", run.map_or(Path::new("?"), |r| &r.checkpoint).display()))?),
            None => match run {
                Some(run) if self.resume && run.config.exists() => Some(load_toml(&run.config)?),
                _ => None,
            },
        };
        let mut config = match (&self.config, &saved) {
            (Some(path), _) => {
                let config = load_toml(path)?;
                let text = std::fs::read_to_string(path).unwrap_or_default();
                for note in GeneratorTrainConfig::notes_on_file(&text) {
                    eprintln!("note: {}: {note}", path.display());
                }
                config
            }
            (None, Some(saved)) => saved.clone(),
            (None, None) => GeneratorTrainConfig::default(),
        };
        config.steps = self.steps.unwrap_or(config.steps);
        config.seed = self.seed.unwrap_or(config.seed);
        if let (Some(saved), Some(run)) = (&saved, run) {
            if *saved != config {
                return Err(format!(
                    "cannot resume the run in {} with a different configuration ({}); drop --config/--steps/--seed to continue it as it was, or start a new run in another --out",
                    run.dir.display(),
                    differences(saved, &config)
                ));
            }
        }
        Ok(config)
    }

    /// Refuses a fresh run in a folder that holds one, unless --force (which clears it).
    fn claim_folder(&self, run: &RunDir, config: &GeneratorTrainConfig) -> Result<(), String> {
        if !TRAIN.holds_output(&run.dir) {
            return Ok(());
        }
        if self.force {
            return TRAIN.clear(&run.dir);
        }
        let dir = run.dir.display();
        match load_toml::<GeneratorTrainConfig>(&run.config) {
            Ok(existing) if existing == *config => Err(format!(
                "{dir} already holds this run ({}); continue it with --resume, or start it over with --force",
                match load_checkpoint(&run.checkpoint) {
                    Ok(ckpt) => format!("checkpoint at step {} of {}", ckpt.step, config.steps),
                    Err(_) => "no checkpoint yet".into(),
                }
            )),
            Ok(existing) => Err(format!(
                "{dir} already holds a different run ({}); choose another --out, or pass --force to overwrite it",
                differences(&existing, config)
            )),
            Err(e) => Err(format!("{dir} already holds files of a run whose config cannot be read ({e}); choose another --out, or pass --force to overwrite it")),
        }
    }

    /// Refuses a run whose step would not fit in memory (see [`StepMemory`]).
    fn check_memory(&self, config: &GeneratorTrainConfig) -> Result<(), String> {
        let estimate = StepMemory::estimate(config);
        let Some((limit, source)) = memory_limit(self.max_memory.as_deref())? else {
            return Ok(());
        };
        estimate.check(limit, source)?;
        eprintln!("memory: a training step needs about {} (limit {})", Bytes(estimate.total()), Bytes(limit));
        Ok(())
    }
}

/// A training run in progress, with where it stands on disk.
struct Session {
    run: RunDir,
    trainer: GeneratorTrainer,
    log: MetricsLog,
    /// The step of the last checkpoint written (or resumed from).
    last_good: Option<usize>,
    checkpoint_every: usize,
    skip_nonfinite: bool,
    max_skipped_share: f64,
}

/// The metrics record of a skipped step.
#[derive(serde::Serialize)]
struct SkippedStep<'a> {
    step: usize,
    skipped: &'a str,
    value: f64,
    context: &'a str,
}

impl Session {
    fn train(&mut self) -> Result<(), String> {
        let steps = self.trainer.config.steps;
        let report_every = (steps / 20).max(1);
        if self.trainer.step > 0 {
            eprintln!("resuming at step {} of {steps} from {}", self.trainer.step, self.run.checkpoint.display());
        }
        while !self.trainer.finished() {
            if INTERRUPTED.load(Ordering::SeqCst) {
                self.save()?;
                return Err(format!(
                    "interrupted at step {} of {steps}; checkpoint written to {}. Continue with `hnet train --out {} --resume`",
                    self.trainer.step,
                    self.run.checkpoint.display(),
                    self.run.dir.display()
                ));
            }
            match self.trainer.train_step() {
                Ok(r) => {
                    self.log.write(&r).map_err(|e| self.stopped(e.to_string()))?;
                    if r.step % report_every == 0 {
                        eprintln!("step {:>6}/{steps}  loss {:.4}  nmse {:.4}  bits {:9.1}  log10 beta {:+.2}", r.step, r.loss, r.nmse, r.bits, r.mean_log10_beta);
                    }
                }
                Err(TrainError::NonFiniteStep(d)) if self.skip_nonfinite => self.skip(&d)?,
                Err(TrainError::NonFiniteStep(d)) => {
                    self.save()?;
                    return Err(format!(
                        "{d}.\n  Nothing non-finite was saved: the last good checkpoint is {} (step {}). Continue past such steps with \
                         `hnet train --out {} --resume --skip-nonfinite`, or start a new run with a lower learning rate",
                        self.run.checkpoint.display(),
                        d.step,
                        self.run.dir.display()
                    ));
                }
                Err(e) => return Err(self.stopped(e.to_string())),
            }
            if self.trainer.step.is_multiple_of(self.checkpoint_every) && !self.trainer.finished() {
                self.save()?;
            }
        }
        self.save()?;
        let skipped = self.trainer.skipped_steps();
        println!("trained {} of {steps} steps ({skipped} skipped as non-finite); generator checkpoint {}", steps - skipped, self.run.checkpoint.display());
        Ok(())
    }

    /// Logs a non-finite step and moves past it.
    fn skip(&mut self, d: &NonFiniteStep) -> Result<(), String> {
        eprintln!("skipping step {}: {d}", d.step);
        let record = SkippedStep { step: d.step, skipped: &d.quantity, value: d.value, context: &d.context };
        self.log.write(&record).map_err(|e| self.stopped(e.to_string()))?;
        self.trainer.skip_step();
        let (skipped, steps) = (self.trainer.skipped_steps(), self.trainer.config.steps);
        if skipped as f64 > self.max_skipped_share * steps as f64 {
            self.save()?;
            return Err(format!(
                "{skipped} of the run's {steps} steps were skipped as non-finite, more than --max-skipped-share {} allows: the run is \
                 diverging. Start a new run with a lower learning rate, or continue with `hnet train --out {} --resume --skip-nonfinite \
                 --max-skipped-share S` with a larger S",
                self.max_skipped_share,
                self.run.dir.display()
            ));
        }
        Ok(())
    }

    /// Writes a checkpoint of the current state, never one holding a non-finite number.
    fn save(&mut self) -> Result<(), String> {
        let ckpt = self.trainer.checkpoint();
        if let Some((name, _)) = ckpt.params.iter().find(|(_, p)| p.iter().any(|v| !v.is_finite())) {
            return Err(self.stopped(format!("parameter `{name}` is not finite at step {}; it is not written to a checkpoint", ckpt.step)));
        }
        save_checkpoint(&self.run.checkpoint, &ckpt).map_err(|e| self.stopped(e.to_string()))?;
        self.last_good = Some(ckpt.step);
        Ok(())
    }

    /// `problem`, then where the run stands and how to go on.
    fn stopped(&self, problem: String) -> String {
        match self.last_good {
            Some(step) => format!(
                "{problem}\n  The run is resumable: the last good checkpoint is {} (step {step}). Fix the problem (free disk space, \
                 permissions), then continue with `hnet train --out {} --resume`",
                self.run.checkpoint.display(),
                self.run.dir.display()
            ),
            None => format!(
                "{problem}\n  No checkpoint was written yet. Fix the problem (free disk space, permissions), then run \
                 `hnet train --out {} --resume` to start it again",
                self.run.dir.display()
            ),
        }
    }
}

/// The settings in which two configs differ, e.g. "`steps`: 200 in the run, 100 requested".
fn differences(existing: &GeneratorTrainConfig, requested: &GeneratorTrainConfig) -> String {
    let (a, b) = (flatten(existing), flatten(requested));
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let shown = |v: Option<&String>| v.cloned().unwrap_or_else(|| "(absent)".into());
    let diffs: Vec<String> = keys
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("`{k}`: {} in the run, {} requested", shown(a.get(k)), shown(b.get(k))))
        .collect();
    diffs.join("; ")
}

/// Every setting as `dotted.key -> value`.
fn flatten(config: &GeneratorTrainConfig) -> BTreeMap<String, String> {
    fn walk(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
        match value {
            toml::Value::Table(table) => {
                for (k, v) in table {
                    walk(&if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }, v, out);
                }
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", &toml::Value::try_from(config).expect("configs serialise to TOML"), &mut out);
    out
}

/// `STEP:loss` or `STEP:gradient`.
fn parse_fault(text: &str) -> Result<(usize, Fault), String> {
    let (step, kind) = text.split_once(':').ok_or_else(|| format!("`{text}`: expected STEP:loss or STEP:gradient"))?;
    let step = step.parse().map_err(|_| format!("`{step}` is not a step number"))?;
    match kind {
        "loss" => Ok((step, Fault::NanLoss)),
        "gradient" => Ok((step, Fault::NanGradient)),
        _ => Err(format!("`{kind}`: expected loss or gradient")),
    }
}

/// Parses a share in [0, 1].
fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a share between 0 and 1, got `{text}`")),
    }
}
