//! Studies over trained generators: beta sweeps, phase diagrams, generalisation, and
//! the one-command reproduction that runs them all ([`reproduce`]).

pub mod beta_sweep;
pub mod claims;
pub mod drawings;
pub mod exemplars;
pub mod family;
pub mod generalisation;
pub mod keys;
pub mod label_counts;
pub mod phase_diagram;
pub mod progress;
pub mod reproduce;
pub mod reproduce_config;
pub mod row_cosines;
pub mod seed_store;
pub mod seed_training;
pub mod sweep_record;
pub mod toml_merge;
pub mod training_stage;
pub mod vmlp_sweep;
