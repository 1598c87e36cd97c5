//! The primitives, one file each. See `README.md` in this folder for the convention.

pub mod axes;
pub mod binary;
pub mod owned;
pub mod unary;
#[cfg(test)]
mod testing;

pub mod abs;
pub mod add;
pub mod add_scalar;
pub mod broadcast_to;
pub mod concat;
pub mod div;
pub mod exp;
pub mod index_add;
pub mod index_select;
pub mod layer_norm;
pub mod log;
pub mod log_softmax;
pub mod logsumexp;
pub mod matmul;
pub mod max;
pub mod mean;
pub mod mse;
pub mod mul;
pub mod mul_scalar;
pub mod narrow;
pub mod neg;
pub mod permute;
pub mod powf;
pub mod relu;
pub mod reshape;
pub mod sigmoid;
pub mod silu;
pub mod sin;
pub mod softmax;
pub mod softplus;
pub mod sqrt;
pub mod squeeze;
pub mod square;
pub mod sub;
pub mod sum;
pub mod sum_to;
pub mod tanh;
pub mod unsqueeze;
