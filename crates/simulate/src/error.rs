//! Typed errors of the simulator.

use thiserror::Error;

/// Error of a simulation or a fit.
///
/// Every variant carries the offending setting or value, so that `Display`
/// names what failed and how to fix it on one line.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SimulateError {
    #[error("option `{field}` = {value} is invalid: {requirement}")]
    InvalidOption {
        field: &'static str,
        value: String,
        requirement: &'static str,
    },

    #[error("setting `{field}` = {value} is not supported by the simulator: {reason}")]
    UnsupportedSetting {
        field: &'static str,
        value: String,
        reason: &'static str,
    },

    #[error(
        "parameter `{field}` = {value} does not fit in an f64; scale the model so that it does"
    )]
    NotRepresentable { field: String, value: String },

    #[error(
        "one trial needs about {bytes} bytes (n·P = {entries} entries with n = {samples}, P = {max_size}), \
         above the memory budget of {budget} bytes; lower `training.samples`, or simulate only smaller sizes by listing them in `simulation.sizes`"
    )]
    MemoryBudgetExceeded {
        samples: usize,
        max_size: usize,
        entries: u128,
        bytes: u128,
        budget: u64,
    },

    #[error(
        "covariance {name} is not positive semidefinite: it has eigenvalue {eigenvalue:e} against a largest magnitude of {largest:e}"
    )]
    NotPositiveSemidefinite {
        name: &'static str,
        eigenvalue: f64,
        largest: f64,
    },

    #[error("the eigendecomposition of {name} did not converge")]
    EigenDecompositionFailed { name: &'static str },

    #[error(
        "field `hmm.position` = {position} makes the token covariance Σ_t overflow f64; choose an earlier position or a transition matrix with smaller spectral radius"
    )]
    CovarianceOverflow { position: u64 },

    #[error(
        "the Lyapunov doubling iteration for Σ_∞ did not converge after {doublings} doublings (‖A^m‖²_F = {remainder:e}); the spectral radius of A is too close to 1 for f64"
    )]
    LyapunovNotConverged { doublings: usize, remainder: f64 },

    #[error(
        "the training design at size p = {size} has numerical rank {rank}, below the {expected} the fit needs; Σ_x is singular or too ill-conditioned for f64, so raise representation_noise against the variance of the state"
    )]
    RankDeficientDesign {
        size: usize,
        rank: usize,
        expected: usize,
    },

    #[error(
        "the fitted head at size p = {size} (n = {samples}) failed the residual check: relative residual {residual:.3e} exceeds the tolerance {tolerance:e}; the training design is too ill-conditioned for f64, so raise representation_noise against the variance of the state"
    )]
    ResidualCheckFailed {
        size: usize,
        samples: usize,
        residual: f64,
        tolerance: f64,
    },

    #[error(
        "keeping {trials} trial risks at each of {sizes} sizes needs about {bytes} bytes, above the memory budget of {budget} bytes; lower simulation.trials or simulate fewer sizes with simulation.sizes"
    )]
    ResultsTooLarge {
        trials: usize,
        sizes: usize,
        bytes: u128,
        budget: u64,
    },

    #[error(
        "the conditional risk at size p = {size} is not finite ({value}); the fitted head overflowed f64"
    )]
    NonFiniteRisk { size: usize, value: f64 },

    #[error(
        "the direction of B has zero norm in its first {size} rows, so it cannot be scaled to signal r²; choose another isotropic.seed"
    )]
    DegenerateSignalDirection { size: usize },

    #[error("matrix shapes do not match: {detail}")]
    ShapeMismatch { detail: String },

    #[error("trial {trial} (seed {seed}) failed: {source}")]
    Trial {
        trial: usize,
        seed: u64,
        #[source]
        source: Box<SimulateError>,
    },
}
