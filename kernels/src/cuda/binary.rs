//! Broadcasting binary maps on the device (`kernels/cuda/binary.cu`): forward
//! `y = f(a, b)` under numpy broadcasting, and the VJPs
//! `da = sum_to_shape(g df/da)`, `db = sum_to_shape(g df/db)`, where each sum runs
//! over the axes along which that operand was broadcast, in a fixed order.

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, elementwise, group_size, grouped};
use super::source::{Kernel, Source};
use crate::map::{broadcast_shape, broadcast_strides};
use cudarc::driver::{DeviceRepr, PushKernelArg};

const FORWARD: Kernel = Kernel::typed(Source::Binary, "binary_forward");
const BACKWARD: Kernel = Kernel::typed(Source::Binary, "binary_backward");
pub(crate) const KERNELS: &[Kernel] = &[FORWARD, BACKWARD];

/// Most axes a broadcasting op handles (`MAX_RANK` in `common.cuh`).
pub(crate) const MAX_RANK: usize = 8;

/// An elementwise binary function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `a + b`; partials 1, 1.
    Add,
    /// `a - b`; partials 1, -1.
    Sub,
    /// `a b`; partials b, a.
    Mul,
    /// `a / b`; partials 1 / b, -y / b.
    Div,
}

impl BinaryOp {
    /// Every op.
    pub const ALL: [BinaryOp; 4] = [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div];

    /// The op's code in `binary.cu` (`enum BinaryCode`).
    fn code(self) -> i32 {
        match self {
            BinaryOp::Add => 0,
            BinaryOp::Sub => 1,
            BinaryOp::Mul => 2,
            BinaryOp::Div => 3,
        }
    }
}

/// Which operand a gradient is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    A,
    B,
}

/// `StridedAxes` of `common.cuh`: axes walked last-fastest, with per-axis strides into
/// the output and the two operands (0 on broadcast axes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct StridedAxes {
    pub(crate) rank: u32,
    pub(crate) dim: [u32; MAX_RANK],
    pub(crate) out: [u32; MAX_RANK],
    pub(crate) a: [u32; MAX_RANK],
    pub(crate) b: [u32; MAX_RANK],
}

// SAFETY: a plain #[repr(C)] struct of u32, laid out as `StridedAxes` in common.cuh.
unsafe impl DeviceRepr for StridedAxes {}

/// The strides of every operand on every axis of the broadcast output.
struct Broadcast {
    shape: Vec<usize>,
    out: Vec<usize>,
    a: Vec<usize>,
    b: Vec<usize>,
}

impl Broadcast {
    fn new(op: BinaryOp, a_shape: &[usize], b_shape: &[usize]) -> Broadcast {
        let shape = broadcast_shape(a_shape, b_shape)
            .unwrap_or_else(|| panic!("cuda {op:?}: shapes {a_shape:?} and {b_shape:?} do not broadcast"));
        assert!(shape.len() <= MAX_RANK, "cuda {op:?}: rank {} of {shape:?} exceeds {MAX_RANK}", shape.len());
        let out = broadcast_strides(&shape, &shape);
        let (a, b) = (broadcast_strides(a_shape, &shape), broadcast_strides(b_shape, &shape));
        Broadcast { shape, out, a, b }
    }

    fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// The walk over the given output axes (values fit u32: sizes were checked).
    fn axes(&self, which: impl Iterator<Item = usize>) -> StridedAxes {
        let mut s = StridedAxes::default();
        for (slot, ax) in which.enumerate() {
            s.rank += 1;
            s.dim[slot] = self.shape[ax] as u32;
            s.out[slot] = self.out[ax] as u32;
            s.a[slot] = self.a[ax] as u32;
            s.b[slot] = self.b[ax] as u32;
        }
        s
    }

    /// Whether `operand` was broadcast along output axis `ax` (its stride is 0 there
    /// while the output has more than one element along it).
    fn is_reduced(&self, operand: Operand, ax: usize) -> bool {
        let stride = match operand {
            Operand::A => self.a[ax],
            Operand::B => self.b[ax],
        };
        stride == 0 && self.shape[ax] != 1
    }
}

fn check_len(op: BinaryOp, what: &str, len: usize, shape: &[usize]) {
    let n: usize = shape.iter().product();
    assert_eq!(len, n, "cuda {op:?}: {what} holds {len} elements, its shape {shape:?} needs {n}");
}

