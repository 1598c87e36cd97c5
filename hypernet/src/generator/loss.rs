//! The generator's training objective over B generated networks:
//!
//! `loss = mean_b [ nMSE_b + price_b * bits_b ]`,  `price_b = beta_b / W`,
//!
//! with `W = m (n + 2) + 1` the number of target weights (beta prices bits per weight).
//! With the complexity off (the warmup) the price is 0 and the mean weights are
//! evaluated instead of the sample. Generic over the element type so that the whole
//! objective can be gradient-checked in f64. The data are moved to the device the
//! generated networks live on.

use super::model::Generated;
use crate::params::constant_on;
use crate::problem::ProblemConfig;
use crate::target_batch::forward;
use crate::task::normalised_mse;
use autodiff::{Float, Tensor};
use ndarray::{ArrayD, IxDyn};

/// The loss and its error term.
pub struct Objective<F: Float = f32> {
    /// The scalar loss.
    pub loss: Tensor<F>,
    /// Normalised MSE per network, `[B]`.
    pub nmse: Tensor<F>,
}

/// The objective of `generated` (B networks at `log10_beta`) on inputs `x [B, N, n]`
/// with targets `y [B, N]` whose variance is `variance`.
pub fn objective<F: Float>(
    generated: &Generated<F>,
    log10_beta: &[F],
    problem: &ProblemConfig,
    (x, y): (ArrayD<F>, ArrayD<F>),
    variance: f64,
    complexity_on: bool,
) -> Objective<F> {
    let b = log10_beta.len();
    assert_eq!(generated.bits.shape(), [b], "objective: {b} betas for bits of shape {:?}", generated.bits.shape());
    // During the complexity warmup the generator emits its mean weights: no weight
    // noise, so it must build structure from its node noise (docs/prototypes.md §4).
    let weights = if complexity_on { &generated.sample } else { &generated.mean };
    let device = generated.bits.device();
    let pred = forward(&constant_on(&device, x), &weights.w1, &weights.b1, &weights.w2, &weights.b2, problem.activation);
    let nmse = normalised_mse(&pred, &constant_on(&device, y), variance);
    let per_weight = F::c(problem.weight_count() as f64);
    let price: Vec<F> = log10_beta.iter().map(|&lb| if complexity_on { F::c(10.0).powf(lb) / per_weight } else { F::zero() }).collect();
    let loss = nmse.add(&generated.bits.mul(&constant_on(&device, ArrayD::from_shape_vec(IxDyn(&[b]), price).expect("one price per network")))).mean_all();
    Objective { loss, nmse }
}
