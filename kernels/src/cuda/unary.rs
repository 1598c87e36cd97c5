//! Elementwise unary maps on the device: forward `y_i = f(x_i)`, backward
//! `dx_i = g_i f'(x_i)`.
//!
//! An op is a [`UnaryOp`]: its name and two CUDA C expressions, `f` (of `x` and the
//! parameter `p`) and `df` (of `x`, `y = f(x)` and `p`), written beside the op's CPU
//! code in `autodiff/src/ops/` (`UnaryFn::cuda`). They are spliced in front of the
//! template `kernels/cuda/elementwise.cu` and compiled by NVRTC into a module of the
//! op's own, once per process ([`UnaryOp::ptx`]) and loaded once per device. There are
//! no op codes to keep in step between Rust and CUDA.

use super::buffer::{DeviceBuffer, GpuElement};
use super::device::Device;
use super::error::CudaError;
use super::launch::{count, elementwise};
use super::source::compile;
use cudarc::driver::PushKernelArg;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const TEMPLATE: &str = include_str!("../../cuda/elementwise.cu");

/// An elementwise function with its derivative, as CUDA C expressions. In `f`, `x` is
/// the input and `p` the parameter; in `df`, also `y = f(x)`. `T` is the element type
/// (`T(1)` is one), and `logistic(x)` (`kernels/cuda/common.cuh`) is available.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnaryOp {
    /// A name unique to the pair of expressions (the module is cached by it).
    pub name: &'static str,
    pub f: &'static str,
    pub df: &'static str,
    /// The value of `p` (exponent, scalar; 0 for ops without one).
    pub param: f64,
}

impl UnaryOp {
    /// An op without a parameter.
    pub const fn new(name: &'static str, f: &'static str, df: &'static str) -> UnaryOp {
        UnaryOp { name, f, df, param: 0.0 }
    }

    /// The same op with parameter `p`.
    pub const fn with_param(self, p: f64) -> UnaryOp {
        UnaryOp { param: p, ..self }
    }

    /// The op's CUDA source after `common.cuh`: its two functions, then the template.
    fn text(&self) -> String {
        format!(
            "#line 1 \"{name} (UnaryFn::cuda)\"\n\
             template <typename T> __device__ T unary_f(T p, T x) {{ return {f}; }}\n\
             template <typename T> __device__ T unary_df(T p, T x, T y) {{ return {df}; }}\n\
             #line 1 \"elementwise.cu\"\n{TEMPLATE}",
            name = self.name,
            f = self.f,
            df = self.df
        )
    }

    /// The op's PTX, compiled on first use and cached for the process by name (an op
    /// whose name is taken by other expressions is refused). Needs NVRTC, not a GPU.
    pub fn ptx(&self) -> Result<String, CudaError> {
        static CACHE: OnceLock<Mutex<HashMap<&'static str, (UnaryOp, String)>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some((op, ptx)) = cache.lock().expect("PTX cache lock poisoned").get(self.name) {
            assert!(
                (op.f, op.df) == (self.f, self.df),
                "cuda unary op `{}`: the name is already used by f = {}, df = {}",
                self.name, op.f, op.df
            );
            return Ok(ptx.clone());
        }
        let ptx = compile(&format!("unary_{}", self.name), &self.text())?;
        cache.lock().expect("PTX cache lock poisoned").insert(self.name, (*self, ptx.clone()));
        Ok(ptx)
    }
}

fn same_len(what: &str, op: UnaryOp, lens: &[usize]) {
    assert!(lens.iter().all(|&l| l == lens[0]), "cuda {what} {}: buffer lengths differ: {lens:?}", op.name);
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
        let f = self.unary_function(&op, &format!("unary_forward_{}", T::DTYPE))?;
        let p = T::from_f64_lossy(op.param);
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&p).arg(x.raw()).arg(y.raw_mut()).arg(&n);
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
        let f = self.unary_function(&op, &format!("unary_backward_{}", T::DTYPE))?;
        let p = T::from_f64_lossy(op.param);
        let mut launch = self.stream().launch_builder(&f);
        launch.arg(&p).arg(x.raw()).arg(y.raw()).arg(g.raw()).arg(dx.raw_mut()).arg(&n);
        // SAFETY: the arguments match `unary_backward_<T>` and every buffer holds n elements.
        unsafe { launch.launch(elementwise(n)) }?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_puts_the_expressions_before_the_template() {
        let text = UnaryOp::new("cube", "x * x * x", "T(3) * x * x").text();
        let f = text.find("return x * x * x;").expect("f spliced in");
        let df = text.find("return T(3) * x * x;").expect("df spliced in");
        assert!(f < df && df < text.find("unary_forward_##S").expect("the template follows"));
    }
}
