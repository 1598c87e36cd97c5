//! The element types tensors hold.

/// f32 or f64: everything the kernels and ndarray need of an element type.
pub trait Float: kernels::Element + ndarray::LinalgScalar + ndarray::ScalarOperand + num_traits::NumAssign + DeviceElement {
    /// Converts an f64 constant into this type.
    fn c(v: f64) -> Self {
        Self::from_f64_lossy(v)
    }
}

impl Float for f32 {}
impl Float for f64 {}

/// What the device kernels need of an element type: [`kernels::cuda::GpuElement`]
/// with the `cuda` feature, nothing without it.
#[cfg(feature = "cuda")]
pub trait DeviceElement: kernels::cuda::GpuElement {}
#[cfg(feature = "cuda")]
impl<T: kernels::cuda::GpuElement> DeviceElement for T {}

/// What the device kernels need of an element type: `kernels::cuda::GpuElement`
/// with the `cuda` feature, nothing without it.
#[cfg(not(feature = "cuda"))]
pub trait DeviceElement {}
#[cfg(not(feature = "cuda"))]
impl<T> DeviceElement for T {}
