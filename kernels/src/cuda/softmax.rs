//! Softmax, log-softmax and logsumexp along one axis on the device
//! (`kernels/cuda/softmax.cu`), with their VJPs. The tensor is viewed as
//! `[outer, len, inner]` like the CPU [`crate::softmax`] `*_axis` kernels (rows of a
//! matrix: the last axis). With `m` the lane maximum and `l = ln sum exp(x - m)`:
//! `logsumexp = m + l`, `log_softmax = (x - m) - l`, `softmax = exp(log_softmax)`.
//! VJPs: softmax `dx = y (g - sum g y)`; log-softmax `dx = g - exp(y) sum g`;
//! logsumexp `dx = g exp(x - lse)`.

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{elementwise, group_size, grouped};
use super::reduce::axis_lanes;
use super::source::{Kernel, Source};
use cudarc::driver::PushKernelArg;

const FORWARD: Kernel = Kernel::typed(Source::Softmax, "softmax_forward");
const BACKWARD: Kernel = Kernel::typed(Source::Softmax, "softmax_backward");
const LSE_FORWARD: Kernel = Kernel::typed(Source::Softmax, "logsumexp_forward");
const LSE_BACKWARD: Kernel = Kernel::typed(Source::Softmax, "logsumexp_backward");
pub(crate) const KERNELS: &[Kernel] = &[FORWARD, BACKWARD, LSE_FORWARD, LSE_BACKWARD];

/// Softmax or its logarithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftmaxKind {
    Softmax,
    LogSoftmax,
}

impl SoftmaxKind {
    /// The `mode` argument of the kernels.
    fn mode(self) -> i32 {
        match self {
            SoftmaxKind::Softmax => 0,
            SoftmaxKind::LogSoftmax => 1,
        }
    }
}

impl Device {
    /// `y = softmax(x)` or `log_softmax(x)` along `axis`.
    pub fn softmax_axis<T: GpuElement>(
        &self,
        kind: SoftmaxKind,
        x: &DeviceBuffer<T>,
        shape: &[usize],
        axis: usize,
        y: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (outer, len, inner) = axis_lanes("softmax", shape, axis, &[x.len(), y.len()], &[]);
        if outer * inner == 0 {
            return Ok(());
        }
        let (f, mode, group) = (self.function(FORWARD, T::DTYPE)?, kind.mode(), group_size(len as usize));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&mode).arg(x.raw()).arg(y.raw_mut());
        launch.arg(&outer).arg(&len).arg(&inner).arg(&group);
        // SAFETY: the arguments match `softmax_forward_<T>`; lengths were checked.
        unsafe { launch.launch(grouped(outer * inner, group)) }?;
        Ok(())
    }

    /// `dx` from the forward's output `y` and the output gradient `g`.
    pub fn softmax_axis_backward<T: GpuElement>(
        &self,
        kind: SoftmaxKind,
        y: &DeviceBuffer<T>,
        g: &DeviceBuffer<T>,
        shape: &[usize],
        axis: usize,
        dx: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (outer, len, inner) = axis_lanes("softmax backward", shape, axis, &[y.len(), g.len(), dx.len()], &[]);
        if outer * inner == 0 {
            return Ok(());
        }
        let (f, mode, group) = (self.function(BACKWARD, T::DTYPE)?, kind.mode(), group_size(len as usize));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&mode).arg(y.raw()).arg(g.raw()).arg(dx.raw_mut());
        launch.arg(&outer).arg(&len).arg(&inner).arg(&group);
        // SAFETY: the arguments match `softmax_backward_<T>`; lengths were checked.
        unsafe { launch.launch(grouped(outer * inner, group)) }?;
        Ok(())
    }

    /// `out[o, i] = logsumexp_k x[o, k, i]` (-inf over an empty axis).
    pub fn logsumexp_axis<T: GpuElement>(
        &self,
        x: &DeviceBuffer<T>,
        shape: &[usize],
        axis: usize,
        out: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (outer, len, inner) = axis_lanes("logsumexp", shape, axis, &[x.len()], &[out.len()]);
        if outer * inner == 0 {
            return Ok(());
        }
        let (f, group) = (self.function(LSE_FORWARD, T::DTYPE)?, group_size(len as usize));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(out.raw_mut());
        launch.arg(&outer).arg(&len).arg(&inner).arg(&group);
        // SAFETY: the arguments match `logsumexp_forward_<T>`; lengths were checked.
        unsafe { launch.launch(grouped(outer * inner, group)) }?;
        Ok(())
    }

    /// `dx = g exp(x - lse)` from the forward's input `x`, output `lse` and gradient `g`.
    pub fn logsumexp_axis_backward<T: GpuElement>(
        &self,
        x: &DeviceBuffer<T>,
        lse: &DeviceBuffer<T>,
        g: &DeviceBuffer<T>,
        shape: &[usize],
        axis: usize,
        dx: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (_, len, inner) = axis_lanes("logsumexp backward", shape, axis, &[x.len(), dx.len()], &[lse.len(), g.len()]);
        let n = x.len() as u32;
        if n == 0 {
            return Ok(());
        }
        let f = self.function(LSE_BACKWARD, T::DTYPE)?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(lse.raw()).arg(g.raw()).arg(dx.raw_mut()).arg(&len).arg(&inner).arg(&n);
        // SAFETY: the arguments match `logsumexp_backward_<T>`; lengths were checked.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }
}
