//! The exact conditional risk R(Θ̂) = E‖y − Θ̂ᵀx‖² of a fitted head over a
//! fresh pair (x, y), independent of the training set. No test sample is
//! drawn: the expectation is evaluated in closed form.
//!
//! In trajectory mode the fresh pair is drawn, like in independent mode, with
//! z_t from the covariance Σ of the sampling position (Σ_t, or Σ_∞ at
//! stationarity). Only the training pairs are consecutive positions.

use std::sync::Arc;

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

use crate::error::SimulateError;
use crate::population::{HmmRiskTerms, product};
use crate::sample::SignalDirection;

/// How to evaluate the conditional risk of a head of size p.
#[derive(Debug, Clone)]
pub(crate) enum RiskModel {
    /// R(Θ̂) = tr Σ_y − 2 tr((W_pΘ̂)ᵀ M) + σ_u²‖Θ̂‖²_F + ‖Fᵀ W_pΘ̂‖²_F; see
    /// [`HmmRiskTerms`]. The empty head (p = 0) has risk tr Σ_y.
    Hmm {
        terms: HmmRiskTerms,
        /// W, d×P, shared with the sampler.
        features: Arc<Mat<f64>>,
    },
    /// R(Θ̂) = σ² + ‖Θ̂ − B_p‖²_F for p ≥ 1, because Σ_x = I_p and the noise
    /// e is independent of x. The empty head has risk σ² + r², since the
    /// target then carries signal r² that no feature explains.
    Isotropic {
        /// σ² = tr Cov(e).
        noise: f64,
        direction: SignalDirection,
    },
}

impl RiskModel {
    /// Returns R(Θ̂) for the head `theta` (p×k) of size p = `theta.nrows()`.
    ///
    /// # Errors
    /// [`SimulateError::NonFiniteRisk`] when the value overflows f64, and
    /// [`SimulateError::DegenerateSignalDirection`] from B_p.
    pub(crate) fn conditional_risk(&self, theta: MatRef<'_, f64>) -> Result<f64, SimulateError> {
        let size = theta.nrows();
        let risk = match self {
            RiskModel::Hmm { terms, features } => {
                let mut projected = Mat::zeros(features.nrows(), theta.ncols());
                matmul(
                    projected.as_mut(),
                    Accum::Replace,
                    features.get(.., ..size),
                    theta,
                    1.0,
                    Par::Seq,
                );
                let cross = inner_product(projected.as_ref(), terms.cross.as_ref());
                let spread =
                    product(terms.sigma_root.transpose(), projected.as_ref()).squared_norm_l2();
                terms.trace_sigma_y - 2.0 * cross
                    + terms.representation_noise * theta.squared_norm_l2()
                    + spread
            }
            RiskModel::Isotropic { noise, direction } => {
                if size == 0 {
                    noise + direction.signal()
                } else {
                    let coefficients = direction.coefficients(size)?;
                    let mut error_squared = 0.0;
                    for col in 0..theta.ncols() {
                        for row in 0..size {
                            let difference = theta[(row, col)] - coefficients[(row, col)];
                            error_squared += difference * difference;
                        }
                    }
                    noise + error_squared
                }
            }
        };
        if risk.is_finite() {
            Ok(risk)
        } else {
            Err(SimulateError::NonFiniteRisk { size, value: risk })
        }
    }
}

/// Returns tr(aᵀb) = Σ_ij a_ij b_ij.
fn inner_product(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
    let mut total = 0.0;
    for col in 0..a.ncols() {
        for row in 0..a.nrows() {
            total += a[(row, col)] * b[(row, col)];
        }
    }
    total
}
