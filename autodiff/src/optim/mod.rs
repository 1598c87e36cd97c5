//! Optimisers, gradient clipping and learning-rate schedules, one idea per file.
//!
//! * [`Optimizer`]: the interface (step, learning rate, state for checkpoints).
//! * [`Sgd`]: `v <- mu v + g; p <- p - lr v`.
//! * [`Adam`]: Adam and AdamW (bias-corrected moments), one implementation.
//! * [`WeightDecay`]: L2 (`g <- g + wd p`) or decoupled (`p <- p - lr wd p`).
//! * [`clip_grad_norm`]: scale all gradients to a maximal global norm.
//! * [`WarmupCosine`]: linear warmup from 0, cosine decay to a floor.
//!
//! A training step:
//! ```
//! use autodiff::optim::{clip_grad_norm, Adam, AdamConfig, Optimizer, WarmupCosine};
//! use autodiff::Tensor;
//!
//! let w = Tensor::param(ndarray::arr1(&[1.0f32, -2.0]).into_dyn());
//! let mut opt = Adam::new(vec![w.clone()], AdamConfig::adamw(1e-2, 1e-4));
//! let schedule = WarmupCosine { peak_lr: 1e-2, floor_lr: 1e-4, warmup_steps: 10, total_steps: 100 };
//! for step in 0..100 {
//!     opt.zero_grad();
//!     w.mul(&w).sum_all().backward();
//!     clip_grad_norm(opt.params(), 1.0);
//!     opt.set_lr(schedule.lr(step));
//!     opt.step();
//! }
//! assert!(w.to_vec().iter().map(|x| x * x).sum::<f32>() < 5.0); // 1^2 + 2^2 at the start
//! ```

pub mod adam;
pub mod clip;
#[cfg(feature = "cuda")]
mod device;
pub mod optimizer;
pub mod schedule;
pub mod sgd;
pub mod weight_decay;

#[cfg(test)]
mod test_support;

pub use adam::{Adam, AdamConfig};
pub use clip::clip_grad_norm;
pub use optimizer::{OptimError, Optimizer, OptimizerState};
pub use schedule::WarmupCosine;
pub use sgd::{Sgd, SgdConfig};
pub use weight_decay::WeightDecay;
