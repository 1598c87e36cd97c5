//! The primitives, one file each. See `README.md` in this folder for the convention.

pub mod binary;
pub mod unary;

pub mod add;
pub mod exp;
pub mod matmul;
pub mod mul;
pub mod reshape;
pub mod sum;
