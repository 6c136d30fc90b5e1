//! Exact expected risk of the ridgeless head at finite n, independent
//! sampling.
//!
//! With n training pairs and the population quantities at size p
//! (σ²_p irreducible risk, Θ* best head, Σ_x feature covariance):
//!
//!   p = 0:             R = σ²_0 = tr Σ_y        (the empty head predicts 0)
//!   1 ≤ p ≤ n − 2:     R = σ²_p (n − 1)/(n − p − 1),  B = 0,  V = σ²_p p/(n − p − 1)
//!   n − 1 ≤ p ≤ n + 1: R = +∞ when σ²_p > 0 (finite when σ²_p = 0)
//!   p ≥ n + 2, Σ_x = c I_p:
//!                      R = σ²_p + c‖Θ*‖²_F (1 − n/p) + σ²_p n/(p − n − 1)
//!
//! Source: the inverse-Wishart mean E[(XᵀX)⁻¹] = Σ_x⁻¹/(n − p − 1) for
//! Gaussian rows with n > p + 1, and for isotropic rows E[X⁺X] = (n/p) I and
//! E[(XXᵀ)⁻¹] = I/(c(p − n − 1)); Hastie, Montanari, Rosset, Tibshirani,
//! "Surprises in high-dimensional ridgeless least squares interpolation",
//! Ann. Statist. 50(2), 2022.

use headrisk_model::{ParameterSet, RiskValue, Sampling};
use num_rational::BigRational;
use num_traits::{Signed, Zero};

use crate::error::ExactError;
use crate::number::{format_value, from_count};
use crate::population::{PopulationPoint, population_curve};

/// The expected risk split as R = σ²_p + B + V, all exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskDecomposition {
    /// Expected risk R.
    pub total: BigRational,
    /// Irreducible risk σ²_p.
    pub irreducible: BigRational,
    /// Bias B.
    pub bias: BigRational,
    /// Variance V.
    pub variance: BigRational,
}

/// Reason for the missing finite-sample value at a size. It is an
/// outcome, not an error: the deterministic equivalent and simulation
/// cover these cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoClosedForm {
    /// Σ_x is not a multiple of the identity at p ≥ n + 2, or at p = n + 1
    /// with σ²_p = 0, where the risk is the bias alone.
    GeneralCovariance,
    /// λ > 0: the expected ridge risk at finite n has no closed form.
    Ridge,
    /// Trajectory sampling: the rows are dependent and no exact formula
    /// applies for p ≥ 1.
    TrajectorySampling,
}

/// The exact finite-sample expected risk at one size.
// A curve stores one value per size, so the unboxed variant costs little and
// keeps pattern matching on `RiskValue` direct.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FiniteSampleRisk {
    /// A closed form applies: a finite decomposition, or
    /// [`RiskValue::Divergent`] for n − 1 ≤ p ≤ n + 1.
    Closed(RiskValue<RiskDecomposition>),
    /// No closed form applies.
    NoClosedForm(NoClosedForm),
}

impl FiniteSampleRisk {
    /// Returns the total risk when a closed form applies, finite or divergent.
    pub fn total(&self) -> Option<RiskValue<BigRational>> {
        match self {
            FiniteSampleRisk::Closed(value) => {
                Some(value.clone().map(|decomposition| decomposition.total))
            }
            FiniteSampleRisk::NoClosedForm(_) => None,
        }
    }
}

/// One point of the exact finite-sample curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurvePoint {
    /// Population quantities at the size.
    pub population: PopulationPoint,
    /// Exact expected risk at the size.
    pub risk: FiniteSampleRisk,
}

