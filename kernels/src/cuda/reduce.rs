//! Sum and max over one axis on the device (`kernels/cuda/reduce.cu`), the tensor
//! viewed as `[outer, len, inner]` like the CPU [`crate::reduce`]. Each output is
//! folded by a group of lanes in a fixed order (no atomics): bit-identical run to run.

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, elementwise, group_size, grouped};
use super::source::{Kernel, Source};
use crate::reduce::split_axis;
use cudarc::driver::PushKernelArg;

const SUM: Kernel = Kernel::typed(Source::Reduce, "sum_axis");
const MAX: Kernel = Kernel::typed(Source::Reduce, "max_axis");
const MAX_BACKWARD: Kernel = Kernel::typed(Source::Reduce, "max_axis_backward");
pub(crate) const KERNELS: &[Kernel] = &[SUM, MAX, MAX_BACKWARD];

/// What a reduction folds with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReduceOp {
    /// Sum (0 over an empty axis).
    Sum,
    /// Maximum, propagating NaN (-inf over an empty axis).
    Max,
}

/// `(outer, len, inner)` of `shape` viewed around `axis`, as kernel arguments, after
/// checking that each `full` buffer holds the whole tensor and each `per_lane` buffer
/// one value per lane (`outer * inner`). Shared by every axis kernel family.
pub(super) fn axis_lanes(what: &str, shape: &[usize], axis: usize, full: &[usize], per_lane: &[usize]) -> (u32, u32, u32) {
    let (outer, len, inner) = split_axis(shape, axis);
    for &n in full {
        assert_eq!(
            n,
            outer * len * inner,
            "cuda {what}: a buffer holds {n} elements, shape {shape:?} needs {}",
            outer * len * inner
        );
    }
    for &n in per_lane {
        assert_eq!(n, outer * inner, "cuda {what}: a per-lane buffer holds {n} elements, expected {}", outer * inner);
    }
    count(what, outer * len * inner);
    count(what, outer * inner);
    (outer as u32, len as u32, inner as u32)
}

impl Device {
    /// `out[o, i] = fold_k x[o, k, i]` over `axis` of `x` (row-major `shape`).
    pub fn reduce_axis<T: GpuElement>(
        &self,
        op: ReduceOp,
        x: &DeviceBuffer<T>,
        shape: &[usize],
        axis: usize,
        out: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (kernel, what) = match op {
            ReduceOp::Sum => (SUM, "sum_axis"),
            ReduceOp::Max => (MAX, "max_axis"),
        };
        let (outer, len, inner) = axis_lanes(what, shape, axis, &[x.len()], &[out.len()]);
        if outer * inner == 0 {
            return Ok(());
        }
        let (f, group) = (self.function(kernel, T::DTYPE)?, group_size(len as usize));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(out.raw_mut()).arg(&outer).arg(&len).arg(&inner).arg(&group);
        // SAFETY: the arguments match `<op>_axis_<T>`; x holds outer * len * inner elements.
        unsafe { launch.launch(grouped(outer * inner, group)) }?;
        Ok(())
    }

    /// The VJP of [`ReduceOp::Max`] over `axis`: `dx = g` at the first position along
    /// the axis where `x` equals the maximum `y`, 0 elsewhere (no gradient through a
    /// NaN maximum). `y` and `g` hold one value per lane.
    pub fn max_axis_backward<T: GpuElement>(
        &self,
        x: &DeviceBuffer<T>,
        y: &DeviceBuffer<T>,
        g: &DeviceBuffer<T>,
        shape: &[usize],
        axis: usize,
        dx: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let (outer, len, inner) = axis_lanes("max_axis_backward", shape, axis, &[x.len(), dx.len()], &[y.len(), g.len()]);
        if x.is_empty() {
            return Ok(());
        }
        let f = self.function(MAX_BACKWARD, T::DTYPE)?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(y.raw()).arg(g.raw()).arg(dx.raw_mut()).arg(&outer).arg(&len).arg(&inner);
        // SAFETY: the arguments match `max_axis_backward_<T>`; lengths were checked.
        unsafe { launch.launch(elementwise(outer * inner)) }?;
        Ok(())
    }
}
