//! Fixed-partition parallelism.
//!
//! Work of `len` items is cut into chunks of [`CHUNK`] items (the last may be shorter).
//! The cut depends only on `len`, so whatever rayon's thread count or stealing order,
//! each chunk is computed by the same code on the same items, and reductions combine
//! chunk results in chunk order: results are bit-identical at any thread count. Each
//! chunk runs compiled for the CPU's widest vector unit (`simd::widest`).

use crate::simd::widest;
use rayon::prelude::*;

/// Items per chunk of parallel work. Below this many items kernels run serially.
pub const CHUNK: usize = 1 << 14;

/// Whether a problem of `len` items is worth splitting across threads.
pub fn worth_parallel(len: usize) -> bool {
    len >= 2 * CHUNK && rayon::current_num_threads() > 1
}

/// Applies `f(offset, chunk)` to consecutive chunks of `out`, in parallel when large.
pub fn for_each_chunk_mut<T: Send>(out: &mut [T], f: impl Fn(usize, &mut [T]) + Sync) {
    if worth_parallel(out.len()) {
        out.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(i, c)| widest(#[inline(always)] || f(i * CHUNK, c)));
    } else {
        for (i, c) in out.chunks_mut(CHUNK).enumerate() {
            widest(#[inline(always)] || f(i * CHUNK, c));
        }
    }
}

/// Applies `f(first_row, rows)` to consecutive blocks of whole rows of `out` (rows of
/// `cols` elements; about [`CHUNK`] elements per block, at least one row), in parallel
/// when large. The blocks depend only on the sizes.
pub fn for_each_row_block_mut<T: Send>(out: &mut [T], cols: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    if cols == 0 {
        return;
    }
    let rows_per_block = (CHUNK / cols).max(1);
    let block = rows_per_block * cols;
    if worth_parallel(out.len()) {
        out.par_chunks_mut(block).enumerate().for_each(|(i, c)| widest(#[inline(always)] || f(i * rows_per_block, c)));
    } else {
        for (i, c) in out.chunks_mut(block).enumerate() {
            widest(#[inline(always)] || f(i * rows_per_block, c));
        }
    }
}

/// Maps each chunk of `0..len` to a partial result and returns the partials in chunk
/// order, so that the caller combines them in a fixed order.
pub fn map_chunks<R: Send>(len: usize, f: impl Fn(std::ops::Range<usize>) -> R + Sync) -> Vec<R> {
    let chunks = len.div_ceil(CHUNK).max(1);
    let range = |i: usize| (i * CHUNK)..((i + 1) * CHUNK).min(len);
    if worth_parallel(len) {
        (0..chunks).into_par_iter().map(|i| widest(#[inline(always)] || f(range(i)))).collect()
    } else {
        (0..chunks).map(|i| widest(#[inline(always)] || f(range(i)))).collect()
    }
}
