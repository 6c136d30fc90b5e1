//! Typed errors of the floating-point engine.

use thiserror::Error;

/// Failure of a floating-point computation.
///
/// Every variant carries the quantity, value or index that failed, and
/// `Display` writes it on one line with what to do next.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FloatError {
    /// An input number has no finite `f64` value, for example `1e400`.
    /// `entry` is the (row, column) of a matrix entry, `None` for a scalar.
    #[error(
        "input `{field}`{} = {value} is not a finite f64; scale the parameter set so that every entry lies within ±1.8e308",
        at_entry(*.entry)
    )]
    NonFiniteInput {
        field: &'static str,
        entry: Option<(usize, usize)>,
        value: String,
    },

    /// A computed intermediate overflowed or became NaN.
    #[error("{quantity} is not finite{}; the inputs are too large for f64 arithmetic, so rescale them", at_size(*.size))]
    NonFinite {
        quantity: &'static str,
        size: Option<usize>,
    },

    /// The token covariance Σ_t overflows `f64` at the sampling position t,
    /// as the powers of A do when its spectral radius exceeds 1.
    #[error(
        "field `hmm.position` = {step} makes the token covariance Σ_t overflow f64, because Σ_t grows with the powers A^(t−1) of `hmm.transition`; use a smaller position, scale `hmm.transition` so that its spectral radius is below 1, or scale the covariances down"
    )]
    PositionOverflow { step: u64 },

    /// The parameter set fails a check of the exact model crate, such as
    /// the decision of the sizes where σ²_p = 0.
    #[error(transparent)]
    Parameters(#[from] headrisk_model::ParamError),

    /// The stationary covariance does not exist because ρ(A) ≥ 1, or ρ(A)
    /// lies within rounding of 1.
    #[error(
        "the transition matrix is not stable: its spectral radius is estimated at {spectral_radius_estimate}, and a stationary covariance needs it below 1 by more than f64 rounding; scale A down or use an integer position"
    )]
    Unstable { spectral_radius_estimate: f64 },

    /// The doubling iteration for Σ = AΣAᵀ + Q stopped without meeting its tolerance.
    #[error(
        "the Lyapunov solver did not converge after {iterations} doublings (relative residual {residual:e}); A is stable but too close to the unit circle for f64"
    )]
    LyapunovNotConverged { iterations: usize, residual: f64 },

    /// A matrix argument has the wrong shape.
    #[error("`{argument}` is {found}, expected {expected}")]
    Dimension {
        argument: &'static str,
        expected: String,
        found: String,
    },

    /// A model size beyond the columns of the feature matrix.
    #[error(
        "size {size} exceeds the {columns} columns of the feature matrix; request sizes ≤ {columns}"
    )]
    SizeBeyondFeatures { size: usize, columns: usize },

    /// The dense path forms p×p matrices and refuses sizes above its limit.
    #[error(
        "the dense path forms {size}×{size} matrices, above its limit {limit}; use the low-rank path for this size"
    )]
    DenseSizeTooLarge { size: usize, limit: usize },

    /// Σ_x is singular or numerically singular (σ_u² = 0 only).
    #[error(
        "Σ_x is numerically singular at size {size}: its smallest eigenvalue {smallest_eigenvalue:e} is below the rank tolerance relative to the largest {largest_eigenvalue:e}; set representation_noise > 0 or use fewer features"
    )]
    SingularFeatureCovariance {
        size: usize,
        smallest_eigenvalue: f64,
        largest_eigenvalue: f64,
    },

    /// A scalar argument outside its domain.
    #[error("argument `{argument}` = {value} is invalid: {requirement}")]
    InvalidArgument {
        argument: &'static str,
        value: f64,
        requirement: &'static str,
    },

    /// faer's symmetric eigensolver reached its iteration limit.
    #[error("the symmetric eigendecomposition of {quantity} did not converge{}", at_size(*.size))]
    EigenNotConverged {
        quantity: &'static str,
        size: Option<usize>,
    },

    /// The safeguarded Newton solver for κ exhausted its iterations.
    #[error(
        "the solver for κ at size {size} did not converge after {iterations} iterations (bracket [{lower:e}, {upper:e}])"
    )]
    KappaNotConverged {
        size: usize,
        iterations: usize,
        lower: f64,
        upper: f64,
    },
}

fn at_entry(entry: Option<(usize, usize)>) -> String {
    match entry {
        Some((row, col)) => format!(" entry [{row}][{col}]"),
        None => String::new(),
    }
}

fn at_size(size: Option<usize>) -> String {
    match size {
        Some(size) => format!(" at size p = {size}"),
        None => String::new(),
    }
}

/// Returns `Ok(())` when every entry of `matrix` is finite.
pub(crate) fn check_finite(
    matrix: faer::MatRef<'_, f64>,
    quantity: &'static str,
    size: Option<usize>,
) -> Result<(), FloatError> {
    if matrix.is_all_finite() {
        Ok(())
    } else {
        Err(FloatError::NonFinite { quantity, size })
    }
}

/// Returns `value` when it is finite.
pub(crate) fn finite(
    value: f64,
    quantity: &'static str,
    size: Option<usize>,
) -> Result<f64, FloatError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(FloatError::NonFinite { quantity, size })
    }
}
