//! Typed errors of the exact engine.

use thiserror::Error;

/// Error of an exact computation that could not produce a value.
///
/// Rational values are written as `p/q` in lowest terms, or as a decimal
/// with a few significant digits when that would be long. Matrix shapes are
/// `(rows, columns)`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ExactError {
    #[error("{operation} needs compatible shapes, but the operands are {left:?} and {right:?}")]
    ShapeMismatch {
        operation: &'static str,
        left: (usize, usize),
        right: (usize, usize),
    },

    #[error("{operation} needs a square matrix, but the matrix is {shape:?}")]
    NotSquare {
        operation: &'static str,
        shape: (usize, usize),
    },

    #[error("row-major entries do not fill a {n_rows}×{n_cols} matrix: found {found} entries")]
    EntryCount {
        n_rows: usize,
        n_cols: usize,
        found: usize,
    },

    #[error("{matrix} is singular: column {pivot} has no non-zero pivot after elimination")]
    Singular { matrix: String, pivot: usize },

    #[error(
        "Σ_x = W_pᵀ Σ W_p is singular at size p = {size}: with representation_noise = 0 the state covariance Σ vanishes along a combination of the first {size} feature columns; set representation_noise > 0 or end the size grid below {size}"
    )]
    SingularFeatureCovariance { size: usize },

    #[error(
        "position t = {step} exceeds the largest supported position {limit}; the exact Σ_t has Θ(t) digits, so use position = \"stationary\" or a smaller t"
    )]
    PositionTooLarge { step: u64, limit: u64 },

    #[error(
        "the exact Lyapunov solve supports token dimension d ≤ {limit}, but d = {dim}; its linear system has d(d+1)/2 unknowns"
    )]
    DimensionTooLarge { dim: usize, limit: usize },

    #[error("size p = {size} exceeds the {columns} columns of the feature matrix")]
    SizeBeyondFeatures { size: usize, columns: usize },

    #[error("sizes must increase strictly, but sizes[{index}] = {size} follows {previous}")]
    SizesNotIncreasing {
        index: usize,
        size: usize,
        previous: usize,
    },

    #[error("{field} = {value} is negative; it must be ≥ 0")]
    Negative { field: &'static str, value: String },

    #[error(
        "n = {samples} training samples is invalid for the deterministic equivalent; use n ≥ 1"
    )]
    InvalidSamples { samples: usize },

    #[error("width {value} is invalid; request a width > 0, for example 2^-64")]
    InvalidWidth { value: String },

    #[error(
        "the bisection for {quantity} stopped after {steps} steps before reaching the requested width; request a larger width"
    )]
    BisectionLimit { quantity: String, steps: usize },
}

impl ExactError {
    /// Names the singular matrix in a [`ExactError::Singular`] and keeps
    /// every other error unchanged.
    pub(crate) fn naming_matrix(self, matrix: impl Into<String>) -> Self {
        match self {
            ExactError::Singular { pivot, .. } => ExactError::Singular {
                matrix: matrix.into(),
                pivot,
            },
            other => other,
        }
    }
}
