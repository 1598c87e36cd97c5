//! Elementwise unary maps on the device (`kernels/cuda/elementwise.cu`):
//! forward `y_i = f(x_i)`, backward `dx_i = g_i f'(x_i)`, with `f` and `f'` exactly as
//! the CPU primitives in `autodiff/src/ops/` state them.

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, elementwise};
use super::source::{Kernel, Source};
use cudarc::driver::PushKernelArg;

const FORWARD: Kernel = Kernel::typed(Source::Elementwise, "unary_forward");
const BACKWARD: Kernel = Kernel::typed(Source::Elementwise, "unary_backward");
pub(crate) const KERNELS: &[Kernel] = &[FORWARD, BACKWARD];

/// An elementwise function with its derivative.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    /// `e^x`; `f' = y`.
    Exp,
    /// `ln x`; `f' = 1 / x`.
    Log,
    /// `sqrt x`; `f' = 1 / (2 y)`.
    Sqrt,
    /// `|x|`; `f' = sign x` (0 at 0).
    Abs,
    /// `max(x, 0)`; `f' = [x > 0]`.
    Relu,
    /// `1 / (1 + e^-x)`; `f' = y (1 - y)`.
    Sigmoid,
    /// `tanh x`; `f' = 1 - y^2`.
    Tanh,
    /// `x s(x)`; `f' = s (1 + x (1 - s))`.
    Silu,
    /// `max(x, 0) + ln(1 + e^-|x|)`; `f' = s(x)`.
    Softplus,
    /// `-x`; `f' = -1`.
    Neg,
    /// `x^2`; `f' = 2 x`.
    Square,
    /// `x^p`; `f' = p x^(p - 1)`.
    Powf(f64),
    /// `x + c`; `f' = 1`.
    AddScalar(f64),
    /// `c x`; `f' = c`.
    MulScalar(f64),
}

impl UnaryOp {
    /// Every op (with an example parameter where it takes one).
    pub const EXAMPLES: [UnaryOp; 14] = [
        UnaryOp::Exp,
        UnaryOp::Log,
        UnaryOp::Sqrt,
        UnaryOp::Abs,
        UnaryOp::Relu,
        UnaryOp::Sigmoid,
        UnaryOp::Tanh,
        UnaryOp::Silu,
        UnaryOp::Softplus,
        UnaryOp::Neg,
        UnaryOp::Square,
        UnaryOp::Powf(1.7),
        UnaryOp::AddScalar(-0.3),
        UnaryOp::MulScalar(2.5),
    ];

    /// The op's code in `elementwise.cu` (`enum UnaryCode`).
    fn code(self) -> i32 {
        match self {
            UnaryOp::Exp => 0,
            UnaryOp::Log => 1,
            UnaryOp::Sqrt => 2,
            UnaryOp::Abs => 3,
            UnaryOp::Relu => 4,
            UnaryOp::Sigmoid => 5,
            UnaryOp::Tanh => 6,
            UnaryOp::Silu => 7,
            UnaryOp::Softplus => 8,
            UnaryOp::Neg => 9,
            UnaryOp::Square => 10,
            UnaryOp::Powf(_) => 11,
            UnaryOp::AddScalar(_) => 12,
            UnaryOp::MulScalar(_) => 13,
        }
    }

    /// The exponent or scalar (0 for ops without one).
    fn param(self) -> f64 {
        match self {
            UnaryOp::Powf(p) | UnaryOp::AddScalar(p) | UnaryOp::MulScalar(p) => p,
            _ => 0.0,
        }
    }
}

fn same_len(what: &str, op: UnaryOp, lens: &[usize]) {
    assert!(lens.iter().all(|&l| l == lens[0]), "cuda {what} {op:?}: buffer lengths differ: {lens:?}");
}

impl Device {
    /// `y_i = f(x_i)`.
    pub fn unary_forward<T: GpuElement>(
        &self,
        op: UnaryOp,
        x: &DeviceBuffer<T>,
        y: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        same_len("unary_forward", op, &[x.len(), y.len()]);
        let n = count("unary_forward", x.len());
        if n == 0 {
            return Ok(());
        }
        let f = self.function(FORWARD, T::DTYPE)?;
        let (code, p) = (op.code(), T::from_f64_lossy(op.param()));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&code).arg(&p).arg(x.raw()).arg(y.raw_mut()).arg(&n);
        // SAFETY: the arguments match `unary_forward_<T>` and every buffer holds n elements.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }

    /// `dx_i = g_i f'(x_i)` given the forward's input `x` and output `y`.
    pub fn unary_backward<T: GpuElement>(
        &self,
        op: UnaryOp,
        x: &DeviceBuffer<T>,
        y: &DeviceBuffer<T>,
        g: &DeviceBuffer<T>,
        dx: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        same_len("unary_backward", op, &[x.len(), y.len(), g.len(), dx.len()]);
        let n = count("unary_backward", x.len());
        if n == 0 {
            return Ok(());
        }
        let f = self.function(BACKWARD, T::DTYPE)?;
        let (code, p) = (op.code(), T::from_f64_lossy(op.param()));
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&code).arg(&p).arg(x.raw()).arg(y.raw()).arg(g.raw()).arg(dx.raw_mut()).arg(&n);
        // SAFETY: the arguments match `unary_backward_<T>` and every buffer holds n elements.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }
}
