//! What the CUDA parity tests share: the device (or why there is none), tolerances,
//! random inputs with their f64 references, comparisons and uploads.
// Each test binary uses its own part of this module.
#![allow(dead_code)]

use autodiff::{Key, Tensor};
use kernels::cuda::{CudaError, Device, DeviceBuffer, GpuElement};
use kernels::Element;
use ndarray::{ArrayD, IxDyn};
use std::sync::OnceLock;

// ---------------------------------------------------------------- harness

/// The shared device, or `None` (after printing why) when there is none and
/// `REQUIRE_GPU=1` is not set.
pub fn device(test: &str) -> Option<&'static Device> {
    static DEVICE: OnceLock<Result<Device, String>> = OnceLock::new();
    let opened = DEVICE.get_or_init(|| {
        let opened = Device::new(0).map_err(|e| e.to_string());
        if let Err(e) = &opened {
            println!("no CUDA device: {e}");
        }
        opened
    });
    match opened {
        Ok(d) => Some(d),
        Err(e) if std::env::var("REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!("{test}: REQUIRE_GPU=1 but there is no usable CUDA device: {e}")
        }
        Err(_) => {
            println!("SKIPPED: no CUDA device ({test} parity: CPU references only)");
            None
        }
    }
}

/// Relative tolerance of device results against the f64 CPU reference.
pub fn tolerance<T: Element>() -> f64 {
    if T::DTYPE == "f32" {
        3e-5
    } else {
        1e-11
    }
}

/// Element counts: around the 256-thread block, empty, and two drawn from `key`.
pub fn sizes(key: Key) -> Vec<usize> {
    let drawn = key.bits(2).into_iter().map(|w| 1 + w as usize % 5000);
    [0, 1, 255, 256, 257, 1000].into_iter().chain(drawn).collect()
}

/// `n` uniform values in `[lo, hi)` rounded to `T`, and the same values in f64.
pub fn values<T: Element>(key: Key, n: usize, lo: f64, hi: f64) -> (Vec<T>, Vec<f64>) {
    let t: Vec<T> = key.uniform_f64(n).into_iter().map(|u| T::from_f64_lossy(lo + (hi - lo) * u)).collect();
    let wide = t.iter().map(|v| v.to_f64_lossless()).collect();
    (t, wide)
}

pub fn array(shape: &[usize], data: Vec<f64>) -> ArrayD<f64> {
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("data fills the shape")
}

pub fn param(shape: &[usize], data: &[f64]) -> Tensor<f64> {
    Tensor::param(array(shape, data.to_vec()))
}

/// The gradient of a parameter as a vector (empty if none was computed).
pub fn grad(t: &Tensor<f64>) -> Vec<f64> {
    t.grad().map(|g| g.iter().copied().collect()).unwrap_or_default()
}

/// Checks `|got - want| <= tol (1 + scale)` element by element (equal values, infinities
/// included, always pass).
pub fn assert_close_scaled<T: Element>(what: &str, got: &[T], want: &[f64], scale: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: device gave {} values, CPU {}", got.len(), want.len());
    let tol = tolerance::<T>();
    for (i, ((g, &w), &s)) in got.iter().zip(want).zip(scale).enumerate() {
        let g = g.to_f64_lossless();
        let ok = g == w || (g - w).abs() <= tol * (1.0 + s.abs()) || (g.is_nan() && w.is_nan());
        assert!(ok, "{what} ({}): element {i}: device {g}, CPU {w} (tolerance {tol} x (1 + {s}))", T::DTYPE);
    }
}

pub fn assert_close<T: Element>(what: &str, got: &[T], want: &[f64]) {
    assert_close_scaled(what, got, want, want);
}

pub fn assert_bits<T: Element>(what: &str, got: &[T], want: &[T]) {
    assert_eq!(got.len(), want.len(), "{what}: device gave {} values, CPU {}", got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(g == w || (g.is_nan() && w.is_nan()), "{what} ({}): element {i}: device {g}, CPU {w}", T::DTYPE);
    }
}

pub fn upload<T: GpuElement>(dev: &Device, host: &[T]) -> Result<DeviceBuffer<T>, CudaError> {
    dev.upload(host)
}

// ---------------------------------------------------------------- unary maps
