//! The hypernetwork side of the project: tasks, target networks, baselines and the
//! generator that emits target networks under a complexity knob beta.

pub mod config_file;
pub mod checkpoint;
pub mod config_parse;
pub mod content_digest;
pub mod file_error;
pub mod generator;
pub mod init;
pub mod log;
pub mod optim_config;
pub mod params;
pub mod posterior;
pub mod prior;
pub mod problem;
pub mod safetensors_write;
pub mod target;
pub mod target_batch;
pub mod task;
pub mod train_error;
pub mod train_mlp;
pub mod vmlp;
pub mod vmlp_memory;
pub mod weight_kl;
pub mod weights_io;

pub use target::{Activation, TargetWeights};
