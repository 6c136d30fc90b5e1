//! The few population quantities the simulator needs, computed in f64 from
//! the parameter set: the token covariance Σ at the sampling position,
//! square roots of covariances, and the terms of the conditional risk.
//!
//! They are computed here rather than taken from the float engine, so that
//! agreement between simulation and the engines is independent evidence.

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self, ComputeEigenvectors};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use headrisk_model::{BigRational, Hmm, NoiseSource, RationalMatrix, number};

use crate::error::SimulateError;
use crate::tolerance::{LYAPUNOV_MAX_DOUBLINGS, LYAPUNOV_TOLERANCE, NEGATIVE_EIGENVALUE_TOLERANCE};

/// Converts an exact matrix to f64, rejecting entries that overflow.
pub(crate) fn to_f64_matrix(
    field: &str,
    matrix: &RationalMatrix,
) -> Result<Mat<f64>, SimulateError> {
    let (n_rows, n_cols) = (matrix.n_rows(), matrix.n_cols());
    let entries = matrix.to_f64_row_major();
    if let Some(index) = entries.iter().position(|entry| !entry.is_finite()) {
        return Err(SimulateError::NotRepresentable {
            field: format!("{field}[{}][{}]", index / n_cols, index % n_cols),
            value: number::format_value(&matrix.entries()[index]),
        });
    }
    Ok(Mat::from_fn(n_rows, n_cols, |row, col| {
        entries[row * n_cols + col]
    }))
}

/// Converts Q to f64, naming the field of the file it was read from. With
/// `noise_variance = s`, Q = s·I overflows exactly when s does, so that case
/// names `hmm.noise_variance` with no matrix entry.
pub(crate) fn noise_to_f64_matrix(hmm: &Hmm) -> Result<Mat<f64>, SimulateError> {
    let field = hmm.noise_source.field();
    let noise = to_f64_matrix(field, &hmm.noise_covariance);
    match (hmm.noise_source, noise) {
        (NoiseSource::Variance, Err(SimulateError::NotRepresentable { value, .. })) => {
            Err(SimulateError::NotRepresentable {
                field: field.to_owned(),
                value,
            })
        }
        (_, noise) => noise,
    }
}

/// Converts an exact scalar to f64, rejecting values that overflow.
pub(crate) fn to_f64_scalar(field: &str, value: &BigRational) -> Result<f64, SimulateError> {
    let converted = number::to_f64(value);
    if converted.is_finite() {
        Ok(converted)
    } else {
        Err(SimulateError::NotRepresentable {
            field: field.to_owned(),
            value: number::format_value(value),
        })
    }
}

/// Returns the product `lhs · rhs`, computed sequentially so that the result
/// does not depend on the thread count.
pub(crate) fn product(lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::zeros(lhs.nrows(), rhs.ncols());
    matmul(out.as_mut(), Accum::Replace, lhs, rhs, 1.0, Par::Seq);
    out
}

/// Returns `a · s · aᵀ`, symmetrised.
fn congruence(a: MatRef<'_, f64>, s: MatRef<'_, f64>) -> Mat<f64> {
    symmetrize(product(product(a, s).as_ref(), a.transpose()).as_ref())
}

fn symmetrize(s: MatRef<'_, f64>) -> Mat<f64> {
    Mat::from_fn(s.nrows(), s.ncols(), |row, col| {
        0.5 * (s[(row, col)] + s[(col, row)])
    })
}

fn sum(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |row, col| {
        a[(row, col)] + b[(row, col)]
    })
}

fn is_finite(a: MatRef<'_, f64>) -> bool {
    (0..a.ncols()).all(|col| (0..a.nrows()).all(|row| a[(row, col)].is_finite()))
}

/// Computes Σ_t = A Σ_{t−1} Aᵀ + Q from Σ_1, for t ≥ 1.
///
/// The recursion is the affine map f(Σ) = AΣAᵀ + Q applied t − 1 times. It
/// is evaluated by binary powering of f, whose m-th power is
/// f^m(Σ) = A^m Σ (A^m)ᵀ + S_m with S_m = Σ_{j<m} A^j Q (A^j)ᵀ, so any
/// position up to 2⁶⁴ − 1 costs O(d³ log t).
///
/// # Errors
/// [`SimulateError::CovarianceOverflow`] when an entry overflows f64, which
/// happens for large t when ρ(A) > 1.
pub(crate) fn covariance_at_step(
    transition: MatRef<'_, f64>,
    noise: MatRef<'_, f64>,
    initial: MatRef<'_, f64>,
    position: u64,
) -> Result<Mat<f64>, SimulateError> {
    let overflow = SimulateError::CovarianceOverflow { position };
    let mut remaining = position.saturating_sub(1);
    let mut sigma = initial.to_owned();
    // (power, offset) is (A^m, S_m) for m = 2^i.
    let mut power = transition.to_owned();
    let mut offset = noise.to_owned();

    while remaining > 0 {
        if remaining & 1 == 1 {
            sigma = sum(
                congruence(power.as_ref(), sigma.as_ref()).as_ref(),
                offset.as_ref(),
            );
            if !is_finite(sigma.as_ref()) {
                return Err(overflow);
            }
        }
        remaining >>= 1;
        if remaining > 0 {
            offset = sum(
                congruence(power.as_ref(), offset.as_ref()).as_ref(),
                offset.as_ref(),
            );
            power = product(power.as_ref(), power.as_ref());
            if !is_finite(offset.as_ref()) || !is_finite(power.as_ref()) {
                return Err(overflow);
            }
        }
    }
    Ok(symmetrize(sigma.as_ref()))
}

