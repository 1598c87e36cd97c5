//! A tensor value in device memory: a buffer, its row-major shape and its device.

use super::device::CudaDevice;
use crate::float::Float;
use kernels::cuda::{CudaError, DeviceBuffer};
use ndarray::{ArrayD, IxDyn};
use std::fmt;

/// `shape.iter().product()` elements of `T`, row-major, on `device`.
pub struct DeviceArray<T: Float> {
    data: DeviceBuffer<T>,
    shape: Vec<usize>,
    device: CudaDevice,
}

/// `Ok(v)`, or a panic naming the op and the device (inside an op there is no caller
/// to return an error to: a device that fails mid-step is fatal to the step).
pub(crate) fn ok<V>(op: &str, device: &CudaDevice, r: Result<V, CudaError>) -> V {
    r.unwrap_or_else(|e| panic!("{op} on {device}: {e}"))
}

impl<T: Float> DeviceArray<T> {
    /// A copy of `host` on `device`.
    pub fn upload(device: &CudaDevice, host: &ArrayD<T>) -> Result<DeviceArray<T>, CudaError> {
        let data = device.kernels().upload(&crate::shape::contiguous(host))?;
        Ok(DeviceArray { data, shape: host.shape().to_vec(), device: device.clone() })
    }

    /// A copy in host memory (waits for the device's queued work).
    pub fn download(&self) -> Result<ArrayD<T>, CudaError> {
        let data = self.data.to_host()?;
        Ok(ArrayD::from_shape_vec(IxDyn(&self.shape), data).expect("a device buffer holds its shape's elements"))
    }

    /// An array of `shape` whose elements the caller's kernel writes, all of them.
    pub(crate) fn uninit(op: &str, device: &CudaDevice, shape: &[usize]) -> DeviceArray<T> {
        let data = ok(op, device, device.kernels().uninit(shape.iter().product()));
        DeviceArray { data, shape: shape.to_vec(), device: device.clone() }
    }

    /// An array of zeros of `shape`.
    pub(crate) fn zeros(op: &str, device: &CudaDevice, shape: &[usize]) -> DeviceArray<T> {
        let data = ok(op, device, device.kernels().zeros(shape.iter().product()));
        DeviceArray { data, shape: shape.to_vec(), device: device.clone() }
    }

    /// The same elements under another shape of as many elements (no copy).
    pub(crate) fn reshaped(self, shape: &[usize]) -> DeviceArray<T> {
        assert_eq!(
            self.len(),
            shape.iter().product::<usize>(),
            "reshape: cannot reshape {:?} ({} elements) to {shape:?}",
            self.shape,
            self.len()
        );
        DeviceArray { shape: shape.to_vec(), ..self }
    }

    /// A copy (device to device).
    pub(crate) fn copy(&self, op: &str) -> DeviceArray<T> {
        let data = ok(op, &self.device, self.device.kernels().copy(&self.data));
        DeviceArray { data, shape: self.shape.clone(), device: self.device.clone() }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The device holding the elements.
    pub fn device(&self) -> &CudaDevice {
        &self.device
    }

    /// The elements, for a kernel launch.
    pub fn buffer(&self) -> &DeviceBuffer<T> {
        &self.data
    }

    /// The elements, for a kernel that writes them.
    pub fn buffer_mut(&mut self) -> &mut DeviceBuffer<T> {
        &mut self.data
    }
}

/// A device-to-device copy; panics if the device cannot allocate it.
impl<T: Float> Clone for DeviceArray<T> {
    fn clone(&self) -> Self {
        self.copy("clone")
    }
}

impl<T: Float> fmt::Debug for DeviceArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceArray<{}>(shape {:?} on {})", T::DTYPE, self.shape, self.device)
    }
}
