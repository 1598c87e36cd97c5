//! Reverse-mode automatic differentiation over ndarray tensors, in f32 and f64.
//!
//! * [`Tensor`]: a value (ndarray storage) plus, when it needs a gradient, the
//!   primitive and inputs that produced it. Running code builds the graph as it goes
//!   (define-by-run); [`Tensor::backward`] sweeps it in reverse.
//! * [`Primitive`]: the one trait a primitive implements (forward + vector-Jacobian
//!   product). Every primitive lives in its own file under `ops/`; see `README.md`.
//! * [`gradcheck`]: analytic gradients against central differences.
//! * [`second_order`]: gradients of gradients ([`second_order::grad`] with
//!   `create_graph`), Hessian-vector products ([`hvp`], [`Curvature`]), Hessians
//!   ([`hessian`]) and their check ([`gradgradcheck`]).
//! * [`rng`]: the counter-based Philox4x32-10 generator with JAX-style keys.
//! * [`optim`]: SGD with momentum, Adam, AdamW, gradient clipping, LR schedules.

pub mod backward;
#[cfg(feature = "cuda")]
pub mod cuda;
pub mod float;
pub mod grad_mode;
pub mod gradcheck;
pub mod ops;
pub mod optim;
pub mod primitive;
pub mod rng;
pub mod second_order;
pub mod shape;
pub mod storage;
pub mod tensor;

pub use float::Float;
pub use grad_mode::{is_grad_enabled, no_grad};
pub use primitive::{Primitive, Vjp};
pub use rng::Key;
pub use second_order::{gradgradcheck, hessian, hvp, Curvature};
pub use tensor::{Device, Storage, Tensor};
