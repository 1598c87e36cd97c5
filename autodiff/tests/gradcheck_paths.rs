//! Gradient checks on the paths the property tests (at most 96 elements, values in
//! [-2, 2]) never reach, in one test binary:
//!
//! * [`large`]: inputs of 32,768 elements and more, where the kernels split their work
//!   into parallel chunks and `sum_to_shape` sums in blocks;
//! * [`extremes`]: arguments where primitives take their overflow guards and special
//!   branches (`exp` limits of f32 and f64, saturated sigmoids, rows at large offsets,
//!   exact ties of `max`, kinks at 0).
//!
//! Both check in f64 against finite differences and in f32 against f64.

mod common;

#[path = "gradcheck_paths/extremes.rs"]
mod extremes;
#[path = "gradcheck_paths/large.rs"]
mod large;
