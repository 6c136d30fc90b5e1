//! The deterministic equivalent of the ridge(less) risk: the effective
//! regularisation κ and the bias and variance built on it.

use headrisk_model::RiskValue;

use crate::error::{FloatError, finite};
use crate::spectrum::Spectrum;
use crate::tolerance::{KAPPA_MAX_ITERATIONS, KAPPA_RELATIVE_TOLERANCE};

/// The deterministic equivalent of the expected risk at one size.
///
/// Source: Hastie, Montanari, Rosset, Tibshirani, "Surprises in
/// high-dimensional ridgeless least squares interpolation", Ann. Statist.
/// 50(2), 2022, and Bach, "High-dimensional analysis of double descent for
/// linear regression with random projections", SIAM J. Math. Data Sci.
/// 6(1), 2024.
#[derive(Debug, Clone, PartialEq)]
pub struct DeterministicEquivalent {
    /// Model size p.
    pub size: usize,
    /// R_DE = σ²_p + B_DE + V_DE, divergent for λ = 0 at p = n.
    pub risk: RiskValue<f64>,
    /// B_DE = κ² tr(Θ*ᵀ Σ_x (Σ_x + κI)⁻² Θ*) / (1 − df2(κ)/n).
    pub bias: f64,
    /// V_DE = σ²_p df2(κ) / (n − df2(κ)), divergent for λ = 0 at p = n.
    pub variance: RiskValue<f64>,
    /// σ²_p.
    pub irreducible: f64,
    /// Effective regularisation κ ≥ 0.
    pub kappa: f64,
    /// df1(κ).
    pub df1: f64,
    /// df2(κ).
    pub df2: f64,
}

/// Solves λ = κ (1 − df1(κ)/n) for the effective regularisation κ ≥ 0.
///
/// # Formula
/// With the eigenvalues ℓ_i of Σ_x and df1(κ) = Σ_i ℓ_i/(ℓ_i + κ):
/// - λ = 0, p ≤ n: κ = 0 (the p = n risk diverges, which the caller decides);
/// - λ = 0, p > n: the unique κ > 0 with df1(κ) = n;
/// - λ > 0: the unique root of F(κ) = κ(1 − df1(κ)/n) − λ.
///
/// Uniqueness: df1 is strictly decreasing, and F′(κ) = 1 − df2(κ)/n > 0
/// wherever df1(κ) ≤ n because df2 < df1 for κ > 0, while F < 0 wherever
/// df1(κ) > n. The root lies in [0, λ + tr Σ_x / n] because κ df1(κ) < tr Σ_x.
///
/// # Method
/// Safeguarded Newton inside that bracket. df1 − n is convex and decreasing,
/// so Newton from κ = 0 increases monotonically to the root; F is convex and
/// increasing right of the root, so Newton from the upper end decreases
/// monotonically to it. A step that leaves the bracket falls back to
/// bisection. The solver stops when a step or the bracket is below
/// [`KAPPA_RELATIVE_TOLERANCE`] relative to κ.
///
/// # Errors
/// [`FloatError::InvalidArgument`] for n = 0 or λ negative or not finite;
/// [`FloatError::KappaNotConverged`] after [`KAPPA_MAX_ITERATIONS`].
pub fn effective_regularization(
    spectrum: &Spectrum,
    samples: usize,
    ridge: f64,
) -> Result<f64, FloatError> {
    check_samples(samples)?;
    check_ridge(ridge)?;
    let size = spectrum.size();
    let n = samples as f64;
    if size == 0 {
        return Ok(ridge);
    }
    if ridge == 0.0 && size <= samples {
        return Ok(0.0);
    }

    let trace = finite(spectrum.trace(), "trace of Σ_x", Some(size))?;
    // n − p is exact in f64 for any realistic size. Writing n − df1(κ) as
    // (n − p) + Σ_i κ/(ℓ_i + κ) keeps F accurate for κ far below every ℓ_i,
    // where df1(κ) rounds to p.
    let excess = n - size as f64;
    if ridge == 0.0 {
        // F(κ) = df1(κ) − n = (p − n) − Σ_i κ/(ℓ_i + κ), positive at 0 because p > n.
        let upper = trace / n;
        let evaluate = |kappa: f64| {
            (
                -excess - spectrum.df1_complement(kappa),
                -spectrum.df1_slope(kappa),
            )
        };
        solve_bracketed(evaluate, 0.0, upper, 0.0, size)
    } else {
        // F(κ) = κ(n − df1(κ))/n − λ, negative at 0, with
        // F′(κ) = (n − df2(κ))/n = (n − df1(κ) + df1(κ) − df2(κ))/n.
        let upper = ridge + trace / n;
        let evaluate = |kappa: f64| {
            let unused = excess + spectrum.df1_complement(kappa);
            let value = kappa * unused / n - ridge;
            (value, (unused + spectrum.df1_minus_df2(kappa)) / n)
        };
        solve_bracketed(evaluate, 0.0, upper, upper, size)
    }
}

