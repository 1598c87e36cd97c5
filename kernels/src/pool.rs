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
//! smallest kept buffer whose capacity is between `len` and `2 len` (looked up by size
//! in a sorted map), else allocates; at most [`MAX_BYTES`] per element type are kept,
//! the oldest buffers freed first.
//! [`release`] frees everything kept. Reuse changes no result: every user of
//! [`take`] overwrites the whole buffer, and [`take_zeroed`] zeroes it.

use num_traits::Zero;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Smallest buffer kept, in bytes.
pub const MIN_BYTES: usize = 64 << 10;

/// Most bytes kept per element type.
pub const MAX_BYTES: usize = 256 << 20;

/// An element type whose large buffers are kept for reuse: where its pool lives.
/// Every [`crate::Element`] is one.
pub trait Pooled: Zero + Clone + 'static {
    /// The buffers of this type kept for reuse.
    fn pool() -> &'static Pool<Self>;
}

/// The kept buffers of one element type.
pub struct Pool<T> {
    kept: Mutex<Kept<T>>,
}

/// Buffers indexed by size (for the best fit) and by age (for eviction); each buffer
/// carries a stamp, unique and increasing in the order buffers were given back.
struct Kept<T> {
    by_size: BTreeMap<(usize, u64), Vec<T>>,
    by_age: BTreeMap<u64, usize>,
    next_stamp: u64,
    bytes: usize,
}

impl<T> Pool<T> {
    /// An empty pool (for the per-type statics of [`Pooled::pool`]).
    pub const fn new() -> Self {
        Pool { kept: Mutex::new(Kept { by_size: BTreeMap::new(), by_age: BTreeMap::new(), next_stamp: 0, bytes: 0 }) }
    }
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Kept<T> {
    fn remove(&mut self, capacity: usize, stamp: u64) -> Option<Vec<T>> {
        self.by_age.remove(&stamp);
        let v = self.by_size.remove(&(capacity, stamp))?;
        self.bytes -= bytes(&v);
        Some(v)
    }

    /// The smallest kept buffer of capacity in `[len, 2 len]`, if any.
    fn take(&mut self, len: usize) -> Option<Vec<T>> {
        let (&(capacity, stamp), _) = self.by_size.range((len, 0)..=(2 * len, u64::MAX)).next()?;
        self.remove(capacity, stamp)
    }

    /// Keeps `v`, first freeing the oldest buffers until at most `max_bytes` are kept.
    fn give(&mut self, v: Vec<T>, max_bytes: usize) {
        let size = bytes(&v);
        while self.bytes + size > max_bytes {
            let Some((&stamp, &capacity)) = self.by_age.first_key_value() else { return };
            self.remove(capacity, stamp);
        }
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        self.bytes += size;
        self.by_age.insert(stamp, v.capacity());
        self.by_size.insert((v.capacity(), stamp), v);
    }
}

fn bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

fn kept<T: Pooled>() -> std::sync::MutexGuard<'static, Kept<T>> {
    // A panic while the lock is held cannot leave `Kept` inconsistent: keep using it.
    T::pool().kept.lock().unwrap_or_else(|e| e.into_inner())
}

/// A buffer of `len` elements whose contents are unspecified (left over from an
/// earlier use): the caller must overwrite all of them.
pub fn take<T: Pooled>(len: usize) -> Vec<T> {
    if len * std::mem::size_of::<T>() >= MIN_BYTES {
        let reused = kept::<T>().take(len);
        if let Some(mut v) = reused {
            v.resize(len, T::zero());
            return v;
        }
    }
    vec![T::zero(); len]
}

/// A buffer of `len` zeros.
pub fn take_zeroed<T: Pooled>(len: usize) -> Vec<T> {
    let mut v = take(len);
    v.fill(T::zero());
    v
}

/// Gives a buffer back for reuse (or to the allocator, when it is small or the pool
/// is full).
pub fn give<T: Pooled>(v: Vec<T>) {
    if (MIN_BYTES..=MAX_BYTES).contains(&bytes(&v)) {
        kept::<T>().give(v, MAX_BYTES);
    }
}

/// Bytes of `T` buffers kept now.
pub fn kept_bytes<T: Pooled>() -> usize {
    kept::<T>().bytes
}

/// Frees every kept buffer of `T` (before measuring memory, or after a large job).
pub fn release<T: Pooled>() {
    let mut k = kept::<T>();
    k.by_size.clear();
    k.by_age.clear();
    k.bytes = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_oldest_buffers_beyond_the_limit_and_fits_best() {
        let mut k = Kept::<f32> { by_size: BTreeMap::new(), by_age: BTreeMap::new(), next_stamp: 0, bytes: 0 };
        for len in [100, 50, 80] {
            k.give(Vec::with_capacity(len), 1000);
        }
        assert_eq!(k.bytes, 920);
        // 40 more elements (160 bytes) go over 1000 bytes: the oldest (100) is freed.
        k.give(Vec::with_capacity(40), 1000);
        assert_eq!((k.bytes, k.by_size.len()), (680, 3));
        assert!(k.take(90).is_none(), "no buffer of capacity 90..=180 is left");
        assert_eq!(k.take(45).map(|v| v.capacity()), Some(50), "best fit among 50 and 80");
        assert_eq!(k.take(30).map(|v| v.capacity()), Some(40));
        assert_eq!((k.bytes, k.by_age.len()), (320, 1));
    }

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
