//! The primitives, one file each. See `README.md` in this folder for the convention.

pub mod axes;
pub mod binary;
pub mod unary;

pub mod add;
pub mod broadcast_to;
pub mod concat;
pub mod exp;
pub mod index_select;
pub mod matmul;
pub mod mul;
pub mod narrow;
pub mod permute;
pub mod reshape;
pub mod squeeze;
pub mod sum;
pub mod unsqueeze;
