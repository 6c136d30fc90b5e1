//! Typed errors of parameter-set loading and validation.

use thiserror::Error;

/// Reason a parameter set was rejected.
///
/// Every variant names the offending field by its dotted path in the TOML
/// file (for example `hmm.transition[1][0]`), the value that was found, and
/// what would make it valid. `Display` writes all of it on one line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParamError {
    #[error("cannot read parameter file {path}: {message}")]
    Io { path: String, message: String },

    #[error("malformed TOML at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },

    #[error("unknown key `{key}` in {table}; valid keys are: {}", valid.join(", "))]
    UnknownKey {
        table: String,
        key: String,
        valid: Vec<&'static str>,
    },

    #[error("missing field `{field}`: {hint}")]
    MissingKey { field: String, hint: String },

    #[error("field `{field}` has the wrong type: expected {expected}, found {found}")]
    WrongType {
        field: String,
        expected: &'static str,
        found: String,
    },

    #[error("field `{field}` = {value} is not a valid number: {reason}")]
    InvalidNumber {
        field: String,
        value: String,
        reason: String,
    },

    #[error(
        "field `{field}` = {value} is not finite; write a finite decimal or a fraction such as \"1/3\""
    )]
    NotFinite { field: String, value: String },

    #[error("field `{field}` = {value} is invalid: it {requirement}")]
    OutOfRange {
        field: String,
        value: String,
        requirement: String,
    },

    #[error("fields `{field}` and `{other}` conflict: {fix}")]
    Conflict {
        field: String,
        other: String,
        fix: String,
    },

    #[error("field `{field}` has the wrong dimension: found {found}, expected {expected}")]
    Dimension {
        field: String,
        expected: String,
        found: String,
    },

    #[error(
        "field `{field}` is not symmetric: entry [{row}][{col}] differs from [{col}][{row}]; a covariance must be symmetric"
    )]
    NotSymmetric {
        field: String,
        row: usize,
        col: usize,
    },

    #[error(
        "field `{field}` is not positive semidefinite (pivot {pivot} is {value}); a covariance needs non-negative eigenvalues"
    )]
    NotPositiveSemidefinite {
        field: String,
        pivot: usize,
        value: String,
    },

    #[error(
        "field `hmm.position` = \"stationary\" needs a stable transition matrix, but `hmm.transition` {detail}; scale A so that its spectral radius is below 1, or use an integer position"
    )]
    Unstable { detail: String },

    #[error(
        "field `hmm.representation_noise` = 0 makes Σ_x singular at size {size}: the first {size} columns of the feature matrix have rank {rank}; set representation_noise > 0 or keep sizes ≤ {rank}"
    )]
    RankDeficient { size: usize, rank: usize },

    #[error(
        "field `{field}` = {value}: whether the irreducible risk σ²_p is zero cannot be decided exactly, because {reason}; {fix}"
    )]
    NoiselessUndecided {
        field: String,
        value: String,
        reason: String,
        fix: String,
    },

    #[error(
        "field `sizes` contains {size}, beyond the {columns} columns of the feature matrix; lower the largest size or add columns"
    )]
    SizeBeyondFeatures { size: usize, columns: usize },
}

impl ParamError {
    pub(crate) fn out_of_range(
        field: impl Into<String>,
        value: impl ToString,
        requirement: impl Into<String>,
    ) -> Self {
        ParamError::OutOfRange {
            field: field.into(),
            value: value.to_string(),
            requirement: requirement.into(),
        }
    }

    pub(crate) fn dimension(
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        ParamError::Dimension {
            field: field.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}