/// Finds the sign change of `evaluate` in [lower, upper], where the value
/// at `lower` has the opposite sign to the value at `upper`, starting
/// Newton at `start`.
fn solve_bracketed(
    evaluate: impl Fn(f64) -> (f64, f64),
    lower: f64,
    upper: f64,
    start: f64,
    size: usize,
) -> Result<f64, FloatError> {
    let (mut lower, mut upper) = (lower, upper);
    let lower_sign = evaluate(lower).0.signum();

    // Rounding can leave the upper end on the wrong side; widen it.
    let mut widenings = 0;
    while evaluate(upper).0.signum() == lower_sign {
        upper *= 2.0;
        widenings += 1;
        if widenings > 64 || !upper.is_finite() {
            return Err(FloatError::KappaNotConverged {
                size,
                iterations: widenings,
                lower,
                upper,
            });
        }
    }

    let mut kappa = start.clamp(lower, upper);
    for _ in 0..KAPPA_MAX_ITERATIONS {
        let (value, slope) = evaluate(kappa);
        if value == 0.0 {
            return Ok(kappa);
        }
        if value.signum() == lower_sign {
            lower = kappa;
        } else {
            upper = kappa;
        }

        let newton = kappa - value / slope;
        let next = if newton.is_finite() && newton > lower && newton < upper {
            newton
        } else if lower > 0.0 && upper > 4.0 * lower {
            (lower * upper).sqrt()
        } else {
            0.5 * (lower + upper)
        };

        let step = (next - kappa).abs();
        if step <= KAPPA_RELATIVE_TOLERANCE * next
            || upper - lower <= KAPPA_RELATIVE_TOLERANCE * upper
        {
            return Ok(next);
        }
        if next == lower || next == upper {
            return Ok(next);
        }
        kappa = next;
    }
    Err(FloatError::KappaNotConverged {
        size,
        iterations: KAPPA_MAX_ITERATIONS,
        lower,
        upper,
    })
}

