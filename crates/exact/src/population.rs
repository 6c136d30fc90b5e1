//! Population quantities of the HMM family at model size p, exactly.
//!
//! With Σ the token covariance, W_p the first p feature columns, σ_u² the
//! representation noise, C the readout and Q the innovation covariance:
//!
//!   Σ_x  = W_pᵀ Σ W_p + σ_u² I_p          Σ_xy = W_pᵀ M,  M = Σ Aᵀ Cᵀ (d×k)
//!   Σ_y  = C (A Σ Aᵀ + Q) Cᵀ              Θ*   = Σ_x⁻¹ Σ_xy
//!   Σ_ξ  = Σ_y − Σ_xyᵀ Σ_x⁻¹ Σ_xy         σ²_p = tr Σ_ξ,  s_p = tr(Θ*ᵀ Σ_x Θ*)
//!   σ²_B = tr(C Q Cᵀ)
//!
//! Low-rank path (σ_u² > 0). Write G_p = W_p W_pᵀ (d×d) and
//! S_p = σ_u² I_d + Σ G_p. From W_pᵀ S_p = (σ_u² I_p + W_pᵀ Σ W_p) W_pᵀ,
//! every rational function g satisfies g(Σ_x) W_pᵀ = W_pᵀ g(S_p) (the
//! push-through identity), hence with H_p = S_p⁻¹ M (d×k):
//!
//!   Θ* = W_pᵀ H_p,   Σ_xyᵀ Σ_x⁻¹ Σ_xy = Mᵀ G_p H_p,   ‖Θ*‖²_F = tr(H_pᵀ G_p H_p).
//!
//! S_p is invertible because Σ G_p has the non-negative eigenvalues of
//! G_p^{1/2} Σ G_p^{1/2}. The cost per size is O(d³) after G_p, which a
//! sorted size grid updates by one rank-one term per new column.
//!
//! Direct path. Σ_x is formed as a p×p matrix and solved by Bareiss
//! elimination, O(p³). It serves σ_u² = 0 (then p ≤ rank W_p ≤ d) and the
//! cross-checks of the low-rank path.

use headrisk_model::{Family, FeatureMatrix, Hmm, ParameterSet};
use num_rational::BigRational;
use num_traits::Zero;

use crate::covariance::token_covariance;
use crate::error::ExactError;
use crate::isotropic;
use crate::matrix::Matrix;

/// The scalar population quantities at one model size p, and Σ_ξ.
///
/// Exact. For p = 0 the empty head captures nothing: σ²_0 = tr Σ_y, s_0 = 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationPoint {
    /// Model size p.
    pub size: usize,
    /// Irreducible risk σ²_p = tr Σ_ξ.
    pub irreducible: BigRational,
    /// Captured signal s_p = tr(Θ*ᵀ Σ_x Θ*) = tr Σ_y − σ²_p.
    pub signal: BigRational,
    /// Squared Frobenius norm ‖Θ*‖²_F of the best linear head.
    pub head_norm_squared: BigRational,
    /// The scalar c when Σ_x = c·I_p exactly, which the closed form of the
    /// ridgeless risk for p ≥ n + 2 needs; `None` otherwise and for p = 0.
    pub isotropic_scale: Option<BigRational>,
    /// Residual covariance Σ_ξ (k×k); `None` for the isotropic family at
    /// p = 0, where Σ_y depends on the direction of B.
    pub residual_covariance: Option<Matrix>,
}

/// The p×p population matrices at one size, from the direct path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationMatrices {
    /// Feature covariance Σ_x (p×p).
    pub feature_covariance: Matrix,
    /// Cross covariance Σ_xy = E[x yᵀ] (p×k).
    pub cross_covariance: Matrix,
    /// Best linear head Θ* = Σ_x⁻¹ Σ_xy (p×k).
    pub optimal_head: Matrix,
}

/// The low-rank factors at one size: S_p = σ_u² I_d + Σ G_p, G_p and
/// H_p = S_p⁻¹ M.
#[derive(Debug, Clone)]
pub(crate) struct LowRankFactors {
    pub size: usize,
    pub noise: BigRational,
    pub spike: Matrix,
    pub gram: Matrix,
    pub head_factor: Matrix,
}

