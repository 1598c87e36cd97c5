//! Where a tensor's elements live: [`Storage`] (host or device memory) and [`Device`].

use crate::float::Float;
use ndarray::ArrayD;
use std::fmt;

/// Where a tensor's elements live: host memory, or (with the `cuda` feature) a
/// buffer on a GPU. Primitives have a CPU forward and VJP and, beside them, device
/// ones; the graph code dispatches on this.
#[derive(Clone, Debug)]
pub enum Storage<T: Float> {
    Cpu(ArrayD<T>),
    #[cfg(feature = "cuda")]
    Cuda(crate::cuda::DeviceArray<T>),
}

impl<T: Float> Storage<T> {
    /// The host array. Panics for a value on a device, saying how to bring it over.
    pub fn cpu(&self) -> &ArrayD<T> {
        match self {
            Storage::Cpu(a) => a,
            #[cfg(feature = "cuda")]
            Storage::Cuda(d) => panic!("the tensor's value is on {}; call to_cpu() for a host copy", d.device()),
        }
    }

    pub(crate) fn cpu_mut(&mut self) -> &mut ArrayD<T> {
        match self {
            Storage::Cpu(a) => a,
            #[cfg(feature = "cuda")]
            Storage::Cuda(d) => panic!("update: the tensor's value is on {}; update it with device kernels", d.device()),
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        match self {
            Storage::Cpu(a) => a.shape(),
            #[cfg(feature = "cuda")]
            Storage::Cuda(d) => d.shape(),
        }
    }

    /// Where the elements live.
    pub fn device(&self) -> Device {
        match self {
            Storage::Cpu(_) => Device::Cpu,
            #[cfg(feature = "cuda")]
            Storage::Cuda(d) => Device::Cuda(d.device().clone()),
        }
    }

    /// `host` where `device` is: the array itself, or a copy uploaded to the device
    /// (panics naming `what` if the upload fails).
    #[cfg_attr(not(feature = "cuda"), allow(unused_variables))]
    pub(crate) fn on(device: &Device, host: ArrayD<T>, what: &str) -> Storage<T> {
        match device {
            Device::Cpu => Storage::Cpu(host),
            #[cfg(feature = "cuda")]
            Device::Cuda(d) => Storage::Cuda(
                crate::cuda::DeviceArray::upload(d, &host).unwrap_or_else(|e| panic!("{what}: copying to {d}: {e}")),
            ),
        }
    }

    /// A host copy of the elements (downloaded from a device; panics if that fails).
    pub fn to_host(&self) -> ArrayD<T> {
        match self {
            Storage::Cpu(a) => a.clone(),
            #[cfg(feature = "cuda")]
            Storage::Cuda(d) => d.download().unwrap_or_else(|e| panic!("copying a tensor from {} to the host: {e}", d.device())),
        }
    }

    /// Gives host memory back to the buffer pool (device memory is freed on drop).
    pub(crate) fn recycle(self) {
        match self {
            Storage::Cpu(a) => crate::shape::recycle(a),
            #[cfg(feature = "cuda")]
            Storage::Cuda(_) => {}
        }
    }

    /// `acc += g` for two gradients of one value, on the device they live on.
    pub(crate) fn accumulate(&mut self, g: Storage<T>) {
        match (self, g) {
            (Storage::Cpu(acc), Storage::Cpu(g)) => crate::shape::accumulate(acc, g),
            #[cfg(feature = "cuda")]
            (Storage::Cuda(acc), Storage::Cuda(g)) => {
                *acc = crate::cuda::launch::binary("gradient accumulation", kernels::cuda::BinaryOp::Add, acc, &g)
            }
            #[cfg(feature = "cuda")]
            (acc, g) => panic!("gradient accumulation: gradients on {} and {}", acc.device(), g.device()),
        }
    }
}

/// The device a tensor lives on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Device {
    Cpu,
    #[cfg(feature = "cuda")]
    Cuda(crate::cuda::CudaDevice),
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            #[cfg(feature = "cuda")]
            Device::Cuda(d) => write!(f, "{d}"),
        }
    }
}

