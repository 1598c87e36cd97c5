//! Interpretation of target networks `n -> m -> 1`: what algorithm does a network
//! implement, and can a person see it?
//!
//! * [`mod@reference`]: hand-built networks for the paper's algorithms (double-sided,
//!   positive/negative/mixed pudding, convexity) at any `n` and swish sharpness.
//! * [`order_params`]: per-neuron and per-input numbers (alignment, effective output,
//!   linear regime, coverage) measured on probe inputs ([`probe`]).
//! * [`classify`]: a label and the order parameters that decided it.
//! * [`formula`]: a closed-form read-out such as
//!   `y ~ 2.00 * sum_i relu(x_i) - 1.00 * sum_i x_i + 0.00`, checked against the
//!   network.
//! * [`layout`], [`draw`], [`heatmap`]: force-directed drawings and weight heatmaps
//!   as SVG.
//! * [`transform`]: permutations, pruning and noise, to test the above.
//! * [`analysis_memory`]: the memory the passes above need, checked before they run.
//! * [`output_folder`]: the folder each command writes, marked with its kind.
//!
//! The `hnet` program (`src/main.rs`) runs these passes on weight files.

pub mod alignment;
pub mod analysis_memory;
pub mod classify;
pub mod curvature;
pub mod draw;
pub mod formula;
pub mod heatmap;
pub mod landscape;
pub mod label;
pub mod layout;
pub mod least_squares;
pub mod order_params;
pub mod output_folder;
pub mod probe;
pub mod reference;
pub mod report;
pub mod studies;
pub mod svg;
pub mod transform;