/// Computes the stationary covariance Σ_∞, the solution of Σ = AΣAᵀ + Q,
/// by the doubling iteration S_{2m} = S_m + A^m S_m (A^m)ᵀ from S_1 = Q.
///
/// Each doubling costs O(d³) and converges quadratically when ρ(A) < 1. The
/// iteration stops when ‖A^m‖²_F ≤ [`LYAPUNOV_TOLERANCE`], which bounds the
/// relative truncation error of Σ_∞ (see that constant).
///
/// # Errors
/// [`SimulateError::LyapunovNotConverged`] when [`LYAPUNOV_MAX_DOUBLINGS`]
/// doublings do not reach the bound or an iterate overflows.
pub(crate) fn stationary_covariance(
    transition: MatRef<'_, f64>,
    noise: MatRef<'_, f64>,
) -> Result<Mat<f64>, SimulateError> {
    let mut sigma = noise.to_owned();
    let mut power = transition.to_owned();
    let mut remainder = f64::INFINITY;

    for _ in 0..LYAPUNOV_MAX_DOUBLINGS {
        remainder = power.squared_norm_l2();
        if remainder <= LYAPUNOV_TOLERANCE {
            return Ok(symmetrize(sigma.as_ref()));
        }
        if !remainder.is_finite() {
            break;
        }
        sigma = sum(
            sigma.as_ref(),
            congruence(power.as_ref(), sigma.as_ref()).as_ref(),
        );
        power = product(power.as_ref(), power.as_ref());
    }
    Err(SimulateError::LyapunovNotConverged {
        doublings: LYAPUNOV_MAX_DOUBLINGS,
        remainder,
    })
}

/// Computes a square root F of a symmetric positive semidefinite matrix S,
/// with F Fᵀ = S, from the eigendecomposition S = V diag(λ) Vᵀ as
/// F = V diag(√λ).
///
/// The eigendecomposition, unlike a Cholesky factor, also exists when S is
/// singular. Eigenvalues that are negative only by rounding (see
/// [`NEGATIVE_EIGENVALUE_TOLERANCE`]) are clamped to zero. Only the lower
/// triangle of S is read.
///
/// # Errors
/// [`SimulateError::NotPositiveSemidefinite`] for a clearly negative
/// eigenvalue, [`SimulateError::EigenDecompositionFailed`] when the solver
/// does not converge.
pub(crate) fn psd_square_root(
    name: &'static str,
    s: MatRef<'_, f64>,
) -> Result<Mat<f64>, SimulateError> {
    let dim = s.nrows();
    let mut eigenvalues = Diag::<f64>::zeros(dim);
    let mut eigenvectors = Mat::<f64>::zeros(dim, dim);
    let par = Par::Seq;
    let mut buffer = MemBuffer::new(evd::self_adjoint_evd_scratch::<f64>(
        dim,
        ComputeEigenvectors::Yes,
        par,
        Default::default(),
    ));
    evd::self_adjoint_evd(
        s,
        eigenvalues.as_mut(),
        Some(eigenvectors.as_mut()),
        par,
        MemStack::new(&mut buffer),
        Default::default(),
    )
    .map_err(|_| SimulateError::EigenDecompositionFailed { name })?;

    let values = eigenvalues.column_vector();
    let largest = (0..dim).map(|i| values[i].abs()).fold(0.0, f64::max);
    let mut roots = Vec::with_capacity(dim);
    for i in 0..dim {
        let eigenvalue = values[i];
        if !eigenvalue.is_finite() || eigenvalue < -NEGATIVE_EIGENVALUE_TOLERANCE * largest {
            return Err(SimulateError::NotPositiveSemidefinite {
                name,
                eigenvalue,
                largest,
            });
        }
        roots.push(eigenvalue.max(0.0).sqrt());
    }
    Ok(Mat::from_fn(dim, dim, |row, col| {
        eigenvectors[(row, col)] * roots[col]
    }))
}

/// The population terms of the conditional risk of an HMM head, with
/// Σ the token covariance at the sampling position:
///
/// R(Θ̂) = tr Σ_y − 2 tr((W_pΘ̂)ᵀ M) + σ_u²‖Θ̂‖²_F + ‖Fᵀ W_pΘ̂‖²_F,
///
/// where M = Σ Aᵀ Cᵀ (so Σ_xy = W_pᵀ M) and F Fᵀ = Σ. This is
/// tr Σ_y − 2 tr(Θ̂ᵀ Σ_xy) + tr(Θ̂ᵀ Σ_x Θ̂) with Σ_x = W_pᵀ Σ W_p + σ_u² I_p,
/// exact for any Θ̂ and never forming a p×p matrix.
#[derive(Debug, Clone)]
pub(crate) struct HmmRiskTerms {
    /// tr Σ_y = tr(C (A Σ Aᵀ + Q) Cᵀ).
    pub trace_sigma_y: f64,
    /// M = Σ Aᵀ Cᵀ, d×k.
    pub cross: Mat<f64>,
    /// A square root F of Σ, d×d, with F Fᵀ = Σ.
    pub sigma_root: Mat<f64>,
    /// σ_u².
    pub representation_noise: f64,
}

