//! Device memory: a buffer of `len` elements on one GPU.

use super::device::Device;
use super::error::CudaError;
use crate::element::Element;
use cudarc::cublas::result::CublasError;
use cudarc::cublas::{CudaBlas, Gemm, StridedBatchedConfig};
use cudarc::driver::{CudaSlice, DeviceRepr, ValidAsZeroBits};

/// An element type the CUDA kernels support (f32 or f64; PTX entry points carry its
/// [`Element::DTYPE`] as suffix).
pub trait GpuElement: Element + DeviceRepr + ValidAsZeroBits {
    /// `cublas<S|D>gemmStridedBatched` for this type.
    ///
    /// # Safety
    /// The configuration must describe matrices inside the three buffers.
    unsafe fn gemm_strided_batched(
        blas: &CudaBlas,
        config: StridedBatchedConfig<Self>,
        a: &CudaSlice<Self>,
        b: &CudaSlice<Self>,
        c: &mut CudaSlice<Self>,
    ) -> Result<(), CublasError>;
}

macro_rules! gpu_element {
    ($t:ty) => {
        impl GpuElement for $t {
            unsafe fn gemm_strided_batched(
                blas: &CudaBlas,
                config: StridedBatchedConfig<Self>,
                a: &CudaSlice<Self>,
                b: &CudaSlice<Self>,
                c: &mut CudaSlice<Self>,
            ) -> Result<(), CublasError> {
                Gemm::<$t>::gemm_strided_batched(blas, config, a, b, c)
            }
        }
    };
}
gpu_element!(f32);
gpu_element!(f64);

/// `len` elements of `T` in device memory.
///
/// CUDA cannot allocate 0 bytes, so an empty buffer holds one unused element; kernels
/// never read past `len`.
#[derive(Debug)]
pub struct DeviceBuffer<T> {
    slice: CudaSlice<T>,
    len: usize,
}

impl<T: DeviceRepr + ValidAsZeroBits> DeviceBuffer<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copies the elements back to the host (waits for pending work on the stream).
    pub fn to_host(&self) -> Result<Vec<T>, CudaError> {
        if self.len == 0 {
            return Ok(Vec::new());
        }
        Ok(self.slice.stream().clone_dtoh(&self.slice.slice(..self.len))?)
    }

    pub(crate) fn raw(&self) -> &CudaSlice<T> {
        &self.slice
    }

    pub(crate) fn raw_mut(&mut self) -> &mut CudaSlice<T> {
        &mut self.slice
    }
}

impl Device {
    /// A buffer of `len` zeros.
    pub fn zeros<T: DeviceRepr + ValidAsZeroBits>(&self, len: usize) -> Result<DeviceBuffer<T>, CudaError> {
        Ok(DeviceBuffer { slice: self.stream().alloc_zeros(len.max(1))?, len })
    }

    /// A buffer of `len` elements whose contents are unspecified (no fill): for a
    /// kernel that writes every element.
    pub fn uninit<T: DeviceRepr + ValidAsZeroBits>(&self, len: usize) -> Result<DeviceBuffer<T>, CudaError> {
        // SAFETY: device memory is only ever read by kernels and copies; any bit pattern
        // of f32 / f64 / u32 is a valid value, so unwritten elements are harmless.
        Ok(DeviceBuffer { slice: unsafe { self.stream().alloc(len.max(1)) }?, len })
    }

    /// A copy of `buffer` (device to device).
    pub fn copy<T: DeviceRepr + ValidAsZeroBits>(&self, buffer: &DeviceBuffer<T>) -> Result<DeviceBuffer<T>, CudaError> {
        Ok(DeviceBuffer { slice: self.stream().clone_dtod(&buffer.slice)?, len: buffer.len })
    }

    /// A buffer holding a copy of `host`.
    pub fn upload<T: DeviceRepr + ValidAsZeroBits>(&self, host: &[T]) -> Result<DeviceBuffer<T>, CudaError> {
        let mut buffer = self.zeros(host.len())?;
        if !host.is_empty() {
            self.stream().memcpy_htod(host, &mut buffer.slice)?;
        }
        Ok(buffer)
    }
}
