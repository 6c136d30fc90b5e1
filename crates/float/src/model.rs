//! A parameter set converted to `f64` matrices, with the size-independent
//! quantities of the model computed once.

use faer::{Mat, MatRef, Side};
use headrisk_model::number::{format_value, to_f64};
use headrisk_model::{
    BigRational, Family, NoiseSource, NoiselessSizes, ParameterSet, Position, RationalMatrix,
};

use crate::covariance::{covariance_at_step, stationary_covariance, symmetric_part};
use crate::error::{FloatError, check_finite, finite};

/// A parameter set prepared for floating-point evaluation.
///
/// Construction computes the token covariance Σ, its square root L with
/// Σ = L Lᵀ, the cross-covariance factor M = Σ Aᵀ Cᵀ, the output variance
/// tr Σ_y and the Bayes risk σ²_B. Every size-dependent quantity is then
/// d×d work plus the Gram matrix update (see [`Model::population`]).
///
/// Construction also takes from [`headrisk_model::noiseless_sizes`] the
/// sizes where σ²_p = 0 in exact arithmetic. Rounding cannot decide that:
/// a σ²_p that is zero in exact arithmetic can come out of f64 as a tiny
/// positive number, which would turn the finite risk at the interpolation
/// threshold into a divergent one.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) kind: ModelKind,
    pub(crate) noiseless: NoiselessSizes,
}

#[derive(Debug, Clone)]
pub(crate) enum ModelKind {
    Hmm(Box<HmmModel>),
    Isotropic(IsotropicModel),
}

/// The isotropic baseline: Σ_x = I_p, σ²_p = σ², s_p = r² for p ≥ 1.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IsotropicModel {
    /// σ² = tr Cov(e).
    pub(crate) noise: f64,
    /// r² = ‖B‖²_F.
    pub(crate) signal: f64,
    pub(crate) max_size: usize,
    pub(crate) outputs: usize,
}

/// The linear-Gaussian HMM in `f64`.
#[derive(Debug, Clone)]
pub(crate) struct HmmModel {
    pub(crate) dim: usize,
    pub(crate) outputs: usize,
    /// W, d×P.
    pub(crate) features: Mat<f64>,
    /// σ_u².
    pub(crate) representation_noise: f64,
    /// Σ, d×d.
    pub(crate) covariance: Mat<f64>,
    /// Relative Lyapunov residual when Σ = Σ_∞.
    pub(crate) lyapunov_residual: Option<f64>,
    /// L with Σ = L Lᵀ, from the eigendecomposition of Σ.
    pub(crate) covariance_root: Mat<f64>,
    /// M = Σ Aᵀ Cᵀ, d×k, so that Σ_xy = W_pᵀ M.
    pub(crate) cross: Mat<f64>,
    /// N = Lᵀ Aᵀ Cᵀ, d×k, so that Σ_xy = W_pᵀ L N and ‖N‖²_F = tr(C A Σ Aᵀ Cᵀ).
    pub(crate) root_cross: Mat<f64>,
    /// tr Σ_y = tr(C (A Σ Aᵀ + Q) Cᵀ).
    pub(crate) output_variance: f64,
    /// σ²_B = tr(C Q Cᵀ).
    pub(crate) bayes_risk: f64,
    /// ‖Σ‖_F / ‖Q‖_F, at least 1: the error amplification of the covariance.
    pub(crate) amplification: f64,
}

impl Model {
    /// Converts a validated parameter set and computes its covariance.
    ///
    /// For the HMM family, Σ is Σ_t from the recursion (see
    /// [`crate::covariance_at_step`]) or the stationary Σ_∞ (see
    /// [`crate::stationary_covariance`]). Σ = V diag(s) Vᵀ is then
    /// eigendecomposed and L = V diag(√max(s, 0)): rounding can leave
    /// eigenvalues of a positive semidefinite Σ slightly negative, and they
    /// are clamped to 0.
    ///
    /// # Errors
    /// [`FloatError::NonFiniteInput`] when an input has no finite `f64`
    /// value, [`FloatError::PositionOverflow`] when Σ_t overflows at the
    /// sampling position, [`FloatError::NonFinite`] when another
    /// intermediate overflows, [`FloatError::Parameters`] when the exact
    /// decision of the noiseless sizes is out of reach, and the errors of
    /// the covariance solvers.
    pub fn from_parameters(params: &ParameterSet) -> Result<Self, FloatError> {
        let kind = match &params.family {
            Family::Isotropic(isotropic) => {
                let noise = scalar("isotropic.noise", &isotropic.noise)?;
                let signal = scalar("isotropic.signal", &isotropic.signal)?;
                finite(noise + signal, "output variance σ² + r²", None)?;
                ModelKind::Isotropic(IsotropicModel {
                    noise,
                    signal,
                    max_size: isotropic.max_size,
                    outputs: isotropic.outputs,
                })
            }
            Family::Hmm(hmm) => ModelKind::Hmm(Box::new(HmmModel::new(hmm)?)),
        };
        let noiseless = headrisk_model::noiseless_sizes(params)?;
        Ok(Self { kind, noiseless })
    }

