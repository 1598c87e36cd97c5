//! The hypernetwork side of the project: tasks, target networks, baselines and the
//! generator that emits target networks under a complexity knob beta.

pub mod target;
pub mod task;
pub mod weights_io;

pub use target::{Activation, TargetWeights};