/// Computes the exact expected risk at one size from its population quantities.
///
/// Exact where a closed form applies (see [`crate::finite_sample`]): for
/// p = 0 with any λ and sampling mode, and for p ≥ 1 with λ = 0 and
/// independent sampling, except p ≥ n + 2 with Σ_x not a multiple of I_p.
/// Every other case returns [`FiniteSampleRisk::NoClosedForm`] with its
/// reason, trajectory sampling before ridge.
///
/// # Errors
/// [`ExactError::Negative`] when λ < 0.
pub fn finite_sample_risk(
    point: &PopulationPoint,
    samples: usize,
    ridge: &BigRational,
    sampling: Sampling,
) -> Result<FiniteSampleRisk, ExactError> {
    if ridge.is_negative() {
        return Err(ExactError::Negative {
            field: "ridge λ",
            value: format_value(ridge),
        });
    }
    let p = point.size;
    let n = samples;
    let sigma2 = &point.irreducible;

    if p == 0 {
        return Ok(closed(
            sigma2.clone(),
            BigRational::zero(),
            BigRational::zero(),
        ));
    }
    if sampling == Sampling::Trajectory {
        return Ok(FiniteSampleRisk::NoClosedForm(
            NoClosedForm::TrajectorySampling,
        ));
    }
    if !ridge.is_zero() {
        return Ok(FiniteSampleRisk::NoClosedForm(NoClosedForm::Ridge));
    }

    if p + 2 <= n {
        // V = σ²_p tr(Σ_x E[(XᵀX)⁻¹]) = σ²_p p/(n − p − 1); the denominator is ≥ 1.
        let variance = sigma2 * from_count(p) / from_count(n - p - 1);
        return Ok(closed(sigma2.clone(), BigRational::zero(), variance));
    }
    if p <= n + 1 {
        if sigma2.is_zero() {
            return Ok(noiseless_threshold(point, n));
        }
        return Ok(FiniteSampleRisk::Closed(RiskValue::Divergent));
    }

    let Some(scale) = &point.isotropic_scale else {
        return Ok(FiniteSampleRisk::NoClosedForm(
            NoClosedForm::GeneralCovariance,
        ));
    };
    // p ≥ n + 2, so p > 0 and p − n − 1 ≥ 1.
    let bias = scale
        * &point.head_norm_squared
        * (BigRational::from_integer(1.into()) - from_count(n) / from_count(p));
    let variance = sigma2 * from_count(n) / from_count(p - n - 1);
    Ok(closed(sigma2.clone(), bias, variance))
}

/// The risk at n − 1 ≤ p ≤ n + 1 when σ²_p = 0, where nothing diverges.
///
/// The divergence at the threshold is the variance σ²_p·E[tr(Σ_x (XᵀX)⁺)]
/// or its p > n analogue, which vanishes with σ²_p. Then y = Θ*ᵀx exactly:
/// for p ≤ n the design has full column rank almost surely and X⁺Y = Θ*,
/// so R = 0; for p = n + 1 only the bias c‖Θ*‖²_F(1 − n/p) remains, with a
/// closed form when Σ_x = c·I_p.
fn noiseless_threshold(point: &PopulationPoint, n: usize) -> FiniteSampleRisk {
    let p = point.size;
    if p <= n {
        return closed(
            BigRational::zero(),
            BigRational::zero(),
            BigRational::zero(),
        );
    }
    match &point.isotropic_scale {
        Some(scale) => {
            let bias = scale
                * &point.head_norm_squared
                * (BigRational::from_integer(1.into()) - from_count(n) / from_count(p));
            closed(BigRational::zero(), bias, BigRational::zero())
        }
        None => FiniteSampleRisk::NoClosedForm(NoClosedForm::GeneralCovariance),
    }
}

fn closed(irreducible: BigRational, bias: BigRational, variance: BigRational) -> FiniteSampleRisk {
    let total = &irreducible + &bias + &variance;
    FiniteSampleRisk::Closed(RiskValue::Finite(RiskDecomposition {
        total,
        irreducible,
        bias,
        variance,
    }))
}

/// Computes the exact finite-sample curve over the sizes of the parameter
/// set, with its n, λ and sampling mode.
///
/// Cost: one population pass along the size grid (see
/// [`crate::population::HmmPopulation::curve`]) and O(1) rational
/// operations per size.
///
/// # Errors
/// As [`population_curve`].
pub fn finite_sample_curve(params: &ParameterSet) -> Result<Vec<CurvePoint>, ExactError> {
    let points = population_curve(params, &params.sizes)?;
    points
        .into_iter()
        .map(|population| {
            let risk =
                finite_sample_risk(&population, params.samples, &params.ridge, params.sampling)?;
            Ok(CurvePoint { population, risk })
        })
        .collect()
}
