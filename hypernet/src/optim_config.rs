//! The optimiser settings the baselines share: Adam with a linear warmup and a
//! cosine decay of the learning rate (see `autodiff::optim::WarmupCosine`).

use crate::train_error::TrainError;
use autodiff::optim::{Adam, AdamConfig, WarmupCosine};
use autodiff::{Float, Tensor};
use serde::{Deserialize, Serialize};

/// Adam's learning-rate schedule (a TOML table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimConfig {
    /// Peak learning rate, reached after the warmup.
    pub learning_rate: f64,
    /// Learning rate at the last step (the cosine's floor).
    pub final_learning_rate: f64,
    pub warmup_steps: usize,
}

impl Default for OptimConfig {
    fn default() -> Self {
        OptimConfig { learning_rate: 1e-2, final_learning_rate: 1e-4, warmup_steps: 100 }
    }
}

impl OptimConfig {
    /// The schedule over `steps` steps, or a message naming the bad setting.
    pub fn schedule(&self, steps: usize) -> Result<WarmupCosine, TrainError> {
        let schedule = WarmupCosine {
            peak_lr: self.learning_rate,
            floor_lr: self.final_learning_rate,
            warmup_steps: self.warmup_steps as u64,
            total_steps: steps as u64,
        };
        schedule.validate().map_err(|e| TrainError::Config(format!("optimizer: {e}")))?;
        Ok(schedule)
    }

    /// Adam (default moments) over `params`.
    pub fn adam<T: Float>(&self, params: Vec<Tensor<T>>) -> Result<Adam<T>, TrainError> {
        let config = AdamConfig::adam(self.learning_rate);
        config.validate().map_err(|e| TrainError::Config(format!("optimizer: {e}")))?;
        Ok(Adam::new(params, config))
    }
}
