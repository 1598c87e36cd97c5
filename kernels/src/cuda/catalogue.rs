//! Which kernels each CUDA source defines: the lists of the launchers that use them,
//! gathered here so that `source.rs` (the sources and their compilation) needs nothing
//! from the launchers.

use super::source::{Kernel, Source};

/// The kernels `source` defines.
pub fn kernels_of(source: Source) -> &'static [Kernel] {
    match source {
        Source::Binary => super::binary::KERNELS,
        Source::Reduce => super::reduce::KERNELS,
        Source::Softmax => super::softmax::KERNELS,
        Source::LayerNorm => super::layernorm::KERNELS,
        Source::Optim => super::optim::KERNELS,
        Source::Philox => super::philox::KERNELS,
        Source::Copy => super::copy::KERNELS,
    }
}

/// Every kernel the launch functions use, source by source.
pub fn all_kernels() -> Vec<Kernel> {
    Source::ALL.iter().flat_map(|&s| kernels_of(s).iter().copied()).collect()
}
