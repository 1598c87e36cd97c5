//! The Philox4x32-10 stream of `autodiff::rng` on the device
//! (`kernels/cuda/philox.cu`): element `i` of a sample drawn with key `k` is word
//! `i % 4` of block `i / 4` (counter `[i/4 low, i/4 high, 0, 0]`), so the same key
//! gives the same numbers as on the CPU. Uniforms `(w + 0.5) / 2^32` and Box-Muller
//! normals are computed in f64, then cast to `T`.

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, elementwise};
use super::source::{Kernel, Source};
use cudarc::driver::PushKernelArg;

const BITS: Kernel = Kernel::untyped(Source::Philox, "philox_bits");
const UNIFORM: Kernel = Kernel::typed(Source::Philox, "philox_uniform");
const NORMAL: Kernel = Kernel::typed(Source::Philox, "philox_normal");
pub(crate) const KERNELS: &[Kernel] = &[BITS, UNIFORM, NORMAL];

/// `(n, blocks)`: the element count and the number of four-word blocks covering it.
fn blocks(what: &str, n: usize) -> (u32, u32) {
    let n = count(what, n);
    (n, n.div_ceil(4))
}

impl Device {
    /// The raw 32-bit words of `key`'s stream, `out.len()` of them.
    pub fn philox_bits(&self, key: [u32; 2], out: &mut DeviceBuffer<u32>) -> Result<(), CudaError> {
        let (n, blocks) = blocks("philox_bits", out.len());
        if n == 0 {
            return Ok(());
        }
        let f = self.function(BITS, "")?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&key[0]).arg(&key[1]).arg(out.raw_mut()).arg(&n);
        // SAFETY: the arguments match `philox_bits`; out holds n words.
        unsafe { launch.launch(elementwise(blocks)) }?;
        Ok(())
    }

    /// Uniform samples `lo + (hi - lo) u` with `u` in (0, 1).
    pub fn philox_uniform<T: GpuElement>(
        &self,
        key: [u32; 2],
        lo: f64,
        hi: f64,
        out: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (n, blocks) = blocks("philox_uniform", out.len());
        if n == 0 {
            return Ok(());
        }
        let f = self.function(UNIFORM, T::DTYPE)?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&key[0]).arg(&key[1]).arg(&lo).arg(&hi).arg(out.raw_mut()).arg(&n);
        // SAFETY: the arguments match `philox_uniform_<T>`; out holds n elements.
        unsafe { launch.launch(elementwise(blocks)) }?;
        Ok(())
    }

    /// Standard normal samples (Box-Muller on word pairs (0, 1) and (2, 3) of a block).
    pub fn philox_normal<T: GpuElement>(&self, key: [u32; 2], out: &mut DeviceBuffer<T>) -> Result<(), CudaError> {
        let (n, blocks) = blocks("philox_normal", out.len());
        if n == 0 {
            return Ok(());
        }
        let f = self.function(NORMAL, T::DTYPE)?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&key[0]).arg(&key[1]).arg(out.raw_mut()).arg(&n);
        // SAFETY: the arguments match `philox_normal_<T>`; out holds n elements.
        unsafe { launch.launch(elementwise(blocks)) }?;
        Ok(())
    }
}
