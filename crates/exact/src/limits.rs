//! Proportional limits n, p → ∞ with p/n → γ, as exact functions of a
//! rational γ ≥ 0, and a certified bracket of the isotropic minimiser.
//!
//! Isotropic baseline (noise σ², signal r², for every p ≥ 1):
//!
//!   γ = 0: σ² + r²    0 < γ < 1: σ²/(1 − γ)    γ = 1: +∞
//!   γ > 1: σ² + r² (1 − 1/γ) + σ²/(γ − 1)
//!
//! Latent HMM limit (d fixed, σ_u² > 0, feature columns i.i.d. with a
//! positive definite second moment): σ²_p → σ²_B for γ > 0, and
//!
//!   γ = 0: tr Σ_y     0 < γ < 1: σ²_B/(1 − γ)   γ = 1: +∞
//!   γ > 1: σ²_B γ/(γ − 1)
//!
//! Source: the ridgeless asymptotics of Hastie, Montanari, Rosset,
//! Tibshirani, Ann. Statist. 50(2), 2022, applied to each family. The latent
//! formula is a claim that the checker verifies, not an input.

use headrisk_model::{Family, ParameterSet, RiskValue};
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use crate::enclosure::Interval;
use crate::error::ExactError;
use crate::number::format_value;
use crate::population::HmmPopulation;

/// Largest number of bisection steps of [`isotropic_minimiser_bracket`].
/// Each step halves the bracket, so this allows widths down to about
/// 2^-4000 times the initial bracket.
pub const MAX_MINIMISER_STEPS: usize = 4_096;

/// The limit model of a family: the two numbers its limit depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitModel {
    /// Isotropic baseline with noise σ² and signal r².
    Isotropic {
        noise: BigRational,
        signal: BigRational,
    },
    /// Latent HMM limit with tr Σ_y and the Bayes risk σ²_B.
    Latent {
        target_trace: BigRational,
        bayes_risk: BigRational,
    },
}

impl LimitModel {
    /// Builds the limit model of a parameter set.
    ///
    /// # Errors
    /// As [`HmmPopulation::new`] for the HMM family.
    pub fn from_params(params: &ParameterSet) -> Result<Self, ExactError> {
        match &params.family {
            Family::Isotropic(family) => Ok(LimitModel::Isotropic {
                noise: family.noise.clone(),
                signal: family.signal.clone(),
            }),
            Family::Hmm(hmm) => {
                // NOTE: the latent limit assumes σ_u² > 0 and i.i.d. feature
                // columns with a positive definite second moment. Neither is
                // checked here, so for σ_u² = 0 or explicit columns the value
                // is the formula, not a proven limit of this parameter set.
                let population = HmmPopulation::new(hmm)?;
                Ok(LimitModel::Latent {
                    target_trace: population.target_trace().clone(),
                    bayes_risk: population.bayes_risk().clone(),
                })
            }
        }
    }

    /// Computes the limiting risk at ratio γ = p/n.
    ///
    /// # Errors
    /// [`ExactError::Negative`] when γ < 0.
    pub fn risk(&self, ratio: &BigRational) -> Result<RiskValue<BigRational>, ExactError> {
        match self {
            LimitModel::Isotropic { noise, signal } => isotropic_limit(noise, signal, ratio),
            LimitModel::Latent {
                target_trace,
                bayes_risk,
            } => latent_limit(target_trace, bayes_risk, ratio),
        }
    }
}

fn check_ratio(ratio: &BigRational) -> Result<(), ExactError> {
    if ratio.is_negative() {
        return Err(ExactError::Negative {
            field: "ratio γ = p/n",
            value: format_value(ratio),
        });
    }
    Ok(())
}

/// Computes the isotropic limit risk at γ (see [`crate::limits`]). Exact.
///
/// # Errors
/// [`ExactError::Negative`] when γ < 0.
pub fn isotropic_limit(
    noise: &BigRational,
    signal: &BigRational,
    ratio: &BigRational,
) -> Result<RiskValue<BigRational>, ExactError> {
    check_ratio(ratio)?;
    let one = BigRational::one();
    let gamma = ratio;

    let value = if gamma.is_zero() {
        noise + signal
    } else if *gamma < one {
        noise / (&one - gamma)
    } else if *gamma == one {
        return Ok(RiskValue::Divergent);
    } else {
        noise + signal * (&one - gamma.recip()) + noise / (gamma - &one)
    };
    Ok(RiskValue::Finite(value))
}

