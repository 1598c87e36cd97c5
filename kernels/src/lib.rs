//! Numeric kernels on raw buffers, with no knowledge of graphs or gradients.
//!
//! Everything here works on contiguous row-major slices plus explicit shapes or
//! strides. Parallel kernels split work into a *fixed* partition that depends only on
//! the problem size (never on the number of rayon threads), and every reduction
//! combines partial results in partition order, so results are bit-identical at any
//! thread count.

#[cfg(feature = "cuda")]
pub mod cuda;
pub mod broadcast;
pub mod element;
pub mod exp;
pub mod gemm;
pub mod lanes;
pub mod layout;
pub mod map;
pub mod norm;
pub mod parallel;
pub mod permute;
pub mod pool;
pub mod reduce;
pub mod simd;
pub mod skinny;
pub mod softmax;

pub use element::Element;
pub use gemm::{batched_gemm, gemm, MatLayout};
