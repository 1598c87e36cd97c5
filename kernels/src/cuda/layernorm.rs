//! Layer normalisation over the last axis of `[rows, cols]` on the device
//! (`kernels/cuda/layernorm.cu`), with per-column scale `gamma` and shift `beta`:
//! `y = gamma (x - mu) rstd + beta`, `rstd = 1 / sqrt(var + eps)` (population
//! variance, two passes). With `h = g gamma` and `xhat = (x - mu) rstd`, the VJPs are
//! `dx = rstd (h - mean(h) - xhat mean(h xhat))`, `dgamma = sum_rows g xhat`,
//! `dbeta = sum_rows g`.

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, group_size, grouped};
use super::source::{Kernel, Source};
use cudarc::driver::PushKernelArg;

const FORWARD: Kernel = Kernel::typed(Source::LayerNorm, "layernorm_forward");
const BACKWARD: Kernel = Kernel::typed(Source::LayerNorm, "layernorm_backward");
const PARAM_BACKWARD: Kernel = Kernel::typed(Source::LayerNorm, "layernorm_param_backward");
pub(crate) const KERNELS: &[Kernel] = &[FORWARD, BACKWARD, PARAM_BACKWARD];

/// Per-row mean and reciprocal standard deviation, saved by the forward for the backward.
#[derive(Debug)]
pub struct LayerNormStats<T> {
    pub mean: DeviceBuffer<T>,
    pub rstd: DeviceBuffer<T>,
}

/// `(rows, cols)` as kernel arguments, after checking the lengths.
fn rows_cols(what: &str, x_len: usize, cols: usize, per_col: &[usize]) -> (u32, u32) {
    assert!(cols > 0, "cuda {what}: rows of 0 columns cannot be normalised");
    assert_eq!(x_len % cols, 0, "cuda {what}: {x_len} elements is not a whole number of rows of {cols}");
    for &n in per_col {
        assert_eq!(n, cols, "cuda {what}: a per-column buffer holds {n} elements, expected {cols}");
    }
    (count(what, x_len / cols), count(what, cols))
}

impl Device {
    /// `y = gamma xhat + beta` row by row; returns the rows' mean and rstd.
    pub fn layernorm_rows<T: GpuElement>(
        &self,
        x: &DeviceBuffer<T>,
        gamma: &DeviceBuffer<T>,
        beta: &DeviceBuffer<T>,
        cols: usize,
        eps: f64,
        y: &mut DeviceBuffer<T>,
    ) -> Result<LayerNormStats<T>, CudaError> {
        let (rows, cols) = rows_cols("layernorm", x.len(), cols, &[gamma.len(), beta.len()]);
        assert_eq!(y.len(), x.len(), "cuda layernorm: y holds {} elements, x {}", y.len(), x.len());
        let mut stats = LayerNormStats { mean: self.zeros(rows as usize)?, rstd: self.zeros(rows as usize)? };
        if rows == 0 {
            return Ok(stats);
        }
        let (f, eps, group) = (self.function(FORWARD, T::DTYPE)?, T::from_f64_lossy(eps), group_size(cols as usize));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(gamma.raw()).arg(beta.raw()).arg(y.raw_mut());
        launch.arg(stats.mean.raw_mut()).arg(stats.rstd.raw_mut());
        launch.arg(&rows).arg(&cols).arg(&eps).arg(&group);
        // SAFETY: the arguments match `layernorm_forward_<T>`; lengths were checked.
        unsafe { launch.launch(grouped(rows, group)) }?;
        Ok(stats)
    }

    /// `dx`, `dgamma` and `dbeta` from the forward's input, `gamma`, saved statistics and
    /// the output gradient `g`.
    #[allow(clippy::too_many_arguments)]
    pub fn layernorm_rows_backward<T: GpuElement>(
        &self,
        x: &DeviceBuffer<T>,
        gamma: &DeviceBuffer<T>,
        stats: &LayerNormStats<T>,
        g: &DeviceBuffer<T>,
        cols: usize,
        dx: &mut DeviceBuffer<T>,
        dgamma: &mut DeviceBuffer<T>,
        dbeta: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let what = "layernorm backward";
        let (rows, cols) = rows_cols(what, x.len(), cols, &[gamma.len(), dgamma.len(), dbeta.len()]);
        for (name, n) in [("g", g.len()), ("dx", dx.len())] {
            assert_eq!(n, x.len(), "cuda {what}: {name} holds {n} elements, x {}", x.len());
        }
        for (name, n) in [("mean", stats.mean.len()), ("rstd", stats.rstd.len())] {
            assert_eq!(n, rows as usize, "cuda {what}: {name} holds {n} values, expected one per row ({rows})");
        }
        let f = self.function(BACKWARD, T::DTYPE)?;
        if rows > 0 {
            let group = group_size(cols as usize);
            let mut launch = self.stream().launch_builder(&f);
            launch.arg(x.raw()).arg(gamma.raw()).arg(stats.mean.raw()).arg(stats.rstd.raw()).arg(g.raw());
            launch.arg(dx.raw_mut()).arg(&rows).arg(&cols).arg(&group);
            // SAFETY: the arguments match `layernorm_backward_<T>`; lengths were checked.
            unsafe { launch.launch(grouped(rows, group)) }?;
        }
        let f = self.function(PARAM_BACKWARD, T::DTYPE)?;
        let group = group_size(rows as usize);
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(stats.mean.raw()).arg(stats.rstd.raw()).arg(g.raw());
        launch.arg(dgamma.raw_mut()).arg(dbeta.raw_mut()).arg(&rows).arg(&cols).arg(&group);
        // SAFETY: the arguments match `layernorm_param_backward_<T>`; lengths were checked.
        unsafe { launch.launch(grouped(cols, group)) }?;
        Ok(())
    }
}
