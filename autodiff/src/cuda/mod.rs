//! Tensors in GPU memory (cargo feature `cuda`).
//!
//! A tensor's value is a [`crate::Storage`]: host memory (`Storage::Cpu`) or a
//! [`DeviceArray`] on a [`CudaDevice`] (`Storage::Cuda`). Transfers are explicit:
//! [`crate::Tensor::to_device`] and [`crate::Tensor::to_cpu`] copy the value and make
//! a new leaf (gradients do not flow across a transfer; a parameter moved to the
//! device is the device's parameter). Every primitive has a device forward and VJP
//! beside its CPU ones ([`crate::Primitive::forward_cuda`],
//! [`crate::Primitive::backward_cuda`]), launching the kernels of `kernels::cuda`;
//! the tape runs the device VJPs and accumulates gradients on the device, so a
//! training step makes no round trip to the host. All inputs of an op must live on
//! one device (mixing is a panic naming the op and the devices).
//!
//! Device failures inside an op (out of memory, a failed launch) panic with the op,
//! the device and the driver's message; opening a device and transfers return a
//! [`kernels::cuda::CudaError`].

mod array;
mod device;
pub(crate) mod launch;
mod transfer;

pub use array::DeviceArray;
pub use device::CudaDevice;
pub use kernels::cuda::CudaError;
