//! Training one generator (one seed) and snapshotting it along the way.
//!
//! A snapshot is a full training checkpoint ([`GeneratorTrainer::checkpoint`]): the
//! generator's parameters, the optimiser state and the configuration, so any snapshot
//! can be reloaded to generate networks or to resume training bit for bit. The
//! training curve is kept as means over windows of [`CURVE_POINTS`]-th of the run.

use hypernet::checkpoint::Checkpoint;
use hypernet::generator::{GeneratorTrainConfig, GeneratorTrainer, StepRecord, TrainedGenerator};
use serde::{Deserialize, Serialize};

/// Points of the kept training curve per run (at most).
pub const CURVE_POINTS: usize = 200;

/// The generator after `step` training steps.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub step: usize,
    pub checkpoint: Checkpoint,
}

impl Snapshot {
    /// The generator saved in this snapshot, with the schedule to run it with.
    pub fn generator(&self) -> Result<TrainedGenerator, String> {
        TrainedGenerator::from_checkpoint(&self.checkpoint).map_err(|e| format!("snapshot at step {}: {e}", self.step))
    }
}

/// Means of the step records over one window of training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Last step of the window.
    pub step: usize,
    pub loss: f64,
    pub nmse: f64,
    pub bits: f64,
}

/// One trained generator.
#[derive(Clone, Debug)]
pub struct SeedRun {
    pub seed: u64,
    /// In order of step; the last is the trained generator.
    pub snapshots: Vec<Snapshot>,
    pub curve: Vec<CurvePoint>,
}

impl SeedRun {
    /// The snapshot at the final step.
    pub fn last(&self) -> &Snapshot {
        self.snapshots.last().expect("a run has at least one snapshot")
    }
}

/// Trains `config` with its seed replaced by `seed`, snapshotting after each step
/// count in `snapshot_steps` (ascending, the last equal to `config.steps`); calls
/// `on_step` after every step.
pub fn train_seed(config: &GeneratorTrainConfig, seed: u64, snapshot_steps: &[usize], mut on_step: impl FnMut(&StepRecord)) -> Result<SeedRun, String> {
    assert!(snapshot_steps.windows(2).all(|w| w[0] < w[1]), "train_seed: snapshot steps {snapshot_steps:?} must ascend");
    assert_eq!(snapshot_steps.last(), Some(&config.steps), "train_seed: the last snapshot must be the final step {}", config.steps);
    let mut trainer = GeneratorTrainer::new(GeneratorTrainConfig { seed, ..config.clone() }).map_err(|e| format!("seed {seed}: {e}"))?;
    let window = config.steps.div_ceil(CURVE_POINTS);
    let (mut snapshots, mut curve, mut pending) = (Vec::new(), Vec::new(), Vec::new());
    while !trainer.finished() {
        let record = trainer.train_step().map_err(|e| format!("seed {seed}: {e}"))?;
        on_step(&record);
        pending.push(record);
        if pending.len() == window || trainer.finished() {
            curve.push(window_mean(&pending));
            pending.clear();
        }
        if snapshot_steps.contains(&trainer.step) {
            snapshots.push(Snapshot { step: trainer.step, checkpoint: trainer.checkpoint() });
        }
    }
    Ok(SeedRun { seed, snapshots, curve })
}

fn window_mean(records: &[StepRecord]) -> CurvePoint {
    let mean = |f: fn(&StepRecord) -> f64| records.iter().map(f).sum::<f64>() / records.len() as f64;
    CurvePoint { step: records.last().expect("a window is not empty").step + 1, loss: mean(|r| r.loss), nmse: mean(|r| r.nmse), bits: mean(|r| r.bits) }
}