impl Device {
    /// `y = f(a, b)` with numpy broadcasting; `y` holds the broadcast shape, which is
    /// returned.
    pub fn binary_forward<T: GpuElement>(
        &self,
        op: BinaryOp,
        a: &DeviceBuffer<T>,
        a_shape: &[usize],
        b: &DeviceBuffer<T>,
        b_shape: &[usize],
        y: &mut DeviceBuffer<T>,
    ) -> Result<Vec<usize>, CudaError> {
        check_len(op, "a", a.len(), a_shape);
        check_len(op, "b", b.len(), b_shape);
        let bc = Broadcast::new(op, a_shape, b_shape);
        check_len(op, "y", y.len(), &bc.shape);
        let n = count("binary_forward", bc.numel());
        if n == 0 {
            return Ok(bc.shape);
        }
        let axes = bc.axes(0..bc.shape.len());
        let f = self.function(FORWARD, T::DTYPE)?;
        let code = op.code();
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&code).arg(a.raw()).arg(b.raw()).arg(y.raw_mut()).arg(&axes).arg(&n);
        // SAFETY: the arguments match `binary_forward_<T>`; `axes` stays inside a and b.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(bc.shape)
    }

    /// The gradient of `operand` (`grad`, with that operand's shape) given the output
    /// gradient `g` (broadcast shape): `sum_to_shape(g df/d operand)`.
    #[allow(clippy::too_many_arguments)]
    pub fn binary_backward<T: GpuElement>(
        &self,
        op: BinaryOp,
        operand: Operand,
        a: &DeviceBuffer<T>,
        a_shape: &[usize],
        b: &DeviceBuffer<T>,
        b_shape: &[usize],
        g: &DeviceBuffer<T>,
        grad: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        check_len(op, "a", a.len(), a_shape);
        check_len(op, "b", b.len(), b_shape);
        let bc = Broadcast::new(op, a_shape, b_shape);
        check_len(op, "g", g.len(), &bc.shape);
        let own_shape = if operand == Operand::A { a_shape } else { b_shape };
        check_len(op, "grad", grad.len(), own_shape);
        self.launch_backward(op, operand, &bc, a, b, g, grad)
    }

    /// Launches `binary_backward_<T>` for a checked broadcast `bc`: `a` and `b` hold at
    /// least as many elements as their strides in `bc` reach, `g` the broadcast shape,
    /// `grad` the operand's shape.
    #[allow(clippy::too_many_arguments)]
    fn launch_backward<T: GpuElement>(
        &self,
        op: BinaryOp,
        operand: Operand,
        bc: &Broadcast,
        a: &DeviceBuffer<T>,
        b: &DeviceBuffer<T>,
        g: &DeviceBuffer<T>,
        grad: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        count("binary_backward", bc.numel());
        let n_grad = count("binary_backward", grad.len());
        if n_grad == 0 {
            return Ok(());
        }
        let rank = bc.shape.len();
        let kept = bc.axes((0..rank).filter(|&ax| !bc.is_reduced(operand, ax)));
        let reduced = bc.axes((0..rank).filter(|&ax| bc.is_reduced(operand, ax)));
        let n_reduce: usize = reduced.dim[..reduced.rank as usize].iter().map(|&d| d as usize).product();
        let n_reduce = count("binary_backward", n_reduce);
        let group = group_size(n_reduce as usize);
        let f = self.function(BACKWARD, T::DTYPE)?;
        let (code, wrt) = (op.code(), (operand == Operand::B) as i32);
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&code).arg(&wrt).arg(a.raw()).arg(b.raw()).arg(g.raw()).arg(grad.raw_mut());
        launch.arg(&kept).arg(&reduced).arg(&n_grad).arg(&n_reduce).arg(&group);
        // SAFETY: the arguments match `binary_backward_<T>`; kept x reduced spans the output.
        unsafe { launch.launch(grouped(n_grad, group)) }?;
        Ok(())
    }

    /// `out = sum_to_shape(g, shape)`: `g` (of `g_shape`) summed over the axes along
    /// which an array of `shape` broadcasts to `g_shape` (the adjoint of broadcasting).
    /// It is the VJP of `a + g` with respect to `a`, which reads neither operand.
    pub fn sum_to_shape<T: GpuElement>(
        &self,
        g: &DeviceBuffer<T>,
        g_shape: &[usize],
        shape: &[usize],
        out: &mut DeviceBuffer<T>,
    ) -> Result<(), CudaError> {
        let bc = Broadcast::new(BinaryOp::Add, shape, g_shape);
        assert_eq!(bc.shape, g_shape, "cuda sum_to_shape: {shape:?} does not broadcast to {g_shape:?}");
        check_len(BinaryOp::Add, "g", g.len(), g_shape);
        check_len(BinaryOp::Add, "out", out.len(), shape);
        // The Add partial is 1 whatever the operands; `g` stands in for both (it is at
        // least as long as an array of `shape`, so every load stays inside it).
        self.launch_backward(BinaryOp::Add, Operand::A, &bc, g, g, g, out)
    }
}

#[cfg(test)]
mod tests {
    use super::BinaryOp;

    /// `(NAME, code)` pairs of `enum BinaryCode { ADD = 0, ... }` in `binary.cu`.
    fn codes_in_cuda() -> Vec<(String, i32)> {
        let source = include_str!("../../cuda/binary.cu");
        let start = source.find("enum BinaryCode {").expect("binary.cu declares enum BinaryCode") + "enum BinaryCode {".len();
        let body = &source[start..start + source[start..].find('}').expect("the enum closes")];
        body.split(',')
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| {
                let (name, code) = entry.split_once('=').expect("every entry is NAME = code");
                (name.trim().to_string(), code.trim().parse().expect("an integer code"))
            })
            .collect()
    }

    #[test]
    fn the_rust_op_codes_are_the_cuda_ones() {
        let cuda = codes_in_cuda();
        assert_eq!(cuda.len(), BinaryOp::ALL.len(), "binary.cu has {cuda:?}");
        for op in BinaryOp::ALL {
            let name = format!("{op:?}").to_uppercase();
            assert!(cuda.contains(&(name.clone(), op.code())), "{op:?} has code {} in Rust; binary.cu has {cuda:?}", op.code());
        }
    }
}
