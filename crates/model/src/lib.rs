//! Parameter sets of the head-tuning model: the linear-Gaussian hidden Markov
//! model, the frozen representation of size p, and the isotropic baseline.
//!
//! Every number of a parameter set is an exact rational: `0.1` in a file is
//! 1/10, and `"1/3"` is one third. Generated feature matrices are dyadic, so
//! floating-point consumers see the same matrix without rounding. This crate
//! parses and validates; it computes no risk.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod certify;
pub mod error;
pub mod features;
mod load;
pub mod matrix;
pub mod noiseless;
pub mod number;
pub mod params;
mod parse;
pub mod risk;

pub use error::ParamError;
pub use features::{FeatureMatrix, FeatureSpec};
pub use load::{MAX_DIM, MAX_FEATURE_ENTRIES, MAX_GRID_POINTS, load, parse};
pub use matrix::RationalMatrix;
pub use noiseless::{NoiselessSizes, noiseless_sizes};
pub use num_bigint::BigInt;
pub use num_rational::BigRational;
pub use params::{
    Family, FeatureSource, Hmm, Isotropic, NoiseSource, ParameterSet, Position, Sampling,
    Simulation,
};
pub use risk::RiskValue;
