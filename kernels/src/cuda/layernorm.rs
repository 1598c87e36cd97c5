//! Layer normalisation over the last axis of `[rows, cols]` on the device
//! (`kernels/cuda/layernorm.cu`), without affine parameters, as the CPU primitive
//! `autodiff::ops::layer_norm`: `y = (x - mu) / sigma`,
//! `sigma = sqrt(mean((x - mu)^2) + eps)` (biased variance, two passes);
//! VJP `dx = (g - mean(g) - y mean(g y)) / sigma`, `sigma` recomputed from `x`.

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, group_size, grouped};
use super::source::{Kernel, Source};
use cudarc::driver::PushKernelArg;

const FORWARD: Kernel = Kernel::typed(Source::LayerNorm, "layernorm_forward");
const BACKWARD: Kernel = Kernel::typed(Source::LayerNorm, "layernorm_backward");
pub(crate) const KERNELS: &[Kernel] = &[FORWARD, BACKWARD];

/// `(rows, cols)` as kernel arguments, after checking that every buffer holds whole rows.
fn rows_cols(what: &str, lens: &[usize], cols: usize) -> (u32, u32) {
    assert!(cols > 0, "cuda {what}: rows of 0 columns cannot be normalised");
    assert!(lens.iter().all(|&l| l == lens[0]), "cuda {what}: buffer lengths differ: {lens:?}");
    assert_eq!(lens[0] % cols, 0, "cuda {what}: {} elements is not a whole number of rows of {cols}", lens[0]);
    (count(what, lens[0] / cols), count(what, cols))
}

impl Device {
    /// `y = (x - mu) / sigma`, row by row.
    pub fn layernorm_rows<T: GpuElement>(
        &self,
        x: &DeviceBuffer<T>,
        cols: usize,
        eps: f64,
        y: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (rows, cols) = rows_cols("layernorm", &[x.len(), y.len()], cols);
        if rows == 0 {
            return Ok(());
        }
        let (f, eps, group) = (self.function(FORWARD, T::DTYPE)?, T::from_f64_lossy(eps), group_size(cols as usize));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(y.raw_mut()).arg(&rows).arg(&cols).arg(&eps).arg(&group);
        // SAFETY: the arguments match `layernorm_forward_<T>`; lengths were checked.
        unsafe { launch.launch(grouped(rows, group)) }?;
        Ok(())
    }

    /// `dx` from the forward's input `x`, output `y` and the output gradient `g`.
    pub fn layernorm_rows_backward<T: GpuElement>(
        &self,
        x: &DeviceBuffer<T>,
        y: &DeviceBuffer<T>,
        g: &DeviceBuffer<T>,
        cols: usize,
        eps: f64,
        dx: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (rows, cols) = rows_cols("layernorm backward", &[x.len(), y.len(), g.len(), dx.len()], cols);
        if rows == 0 {
            return Ok(());
        }
        let (f, eps, group) = (self.function(BACKWARD, T::DTYPE)?, T::from_f64_lossy(eps), group_size(cols as usize));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(y.raw()).arg(g.raw()).arg(dx.raw_mut());
        launch.arg(&rows).arg(&cols).arg(&eps).arg(&group);
        // SAFETY: the arguments match `layernorm_backward_<T>`; lengths were checked.
        unsafe { launch.launch(grouped(rows, group)) }?;
        Ok(())
    }
}