/// Factors behind the quantities at one size, kept for the enclosures.
#[derive(Debug, Clone)]
pub(crate) enum SizeFactors {
    Empty,
    LowRank(LowRankFactors),
    Direct(PopulationMatrices),
}

/// The size-independent quantities of one HMM, computed once.
#[derive(Debug, Clone)]
pub struct HmmPopulation<'a> {
    hmm: &'a Hmm,
    sigma: Matrix,
    cross_factor: Matrix,
    sigma_y: Matrix,
    target_trace: BigRational,
    bayes_risk: BigRational,
}

impl<'a> HmmPopulation<'a> {
    /// Computes Σ, M = Σ Aᵀ Cᵀ, Σ_y, tr Σ_y and σ²_B.
    ///
    /// # Errors
    /// As [`crate::covariance::token_covariance`].
    pub fn new(hmm: &'a Hmm) -> Result<Self, ExactError> {
        let sigma = token_covariance(hmm)?;
        let transition = Matrix::from(&hmm.transition);
        let readout = Matrix::from(&hmm.readout);
        let noise = Matrix::from(&hmm.noise_covariance);

        let cross_factor = sigma
            .product(&transition.transpose())?
            .product(&readout.transpose())?;
        let next_covariance = transition
            .product(&sigma)?
            .product(&transition.transpose())?
            .sum(&noise)?;
        let sigma_y = readout
            .product(&next_covariance)?
            .product(&readout.transpose())?;
        let target_trace = sigma_y.trace()?;
        let bayes_risk = readout
            .product(&noise)?
            .product(&readout.transpose())?
            .trace()?;

        Ok(Self {
            hmm,
            sigma,
            cross_factor,
            sigma_y,
            target_trace,
            bayes_risk,
        })
    }

    /// Token covariance Σ at the sampling position (d×d).
    pub fn token_covariance(&self) -> &Matrix {
        &self.sigma
    }

    /// Target covariance Σ_y = C (A Σ Aᵀ + Q) Cᵀ (k×k).
    pub fn target_covariance(&self) -> &Matrix {
        &self.sigma_y
    }

    /// M = Σ Aᵀ Cᵀ (d×k), so that Σ_xy = W_pᵀ M.
    pub fn cross_factor(&self) -> &Matrix {
        &self.cross_factor
    }

    /// tr Σ_y, the risk of the empty head.
    pub fn target_trace(&self) -> &BigRational {
        &self.target_trace
    }

    /// Bayes risk σ²_B = tr(C Q Cᵀ) of a predictor given z_t itself.
    pub fn bayes_risk(&self) -> &BigRational {
        &self.bayes_risk
    }

    /// Representation noise σ_u².
    pub fn representation_noise(&self) -> &BigRational {
        &self.hmm.representation_noise
    }

    /// Computes the population quantities at size p, on the low-rank path
    /// when σ_u² > 0 and on the direct path otherwise.
    ///
    /// # Errors
    /// [`ExactError::SizeBeyondFeatures`] when p exceeds the columns of W,
    /// and [`ExactError::SingularFeatureCovariance`] when σ_u² = 0 and Σ_x
    /// is singular.
    pub fn at_size(&self, size: usize) -> Result<PopulationPoint, ExactError> {
        Ok(self.curve(&[size])?.remove(0))
    }

    /// Computes the population quantities along a strictly increasing size
    /// grid, with G_p updated column by column, so the whole grid costs
    /// O(P d² + (number of sizes)·d³) rational operations for σ_u² > 0.
    ///
    /// # Errors
    /// [`ExactError::SizesNotIncreasing`] and the errors of
    /// [`HmmPopulation::at_size`].
    pub fn curve(&self, sizes: &[usize]) -> Result<Vec<PopulationPoint>, ExactError> {
        Ok(self
            .factors_along(sizes)?
            .into_iter()
            .map(|(point, _)| point)
            .collect())
    }

