//! What every optimiser shares: the [`Optimizer`] interface, the state it saves for
//! checkpoints ([`OptimizerState`]) and its errors.
//!
//! An optimiser owns the list of parameters (leaf tensors) it updates. A training step
//! is: `zero_grad`, forward, `backward`, optionally clip and set the learning rate,
//! then `step`. Gradients accumulate across backward calls, so `zero_grad` is the
//! caller's job. A parameter with no gradient (`grad()` is `None`) is skipped: neither
//! it nor its buffers change.
//!
//! Resuming is bit-identical: [`OptimizerState`] holds every number an update reads
//! besides the hyperparameters and the gradients (the step count and the per-parameter
//! buffers), so `load_state(state())` on a fresh optimiser over the same parameter
//! values continues exactly as the original would have.

use crate::float::Float;
use crate::tensor::Tensor;
use ndarray::ArrayD;
use std::fmt;

/// An optimiser over a fixed list of parameters.
pub trait Optimizer<T: Float> {
    /// Updates every parameter that has a gradient, then increments the step count.
    fn step(&mut self);

    /// The parameters, in the order given at construction.
    fn params(&self) -> &[Tensor<T>];

    /// The learning rate the next `step` uses.
    fn lr(&self) -> f64;

    /// Sets the learning rate (what a schedule does before each step).
    fn set_lr(&mut self, lr: f64);

    /// A copy of the step count and buffers, for a checkpoint.
    fn state(&self) -> OptimizerState<T>;

    /// The number of `step` calls made so far (without copying the buffers).
    fn steps_taken(&self) -> u64;

    /// Restores a state saved by [`Optimizer::state`] of the same kind of optimiser
    /// over parameters of the same shapes. On error nothing changes.
    fn load_state(&mut self, state: OptimizerState<T>) -> Result<(), OptimError>;

    /// Clears the gradient of every parameter.
    fn zero_grad(&self) {
        self.params().iter().for_each(Tensor::zero_grad);
    }
}

/// The step count and the per-parameter buffers of an optimiser, in a fixed order
/// documented by each optimiser (buffers of parameter 0 first, then parameter 1, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizerState<T: Float> {
    /// Number of `step` calls made so far.
    pub step: u64,
    pub buffers: Vec<ArrayD<T>>,
}

impl<T: Float> OptimizerState<T> {
    /// Zeroed state with `per_param` buffers shaped like each parameter.
    pub(crate) fn zeros(params: &[Tensor<T>], per_param: usize) -> Self {
        let buffers = params
            .iter()
            .flat_map(|p| std::iter::repeat_n(ArrayD::zeros(p.shape()), per_param))
            .collect();
        OptimizerState { step: 0, buffers }
    }

    /// Replaces `self` by `saved` if it has the same number of buffers with the same
    /// shapes; `who` names the optimiser in the error.
    pub(crate) fn replace_checked(&mut self, saved: OptimizerState<T>, who: &str) -> Result<(), OptimError> {
        if saved.buffers.len() != self.buffers.len() {
            return Err(OptimError::StateMismatch(format!(
                "{who}: the saved state has {} buffers but this optimiser needs {}; \
                 was it saved by another optimiser or for another model?",
                saved.buffers.len(),
                self.buffers.len()
            )));
        }
        if let Some((i, (s, c))) = saved.buffers.iter().zip(&self.buffers).enumerate().find(|(_, (s, c))| s.shape() != c.shape()) {
            return Err(OptimError::StateMismatch(format!(
                "{who}: saved buffer {i} has shape {:?} but the parameter needs {:?}; \
                 was it saved for another model configuration?",
                s.shape(),
                c.shape()
            )));
        }
        *self = saved;
        Ok(())
    }

    /// Calls `f(value, grad, buffers)` for each parameter in host memory that has a
    /// gradient, with that parameter's `per_param` buffers, writing the value in place
    /// (parameters on a device are updated by `optim::device`).
    pub(crate) fn update_each(
        &mut self,
        params: &[Tensor<T>],
        per_param: usize,
        f: impl Fn(&mut ArrayD<T>, &ArrayD<T>, &mut [ArrayD<T>]),
    ) {
        for (p, buffers) in params.iter().zip(self.buffers.chunks_exact_mut(per_param)) {
            if p.device() != crate::tensor::Device::Cpu {
                continue;
            }
            if let Some(g) = p.grad() {
                p.update(|value| f(value, &g, buffers));
            }
        }
    }
}

/// Why an optimiser or schedule could not be built or restored.
#[derive(Clone, Debug, PartialEq)]
pub enum OptimError {
    /// A hyperparameter outside its valid range (the message names it).
    BadConfig(String),
    /// A saved state that does not fit these parameters.
    StateMismatch(String),
}

impl fmt::Display for OptimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimError::BadConfig(m) => write!(f, "invalid optimiser setting: {m}"),
            OptimError::StateMismatch(m) => write!(f, "optimiser state does not fit: {m}"),
        }
    }
}

impl std::error::Error for OptimError {}

/// Checks that a learning rate is finite and non-negative; `who` names the optimiser.
pub(crate) fn validate_lr(lr: f64, who: &str) -> Result<(), OptimError> {
    require(lr.is_finite() && lr >= 0.0, || format!("{who}: learning rate {lr} must be finite and >= 0"))
}

/// `Err(BadConfig)` naming `what` unless `ok`.
pub(crate) fn require(ok: bool, what: impl FnOnce() -> String) -> Result<(), OptimError> {
    if ok {
        Ok(())
    } else {
        Err(OptimError::BadConfig(what()))
    }
}