    /// Returns the sizes where σ²_p = 0 in exact arithmetic. At these sizes
    /// the population reports σ²_p = 0 exactly.
    pub fn noiseless_sizes(&self) -> NoiselessSizes {
        self.noiseless
    }

    /// Largest model size P: the number of feature columns, or `max_size`
    /// of the isotropic family.
    pub fn max_size(&self) -> usize {
        match &self.kind {
            ModelKind::Hmm(hmm) => hmm.features.ncols(),
            ModelKind::Isotropic(isotropic) => isotropic.max_size,
        }
    }

    /// Output dimension k.
    pub fn outputs(&self) -> usize {
        match &self.kind {
            ModelKind::Hmm(hmm) => hmm.outputs,
            ModelKind::Isotropic(isotropic) => isotropic.outputs,
        }
    }

    /// Token dimension d of the HMM family; `None` for the isotropic family.
    pub fn dim(&self) -> Option<usize> {
        match &self.kind {
            ModelKind::Hmm(hmm) => Some(hmm.dim),
            ModelKind::Isotropic(_) => None,
        }
    }

    /// tr Σ_y, the risk of the empty head (p = 0); σ² + r² for the
    /// isotropic family.
    pub fn output_variance(&self) -> f64 {
        match &self.kind {
            ModelKind::Hmm(hmm) => hmm.output_variance,
            ModelKind::Isotropic(isotropic) => isotropic.noise + isotropic.signal,
        }
    }

    /// Bayes risk σ²_B = tr(C Q Cᵀ), the risk given z_t itself; σ² for the
    /// isotropic family, the risk given x itself.
    pub fn bayes_risk(&self) -> f64 {
        match &self.kind {
            ModelKind::Hmm(hmm) => hmm.bayes_risk,
            ModelKind::Isotropic(isotropic) => isotropic.noise,
        }
    }

    /// Returns the token covariance Σ of the HMM family.
    pub fn token_covariance(&self) -> Option<MatRef<'_, f64>> {
        match &self.kind {
            ModelKind::Hmm(hmm) => Some(hmm.covariance.as_ref()),
            ModelKind::Isotropic(_) => None,
        }
    }

    /// Relative residual ‖Σ − AΣAᵀ − Q‖_F / ‖Σ‖_F when Σ is the stationary
    /// covariance; `None` at a finite position and for the isotropic family.
    pub fn lyapunov_residual(&self) -> Option<f64> {
        match &self.kind {
            ModelKind::Hmm(hmm) => hmm.lyapunov_residual,
            ModelKind::Isotropic(_) => None,
        }
    }
}

impl HmmModel {
    fn new(hmm: &headrisk_model::Hmm) -> Result<Self, FloatError> {
        let dim = hmm.dim;
        if dim == 0 {
            return Err(FloatError::Dimension {
                argument: "hmm.dim",
                expected: "d ≥ 1".into(),
                found: "0".into(),
            });
        }
        let transition = matrix("hmm.transition", &hmm.transition)?;
        let noise = noise_matrix(hmm)?;
        let initial = matrix("hmm.initial_covariance", &hmm.initial_covariance)?;
        let readout = matrix("hmm.readout", &hmm.readout)?;
        let representation_noise = scalar("hmm.representation_noise", &hmm.representation_noise)?;
        let features = feature_matrix(&hmm.features)?;
        check_shape("hmm.transition", &transition, dim, dim)?;
        check_shape("hmm.noise_covariance", &noise, dim, dim)?;
        check_shape("hmm.initial_covariance", &initial, dim, dim)?;
        check_shape("hmm.readout", &readout, readout.nrows(), dim)?;
        check_shape("hmm.features", &features, dim, features.ncols())?;

        let (covariance, lyapunov_residual) = match hmm.position {
            Position::Step(step) => (
                covariance_at_step(transition.as_ref(), noise.as_ref(), initial.as_ref(), step)
                    .map_err(|error| match error {
                        FloatError::NonFinite { .. } => FloatError::PositionOverflow { step },
                        other => other,
                    })?,
                None,
            ),
            Position::Stationary => {
                let solution = stationary_covariance(transition.as_ref(), noise.as_ref())?;
                (solution.covariance, Some(solution.relative_residual))
            }
        };
        let covariance_root = covariance_root(covariance.as_ref())?;

        let readout_transition = &readout * &transition;
        let cross = &covariance * readout_transition.transpose();
        check_finite(cross.as_ref(), "cross-covariance factor Σ Aᵀ Cᵀ", None)?;
        let root_cross = covariance_root.transpose() * readout_transition.transpose();
        check_finite(
            root_cross.as_ref(),
            "cross-covariance factor Lᵀ Aᵀ Cᵀ",
            None,
        )?;

        let bayes_risk = finite(
            trace(&(&readout * &noise * readout.transpose())),
            "Bayes risk tr(C Q Cᵀ)",
            None,
        )?;
        let predictable = &readout_transition * &covariance * readout_transition.transpose();
        let output_variance = finite(
            bayes_risk + trace(&predictable),
            "output variance tr Σ_y",
            None,
        )?;

        let noise_norm = noise.norm_l2();
        let amplification = if noise_norm > 0.0 {
            (covariance.norm_l2() / noise_norm).max(1.0)
        } else {
            1.0
        };

        Ok(Self {
            dim,
            outputs: readout.nrows(),
            features,
            representation_noise,
            covariance,
            lyapunov_residual,
            covariance_root,
            cross,
            root_cross,
            output_variance,
            bayes_risk,
            amplification,
        })
    }
}

