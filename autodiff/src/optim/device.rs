//! Optimiser updates of parameters that live on a CUDA device, through the device's
//! optimiser kernels (`kernels/cuda/optim.cu`, which evaluate the CPU's formulas in
//! the CPU's order, so a device step gives the CPU step's bits).
//!
//! The per-parameter buffers (moments, velocity) of a device parameter live on its
//! device, in a [`DeviceMirror`]: copied there from the host state on the parameter's
//! first device step, updated in place by each step, and copied back into the host
//! state only when it is read for a checkpoint ([`DeviceMirror::write_back`]).

use super::optimizer::OptimizerState;
use crate::cuda::DeviceArray;
use crate::float::Float;
use crate::tensor::{Storage, Tensor};
use kernels::cuda::{CudaError, Device, DeviceBuffer};

/// The device copies of the buffers of device parameters (`None` for a parameter
/// not yet stepped on a device).
pub(crate) struct DeviceMirror<T: Float> {
    slots: Vec<Option<Vec<DeviceArray<T>>>>,
}

impl<T: Float> DeviceMirror<T> {
    pub(crate) fn new(params: usize) -> Self {
        DeviceMirror { slots: (0..params).map(|_| None).collect() }
    }

    /// For each parameter on a device that has a gradient, runs
    /// `f(device, value, gradient, buffers)` with its `per_param` buffers, uploading
    /// them from `state` on first use. Panics naming `who` if the device fails.
    pub(crate) fn update_each(
        &mut self,
        who: &str,
        params: &[Tensor<T>],
        state: &OptimizerState<T>,
        per_param: usize,
        f: impl Fn(&Device, &mut DeviceBuffer<T>, &DeviceBuffer<T>, &mut [DeviceArray<T>]) -> Result<(), CudaError>,
    ) {
        for (i, p) in params.iter().enumerate() {
            let grad = p.0.grad.borrow();
            let mut value = p.0.value.borrow_mut();
            let (Storage::Cuda(value), Some(Storage::Cuda(grad))) = (&mut *value, &*grad) else { continue };
            let device = value.device().clone();
            let buffers = self.slots[i].get_or_insert_with(|| {
                state.buffers[i * per_param..(i + 1) * per_param]
                    .iter()
                    .map(|b| DeviceArray::upload(&device, b).unwrap_or_else(|e| panic!("{who}: state of parameter {i} to {device}: {e}")))
                    .collect()
            });
            f(device.kernels(), value.buffer_mut(), grad.buffer(), buffers)
                .unwrap_or_else(|e| panic!("{who}: step of parameter {i} on {device}: {e}"));
        }
    }

    /// Copies the device buffers back over their host copies in `state`.
    pub(crate) fn write_back(&self, who: &str, state: &mut OptimizerState<T>, per_param: usize) {
        for (i, slot) in self.slots.iter().enumerate() {
            for (j, b) in slot.iter().flatten().enumerate() {
                state.buffers[i * per_param + j] =
                    b.download().unwrap_or_else(|e| panic!("{who}: state of parameter {i} from {}: {e}", b.device()));
            }
        }
    }

    /// Forgets the device copies (after the host state was replaced).
    pub(crate) fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
    }
}