/// Computes the latent HMM limit risk at γ (see [`crate::limits`]). Exact.
///
/// # Errors
/// [`ExactError::Negative`] when γ < 0.
pub fn latent_limit(
    target_trace: &BigRational,
    bayes_risk: &BigRational,
    ratio: &BigRational,
) -> Result<RiskValue<BigRational>, ExactError> {
    check_ratio(ratio)?;
    let one = BigRational::one();
    let gamma = ratio;

    let value = if gamma.is_zero() {
        target_trace.clone()
    } else if *gamma < one {
        bayes_risk / (&one - gamma)
    } else if *gamma == one {
        return Ok(RiskValue::Divergent);
    } else {
        bayes_risk * gamma / (gamma - &one)
    };
    Ok(RiskValue::Finite(value))
}

/// Tests whether the isotropic limit has an interior minimum on γ > 1,
/// which is the case exactly when σ² > 0 and SNR = r²/σ² > 1.
///
/// With σ² = 0 the risk r²(1 − 1/γ) increases on γ > 1, so its infimum
/// sits at the boundary γ → 1 and is no interior minimum.
pub fn has_interior_minimum(noise: &BigRational, signal: &BigRational) -> bool {
    noise.is_positive() && signal > noise
}

/// Brackets the isotropic minimiser γ* = √SNR/(√SNR − 1) by a rational
/// interval [lo, hi] with hi − lo ≤ `width`. Returns `None` when there is no
/// interior minimum (see [`has_interior_minimum`]).
///
/// Certified: for γ > 1 the derivative of the γ > 1 branch is
/// r²/γ² − σ²/(γ − 1)², whose sign is that of r²(γ − 1)² − σ²γ², negative
/// below γ* and positive above. Bisection on that exact sign keeps γ* inside
/// the bracket. It starts from (1, 2] and doubles hi − 1 while the sign at hi
/// is negative. A point interval means that a midpoint was exactly the root,
/// which needs a rational γ*, so SNR must be the square of a rational.
///
/// # Errors
/// [`ExactError::Negative`] when σ² or r² is negative,
/// [`ExactError::InvalidWidth`] when width ≤ 0, and
/// [`ExactError::BisectionLimit`] after [`MAX_MINIMISER_STEPS`] steps.
pub fn isotropic_minimiser_bracket(
    noise: &BigRational,
    signal: &BigRational,
    width: &BigRational,
) -> Result<Option<Interval>, ExactError> {
    for (field, value) in [("noise σ²", noise), ("signal r²", signal)] {
        if value.is_negative() {
            return Err(ExactError::Negative {
                field,
                value: format_value(value),
            });
        }
    }
    if !width.is_positive() {
        return Err(ExactError::InvalidWidth {
            value: format_value(width),
        });
    }
    if !has_interior_minimum(noise, signal) {
        return Ok(None);
    }

    let one = BigRational::one();
    let derivative_sign = |gamma: &BigRational| {
        let below = gamma - &one;
        (signal * &below * &below).cmp(&(noise * gamma * gamma))
    };

    let mut lo = one.clone();
    let mut hi = BigRational::from_integer(2.into());
    let mut steps = 0;
    while derivative_sign(&hi).is_lt() {
        lo = hi.clone();
        hi = &one + (&hi - &one) * BigRational::from_integer(2.into());
        steps += 1;
        if steps > MAX_MINIMISER_STEPS {
            return Err(bisection_limit(steps));
        }
    }

    let half = BigRational::new(1.into(), 2.into());
    while &hi - &lo > *width {
        if steps >= MAX_MINIMISER_STEPS {
            return Err(bisection_limit(steps));
        }
        let mid = (&lo + &hi) * &half;
        match derivative_sign(&mid) {
            std::cmp::Ordering::Less => lo = mid,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Ok(Some(Interval::point(mid))),
        }
        steps += 1;
    }
    Ok(Some(Interval::new(lo, hi)))
}

fn bisection_limit(steps: usize) -> ExactError {
    ExactError::BisectionLimit {
        quantity: "the isotropic minimiser γ*".into(),
        steps,
    }
}
