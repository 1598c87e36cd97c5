//! Whether the shared libraries the backend loads at run time are present.
//!
//! `cudarc` loads libcuda, libnvrtc and libcublas lazily and panics if one is missing;
//! checking first turns that into a [`CudaError::MissingLibrary`] naming the files tried.

use super::error::CudaError;

/// A library `cudarc` loads at run time.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Library {
    Driver,
    Nvrtc,
    Cublas,
}

impl Library {
    fn base_name(self) -> &'static str {
        match self {
            Library::Driver => "cuda",
            Library::Nvrtc => "nvrtc",
            Library::Cublas => "cublas",
        }
    }

    fn present(self) -> bool {
        // SAFETY: these only try to dlopen the library by its candidate names.
        unsafe {
            match self {
                Library::Driver => cudarc::driver::sys::is_culib_present(),
                Library::Nvrtc => cudarc::nvrtc::sys::is_culib_present(),
                Library::Cublas => cudarc::cublas::sys::is_culib_present(),
            }
        }
    }

    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Library::Driver => (
                "the CUDA driver library (libcuda.so, installed with the NVIDIA driver)",
                "run on a machine with an NVIDIA GPU and its driver, or use the CPU backend",
            ),
            Library::Nvrtc => (
                "NVRTC, the CUDA runtime compiler (libnvrtc.so.13)",
                "`pip install nvidia-cuda-nvrtc` and put its site-packages/nvidia/cu13/lib folder on \
                 LD_LIBRARY_PATH (bash .ci/cuda_check.sh does both), or install the CUDA 13 toolkit",
            ),
            Library::Cublas => (
                "cuBLAS (libcublas.so.13)",
                "`pip install nvidia-cublas` and put its site-packages/nvidia/cu13/lib folder on \
                 LD_LIBRARY_PATH, or install the CUDA 13 toolkit",
            ),
        }
    }

    /// `Ok` if the library loads, else an error naming the files tried and the remedy.
    pub(crate) fn require(self) -> Result<(), CudaError> {
        if self.present() {
            return Ok(());
        }
        let (what, remedy) = self.describe();
        let mut looked_for = cudarc::get_lib_name_candidates(self.base_name());
        let mut seen = std::collections::HashSet::new();
        looked_for.retain(|name| seen.insert(name.clone()));
        Err(CudaError::MissingLibrary { what, looked_for, remedy })
    }
}

/// `Ok` if NVRTC can be loaded (enough to compile kernels to PTX, no GPU needed),
/// else the error saying how to install it.
pub fn nvrtc_available() -> Result<(), CudaError> {
    Library::Nvrtc.require()
}
