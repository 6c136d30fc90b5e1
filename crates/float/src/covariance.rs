//! Token covariance Σ: the recursion Σ_{t+1} = A Σ_t Aᵀ + Q and the
//! stationary solution of the discrete Lyapunov equation Σ = A Σ Aᵀ + Q.

use faer::{Mat, MatRef};

use crate::error::{FloatError, check_finite};
use crate::tolerance::{
    LYAPUNOV_INCREMENT_TOLERANCE, LYAPUNOV_MAX_DOUBLINGS, LYAPUNOV_RESIDUAL_MAX,
    STEP_RECURSION_MAX, UNIT_RADIUS_MARGIN_FACTOR,
};

/// The stationary covariance Σ_∞ with the evidence of its accuracy.
#[derive(Debug, Clone)]
pub struct StationaryCovariance {
    /// Σ_∞, symmetric d×d.
    pub covariance: Mat<f64>,
    /// Relative residual ‖Σ − AΣAᵀ − Q‖_F / ‖Σ‖_F, or 0 when Σ = 0.
    pub relative_residual: f64,
    /// Number of doublings performed.
    pub doublings: usize,
    /// Upper estimate ‖A^(2^k)‖_F^(1/2^k) of ρ(A) after k doublings.
    pub spectral_radius_estimate: f64,
}

/// Computes the token covariance Σ_t at position t ≥ 1.
///
/// # Formula
/// Σ_1 = `initial`, Σ_{s+1} = A Σ_s Aᵀ + Q, so that
/// Σ_t = A^(t−1) Σ_1 (A^(t−1))ᵀ + Σ_{j=0}^{t−2} A^j Q (A^j)ᵀ.
///
/// Up to [`STEP_RECURSION_MAX`] steps the recursion runs as written and
/// stops early at an exact floating-point fixed point (an iterate equal to
/// its predecessor repeats forever). Later positions use doubling on the
/// affine map f(S) = A S Aᵀ + Q: the pair (P, R) stands for S ↦ P S Pᵀ + R,
/// composition is (P_a, R_a)∘(P_b, R_b) = (P_a P_b, P_a R_b P_aᵀ + R_a), and
/// f^(t−1) comes from the binary digits of t − 1 in at most 128 products.
/// Any A is accepted: positions do not need stability.
///
/// # Accuracy
/// Each step adds a rounding error of about d·ε·‖A‖²_F‖Σ‖_F.
///
/// # Errors
/// [`FloatError::Dimension`] unless all three matrices are d×d,
/// [`FloatError::InvalidArgument`] for t = 0, and
/// [`FloatError::NonFinite`] when an intermediate overflows.
pub fn covariance_at_step(
    transition: MatRef<'_, f64>,
    noise: MatRef<'_, f64>,
    initial: MatRef<'_, f64>,
    step: u64,
) -> Result<Mat<f64>, FloatError> {
    let dim = transition.nrows();
    check_square("transition", transition, dim)?;
    check_square("noise", noise, dim)?;
    check_square("initial", initial, dim)?;
    if step == 0 {
        return Err(FloatError::InvalidArgument {
            argument: "step",
            value: 0.0,
            requirement: "positions start at t = 1",
        });
    }

    let steps = step - 1;
    if steps <= STEP_RECURSION_MAX {
        let mut sigma = initial.to_owned();
        for _ in 0..steps {
            let next = symmetric_part(&(congruence(transition, sigma.as_ref()) + noise));
            check_finite(next.as_ref(), "token covariance Σ_t", None)?;
            if next == sigma {
                break;
            }
            sigma = next;
        }
        return Ok(sigma);
    }

    let (power, offset) = affine_power(transition, noise, steps)?;
    let sigma = symmetric_part(&(congruence(power.as_ref(), initial) + offset));
    check_finite(sigma.as_ref(), "token covariance Σ_t", None)?;
    Ok(sigma)
}

