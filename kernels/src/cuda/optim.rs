//! Optimiser updates on the device (`kernels/cuda/optim.cu`), in place. The scalars
//! are derived on the host in f64 and cast to `T` exactly as `autodiff::optim` does,
//! and the kernels evaluate in the CPU's order with FMA contraction off, so a step on
//! the device gives the CPU's bits.
//!
//! Weight decay enters as two numbers (see `autodiff::optim::WeightDecay`):
//! `g' = g + l2 p` and `p' = shrink p - update` (`l2 = wd`, `shrink = 1` for L2 decay;
//! `l2 = 0`, `shrink = 1 - lr wd` for decoupled decay; `0`, `1` for none).

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, elementwise};
use super::source::{Kernel, Source};
use cudarc::driver::PushKernelArg;

const ADAM: Kernel = Kernel::typed(Source::Optim, "adam_step");
const SGD: Kernel = Kernel::typed(Source::Optim, "sgd_step");
pub(crate) const KERNELS: &[Kernel] = &[ADAM, SGD];

/// One Adam / AdamW step `t = 1, 2, ...`:
/// `m <- b1 m + (1 - b1) g'`, `v <- b2 v + (1 - b2) g'^2`,
/// `p <- shrink p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub l2: f64,
    pub shrink: f64,
    /// The step number, from 1.
    pub t: u64,
}

/// One SGD step with momentum `mu`: `v <- mu v + g'`, `p <- shrink p - lr v`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdStep {
    pub lr: f64,
    pub momentum: f64,
    pub l2: f64,
    pub shrink: f64,
}

fn same_len(what: &str, lens: &[usize]) -> u32 {
    assert!(lens.iter().all(|&l| l == lens[0]), "cuda {what}: buffer lengths differ: {lens:?}");
    count(what, lens[0])
}

impl Device {
    /// Updates `p`, `m`, `v` in place from the gradient `g`.
    pub fn adam_step<T: GpuElement>(
        &self,
        step: AdamStep,
        p: &mut DeviceBuffer<T>,
        g: &DeviceBuffer<T>,
        m: &mut DeviceBuffer<T>,
        v: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let n = same_len("adam_step", &[p.len(), g.len(), m.len(), v.len()]);
        if n == 0 {
            return Ok(());
        }
        let c = T::from_f64_lossy;
        let t = step.t as f64;
        let scalars = [
            c(step.lr),
            c(step.beta1),
            c(step.beta2),
            c(1.0 - step.beta1),
            c(1.0 - step.beta2),
            c(1.0 - step.beta1.powf(t)),
            c(1.0 - step.beta2.powf(t)),
            c(step.eps),
            c(step.l2),
            c(step.shrink),
        ];
        let f = self.function(ADAM, T::DTYPE)?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(p.raw_mut()).arg(g.raw()).arg(m.raw_mut()).arg(v.raw_mut()).arg(&n);
        for s in &scalars {
            launch.arg(s);
        }
        // SAFETY: the arguments match `adam_step_<T>` (lr, b1, b2, 1-b1, 1-b2, bc1, bc2,
        // eps, l2, shrink); every buffer holds n elements.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }

    /// Updates `p` and the velocity `velocity` in place from the gradient `g`.
    pub fn sgd_step<T: GpuElement>(
        &self,
        step: SgdStep,
        p: &mut DeviceBuffer<T>,
        g: &DeviceBuffer<T>,
        velocity: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let n = same_len("sgd_step", &[p.len(), g.len(), velocity.len()]);
        if n == 0 {
            return Ok(());
        }
        let c = T::from_f64_lossy;
        let (lr, mu, l2, shrink) = (c(step.lr), c(step.momentum), c(step.l2), c(step.shrink));
        let f = self.function(SGD, T::DTYPE)?;
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(p.raw_mut()).arg(g.raw()).arg(velocity.raw_mut()).arg(&n);
        launch.arg(&lr).arg(&mu).arg(&l2).arg(&shrink);
        // SAFETY: the arguments match `sgd_step_<T>`; every buffer holds n elements.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }
}
