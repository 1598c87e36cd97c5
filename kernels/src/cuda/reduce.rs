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
        let (outer, len, inner) = split_axis(shape, axis);
        assert_eq!(x.len(), outer * len * inner, "cuda reduce {op:?}: x holds {} elements, shape {shape:?}", x.len());
        assert_eq!(
            out.len(),
            outer * inner,
            "cuda reduce {op:?}: out holds {} elements, expected {}",
            out.len(),
            outer * inner
        );
        count("reduce_axis", x.len());
        let n_out = count("reduce_axis", out.len());
        if n_out == 0 {
            return Ok(());
        }
        let kernel = if op == ReduceOp::Sum { SUM } else { MAX };
        let f = self.function(kernel, T::DTYPE)?;
        let (outer, len, inner, group) = (outer as u32, len as u32, inner as u32, group_size(len));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(out.raw_mut()).arg(&outer).arg(&len).arg(&inner).arg(&group);
        // SAFETY: the arguments match `<op>_axis_<T>`; x holds outer * len * inner elements.
        unsafe { launch.launch(grouped(n_out, group)) }?;
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
        let (outer, len, inner) = split_axis(shape, axis);
        let n = outer * len * inner;
        assert!(x.len() == n && dx.len() == n, "cuda max backward: x and dx hold {} and {} elements, shape {shape:?}", x.len(), dx.len());
        assert!(
            y.len() == outer * inner && g.len() == outer * inner,
            "cuda max backward: y and g hold {} and {} elements, expected {}",
            y.len(),
            g.len(),
            outer * inner
        );
        count("max_axis_backward", n);
        let lanes = count("max_axis_backward", outer * inner);
        if n == 0 {
            return Ok(());
        }
        let f = self.function(MAX_BACKWARD, T::DTYPE)?;
        let (outer, len, inner) = (outer as u32, len as u32, inner as u32);
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(x.raw()).arg(y.raw()).arg(g.raw()).arg(dx.raw_mut()).arg(&outer).arg(&len).arg(&inner);
        // SAFETY: the arguments match `max_axis_backward_<T>`; lengths were checked.
        unsafe { launch.launch(elementwise(lanes)) }?;
        Ok(())
    }
}
