//! The beta-conditioned graph-transformer hypernetwork. See `docs/generator.md`.

pub mod assignment;
pub mod bilinear;
pub mod block;
pub mod condition;
pub mod config;
pub mod hierarchy;
pub mod latent;
pub mod linear;
pub mod loss;
pub mod memory;
pub mod model;
pub mod output_bias;
pub mod readout;
pub mod resume;
pub mod schedule;
pub mod sigma;
pub mod signed_slots;
pub mod sinkhorn;
pub mod train;
pub mod train_config;

pub use config::{ComplexityMeasure, GeneratorConfig, LatentPrior, W1Readout};
pub use model::{Generated, Generator};
pub use resume::TrainedGenerator;
pub use schedule::Schedule;
pub use output_bias::OutputBias;
pub use train::{GeneratorTrainConfig, GeneratorTrainer, StepRecord};
