//! Saving a generator training run to a [`Checkpoint`] and resuming it.
//!
//! Resuming is bit-identical to never stopping: every random draw of step `s` comes
//! from `Key(seed).fold_in(1).fold_in(s)`, the optimiser's buffers and step count are
//! restored, and the learning rate is a function of the step.

use super::model::Generator;
use super::schedule::Schedule;
use super::train::{GeneratorTrainConfig, GeneratorTrainer};
use crate::checkpoint::Checkpoint;
use crate::train_error::TrainError;
use autodiff::optim::Optimizer;
use autodiff::Key;

impl GeneratorTrainer {
    /// The run's current state.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            step: self.step,
            config: toml::to_string(&self.config).expect("configs serialise to TOML"),
            params: self.generator.params.iter().map(|(k, t)| (k.clone(), t.to_array())).collect(),
            optimizer: self.optimizer.state(),
        }
    }

    /// A trainer in the state saved by [`GeneratorTrainer::checkpoint`]: the generator of
    /// [`TrainedGenerator::from_checkpoint`] with the optimiser's state restored.
    pub fn from_checkpoint(ckpt: &Checkpoint) -> Result<GeneratorTrainer, TrainError> {
        let TrainedGenerator { config, generator, step } = TrainedGenerator::from_checkpoint(ckpt)?;
        let optimizer_steps = ckpt.optimizer.step;
        if optimizer_steps > step as u64 {
            return Err(TrainError::Config(format!(
                "the checkpoint's optimiser has taken {optimizer_steps} steps but its run only {step} (each run step takes at most one); \
                 the file was written by another run or damaged: resume from another checkpoint"
            )));
        }
        if ckpt.optimizer.buffers.iter().any(|b| b.iter().any(|v| !v.is_finite())) {
            return Err(TrainError::Config("the checkpoint's optimiser state holds NaN or infinite values; resume from an earlier checkpoint".into()));
        }
        let mut trainer = GeneratorTrainer::with_generator(config, generator)?;
        trainer
            .optimizer
            .load_state(ckpt.optimizer.clone())
            .map_err(|e| TrainError::Config(format!("the checkpoint's optimiser state does not fit: {e}")))?;
        trainer.step = step;
        Ok(trainer)
    }
}

/// A trained generator with its run's configuration, as a checkpoint holds them (no
/// optimiser: what `generate` and the studies need).
pub struct TrainedGenerator {
    pub config: GeneratorTrainConfig,
    pub generator: Generator,
    /// The steps the run had taken.
    pub step: usize,
}

impl TrainedGenerator {
    /// The schedule to generate with: the pointer gain of the last step trained (see
    /// [`GeneratorTrainConfig::evaluation_schedule`]).
    pub fn schedule(&self) -> Schedule {
        self.config.evaluation_schedule(self.step)
    }


    /// The generator saved in `ckpt`, its parameters checked by name and shape.
    pub fn from_checkpoint(ckpt: &Checkpoint) -> Result<TrainedGenerator, TrainError> {
        let config: GeneratorTrainConfig = crate::config_parse::parse_toml(&with_earlier_defaults(&ckpt.config))
            .map_err(|e| TrainError::Config(format!("the checkpoint's configuration does not parse: {e}")))?;
        config.validate()?;
        if ckpt.step > config.steps {
            return Err(TrainError::Config(format!(
                "the checkpoint is at step {} but its run has {} steps; the file was written by another run or damaged",
                ckpt.step, config.steps
            )));
        }
        // Every parameter is overwritten below, so the initialisation's key does not matter.
        let generator = Generator::new(config.generator.clone(), Key::new(config.seed).fold_in(0));
        let store = &generator.params;
        let expected: Vec<&String> = store.iter().map(|(k, _)| k).collect();
        let found: Vec<&String> = ckpt.params.keys().collect();
        if expected != found {
            return Err(TrainError::Config(format!(
                "the checkpoint holds parameters {found:?} but this build's generator has {expected:?}"
            )));
        }
        for (name, t) in store.iter() {
            let saved = &ckpt.params[name];
            if saved.shape() != &t.shape()[..] {
                return Err(TrainError::Config(format!("parameter {name}: checkpoint shape {:?}, generator shape {:?}", saved.shape(), t.shape())));
            }
            if saved.iter().any(|v| !v.is_finite()) {
                return Err(TrainError::Config(format!("parameter {name} holds NaN or infinite values; resume from an earlier checkpoint")));
            }
            t.update(|v| v.assign(saved));
        }
        Ok(TrainedGenerator { config, generator, step: ckpt.step })
    }
}

