//! Proportional limits of the ridgeless risk as n, p → ∞ with p/n → γ.

use headrisk_model::RiskValue;

use crate::error::{FloatError, finite};

/// Limit of the ridgeless risk of the isotropic family at ratio γ = p/n.
///
/// # Formula
/// With total noise σ² = tr Cov(e) and signal r² = ‖B‖²_F:
///
/// ```text
/// γ = 0:      R = σ² + r²
/// 0 < γ < 1:  R = σ² / (1 − γ)
/// γ = 1:      R = +∞ (divergent)
/// γ > 1:      R = σ² + r² (1 − 1/γ) + σ² / (γ − 1)
/// ```
///
/// # Accuracy
/// A few ulps: at most four rounded operations.
///
/// # Source
/// Hastie, Montanari, Rosset, Tibshirani, "Surprises in high-dimensional
/// ridgeless least squares interpolation", Ann. Statist. 50(2), 2022,
/// isotropic features with fixed signal.
///
/// # Errors
/// [`FloatError::InvalidArgument`] when γ, σ² or r² is negative or not
/// finite, and [`FloatError::NonFinite`] when the risk overflows.
pub fn isotropic_limit(ratio: f64, noise: f64, signal: f64) -> Result<RiskValue<f64>, FloatError> {
    check_non_negative("ratio", ratio)?;
    check_non_negative("noise", noise)?;
    check_non_negative("signal", signal)?;
    let gamma = ratio;
    let value = if gamma == 0.0 {
        noise + signal
    } else if gamma < 1.0 {
        noise / (1.0 - gamma)
    } else if gamma == 1.0 {
        return Ok(RiskValue::Divergent);
    } else {
        noise + signal * (1.0 - 1.0 / gamma) + noise / (gamma - 1.0)
    };
    Ok(RiskValue::Finite(finite(value, "isotropic limit", None)?))
}

/// Ratio γ* > 1 that minimises the isotropic limit past the threshold.
///
/// # Formula
/// With SNR = r²/σ² > 1, γ* = √SNR / (√SNR − 1). Setting the derivative
/// r²/γ² − σ²/(γ − 1)² of the γ > 1 branch to zero gives (γ − 1)/γ = 1/√SNR.
///
/// Returns `None` when SNR ≤ 1, where the risk decreases for all γ > 1, and
/// when σ² = 0, where the infimum r²(1 − 1/γ) → 0 is approached only as
/// γ → 1⁺ and no interior minimum exists.
///
/// # Errors
/// [`FloatError::InvalidArgument`] when σ² or r² is negative or not finite.
pub fn isotropic_optimal_ratio(noise: f64, signal: f64) -> Result<Option<f64>, FloatError> {
    check_non_negative("noise", noise)?;
    check_non_negative("signal", signal)?;
    if noise == 0.0 || signal <= noise {
        return Ok(None);
    }
    let root_snr = (signal / noise).sqrt();
    Ok(Some(root_snr / (root_snr - 1.0)))
}

/// Limit of the ridgeless risk of the HMM family at ratio γ = p/n, with d
/// fixed, feature columns i.i.d. with second moment Ψ ≻ 0, and σ_u² > 0.
///
/// # Formula
/// With tr Σ_y the output variance and σ²_B = tr(C Q Cᵀ) the Bayes risk:
///
/// ```text
/// γ = 0:      R = tr Σ_y
/// 0 < γ < 1:  R = σ²_B / (1 − γ)
/// γ = 1:      R = +∞ (divergent)
/// γ > 1:      R = σ²_B γ / (γ − 1)
/// ```
///
/// For γ > 0 the spike of Σ_x grows like p, so σ²_p → σ²_B and the bias
/// vanishes. This follows from the deterministic equivalent and is a claim
/// to check against it at growing n, not an input.
///
/// # Accuracy
/// A few ulps: at most two rounded operations.
///
/// # Errors
/// [`FloatError::InvalidArgument`] when an argument is negative or not
/// finite, and [`FloatError::NonFinite`] when the risk overflows.
pub fn latent_limit(
    ratio: f64,
    output_variance: f64,
    bayes_risk: f64,
) -> Result<RiskValue<f64>, FloatError> {
    check_non_negative("ratio", ratio)?;
    check_non_negative("output_variance", output_variance)?;
    check_non_negative("bayes_risk", bayes_risk)?;
    let gamma = ratio;
    let value = if gamma == 0.0 {
        output_variance
    } else if gamma < 1.0 {
        bayes_risk / (1.0 - gamma)
    } else if gamma == 1.0 {
        return Ok(RiskValue::Divergent);
    } else {
        bayes_risk * gamma / (gamma - 1.0)
    };
    Ok(RiskValue::Finite(finite(value, "latent limit", None)?))
}

fn check_non_negative(argument: &'static str, value: f64) -> Result<(), FloatError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(FloatError::InvalidArgument {
            argument,
            value,
            requirement: "must be finite and ≥ 0",
        })
    }
}
