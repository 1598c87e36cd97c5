//! The element types tensors hold.

/// f32 or f64: everything the kernels and ndarray need of an element type.
pub trait Float: kernels::Element + ndarray::LinalgScalar + ndarray::ScalarOperand + num_traits::NumAssign {
    /// Converts an f64 constant into this type.
    fn c(v: f64) -> Self {
        Self::from_f64_lossy(v)
    }
}

impl Float for f32 {}
impl Float for f64 {}