/// Returns (P, R) of the map f^steps with f(S) = A S Aᵀ + Q.
// NOTE: P = A^steps overflows when ρ(A) > 1 even if Σ_1 and Q vanish on the
// unstable directions and Σ_t itself is finite; such inputs get
// `FloatError::NonFinite` for t − 1 above STEP_RECURSION_MAX.
fn affine_power(
    transition: MatRef<'_, f64>,
    noise: MatRef<'_, f64>,
    steps: u64,
) -> Result<(Mat<f64>, Mat<f64>), FloatError> {
    let dim = transition.nrows();
    let mut result_power = Mat::<f64>::identity(dim, dim);
    let mut result_offset = Mat::<f64>::zeros(dim, dim);
    let mut base_power = transition.to_owned();
    let mut base_offset = noise.to_owned();

    let mut remaining = steps;
    while remaining > 0 {
        if remaining & 1 == 1 {
            result_offset = symmetric_part(
                &(congruence(base_power.as_ref(), result_offset.as_ref()) + &base_offset),
            );
            result_power = &base_power * &result_power;
            check_finite(result_power.as_ref(), "transition power A^(t−1)", None)?;
            check_finite(result_offset.as_ref(), "token covariance Σ_t", None)?;
        }
        remaining >>= 1;
        if remaining > 0 {
            base_offset = symmetric_part(
                &(congruence(base_power.as_ref(), base_offset.as_ref()) + &base_offset),
            );
            base_power = &base_power * &base_power;
            check_finite(base_power.as_ref(), "transition power A^(t−1)", None)?;
            check_finite(base_offset.as_ref(), "token covariance Σ_t", None)?;
        }
    }
    Ok((result_power, result_offset))
}

/// Solves the discrete Lyapunov equation Σ = A Σ Aᵀ + Q for ρ(A) < 1.
///
/// # Formula
/// Smith's doubling iteration: Σ_0 = Q, A_0 = A,
/// Σ_{k+1} = Σ_k + A_k Σ_k A_kᵀ, A_{k+1} = A_k², so that Σ_k sums the first
/// 2^k terms of Σ_∞ = Σ_{j≥0} A^j Q (A^j)ᵀ. It stops once the increment is
/// below [`LYAPUNOV_INCREMENT_TOLERANCE`] relative to Σ_k and
/// ‖A^(2^k)‖_F ≤ 1/2, which certifies ρ(A) ≤ 2^(−1/2^k) < 1 up to rounding.
/// Cost: 3 products of d×d matrices a doubling, at most
/// [`LYAPUNOV_MAX_DOUBLINGS`] doublings.
///
/// # Accuracy
/// Reported as `relative_residual`; rejected above [`LYAPUNOV_RESIDUAL_MAX`].
/// The forward error of Σ can exceed the residual by the condition number
/// of the Lyapunov operator, about ‖Σ‖/‖Q‖ ≈ 1/(1 − ρ(A)²) for normal A.
///
/// # Errors
/// - [`FloatError::Dimension`] unless both matrices are d×d.
/// - [`FloatError::Unstable`] when the powers of A do not decay (ρ(A) ≥ 1).
///   It is also returned when the estimate ‖A^(2^k)‖_F^(1/2^k) of ρ(A) at
///   convergence is within [`UNIT_RADIUS_MARGIN_FACTOR`]·d·ε of 1, because
///   then ρ(A) lies within rounding of 1: a rotation, for example, decays in
///   `f64` only through rounding. The error carries that estimate.
/// - [`FloatError::LyapunovNotConverged`] when A is stable but the
///   doublings run out or the residual exceeds [`LYAPUNOV_RESIDUAL_MAX`].
/// - [`FloatError::NonFinite`] when Σ overflows although the powers decay.
pub fn stationary_covariance(
    transition: MatRef<'_, f64>,
    noise: MatRef<'_, f64>,
) -> Result<StationaryCovariance, FloatError> {
    let dim = transition.nrows();
    check_square("transition", transition, dim)?;
    check_square("noise", noise, dim)?;
    check_finite(transition, "transition matrix A", None)?;
    check_finite(noise, "noise covariance Q", None)?;

    let mut power = transition.to_owned();
    let mut sigma = symmetric_part(&noise.to_owned());
    let mut estimate = radius_estimate(power.norm_l2(), 0);
    let mut doublings = 0;
    let mut converged = false;

    while doublings < LYAPUNOV_MAX_DOUBLINGS {
        let increment = congruence(power.as_ref(), sigma.as_ref());
        let next_power = &power * &power;
        doublings += 1;

        let next_norm = next_power.norm_l2();
        if !increment.is_all_finite() || !next_norm.is_finite() {
            return Err(overflow_error(estimate));
        }
        sigma = symmetric_part(&(&sigma + &increment));
        if !sigma.is_all_finite() {
            return Err(overflow_error(estimate));
        }
        power = next_power;
        estimate = radius_estimate(next_norm, doublings);

        let sigma_norm = sigma.norm_l2();
        let increment_small = increment.norm_l2() <= LYAPUNOV_INCREMENT_TOLERANCE * sigma_norm;
        if (increment_small || sigma_norm == 0.0) && next_norm <= 0.5 {
            converged = true;
            break;
        }
    }

    if !converged && power.norm_l2() >= 1.0 {
        return Err(FloatError::Unstable {
            spectral_radius_estimate: estimate,
        });
    }
    if converged && 1.0 - estimate <= UNIT_RADIUS_MARGIN_FACTOR * dim as f64 * f64::EPSILON {
        return Err(FloatError::Unstable {
            spectral_radius_estimate: estimate,
        });
    }
    let relative_residual = lyapunov_residual(transition, noise, sigma.as_ref());
    if !converged || relative_residual.is_nan() || relative_residual > LYAPUNOV_RESIDUAL_MAX {
        return Err(FloatError::LyapunovNotConverged {
            iterations: doublings,
            residual: relative_residual,
        });
    }
    Ok(StationaryCovariance {
        covariance: sigma,
        relative_residual,
        doublings,
        spectral_radius_estimate: estimate,
    })
}

