//! One GPU: its context, the stream every kernel runs on, the loaded modules and the
//! cuBLAS handle.

use super::error::CudaError;
use super::library::Library;
use super::source::{Kernel, Source};
use cudarc::cublas::CudaBlas;
use cudarc::driver::sys::CUresult;
use cudarc::driver::{CudaContext, CudaFunction, CudaModule, CudaStream};
use cudarc::nvrtc::Ptx;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// `Ok` if the driver is at least as new as NVRTC (PTX carries the ISA version of the
/// NVRTC that made it, and a driver only loads ISA versions it knows).
fn check_driver_loads_nvrtc_ptx() -> Result<(), CudaError> {
    let mut driver = 0;
    let (mut major, mut minor) = (0, 0);
    // SAFETY: both libraries are loaded (checked by the caller); the calls only write
    // version numbers into the given integers. Should NVRTC not answer, its version
    // stays 0.0 and the check passes (loading the PTX then reports any mismatch).
    unsafe {
        cudarc::driver::sys::cuDriverGetVersion(&mut driver).result()?;
        let _ = cudarc::nvrtc::sys::nvrtcVersion(&mut major, &mut minor);
    }
    let driver = (driver / 1000, driver % 1000 / 10);
    if driver < (major, minor) {
        return Err(CudaError::DriverTooOld { driver, nvrtc: (major, minor) });
    }
    Ok(())
}

/// A CUDA device. All work goes to one stream, in order, so results never depend on
/// scheduling.
pub struct Device {
    ordinal: usize,
    context: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    modules: Mutex<HashMap<Source, Arc<CudaModule>>>,
    /// The elementwise ops' modules, by op name (`unary.rs`).
    unary_modules: Mutex<HashMap<&'static str, Arc<CudaModule>>>,
    blas: OnceLock<CudaBlas>,
}

impl Device {
    /// Opens device `ordinal`. Returns an error, not a panic, when the driver library,
    /// NVRTC or the device is missing, saying what was looked for.
    pub fn new(ordinal: usize) -> Result<Device, CudaError> {
        Library::Driver.require()?;
        Library::Nvrtc.require()?;
        let count = match CudaContext::device_count() {
            Ok(n) => n.max(0) as usize,
            Err(e) if e.0 == CUresult::CUDA_ERROR_NO_DEVICE => 0,
            Err(e) => return Err(e.into()),
        };
        if ordinal >= count {
            return Err(CudaError::NoDevice { ordinal, count });
        }
        check_driver_loads_nvrtc_ptx()?;
        let context = CudaContext::new(ordinal)?;
        // SAFETY: every buffer is used on this device's one stream, in order, so the
        // per-buffer events that order work across streams are not needed (and would
        // cost two event creations per allocation).
        unsafe { context.disable_event_tracking() };
        let stream = context.default_stream();
        Ok(Device {
            ordinal,
            context,
            stream,
            modules: Mutex::new(HashMap::new()),
            unary_modules: Mutex::new(HashMap::new()),
            blas: OnceLock::new(),
        })
    }

    /// The device's name, e.g. "NVIDIA H100 80GB HBM3".
    pub fn name(&self) -> Result<String, CudaError> {
        Ok(self.context.name()?)
    }

    /// The ordinal this device was opened with.
    pub fn ordinal(&self) -> usize {
        self.ordinal
    }

    /// Waits until all queued work has finished.
    pub fn synchronize(&self) -> Result<(), CudaError> {
        Ok(self.stream.synchronize()?)
    }

    pub(crate) fn stream(&self) -> &Arc<CudaStream> {
        &self.stream
    }

    /// The entry point of `kernel` for element type `dtype`, loading its module (and
    /// compiling its source, once per process) on first use.
    pub(crate) fn function(&self, kernel: Kernel, dtype: &str) -> Result<CudaFunction, CudaError> {
        let module = {
            let mut modules = self.modules.lock().expect("module cache lock poisoned");
            match modules.get(&kernel.source) {
                Some(m) => m.clone(),
                None => {
                    let ptx = kernel.source.ptx()?;
                    let m = self.context.load_module(Ptx::from_src(ptx))?;
                    modules.insert(kernel.source, m.clone());
                    m
                }
            }
        };
        Ok(module.load_function(&kernel.entry(dtype))?)
    }

    /// The entry point `entry` of the elementwise op `op`'s module, compiling it (once
    /// per process) and loading it (once per device) on first use.
    pub(crate) fn unary_function(&self, op: &super::unary::UnaryOp, entry: &str) -> Result<CudaFunction, CudaError> {
        let module = {
            let mut modules = self.unary_modules.lock().expect("module cache lock poisoned");
            match modules.get(op.name) {
                Some(m) => m.clone(),
                None => {
                    let m = self.context.load_module(Ptx::from_src(op.ptx()?))?;
                    modules.insert(op.name, m.clone());
                    m
                }
            }
        };
        Ok(module.load_function(entry)?)
    }

    /// The cuBLAS handle, created on first use (on this device's stream).
    pub(crate) fn blas(&self) -> Result<&CudaBlas, CudaError> {
        if self.blas.get().is_none() {
            Library::Cublas.require()?;
            let _ = self.blas.set(CudaBlas::new(self.stream.clone())?);
        }
        Ok(self.blas.get().expect("set above"))
    }
}
