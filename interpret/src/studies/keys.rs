//! The tags that give each measurement of the reproduction its own random stream:
//! stream = `Key::new(seed).fold_in(TAG)`, then folded with the stage's indices.
//! Training uses tags 0 to 2 of the same seeds (see `hypernet`), so these start far
//! above them and no evaluation reuses a training batch.

/// Generator sweeps: `Key::new(generator seed).fold_in(SWEEP).fold_in(snapshot index)`.
pub const SWEEP: u64 = 0x5EED_0001;
/// Samples of the variational MLPs: `Key::new(seed).fold_in(VMLP_SAMPLES)`.
pub const VMLP_SAMPLES: u64 = 0x5EED_0002;
/// Generation at each input size:
/// `Key::new(generator seed).fold_in(GENERALISATION).fold_in(n)`.
pub const GENERALISATION: u64 = 0x5EED_0003;
/// Start networks of the landscape:
/// `Key::new(seed).fold_in(LANDSCAPE_STARTS).fold_in(start).fold_in(seed index)`.
pub const LANDSCAPE_STARTS: u64 = 0x5EED_0004;
/// Weight samples classified for the landscape's final labels:
/// `Key::new(seed).fold_in(LANDSCAPE_LABELS).fold_in(network).fold_in(sample)`.
pub const LANDSCAPE_LABELS: u64 = 0x5EED_0005;