    /// Computes the population quantities at size p through the p×p
    /// matrices, and returns those matrices too.
    ///
    /// Exact, O(p³) for the solve with Σ_x. Intended for small p and for
    /// cross-checks of the low-rank path.
    ///
    /// # Errors
    /// As [`HmmPopulation::at_size`].
    pub fn direct_at_size(
        &self,
        size: usize,
    ) -> Result<(PopulationPoint, PopulationMatrices), ExactError> {
        check_sizes(&[size], self.hmm.features.n_cols())?;
        let w = Matrix::from(&self.hmm.features.leading_columns(size));
        let noise = &self.hmm.representation_noise;

        let sigma_x = w
            .transpose()
            .product(&self.sigma)?
            .product(&w)?
            .shift_diagonal(noise)?;
        let sigma_xy = w.transpose().product(&self.cross_factor)?;
        // Σ_x ⪰ σ_u² I, so it can be singular only when σ_u² = 0.
        let theta_star = sigma_x.solve(&sigma_xy).map_err(|error| match error {
            ExactError::Singular { .. } => ExactError::SingularFeatureCovariance { size },
            other => other,
        })?;

        let captured = sigma_xy.transpose().product(&theta_star)?;
        let sigma_xi = self.sigma_y.difference(&captured)?;
        let point = PopulationPoint {
            size,
            irreducible: sigma_xi.trace()?,
            signal: theta_star
                .transpose()
                .product(&sigma_x)?
                .product(&theta_star)?
                .trace()?,
            head_norm_squared: theta_star.frobenius_norm_squared(),
            isotropic_scale: sigma_x.scaled_identity_factor(),
            residual_covariance: Some(sigma_xi),
        };
        let matrices = PopulationMatrices {
            feature_covariance: sigma_x,
            cross_covariance: sigma_xy,
            optimal_head: theta_star,
        };
        Ok((point, matrices))
    }

    /// Computes the best linear head Θ* (p×k) at size p, as W_pᵀ H_p on the
    /// low-rank path or Σ_x⁻¹ Σ_xy on the direct path.
    ///
    /// # Errors
    /// As [`HmmPopulation::at_size`].
    pub fn optimal_head(&self, size: usize) -> Result<Matrix, ExactError> {
        let (_, factors) = self.factors_along(&[size])?.remove(0);
        match factors {
            SizeFactors::Empty => Ok(Matrix::zeros(0, self.sigma_y.n_rows())),
            SizeFactors::Direct(matrices) => Ok(matrices.optimal_head),
            SizeFactors::LowRank(low_rank) => {
                let w = Matrix::from(&self.hmm.features.leading_columns(size));
                w.transpose().product(&low_rank.head_factor)
            }
        }
    }

    /// Computes the population quantities and the factors behind them along
    /// a strictly increasing size grid.
    pub(crate) fn factors_along(
        &self,
        sizes: &[usize],
    ) -> Result<Vec<(PopulationPoint, SizeFactors)>, ExactError> {
        check_sizes(sizes, self.hmm.features.n_cols())?;
        let low_rank = !self.hmm.representation_noise.is_zero();
        let mut gram = GramAccumulator::new(&self.hmm.features);
        let mut result = Vec::with_capacity(sizes.len());

        for &size in sizes {
            if size == 0 {
                result.push((self.empty_point(), SizeFactors::Empty));
            } else if low_rank {
                gram.advance_to(size);
                let (point, factors) = self.low_rank_at(size, gram.gram())?;
                result.push((point, SizeFactors::LowRank(factors)));
            } else {
                let (point, matrices) = self.direct_at_size(size)?;
                result.push((point, SizeFactors::Direct(matrices)));
            }
        }
        Ok(result)
    }

    fn empty_point(&self) -> PopulationPoint {
        PopulationPoint {
            size: 0,
            irreducible: self.target_trace.clone(),
            signal: BigRational::zero(),
            head_norm_squared: BigRational::zero(),
            isotropic_scale: None,
            residual_covariance: Some(self.sigma_y.clone()),
        }
    }

