//! What can go wrong when using the GPU, each with a message a user can act on.

use cudarc::cublas::result::CublasError;
use cudarc::driver::DriverError;
use std::fmt;

/// An error from the CUDA backend. Misuse (shapes that disagree) panics instead.
#[derive(Debug)]
pub enum CudaError {
    /// A shared library could not be loaded.
    MissingLibrary {
        /// What the library is, e.g. "the CUDA driver (libcuda)".
        what: &'static str,
        /// The file names that were tried.
        looked_for: Vec<String>,
        /// How to get it.
        remedy: &'static str,
    },
    /// The driver loaded, but there is no device with this ordinal.
    NoDevice { ordinal: usize, count: usize },
    /// The driver is older than the NVRTC that compiles the kernels, so it cannot load
    /// their PTX. Versions are (major, minor).
    DriverTooOld { driver: (i32, i32), nvrtc: (i32, i32) },
    /// A CUDA driver call failed (out of memory, launch failure, ...).
    Driver(DriverError),
    /// NVRTC rejected a kernel source (the log names the file and line).
    Compile { source: String, log: String },
    /// A cuBLAS call failed.
    Blas(CublasError),
}

impl fmt::Display for CudaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CudaError::MissingLibrary { what, looked_for, remedy } => {
                write!(f, "{what} was not found (looked for {}): {remedy}", looked_for.join(", "))
            }
            CudaError::NoDevice { ordinal, count } => write!(
                f,
                "no CUDA device {ordinal}: the driver reports {count} device(s); run on CPU or pick an ordinal below {count}"
            ),
            CudaError::DriverTooOld { driver: (dm, dn), nvrtc: (nm, nn) } => write!(
                f,
                "the NVIDIA driver supports CUDA {dm}.{dn}, older than NVRTC {nm}.{nn} which compiles the kernels, \
                 so it cannot load their PTX: update the driver to one for CUDA {nm}.{nn} or later, or put an \
                 NVRTC no newer than the driver on LD_LIBRARY_PATH (e.g. pip install 'nvidia-cuda-nvrtc=={dm}.{dn}.*'; \
                 CUDA 13.0 at least)"
            ),
            CudaError::Driver(e) => write!(f, "CUDA driver call failed: {e}"),
            CudaError::Compile { source, log } => write!(f, "NVRTC could not compile {source}.cu:\n{log}"),
            CudaError::Blas(e) => write!(f, "cuBLAS call failed: {e}"),
        }
    }
}

impl std::error::Error for CudaError {}

impl From<DriverError> for CudaError {
    fn from(e: DriverError) -> Self {
        CudaError::Driver(e)
    }
}

impl From<CublasError> for CudaError {
    fn from(e: CublasError) -> Self {
        CudaError::Blas(e)
    }
}
