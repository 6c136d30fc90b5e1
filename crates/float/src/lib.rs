//! Floating-point engine (faer, `f64`) for the head-tuning risk of the
//! linear-Gaussian hidden Markov model.
//!
//! A [`Model`] converts a validated [`headrisk_model::ParameterSet`] once:
//! the token covariance Σ (recursion or Lyapunov solver), its square root,
//! and the size-independent traces. Every size-dependent quantity then goes
//! through the low-rank structure Σ_x = σ_u² I_p + W_pᵀ Σ W_p, a d×d spike
//! plus a bulk, so Σ_x is never formed and sizes in the hundreds of
//! thousands cost d×d work each:
//!
//! - population quantities σ²_p, s_p, tr Σ_y, σ²_B: [`Model::population_curve`];
//! - the exact finite-sample ridgeless risk where a closed form exists:
//!   [`Model::finite_sample_curve`];
//! - the deterministic equivalent for any p and λ ≥ 0:
//!   [`Model::deterministic_equivalent_curve`];
//! - the proportional limits: [`Model::limit`], [`isotropic_limit`],
//!   [`latent_limit`], [`isotropic_optimal_ratio`].
//!
//! A dense path that forms the p×p matrices ([`Model::population_dense`],
//! [`Model::deterministic_equivalent_dense`]) cross-checks the low-rank
//! path at small p. Divergent risks are [`headrisk_model::RiskValue::Divergent`],
//! never an infinity or NaN, and every failure is a [`FloatError`].

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod covariance;
pub mod equivalent;
pub mod error;
pub mod limits;
mod model;
mod population;
mod risk;
pub mod spectrum;
pub mod tolerance;

pub use covariance::{
    StationaryCovariance, covariance_at_step, lyapunov_residual, stationary_covariance,
};
pub use equivalent::{DeterministicEquivalent, deterministic_equivalent, effective_regularization};
pub use error::FloatError;
pub use faer;
pub use limits::{isotropic_limit, isotropic_optimal_ratio, latent_limit};
pub use model::Model;
pub use population::Population;
pub use risk::{FiniteSampleRisk, RiskParts};
pub use spectrum::{SpectralGroup, Spectrum};