/// L = V diag(√max(s, 0)) from Σ = V diag(s) Vᵀ.
fn covariance_root(covariance: MatRef<'_, f64>) -> Result<Mat<f64>, FloatError> {
    let symmetric = symmetric_part(&covariance.to_owned());
    let eigen =
        symmetric
            .self_adjoint_eigen(Side::Lower)
            .map_err(|_| FloatError::EigenNotConverged {
                quantity: "token covariance Σ",
                size: None,
            })?;
    let vectors = eigen.U();
    let values = eigen.S().column_vector();
    let root = Mat::from_fn(covariance.nrows(), covariance.ncols(), |i, j| {
        vectors[(i, j)] * values[j].max(0.0).sqrt()
    });
    check_finite(root.as_ref(), "square root of Σ", None)?;
    Ok(root)
}

fn check_shape(
    argument: &'static str,
    matrix: &Mat<f64>,
    n_rows: usize,
    n_cols: usize,
) -> Result<(), FloatError> {
    if matrix.nrows() != n_rows || matrix.ncols() != n_cols {
        return Err(FloatError::Dimension {
            argument,
            expected: format!("{n_rows}×{n_cols}"),
            found: format!("{}×{}", matrix.nrows(), matrix.ncols()),
        });
    }
    Ok(())
}

pub(crate) fn trace(matrix: &Mat<f64>) -> f64 {
    (0..matrix.nrows().min(matrix.ncols()))
        .map(|i| matrix[(i, i)])
        .sum()
}

fn scalar(field: &'static str, value: &BigRational) -> Result<f64, FloatError> {
    let converted = to_f64(value);
    if converted.is_finite() {
        Ok(converted)
    } else {
        Err(FloatError::NonFiniteInput {
            field,
            entry: None,
            value: format_value(value),
        })
    }
}

fn matrix(field: &'static str, matrix: &RationalMatrix) -> Result<Mat<f64>, FloatError> {
    let (n_rows, n_cols) = (matrix.n_rows(), matrix.n_cols());
    let entries = matrix.to_f64_row_major();
    if let Some(index) = entries.iter().position(|entry| !entry.is_finite()) {
        return Err(FloatError::NonFiniteInput {
            field,
            entry: Some((index / n_cols, index % n_cols)),
            value: format_value(&matrix.entries()[index]),
        });
    }
    Ok(Mat::from_fn(n_rows, n_cols, |i, j| entries[i * n_cols + j]))
}

/// Converts Q, naming the field of the file it was read from. With
/// `noise_variance = s`, Q = s·I is finite exactly when s is, so an
/// overflow names `hmm.noise_variance` with no matrix entry.
fn noise_matrix(hmm: &headrisk_model::Hmm) -> Result<Mat<f64>, FloatError> {
    let field = hmm.noise_source.field();
    let noise = matrix(field, &hmm.noise_covariance);
    match (hmm.noise_source, noise) {
        (NoiseSource::Variance, Err(FloatError::NonFiniteInput { field, value, .. })) => {
            Err(FloatError::NonFiniteInput {
                field,
                entry: None,
                value,
            })
        }
        (_, noise) => noise,
    }
}

fn feature_matrix(features: &headrisk_model::FeatureMatrix) -> Result<Mat<f64>, FloatError> {
    let (n_rows, n_cols) = (features.n_rows(), features.n_cols());
    let entries = features.to_f64_column_major();
    if let Some(index) = entries.iter().position(|entry| !entry.is_finite()) {
        let (row, col) = (index % n_rows, index / n_rows);
        return Err(FloatError::NonFiniteInput {
            field: "hmm.features.matrix",
            entry: Some((row, col)),
            value: format_value(&features.rational(row, col)),
        });
    }
    Ok(Mat::from_fn(n_rows, n_cols, |i, j| entries[j * n_rows + i]))
}
