//! The mutation engine of the loader fuzz: a stream of random words from a key, byte
//! mutations of a valid file (flips, insertions, deletions, splices with another file,
//! rewritten length prefixes, pure noise), the number of inputs per loader, scratch
//! files and the per-loader tally.

use autodiff::Key;
use std::path::PathBuf;
use std::time::Instant;

/// Inputs per loader in CI, where the whole fuzz takes seconds.
pub const CI_INPUTS: usize = 4000;

/// The number of inputs per loader: `FUZZ_INPUTS` from the environment (the long run
/// of TESTING.md sets 100000), or [`CI_INPUTS`] when it is unset. Each input is drawn
/// from its index, so a larger count runs the CI inputs first and then new ones.
pub fn input_count() -> usize {
    match std::env::var("FUZZ_INPUTS") {
        Err(_) => CI_INPUTS,
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) if n >= CI_INPUTS => n,
            _ => panic!("FUZZ_INPUTS={text:?}: expected a whole number of inputs per loader, at least {CI_INPUTS} (unset it for CI's {CI_INPUTS})"),
        },
    }
}

/// A stream of random words from a key.
pub struct Draws {
    key: Key,
    words: Vec<u32>,
    block: u64,
}

impl Draws {
    pub fn new(key: Key) -> Draws {
        Draws { key, words: Vec::new(), block: 0 }
    }

    pub fn word(&mut self) -> u32 {
        if self.words.is_empty() {
            self.words = self.key.fold_in(self.block).bits(64);
            self.block += 1;
        }
        self.words.pop().expect("refilled above")
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.word() as u64 * n as u64) >> 32) as usize
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.word() as u8).collect()
    }
}

/// One random edit of `bytes`: a bit flip, random bytes written over, a truncation,
/// an insertion, a deletion, a duplicated range, a new 8-byte length prefix (the
/// safetensors header size), or a splice with `other`.
pub fn mutate(bytes: &mut Vec<u8>, other: &[u8], r: &mut Draws) {
    let len = bytes.len().max(1);
    match r.below(8) {
        0 => {
            let i = r.below(len).min(bytes.len().saturating_sub(1));
            if let Some(b) = bytes.get_mut(i) {
                *b ^= 1 << r.below(8);
            }
        }
        1 => {
            let (start, n) = (r.below(len), 1 + r.below(16));
            for i in start..(start + n).min(bytes.len()) {
                bytes[i] = r.word() as u8;
            }
        }
        2 => bytes.truncate(r.below(len)),
        3 => {
            let (at, n) = (r.below(len + 1).min(bytes.len()), 1 + r.below(32));
            let insert = r.bytes(n);
            bytes.splice(at..at, insert);
        }
        4 => {
            let start = r.below(len).min(bytes.len());
            let end = (start + 1 + r.below(64)).min(bytes.len());
            bytes.drain(start..end);
        }
        5 => {
            let start = r.below(len).min(bytes.len());
            let end = (start + 1 + r.below(64)).min(bytes.len());
            let copy = bytes[start..end].to_vec();
            let at = r.below(len + 1).min(bytes.len());
            bytes.splice(at..at, copy);
        }
        6 if bytes.len() >= 8 => {
            let size = u64::from_le_bytes(bytes[..8].try_into().unwrap());
            let new = match r.below(3) {
                0 => size.wrapping_add(r.below(9) as u64).wrapping_sub(4),
                1 => r.word() as u64,
                _ => u64::MAX - r.below(16) as u64,
            };
            bytes[..8].copy_from_slice(&new.to_le_bytes());
        }
        _ => {
            let cut = r.below(len).min(bytes.len());
            let from = r.below(other.len().max(1)).min(other.len());
            bytes.truncate(cut);
            bytes.extend_from_slice(&other[from..]);
        }
    }
}

/// `count` inputs: random bytes (a quarter, some behind a plausible safetensors length
/// prefix), and 1 to 3 stacked mutations of `valid` (the rest).
pub fn inputs<'a>(valid: &'a [u8], other: &[u8], count: usize, key: Key) -> impl Iterator<Item = (usize, Vec<u8>)> + 'a {
    let other = other.to_vec();
    (0..count).map(move |i| {
        let mut r = Draws::new(key.fold_in(i as u64));
        let bytes = if i % 4 == 0 {
            let n = r.below(256);
            let mut b = r.bytes(n);
            if i % 8 == 0 {
                let mut prefixed = (b.len() as u64).saturating_sub(r.below(4) as u64).to_le_bytes().to_vec();
                prefixed.extend(b"{\"");
                prefixed.append(&mut b);
                b = prefixed;
            }
            b
        } else {
            let mut b = valid.to_vec();
            for _ in 0..1 + r.below(3) {
                mutate(&mut b, &other, &mut r);
            }
            b
        };
        (i, bytes)
    })
}

/// A scratch file, in memory (/dev/shm) where there is one: thousands of small writes.
/// It is deleted when dropped (also when its test fails), and its folder with the last one.
pub fn scratch(name: &str) -> ScratchFile {
    let shm = PathBuf::from("/dev/shm");
    let root = if shm.is_dir() { shm } else { std::env::temp_dir() };
    let dir = root.join(format!("loader-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    ScratchFile(dir.join(name))
}

/// The path of a scratch file ([`scratch`]), removed on drop.
pub struct ScratchFile(PathBuf);

impl std::ops::Deref for ScratchFile {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for ScratchFile {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        // Best effort: the folder goes only once the other tests' files are gone too.
        let _ = std::fs::remove_file(&self.0);
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Tally of one loader's inputs, timed from its creation.
pub struct Tally {
    pub tried: usize,
    pub rejected: usize,
    pub accepted_identical: usize,
    pub accepted_changed: usize,
    started: Instant,
}

impl Tally {
    pub fn new() -> Tally {
        Tally { tried: 0, rejected: 0, accepted_identical: 0, accepted_changed: 0, started: Instant::now() }
    }

    /// Seconds since the tally was created.
    pub fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    pub fn report(&self, loader: &str) {
        println!(
            "{loader}: {} inputs, {} rejected, {} accepted unchanged, {} accepted as a different valid file, 0 panics, {:.1} s",
            self.tried,
            self.rejected,
            self.accepted_identical,
            self.accepted_changed,
            self.seconds()
        );
    }
}
