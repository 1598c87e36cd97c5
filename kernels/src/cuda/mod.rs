//! CUDA kernels (cargo feature `cuda`): the CUDA C sources under `kernels/cuda/`,
//! compiled by NVRTC at run time and launched through `cudarc`, plus cuBLAS GEMM.
//!
//! * [`Device`]: one GPU (context + stream). [`Device::new`] returns a [`CudaError`]
//!   saying what is missing (driver library, NVRTC, a device, a driver as new as
//!   NVRTC) instead of panicking.
//! * [`DeviceBuffer`]: device memory holding `len` elements; allocation failures are
//!   errors, not panics.
//! * Launch functions, one file per kernel family, as methods on [`Device`]:
//!   [`UnaryOp`] maps ([`unary`]), broadcasting [`BinaryOp`]s ([`binary`]),
//!   sum / max over an axis ([`reduce`]), softmax / log-softmax / logsumexp
//!   ([`softmax`]), layer norm without affine parameters ([`layernorm`]),
//!   strided copies and gathers by index ([`copy`]),
//!   Adam / SGD updates ([`optim`]), the Philox stream ([`philox`]) and strided
//!   batched GEMM through cuBLAS ([`gemm`]).
//! * [`compile_all_ptx`]: compiles every source to PTX; needs NVRTC but no GPU.
//!
//! Each source is compiled once per process (cached PTX) and loaded once per device.
//! Reductions use a fixed in-block tree and no atomics, so results are bit-identical
//! run to run; they match the CPU kernels within rounding (see `kernels/cuda/README.md`).
//! Shapes that disagree are misuse and panic with the op and the shapes, as on CPU.

mod buffer;
mod catalogue;
mod device;
mod error;
mod launch;
mod library;
mod source;

pub mod binary;
pub mod copy;
pub mod gemm;
pub mod layernorm;
pub mod optim;
pub mod philox;
pub mod reduce;
pub mod softmax;
pub mod unary;

pub use binary::{BinaryOp, Operand};
pub use copy::StridedCopy;
pub use buffer::{DeviceBuffer, GpuElement};
pub use device::Device;
pub use error::CudaError;
pub use gemm::GemmBatch;
pub use library::nvrtc_available;
pub use optim::{AdamStep, SgdStep};
pub use reduce::ReduceOp;
pub use softmax::SoftmaxKind;
pub use catalogue::{all_kernels, kernels_of};
pub use source::{compile_all_ptx, Kernel, Source};
pub use unary::UnaryOp;
