//! Reuse of large buffers.
//!
//! The allocator serves arrays of a few MiB straight from the operating system and
//! hands them back when they are freed, so a loop that makes the same activations and
//! gradients every step pays for a page fault and a zeroed page per 4 KiB, every time
//! (a third of the target-MLP training step before this pool existed). Buffers given
//! back here are kept and handed out again for later requests of a similar size.
//!
//! Policy: only buffers of at least [`MIN_BYTES`] are kept (smaller ones go back to
//! the allocator, which recycles them well); a request for `len` elements takes the
//! smallest kept buffer whose capacity is between `len` and `2 len`, else allocates;
//! at most [`MAX_BYTES`] per element type are kept, the oldest buffers freed first.
//! [`release`] frees everything kept. Reuse changes no result: every user of
//! [`take`] overwrites the whole buffer, and [`take_zeroed`] zeroes it.

use crate::element::Element;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Smallest buffer kept, in bytes.
pub const MIN_BYTES: usize = 64 << 10;

/// Most bytes kept per element type.
pub const MAX_BYTES: usize = 256 << 20;

/// The kept buffers of one element type, oldest first.
pub struct Pool<T> {
    kept: Mutex<Kept<T>>,
}

struct Kept<T> {
    buffers: VecDeque<Vec<T>>,
    bytes: usize,
}

impl<T> Pool<T> {
    /// An empty pool (for the per-type statics of [`Element::pool`]).
    pub const fn new() -> Self {
        Pool { kept: Mutex::new(Kept { buffers: VecDeque::new(), bytes: 0 }) }
    }
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self::new()
    }
}

fn bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

fn kept<T: Element>() -> std::sync::MutexGuard<'static, Kept<T>> {
    // A panic while the lock is held cannot leave `Kept` inconsistent: keep using it.
    T::pool().kept.lock().unwrap_or_else(|e| e.into_inner())
}

/// A buffer of `len` elements whose contents are unspecified (left over from an
/// earlier use): the caller must overwrite all of them.
pub fn take<T: Element>(len: usize) -> Vec<T> {
    if len * std::mem::size_of::<T>() >= MIN_BYTES {
        let mut k = kept::<T>();
        let best = k
            .buffers
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= len && b.capacity() <= 2 * len)
            .min_by_key(|(_, b)| b.capacity())
            .map(|(i, _)| i);
        if let Some(mut v) = best.and_then(|i| k.buffers.remove(i)) {
            k.bytes -= bytes(&v);
            drop(k);
            v.resize(len, T::zero());
            return v;
        }
    }
    vec![T::zero(); len]
}

/// A buffer of `len` zeros.
pub fn take_zeroed<T: Element>(len: usize) -> Vec<T> {
    let mut v = take(len);
    v.fill(T::zero());
    v
}

/// Gives a buffer back for reuse (or to the allocator, when it is small or the pool
/// is full).
pub fn give<T: Element>(v: Vec<T>) {
    let size = bytes(&v);
    if !(MIN_BYTES..=MAX_BYTES).contains(&size) {
        return;
    }
    let mut k = kept::<T>();
    while k.bytes + size > MAX_BYTES {
        let oldest = k.buffers.pop_front().expect("pool: bytes counted for kept buffers");
        k.bytes -= bytes(&oldest);
    }
    k.bytes += size;
    k.buffers.push_back(v);
}

/// Bytes of `T` buffers kept now.
pub fn kept_bytes<T: Element>() -> usize {
    kept::<T>().bytes
}

/// Frees every kept buffer of `T` (before measuring memory, or after a large job).
pub fn release<T: Element>() {
    let mut k = kept::<T>();
    k.buffers.clear();
    k.bytes = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test touches the global f64 pool, so that no other test races with it.
    #[test]
    fn reuses_similar_sizes_and_respects_the_limits() {
        release::<f64>();
        let n = 2 * MIN_BYTES / 8;
        let v = take::<f64>(n);
        let ptr = v.as_ptr();
        give(v);
        assert_eq!(kept_bytes::<f64>(), n * 8);
        // A request larger than the buffer's capacity allocates.
        let big = take::<f64>(n + 1);
        assert_ne!(big.as_ptr(), ptr);
        // A request within [cap/2, cap] reuses it, with the requested length.
        let again = take::<f64>(n - 3);
        assert_eq!((again.as_ptr(), again.len()), (ptr, n - 3));
        assert_eq!(kept_bytes::<f64>(), 0);
        give(again);
        // Too small a request does not take a buffer more than twice its size.
        let small = take::<f64>(n / 2 - 1);
        assert_ne!(small.as_ptr(), ptr);
        assert_eq!(take_zeroed::<f64>(n - 1), vec![0.0; n - 1]);
        // Small buffers are not kept.
        give(small);
        give(big);
        assert_eq!(kept_bytes::<f64>(), (n + 1) * 8);
        release::<f64>();
        assert_eq!(kept_bytes::<f64>(), 0);
    }
}