/// Evaluates the deterministic equivalent of the risk at one size.
///
/// # Formula
/// With κ from [`effective_regularization`], df1, df2 at κ, and σ²_p the
/// irreducible risk:
///
/// ```text
/// B_DE = κ² tr(Θ*ᵀ Σ_x (Σ_x + κI)⁻² Θ*) / (1 − df2(κ)/n)
/// V_DE = σ²_p df2(κ) / (n − df2(κ))
/// R_DE = σ²_p + B_DE + V_DE
/// ```
///
/// For λ = 0: κ = 0 and R_DE = σ²_p n/(n − p) for p < n, divergent at p = n,
/// and κ > 0 with df1(κ) = n for p > n. At p = 0 the risk is tr Σ_y = σ²_0.
///
/// # Regime and accuracy
/// Valid for p ≥ 0, λ ≥ 0, independent sampling. It approximates the
/// expected risk with an error that vanishes as n and p grow; at λ = 0,
/// p < n it gives σ²_p n/(n − p) against the exact σ²_p (n−1)/(n−p−1).
/// Its floating-point error is that of the spectrum plus about
/// (d + 1)·ε relative from the sums and the κ solve.
///
/// # Errors
/// As [`effective_regularization`], and [`FloatError::NonFinite`] when a
/// term overflows.
pub fn deterministic_equivalent(
    spectrum: &Spectrum,
    irreducible: f64,
    samples: usize,
    ridge: f64,
) -> Result<DeterministicEquivalent, FloatError> {
    let size = spectrum.size();
    let kappa = effective_regularization(spectrum, samples, ridge)?;
    let n = samples as f64;

    let df1 = spectrum.df1(kappa);
    let df2 = spectrum.df2(kappa);
    if ridge == 0.0 && size == samples {
        // The variance σ²_p·df2/(n − df2) has 0/0 form here, and the bias
        // vanishes with κ = 0. Without noise the square design is invertible
        // and the head exact, so the risk is the limit 0 from both sides.
        let (risk, variance) = if irreducible == 0.0 {
            (RiskValue::Finite(0.0), RiskValue::Finite(0.0))
        } else {
            (RiskValue::Divergent, RiskValue::Divergent)
        };
        return Ok(DeterministicEquivalent {
            size,
            risk,
            bias: 0.0,
            variance,
            irreducible,
            kappa,
            df1,
            df2,
        });
    }

    // n − df2(κ) = (n − df1(κ)) + (df1(κ) − df2(κ)), where the first term is
    // n − p at κ = 0, 0 on the ridgeless root df1(κ) = n, and nλ/κ on the
    // ridge root. Each form is a sum of non-negative terms, so a tiny λ at
    // p = n gives a large finite variance rather than 1 − df2/n rounded to 0.
    let unused = if kappa == 0.0 {
        n - size as f64
    } else if ridge == 0.0 {
        0.0
    } else {
        n * ridge / kappa
    };
    let n_minus_df2 = unused + spectrum.df1_minus_df2(kappa);
    if n_minus_df2.is_nan() || n_minus_df2 <= 0.0 {
        return Err(FloatError::NonFinite {
            quantity: "deterministic-equivalent factor 1/(n − df2)",
            size: Some(size),
        });
    }
    let bias = finite(
        spectrum.bias_numerator(kappa) * (n / n_minus_df2),
        "deterministic-equivalent bias",
        Some(size),
    )?;
    let variance = finite(
        irreducible * (df2 / n_minus_df2),
        "deterministic-equivalent variance",
        Some(size),
    )?;
    let risk = finite(
        irreducible + bias + variance,
        "deterministic-equivalent risk",
        Some(size),
    )?;

    Ok(DeterministicEquivalent {
        size,
        risk: RiskValue::Finite(risk),
        bias,
        variance: RiskValue::Finite(variance),
        irreducible,
        kappa,
        df1,
        df2,
    })
}

pub(crate) fn check_samples(samples: usize) -> Result<(), FloatError> {
    if samples == 0 {
        return Err(FloatError::InvalidArgument {
            argument: "samples",
            value: 0.0,
            requirement: "the number of training samples n must be ≥ 1",
        });
    }
    Ok(())
}