    /// Runs the low-rank path at size p ≥ 1 with σ_u² > 0 and G_p given.
    fn low_rank_at(
        &self,
        size: usize,
        gram: &Matrix,
    ) -> Result<(PopulationPoint, LowRankFactors), ExactError> {
        let noise = &self.hmm.representation_noise;
        let sigma_g = self.sigma.product(gram)?;
        let spike = sigma_g.shift_diagonal(noise)?;
        let head_factor = spike
            .solve(&self.cross_factor)
            .map_err(|error| error.naming_matrix(format!("σ_u² I + Σ G_p at size p = {size}")))?;

        let gram_head = gram.product(&head_factor)?;
        let captured = self.cross_factor.transpose().product(&gram_head)?;
        let sigma_xi = self.sigma_y.difference(&captured)?;
        let signal = captured.trace()?;
        let head_norm_squared = head_factor.frobenius_inner(&gram_head)?;

        // W_pᵀ Σ W_p = c I_p forces c = 0 once p exceeds its rank ≤ d, and
        // W_pᵀ Σ W_p = 0 exactly when Σ G_p = 0.
        let isotropic_scale = if size > self.hmm.dim {
            sigma_g.is_zero().then(|| noise.clone())
        } else {
            let w = Matrix::from(&self.hmm.features.leading_columns(size));
            let spike_p = w.transpose().product(&self.sigma)?.product(&w)?;
            spike_p
                .scaled_identity_factor()
                .map(|factor| factor + noise)
        };

        let point = PopulationPoint {
            size,
            irreducible: sigma_xi.trace()?,
            signal,
            head_norm_squared,
            isotropic_scale,
            residual_covariance: Some(sigma_xi),
        };
        let factors = LowRankFactors {
            size,
            noise: noise.clone(),
            spike,
            gram: gram.clone(),
            head_factor,
        };
        Ok((point, factors))
    }
}

/// G_p = W_p W_pᵀ along increasing p, one rank-one update per column.
struct GramAccumulator<'a> {
    features: &'a FeatureMatrix,
    next_column: usize,
    gram: Matrix,
}

impl<'a> GramAccumulator<'a> {
    fn new(features: &'a FeatureMatrix) -> Self {
        let dim = features.n_rows();
        Self {
            features,
            next_column: 0,
            gram: Matrix::zeros(dim, dim),
        }
    }

    /// Adds w_j w_jᵀ for every column j below `size` not yet added. The
    /// caller passes non-decreasing sizes within the matrix.
    fn advance_to(&mut self, size: usize) {
        let dim = self.features.n_rows();
        while self.next_column < size {
            let column = self.features.column(self.next_column);
            for row in 0..dim {
                for col in row..dim {
                    let term = &column[row] * &column[col];
                    *self.gram.entry_mut(row, col) += &term;
                    if row != col {
                        *self.gram.entry_mut(col, row) += term;
                    }
                }
            }
            self.next_column += 1;
        }
    }

    fn gram(&self) -> &Matrix {
        &self.gram
    }
}

/// Checks that `sizes` increase strictly and fit in `columns` feature columns.
pub(crate) fn check_sizes(sizes: &[usize], columns: usize) -> Result<(), ExactError> {
    for (index, pair) in sizes.windows(2).enumerate() {
        if pair[1] <= pair[0] {
            return Err(ExactError::SizesNotIncreasing {
                index: index + 1,
                size: pair[1],
                previous: pair[0],
            });
        }
    }
    if let Some(&size) = sizes.iter().find(|&&size| size > columns) {
        return Err(ExactError::SizeBeyondFeatures { size, columns });
    }
    Ok(())
}

/// Computes the population quantities of either family along a strictly
/// increasing size grid.
///
/// # Errors
/// As [`HmmPopulation::new`] and [`HmmPopulation::curve`] for the HMM
/// family; [`ExactError::SizesNotIncreasing`] and
/// [`ExactError::SizeBeyondFeatures`] for the isotropic family.
pub fn population_curve(
    params: &ParameterSet,
    sizes: &[usize],
) -> Result<Vec<PopulationPoint>, ExactError> {
    match &params.family {
        Family::Hmm(hmm) => HmmPopulation::new(hmm)?.curve(sizes),
        Family::Isotropic(family) => {
            check_sizes(sizes, family.max_size)?;
            Ok(sizes
                .iter()
                .map(|&size| isotropic::population_point(family, size))
                .collect())
        }
    }
}
