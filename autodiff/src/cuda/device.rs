//! A handle to one GPU, shared by every tensor on it.

use kernels::cuda::{CudaError, Device};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

/// One CUDA device (cheap to clone). Opening the same ordinal twice gives the same
/// device, so tensors made through either handle can meet in one op.
#[derive(Clone)]
pub struct CudaDevice(Arc<Device>);

impl CudaDevice {
    /// Opens device `ordinal` (once per process; later calls share it). Returns an
    /// error saying what was looked for when the driver, NVRTC or the device is missing.
    pub fn new(ordinal: usize) -> Result<CudaDevice, CudaError> {
        static OPENED: OnceLock<Mutex<HashMap<usize, Arc<Device>>>> = OnceLock::new();
        let mut opened = OPENED.get_or_init(Default::default).lock().expect("device registry lock poisoned");
        if let Some(d) = opened.get(&ordinal) {
            return Ok(CudaDevice(d.clone()));
        }
        let device = Arc::new(Device::new(ordinal)?);
        opened.insert(ordinal, device.clone());
        Ok(CudaDevice(device))
    }

    /// The ordinal, as in `cuda:N`.
    pub fn ordinal(&self) -> usize {
        self.0.ordinal()
    }

    /// The card's name, e.g. "NVIDIA H100 80GB HBM3".
    pub fn name(&self) -> Result<String, CudaError> {
        self.0.name()
    }

    /// Waits until all queued work has finished (for timing; transfers wait anyway).
    pub fn synchronize(&self) -> Result<(), CudaError> {
        self.0.synchronize()
    }

    /// The kernel launcher.
    pub fn kernels(&self) -> &Device {
        &self.0
    }
}

impl PartialEq for CudaDevice {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CudaDevice {}

impl fmt::Display for CudaDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cuda:{}", self.ordinal())
    }
}

impl fmt::Debug for CudaDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