impl HmmRiskTerms {
    /// Computes the terms from Σ, A, Q and C.
    pub(crate) fn new(
        sigma: MatRef<'_, f64>,
        sigma_root: Mat<f64>,
        transition: MatRef<'_, f64>,
        noise: MatRef<'_, f64>,
        readout: MatRef<'_, f64>,
        representation_noise: f64,
    ) -> Self {
        let cross = product(
            product(sigma, transition.transpose()).as_ref(),
            readout.transpose(),
        );
        let next = sum(congruence(transition, sigma).as_ref(), noise);
        let sigma_y = congruence(readout, next.as_ref());
        let trace_sigma_y = (0..sigma_y.nrows()).map(|i| sigma_y[(i, i)]).sum();
        Self {
            trace_sigma_y,
            cross,
            sigma_root,
            representation_noise,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(values: &[f64]) -> Mat<f64> {
        Mat::from_fn(values.len(), values.len(), |row, col| {
            if row == col { values[row] } else { 0.0 }
        })
    }

    fn max_difference(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
        let mut largest = 0.0f64;
        for col in 0..a.ncols() {
            for row in 0..a.nrows() {
                largest = largest.max((a[(row, col)] - b[(row, col)]).abs());
            }
        }
        largest
    }

    fn test_transition() -> Mat<f64> {
        Mat::from_fn(3, 3, |row, col| {
            [[0.6, 0.8, 0.0], [0.0, 0.5, 0.3], [0.0, -0.3, 0.5]][row][col]
        })
    }

    #[test]
    fn step_covariance_matches_plain_recursion() {
        let a = test_transition();
        let q = diag(&[0.5, 0.25, 1.0]);
        let sigma_1 = diag(&[2.0, 1.0, 0.5]);
        for position in [1u64, 2, 5, 37, 64] {
            let mut expected = sigma_1.clone();
            for _ in 1..position {
                expected = sum(
                    congruence(a.as_ref(), expected.as_ref()).as_ref(),
                    q.as_ref(),
                );
            }
            let powered =
                covariance_at_step(a.as_ref(), q.as_ref(), sigma_1.as_ref(), position).unwrap();
            let distance = max_difference(powered.as_ref(), expected.as_ref());
            assert!(distance < 1e-12, "t = {position}: distance {distance:e}");
        }
    }

    #[test]
    fn stationary_covariance_solves_lyapunov() {
        let a = test_transition();
        let q = diag(&[0.5, 0.5, 0.5]);
        let sigma = stationary_covariance(a.as_ref(), q.as_ref()).unwrap();
        let image = sum(congruence(a.as_ref(), sigma.as_ref()).as_ref(), q.as_ref());
        let distance = max_difference(sigma.as_ref(), image.as_ref());
        assert!(distance < 1e-13, "Lyapunov residual {distance:e}");
    }

    #[test]
    fn stationary_covariance_of_diagonal_chain() {
        // A = diag(1/2, 1/3), Q = I: Σ_∞ = diag(4/3, 9/8).
        let sigma =
            stationary_covariance(diag(&[0.5, 1.0 / 3.0]).as_ref(), diag(&[1.0, 1.0]).as_ref())
                .unwrap();
        let distance = max_difference(sigma.as_ref(), diag(&[4.0 / 3.0, 9.0 / 8.0]).as_ref());
        assert!(distance < 1e-15, "distance {distance:e}");
    }

    #[test]
    fn unstable_position_overflows() {
        let a = diag(&[10.0]);
        let q = diag(&[1.0]);
        let result = covariance_at_step(a.as_ref(), q.as_ref(), q.as_ref(), u64::MAX);
        assert_eq!(
            result.unwrap_err(),
            SimulateError::CovarianceOverflow { position: u64::MAX }
        );
    }

    #[test]
    fn square_root_of_singular_covariance() {
        // Rank one: S = v vᵀ with v = (1, 2, 0).
        let v = [1.0, 2.0, 0.0];
        let s = Mat::from_fn(3, 3, |row, col| v[row] * v[col]);
        let root = psd_square_root("S", s.as_ref()).unwrap();
        let rebuilt = product(root.as_ref(), root.transpose());
        let distance = max_difference(rebuilt.as_ref(), s.as_ref());
        assert!(distance < 1e-14, "distance {distance:e}");
    }

    #[test]
    fn square_root_rejects_indefinite() {
        let s = diag(&[1.0, -0.5]);
        let error = psd_square_root("S", s.as_ref()).unwrap_err();
        assert!(
            matches!(error, SimulateError::NotPositiveSemidefinite { eigenvalue, .. } if eigenvalue == -0.5)
        );
    }
}
