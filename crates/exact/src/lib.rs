//! Exact rational engine.