/// Relative residual ‖Σ − AΣAᵀ − Q‖_F / ‖Σ‖_F, or the absolute residual
/// ‖Q‖_F when Σ = 0.
pub fn lyapunov_residual(
    transition: MatRef<'_, f64>,
    noise: MatRef<'_, f64>,
    sigma: MatRef<'_, f64>,
) -> f64 {
    let residual = sigma - congruence(transition, sigma) - noise;
    let sigma_norm = sigma.norm_l2();
    if sigma_norm > 0.0 {
        residual.norm_l2() / sigma_norm
    } else {
        residual.norm_l2()
    }
}

/// Classifies an overflow of the doubling iteration: unstable when the
/// power-norm estimate of ρ(A) has reached 1, otherwise a plain overflow.
fn overflow_error(estimate: f64) -> FloatError {
    if estimate >= 1.0 {
        FloatError::Unstable {
            spectral_radius_estimate: estimate,
        }
    } else {
        FloatError::NonFinite {
            quantity: "stationary covariance Σ_∞",
            size: None,
        }
    }
}

/// ‖A^(2^k)‖_F^(1/2^k), an upper bound of ρ(A) by Gelfand's formula.
fn radius_estimate(power_norm: f64, doublings: usize) -> f64 {
    if power_norm == 0.0 {
        return 0.0;
    }
    let exponent = 0.5f64.powi(doublings as i32);
    (power_norm.ln() * exponent).exp()
}

/// M S Mᵀ.
pub(crate) fn congruence(m: MatRef<'_, f64>, s: MatRef<'_, f64>) -> Mat<f64> {
    m * s * m.transpose()
}

/// (X + Xᵀ)/2, which removes the rounding asymmetry of products.
pub(crate) fn symmetric_part(x: &Mat<f64>) -> Mat<f64> {
    Mat::from_fn(x.nrows(), x.ncols(), |i, j| 0.5 * (x[(i, j)] + x[(j, i)]))
}

