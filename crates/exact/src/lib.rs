//! Exact rational engine for the head-tuning risk of the linear-Gaussian
//! hidden Markov model.
//!
//! Every result is an exact `BigRational`, a certified rational interval, or
//! an explicit outcome such as [`RiskValue::Divergent`]; no floating-point
//! number enters a computation. The modules follow the model:
//!
//! - [`matrix`] and [`elimination`]: dense rational matrices, Bareiss
//!   determinant, solve and inverse;
//! - [`covariance`]: the token covariance Σ_t or the stationary Σ_∞;
//! - [`population`] and [`isotropic`]: Σ_x, Σ_xy, Σ_y, Θ*, Σ_ξ, σ²_p, s_p,
//!   σ²_B at each size, through the d×d low-rank reduction;
//! - [`finite_sample`]: the exact ridgeless risk at finite n;
//! - [`enclosure`]: certified enclosures of the deterministic equivalent;
//! - [`limits`]: the proportional limits as exact functions of γ = p/n.
//!
//! ```
//! use headrisk_exact::{FiniteSampleRisk, RiskValue, finite_sample_curve};
//! use headrisk_model::{BigRational, parse};
//!
//! let params = parse(
//!     r#"
//! family = "isotropic"
//! [isotropic]
//! noise = 1
//! signal = 5
//! max_size = 12
//! [training]
//! samples = 6
//! "#,
//! )?;
//! let curve = finite_sample_curve(&params)?;
//! // R(1) = σ² (n − 1)/(n − 2) = 5/4.
//! let FiniteSampleRisk::Closed(RiskValue::Finite(at_one)) = &curve[1].risk else {
//!     panic!("p = 1 has a closed form");
//! };
//! assert_eq!(at_one.total, BigRational::new(5.into(), 4.into()));
//! // n − 1 ≤ p ≤ n + 1 diverges.
//! assert_eq!(curve[6].risk, FiniteSampleRisk::Closed(RiskValue::Divergent));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod covariance;
pub mod elimination;
pub mod enclosure;
pub mod error;
pub mod finite_sample;
pub mod isotropic;
pub mod limits;
pub mod matrix;
mod number;
pub mod population;

pub use enclosure::{
    DeEnclosure, EnclosurePoint, Interval, default_relative_width, enclose_at_size, enclose_direct,
    enclosure_curve,
};
pub use error::ExactError;
pub use finite_sample::{
    CurvePoint, FiniteSampleRisk, NoClosedForm, RiskDecomposition, finite_sample_curve,
    finite_sample_risk,
};
pub use headrisk_model::RiskValue;
pub use limits::{
    LimitModel, has_interior_minimum, isotropic_limit, isotropic_minimiser_bracket, latent_limit,
};
pub use matrix::Matrix;
pub use population::{HmmPopulation, PopulationMatrices, PopulationPoint, population_curve};