pub(crate) fn check_ridge(ridge: f64) -> Result<(), FloatError> {
    if !(ridge.is_finite() && ridge >= 0.0) {
        return Err(FloatError::InvalidArgument {
            argument: "ridge",
            value: ridge,
            requirement: "the ridge strength λ must be finite and ≥ 0",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::SpectralGroup;

    fn isotropic(size: usize, signal: f64) -> Spectrum {
        Spectrum::new(vec![SpectralGroup {
            eigenvalue: 1.0,
            multiplicity: size,
            signal_energy: signal,
        }])
    }

    #[test]
    fn ridgeless_kappa_above_threshold_solves_df1() {
        // Isotropic: df1 = p/(1 + κ) = n gives κ = p/n − 1.
        let spectrum = isotropic(300, 1.0);
        let kappa = effective_regularization(&spectrum, 100, 0.0).unwrap();
        assert!((kappa - 2.0).abs() < 1e-14, "κ = {kappa}");
    }

    #[test]
    fn ridge_kappa_solves_fixed_point() {
        let spectrum = Spectrum::new(vec![
            SpectralGroup {
                eigenvalue: 5.0,
                multiplicity: 3,
                signal_energy: 1.0,
            },
            SpectralGroup {
                eigenvalue: 0.1,
                multiplicity: 500,
                signal_energy: 0.0,
            },
        ]);
        for ridge in [1e-8, 1e-3, 0.5, 40.0] {
            let kappa = effective_regularization(&spectrum, 200, ridge).unwrap();
            let residual = kappa * (1.0 - spectrum.df1(kappa) / 200.0) - ridge;
            assert!(
                residual.abs() <= 1e-13 * ridge.max(kappa),
                "λ = {ridge}: residual {residual}"
            );
        }
    }

    #[test]
    fn kappa_converges_on_wide_spectra() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        for trial in 0..200 {
            let spikes = rng.random_range(1..60);
            let mut groups: Vec<SpectralGroup> = (0..spikes)
                .map(|_| SpectralGroup {
                    eigenvalue: 10f64.powf(rng.random_range(-8.0..8.0)),
                    multiplicity: 1,
                    signal_energy: rng.random_range(0.0..2.0),
                })
                .collect();
            groups.push(SpectralGroup {
                eigenvalue: 10f64.powf(rng.random_range(-6.0..2.0)),
                multiplicity: rng.random_range(0..200_000),
                signal_energy: 0.0,
            });
            let spectrum = Spectrum::new(groups);
            let samples = rng.random_range(1..50_000);
            let ridge = [0.0, 1e-12, 1e-3, 1.0, 1e6][trial % 5];
            let context = format!(
                "trial {trial}: p = {}, n = {samples}, λ = {ridge}",
                spectrum.size()
            );
            let kappa = effective_regularization(&spectrum, samples, ridge).unwrap();
            let n = samples as f64;
            if ridge == 0.0 && spectrum.size() <= samples {
                assert_eq!(kappa, 0.0, "{context}");
            } else if ridge == 0.0 {
                let df1 = spectrum.df1(kappa);
                assert!((df1 - n).abs() <= 1e-12 * n, "{context}: df1(κ) = {df1}");
            } else {
                let residual = kappa * (1.0 - spectrum.df1(kappa) / n) - ridge;
                assert!(
                    residual.abs() <= 1e-12 * kappa.max(ridge),
                    "{context}: residual {residual:e}"
                );
            }
        }
    }

    #[test]
    fn isotropic_ridgeless_matches_closed_form() {
        // Above the threshold, R_DE = σ² + r²(1 − n/p) + σ² n/(p − n).
        let (noise, signal, n, p) = (1.0, 2.0, 100usize, 250usize);
        let spectrum = isotropic(p, signal);
        let equivalent = deterministic_equivalent(&spectrum, noise, n, 0.0).unwrap();
        let ratio = n as f64 / p as f64;
        let expected = noise + signal * (1.0 - ratio) + noise * n as f64 / (p - n) as f64;
        let risk = *equivalent.risk.finite().unwrap();
        assert!(
            (risk - expected).abs() < 1e-13 * expected,
            "{risk} against {expected}"
        );
    }

    #[test]
    fn ridgeless_at_threshold_diverges() {
        let equivalent = deterministic_equivalent(&isotropic(50, 1.0), 1.0, 50, 0.0).unwrap();
        assert!(equivalent.risk.is_divergent());
        assert!(equivalent.variance.is_divergent());
    }

    #[test]
    fn tiny_ridge_at_threshold_stays_finite() {
        let spectrum = Spectrum::new(vec![
            SpectralGroup {
                eigenvalue: 3.0,
                multiplicity: 2,
                signal_energy: 1.0,
            },
            SpectralGroup {
                eigenvalue: 0.5,
                multiplicity: 48,
                signal_energy: 0.0,
            },
        ]);
        let mut previous = 0.0;
        for exponent in [2, 20, 60, 100, 200, 300] {
            let ridge = 10f64.powi(-exponent);
            let equivalent = deterministic_equivalent(&spectrum, 1.0, 50, ridge).unwrap();
            let risk = *equivalent.risk.finite().unwrap();
            // For κ far below every ℓ, n − df1(κ) ≈ κ Σ_i 1/ℓ_i at p = n, so
            // the ridge equation gives κ ≈ √(nλ / Σ_i 1/ℓ_i).
            let slope: f64 = 2.0 / 3.0 + 48.0 / 0.5;
            let kappa = (50.0 * ridge / slope).sqrt();
            if exponent >= 20 {
                let relative = (equivalent.kappa - kappa).abs() / kappa;
                assert!(
                    relative <= 1e-9,
                    "λ = {ridge:e}: κ = {:e} against {kappa:e}",
                    equivalent.kappa
                );
            }
            assert!(
                risk > previous,
                "λ = {ridge:e}: risk {risk:e} did not grow from {previous:e}"
            );
            previous = risk;
        }
    }

    #[test]
    fn negative_ridge_is_rejected() {
        let error = effective_regularization(&isotropic(3, 1.0), 10, -1.0).unwrap_err();
        assert!(matches!(
            error,
            FloatError::InvalidArgument {
                argument: "ridge",
                ..
            }
        ));
    }
}