fn check_square(
    argument: &'static str,
    matrix: MatRef<'_, f64>,
    dim: usize,
) -> Result<(), FloatError> {
    if matrix.nrows() != dim || matrix.ncols() != dim {
        return Err(FloatError::Dimension {
            argument,
            expected: format!("{dim}×{dim}"),
            found: format!("{}×{}", matrix.nrows(), matrix.ncols()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagonal(values: &[f64]) -> Mat<f64> {
        Mat::from_fn(values.len(), values.len(), |i, j| {
            if i == j { values[i] } else { 0.0 }
        })
    }

    #[test]
    fn stationary_diagonal_matches_geometric_series() {
        let a = diagonal(&[0.5, -0.9]);
        let q = diagonal(&[1.0, 2.0]);
        let solution = stationary_covariance(a.as_ref(), q.as_ref()).unwrap();
        let expected = [1.0 / (1.0 - 0.25), 2.0 / (1.0 - 0.81)];
        for (i, value) in expected.iter().enumerate() {
            let relative = (solution.covariance[(i, i)] - value).abs() / value;
            assert!(
                relative < 1e-14,
                "entry {i}: {} against {value}",
                solution.covariance[(i, i)]
            );
        }
        assert!(solution.relative_residual < 1e-15);
    }

    #[test]
    fn identity_transition_is_unstable() {
        let a = diagonal(&[1.0, 0.5]);
        let q = diagonal(&[1.0, 1.0]);
        let error = stationary_covariance(a.as_ref(), q.as_ref()).unwrap_err();
        assert!(matches!(error, FloatError::Unstable { .. }), "{error:?}");
    }

    #[test]
    fn zero_noise_gives_zero_covariance() {
        let a = diagonal(&[0.5, 0.5]);
        let q = diagonal(&[0.0, 0.0]);
        let solution = stationary_covariance(a.as_ref(), q.as_ref()).unwrap();
        assert_eq!(solution.covariance.norm_l2(), 0.0);
    }

    #[test]
    fn doubling_matches_recursion() {
        let a = Mat::from_fn(3, 3, |i, j| {
            [[0.6, 0.8, 0.0], [0.0, 0.5, 0.3], [0.0, -0.3, 0.5]][i][j]
        });
        let q = diagonal(&[0.5, 0.5, 0.5]);
        let initial = diagonal(&[1.0, 2.0, 3.0]);
        let step = STEP_RECURSION_MAX + 37;
        let doubled = covariance_at_step(a.as_ref(), q.as_ref(), initial.as_ref(), step).unwrap();
        let mut recursed = initial.clone();
        for _ in 1..step {
            recursed = congruence(a.as_ref(), recursed.as_ref()) + &q;
        }
        let difference = (&doubled - &recursed).norm_l2() / recursed.norm_l2();
        assert!(difference < 1e-13, "relative difference {difference}");
    }

    #[test]
    fn first_position_is_initial_covariance() {
        let a = diagonal(&[3.0]);
        let q = diagonal(&[1.0]);
        let initial = diagonal(&[2.0]);
        let sigma = covariance_at_step(a.as_ref(), q.as_ref(), initial.as_ref(), 1).unwrap();
        assert_eq!(sigma[(0, 0)], 2.0);
        let sigma = covariance_at_step(a.as_ref(), q.as_ref(), initial.as_ref(), 2).unwrap();
        assert_eq!(sigma[(0, 0)], 19.0);
    }

    #[test]
    fn unstable_far_position_overflows_with_typed_error() {
        let a = diagonal(&[2.0]);
        let q = diagonal(&[1.0]);
        let initial = diagonal(&[1.0]);
        let error =
            covariance_at_step(a.as_ref(), q.as_ref(), initial.as_ref(), 5_000).unwrap_err();
        assert!(matches!(error, FloatError::NonFinite { .. }), "{error:?}");
    }
}
