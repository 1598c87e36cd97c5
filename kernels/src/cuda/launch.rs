//! Launch geometry shared by every kernel family (must agree with `common.cuh`).

use cudarc::driver::LaunchConfig;

/// Threads per block (`BLOCK` in `common.cuh`).
pub(crate) const BLOCK: u32 = 256;

/// Most blocks launched; kernels cover the rest with grid-stride loops.
const MAX_GRID: u32 = 1 << 16;

/// Kernels index with 32-bit integers: the largest element count they accept.
const MAX_ELEMENTS: usize = i32::MAX as usize;

/// `n` as a kernel's 32-bit count. Panics, naming `op`, above 2^31 - 1.
pub(crate) fn count(op: &str, n: usize) -> u32 {
    assert!(n <= MAX_ELEMENTS, "cuda {op}: {n} elements exceed the {MAX_ELEMENTS} a kernel can index");
    n as u32
}

/// A launch of `items` work items, `per_block` of them per block per round.
pub(crate) fn grid(items: u32, per_block: u32) -> LaunchConfig {
    LaunchConfig {
        grid_dim: (items.div_ceil(per_block).clamp(1, MAX_GRID), 1, 1),
        block_dim: (BLOCK, 1, 1),
        shared_mem_bytes: 0,
    }
}

/// A launch with one thread per item.
pub(crate) fn elementwise(items: u32) -> LaunchConfig {
    grid(items, BLOCK)
}

/// Lanes that fold one reduced value of `len` terms: the power of two `>= len`, between
/// 1 and [`BLOCK`]. It depends on `len` only, so the fold order is fixed by the shape.
pub(crate) fn group_size(len: usize) -> u32 {
    (len.max(1).next_power_of_two().min(BLOCK as usize)) as u32
}

/// A launch where each of `items` reduced values is folded by a group of `group` lanes.
pub(crate) fn grouped(items: u32, group: u32) -> LaunchConfig {
    grid(items, BLOCK / group)
}
