//! The element types the kernels work on: `f32` and `f64`.

use crate::pool::{Pool, Pooled};
use num_traits::{Float, FromPrimitive};
use std::fmt::{Debug, Display};
use std::iter::Sum;

/// A floating-point element type the kernels support (f32 or f64).
pub trait Element:
    Float + FromPrimitive + Sum + Default + Debug + Display + Send + Sync + Pooled + 'static
{
    /// Name used in file formats and messages ("f32" or "f64").
    const DTYPE: &'static str;

    /// Lossless (f64) or rounding (f32) conversion from f64.
    fn from_f64_lossy(v: f64) -> Self;

    /// Widening conversion to f64.
    fn to_f64_lossless(self) -> f64;

    /// `e^x` in a form that loops vectorise: [`crate::exp::exp_f32`] for f32 (within
    /// 1 ulp), the standard library's `exp` for f64 (gradient checks run in f64).
    fn fast_exp(self) -> Self;

    /// `C <- alpha * A B + beta * C` through matrixmultiply, on raw strided buffers.
    ///
    /// # Safety
    /// The pointers and strides must describe valid `m x k`, `k x n` and `m x n` matrices.
    #[allow(clippy::too_many_arguments)]
    unsafe fn raw_gemm(
        m: usize, k: usize, n: usize, alpha: Self,
        a: *const Self, rsa: isize, csa: isize,
        b: *const Self, rsb: isize, csb: isize,
        beta: Self, c: *mut Self, rsc: isize, csc: isize,
    );
}

impl Element for f32 {
    const DTYPE: &'static str = "f32";
    fn from_f64_lossy(v: f64) -> Self {
        v as f32
    }
    fn to_f64_lossless(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn fast_exp(self) -> Self {
        crate::exp::exp_f32(self)
    }
    unsafe fn raw_gemm(
        m: usize, k: usize, n: usize, alpha: Self,
        a: *const Self, rsa: isize, csa: isize,
        b: *const Self, rsb: isize, csb: isize,
        beta: Self, c: *mut Self, rsc: isize, csc: isize,
    ) {
        matrixmultiply::sgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
    }
}

impl Element for f64 {
    const DTYPE: &'static str = "f64";
    fn from_f64_lossy(v: f64) -> Self {
        v
    }
    fn to_f64_lossless(self) -> f64 {
        self
    }
    #[inline(always)]
    fn fast_exp(self) -> Self {
        self.exp()
    }
    unsafe fn raw_gemm(
        m: usize, k: usize, n: usize, alpha: Self,
        a: *const Self, rsa: isize, csa: isize,
        b: *const Self, rsb: isize, csb: isize,
        beta: Self, c: *mut Self, rsc: isize, csc: isize,
    ) {
        matrixmultiply::dgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
    }
}

impl Pooled for f32 {
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<f32> = Pool::new();
        &POOL
    }
}

impl Pooled for f64 {
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<f64> = Pool::new();
        &POOL
    }
}
