//! Optimisers (filled in below).
