//! Monte Carlo simulation of head tuning on the linear-Gaussian hidden Markov
//! model and on the isotropic baseline.
//!
//! Each trial draws a training set of n pairs, fits the linear head of every
//! size p of the grid (min-norm least squares for λ = 0, ridge for λ > 0) on
//! nested representations, and evaluates each head's exact conditional risk
//!
//! R(Θ̂) = tr Σ_y − 2 tr(Θ̂ᵀ Σ_xy) + tr(Θ̂ᵀ Σ_x Θ̂),
//!
//! so no test sample is needed. The per-size mean over trials estimates the
//! expected risk R(p) with a standard error and a Student-t interval.
//!
//! The simulator computes the population quantities it needs (Σ_t or Σ_∞,
//! Σ_xy, tr Σ_y) itself in f64 and shares no code with the exact or float
//! engines, so agreement with them is independent evidence.
//!
//! The entry point is [`simulate`]. [`fit_head`] fits a single head and
//! [`summarize`] computes the statistics of any sample.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod error;
pub mod fit;
mod population;
mod risk;
mod run;
mod sample;
pub mod summary;
pub mod tolerance;

pub use error::SimulateError;
pub use fit::{fit_head, fit_nested_heads};
pub use run::{
    DEFAULT_MEMORY_BUDGET_BYTES, DEFAULT_TRIALS, SimulatedCurve, SimulationOptions, SizeEstimate,
    simulate,
};
pub use summary::{
    DEFAULT_CONFIDENCE_LEVEL, Summary, critical_value, skewness_corrected, summarize,
};