/// A checkpoint's configuration with the values of settings whose default changed after
/// it was written: a configuration without `generator.hard_assignment` comes from before
/// the hard assignment existed (it has been written out since), so it is `false`.
/// Any other configuration is returned as written, so that its parse errors point at its
/// own lines.
fn with_earlier_defaults(config: &str) -> String {
    let Ok(mut table) = config.parse::<toml::Table>() else {
        return config.to_string(); // the parser's own message says what is wrong
    };
    match table.get_mut("generator") {
        Some(toml::Value::Table(generator)) if !generator.contains_key("hard_assignment") => {
            generator.insert("hard_assignment".into(), toml::Value::Boolean(false));
            toml::to_string(&table).expect("a parsed TOML table serialises")
        }
        _ => config.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::GeneratorConfig;

    fn tiny() -> GeneratorTrainConfig {
        let generator = GeneratorConfig { width: 8, blocks: 1, heads: 2, noise_dim: 2, key_dim: 4, cond_width: 4, ..GeneratorConfig::default() };
        let mut c = GeneratorTrainConfig { steps: 6, networks: 3, points: 16, train_inputs: vec![2, 3], generator, ..GeneratorTrainConfig::default() };
        c.optimizer.warmup_steps = 2;
        c
    }

    fn params(t: &GeneratorTrainer) -> Vec<Vec<u32>> {
        t.generator.params.iter().map(|(_, p)| p.to_vec().iter().map(|v| v.to_bits()).collect()).collect()
    }

    #[test]
    fn resuming_from_a_checkpoint_is_bit_identical() {
        let mut straight = GeneratorTrainer::new(tiny()).unwrap();
        while !straight.finished() {
            straight.train_step().unwrap();
        }
        let mut first = GeneratorTrainer::new(tiny()).unwrap();
        for _ in 0..3 {
            first.train_step().unwrap();
        }
        let mut resumed = GeneratorTrainer::from_checkpoint(&first.checkpoint()).unwrap();
        drop(first);
        while !resumed.finished() {
            resumed.train_step().unwrap();
        }
        assert_eq!(params(&straight), params(&resumed));
    }

    #[test]
    fn a_checkpoint_from_before_the_hard_assignment_loads_without_it() {
        let mut ckpt = GeneratorTrainer::new(tiny()).unwrap().checkpoint();
        assert!(ckpt.config.contains("hard_assignment = true"), "written out: {}", ckpt.config);
        ckpt.config = ckpt.config.lines().filter(|l| !l.starts_with("hard_assignment")).collect::<Vec<_>>().join("\n");
        let old = GeneratorTrainer::from_checkpoint(&ckpt).unwrap();
        assert!(!old.config.generator.hard_assignment);
    }

    #[test]
    fn a_snapshot_taken_during_a_gain_anneal_keeps_the_gain_it_was_trained_at() {
        let annealed = GeneratorTrainConfig { generator: GeneratorConfig { pointer_gain_start: Some(2.0), pointer_gain: 32.0, ..tiny().generator }, steps: 5, ..tiny() };
        let mut t = GeneratorTrainer::new(annealed).unwrap();
        for _ in 0..3 {
            t.train_step().unwrap();
        }
        // Steps 0, 1, 2 ran at 2, 4, 8.
        let snapshot = TrainedGenerator::from_checkpoint(&t.checkpoint()).unwrap();
        assert_eq!((t.schedule().pointer_gain, snapshot.schedule().pointer_gain), (8.0, 8.0));
        assert_eq!(snapshot.step, 3);
    }

    /// A checkpoint whose checksum is fine but whose contents cannot come from its run.
    #[test]
    fn checkpoints_that_disagree_with_their_run_are_refused() {
        let mut t = GeneratorTrainer::new(tiny()).unwrap();
        for _ in 0..2 {
            t.train_step().unwrap();
        }
        let good = t.checkpoint();
        let refused = |ckpt: Checkpoint, expected: &str| {
            let err = GeneratorTrainer::from_checkpoint(&ckpt).err().expect("refused").to_string();
            assert!(err.contains(expected), "{err}");
        };
        refused(Checkpoint { step: 7, ..good.clone() }, "at step 7 but its run has 6 steps");
        let mut ahead = good.clone();
        ahead.optimizer.step = 3;
        refused(ahead, "optimiser has taken 3 steps but its run only 2");
        let mut nan_param = good.clone();
        nan_param.params.values_mut().next().unwrap().fill(f32::NAN);
        refused(nan_param, "NaN or infinite");
        let mut nan_moment = good.clone();
        nan_moment.optimizer.buffers[0].fill(f32::INFINITY);
        refused(nan_moment, "optimiser state holds NaN");
        // A skipped step advances the run but not the optimiser: still a valid checkpoint.
        t.skip_step();
        assert!(GeneratorTrainer::from_checkpoint(&t.checkpoint()).is_ok());
    }
}
