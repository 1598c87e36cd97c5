//! Interpretation of target networks.
