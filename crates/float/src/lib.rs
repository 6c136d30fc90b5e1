//! Floating-point engine.
