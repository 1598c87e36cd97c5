//! Studies over trained generators: beta sweeps, phase diagrams, generalisation.

pub mod beta_sweep;
pub mod label_counts;
