//! Explicit transfers between host and device memory.

use super::array::DeviceArray;
use super::device::CudaDevice;
use crate::float::Float;
use crate::tensor::{Storage, Tensor};
use kernels::cuda::CudaError;

impl<T: Float> Tensor<T> {
    /// A copy of this tensor's value on `device`, as a new leaf that requires a gradient
    /// exactly when `self` does (gradients do not flow back across the transfer).
    pub fn to_device(&self, device: &CudaDevice) -> Result<Tensor<T>, CudaError> {
        let data = match &*self.0.value.borrow() {
            Storage::Cpu(a) => DeviceArray::upload(device, a)?,
            Storage::Cuda(d) if d.device() == device => d.copy("to_device"),
            Storage::Cuda(d) => DeviceArray::upload(device, &d.download()?)?,
        };
        Ok(Tensor::leaf(Storage::Cuda(data), self.requires_grad()))
    }

    /// A copy of this tensor's value in host memory, as a new leaf that requires a
    /// gradient exactly when `self` does. Waits for the device's queued work.
    pub fn to_cpu(&self) -> Result<Tensor<T>, CudaError> {
        let host = match &*self.0.value.borrow() {
            Storage::Cpu(a) => crate::shape::copy(a),
            Storage::Cuda(d) => d.download()?,
        };
        Ok(Tensor::leaf(Storage::Cpu(host), self.requires_grad()))
    }
}
