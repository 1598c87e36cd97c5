//! Why a training run stopped: a bad setting, a non-finite loss, or a file error.

use serde::Serialize;
use std::fmt;

/// A training run that could not start or could not finish.
#[derive(Debug)]
pub enum TrainError {
    /// A configuration value out of range; the message names it and says what is allowed.
    Config(String),
    /// The loss became NaN or infinite at `step` (lower the learning rate, or check
    /// the inputs' scale).
    NonFinite { step: usize, loss: f64 },
    /// A step's loss or gradient was NaN or infinite; the parameters were not updated.
    NonFiniteStep(NonFiniteStep),
    /// Writing logs or weights failed; the message names the file.
    Io(String),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Config(m) => write!(f, "invalid configuration: {m}"),
            TrainError::NonFinite { step, loss } => {
                write!(f, "the loss became {loss} at step {step}; try a lower learning rate")
            }
            TrainError::NonFiniteStep(s) => write!(f, "{s}"),
            TrainError::Io(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for TrainError {}

/// Where a step went non-finite: which quantity, its value, and the step's setting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NonFiniteStep {
    pub step: usize,
    /// "loss", or "gradient of `<parameter>`".
    pub quantity: String,
    pub value: f64,
    /// The step's setting, e.g. "n = 3, log10 beta in [-5.20, 0.71]".
    pub context: String,
}

impl fmt::Display for NonFiniteStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} became {} at step {} ({}); the parameters were not updated. Try a lower learning rate or a tighter clip_norm",
            self.quantity, self.value, self.step, self.context
        )
    }
}

impl From<std::io::Error> for TrainError {
    fn from(e: std::io::Error) -> Self {
        TrainError::Io(e.to_string())
    }
}

/// `Ok(loss)` if finite, else [`TrainError::NonFinite`] for `step`.
pub fn check_finite(loss: f64, step: usize) -> Result<f64, TrainError> {
    if loss.is_finite() {
        Ok(loss)
    } else {
        Err(TrainError::NonFinite { step, loss })
    }
}
