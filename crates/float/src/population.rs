//! Population quantities at model size p, by the low-rank path (d×d work
//! per size) and by the dense path (p×p matrices, for cross-checks).

use faer::linalg::matmul::matmul;
use faer::prelude::Solve;
use faer::{Accum, Mat, MatRef, Par, Side};

use crate::error::{FloatError, check_finite, finite};
use crate::model::{HmmModel, IsotropicModel, Model, ModelKind, trace};
use crate::spectrum::{SpectralGroup, Spectrum};
use crate::tolerance::{DENSE_SIZE_LIMIT, RANK_TOLERANCE_FACTOR};

/// Population quantities at model size p.
///
/// # Formula
///
/// ```text
/// Σ_x  = W_pᵀ Σ W_p + σ_u² I_p
/// Σ_xy = W_pᵀ Σ Aᵀ Cᵀ
/// σ²_p = tr(Σ_y − Σ_xyᵀ Σ_x⁻¹ Σ_xy)
/// s_p  = tr(Θ*ᵀ Σ_x Θ*) = tr Σ_y − σ²_p,   Θ* = Σ_x⁻¹ Σ_xy
/// ```
///
/// For the isotropic family Σ_x = I_p, σ²_p = σ² and s_p = r² for p ≥ 1,
/// and σ²_0 = σ² + r².
///
/// # Regime and accuracy
/// Exact formulas of the jointly Gaussian (x, y), valid for every p ≥ 0
/// with Σ_x positive definite, evaluated in `f64`. See [`crate::tolerance::float_exact_tolerance`] for
/// the expected agreement with exact arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Population {
    /// Model size p.
    pub size: usize,
    /// Irreducible risk σ²_p = tr Σ_ξ.
    pub irreducible: f64,
    /// Signal s_p captured at size p.
    pub signal: f64,
    /// tr Σ_y.
    pub output_variance: f64,
    /// σ²_B = tr(C Q Cᵀ).
    pub bayes_risk: f64,
    /// Estimated relative error amplification: cond(Σ_x) times ‖Σ‖_F/‖Q‖_F.
    /// An estimate, not a bound.
    pub condition_estimate: f64,
}

/// Population quantities and the spectrum of Σ_x at one size.
#[derive(Debug, Clone)]
pub(crate) struct SizeAnalysis {
    pub(crate) population: Population,
    pub(crate) spectrum: Spectrum,
}

impl Model {
    /// Computes the population quantities at size p by the low-rank path.
    ///
    /// Σ_x is never formed: the cost is O(p d²) for the Gram matrix
    /// G_p = W_p W_pᵀ plus O(d³) for one symmetric eigendecomposition.
    /// See [`Model::population_curve`] for the derivation.
    ///
    /// # Errors
    /// [`FloatError::SizeBeyondFeatures`], [`FloatError::NonFinite`],
    /// [`FloatError::EigenNotConverged`], and, when σ_u² = 0,
    /// [`FloatError::SingularFeatureCovariance`].
    pub fn population(&self, size: usize) -> Result<Population, FloatError> {
        Ok(self.population_curve(&[size])?.remove(0))
    }

    /// Computes the population quantities for every size of `sizes`, in the
    /// order given.
    ///
    /// The sizes are processed in increasing order and G_p = W_p W_pᵀ is
    /// updated by the new columns only, so the whole curve costs
    /// O(P d² + |sizes| d³) for the largest size P.
    ///
    /// # Low-rank formula
    /// Let Σ = L Lᵀ and B = W_pᵀ L (p×d), so that Σ_x = σ_u² I_p + B Bᵀ and
    /// Σ_xy = B N with N = Lᵀ Aᵀ Cᵀ. The d×d matrix H = Bᵀ B = Lᵀ G_p L has
    /// eigenvalues μ_j with orthonormal eigenvectors U. Only the m = min(p, d)
    /// largest μ_j can be non-zero, since rank H ≤ min(p, d); the others are
    /// set to 0. For μ_j > 0, v_j = B u_j / √μ_j are orthonormal and
    /// Σ_x v_j = (σ_u² + μ_j) v_j, so Σ_x has the spike eigenvalues
    /// ℓ_j = σ_u² + μ_j and the eigenvalue σ_u² on the p − m remaining
    /// directions. Θ* = Σ_x⁻¹ B N = Σ_j v_j (√μ_j / ℓ_j) u_jᵀ N lies in the
    /// span of the v_j, inside range(W_pᵀ). Hence, for any function f,
    /// tr(Θ*ᵀ f(Σ_x) Θ*) = Σ_j c_j μ_j f(ℓ_j) / ℓ_j² with c_j the squared norm
    /// of row j of UᵀN, and
    ///
    /// ```text
    /// s_p  = Σ_j e_j,   e_j = c_j μ_j / ℓ_j
    /// σ²_p = tr Σ_y − s_p = σ²_B + Σ_j c_j σ_u² / ℓ_j + Σ_{μ_j = 0} c_j
    /// ```
    ///
    /// using tr Σ_y = σ²_B + ‖N‖²_F and Σ_j c_j = ‖N‖²_F. σ²_p is a sum of
    /// non-negative terms, so it has no cancellation even when it is far
    /// below tr Σ_y. The deterministic equivalent uses the same e_j:
    /// tr(Θ*ᵀ Σ_x (Σ_x + κI)⁻² Θ*) = Σ_j e_j / (ℓ_j + κ)².
    ///
    /// With σ_u² = 0 a valid parameter set has p ≤ rank W_p ≤ d, so m = p and
    /// every kept μ_j must be positive. A kept μ_j below the threshold of
    /// [`crate::tolerance::RANK_TOLERANCE_FACTOR`] makes Σ_x singular.
    ///
    /// # Errors
    /// As [`Model::population`].
    pub fn population_curve(&self, sizes: &[usize]) -> Result<Vec<Population>, FloatError> {
        let analyses = self.analyse_sizes(sizes)?;
        Ok(analyses
            .into_iter()
            .map(|analysis| analysis.population)
            .collect())
    }

    /// Computes the spectrum of Σ_x at size p by the low-rank path: the
    /// m = min(p, d) spike eigenvalues σ_u² + μ_j and the bulk σ_u² with
    /// multiplicity p − m.
    ///
    /// # Errors
    /// As [`Model::population`].
    pub fn spectrum(&self, size: usize) -> Result<Spectrum, FloatError> {
        Ok(self.analyse_sizes(&[size])?.remove(0).spectrum)
    }

    /// Computes the population quantities at size p by the dense path,
    /// which forms the p×p matrices Σ_x and Σ_xy and solves with a Cholesky
    /// factorisation. It exists to cross-check the low-rank path.
    ///
    /// For the isotropic family Σ_x = I_p has no structure to exploit, and
    /// both paths return the same closed form.
    ///
    /// # Errors
    /// [`FloatError::DenseSizeTooLarge`] above
    /// [`crate::tolerance::DENSE_SIZE_LIMIT`],
    /// [`FloatError::SingularFeatureCovariance`] when the Cholesky
    /// factorisation fails, and the errors of [`Model::population`].
    pub fn population_dense(&self, size: usize) -> Result<Population, FloatError> {
        Ok(self.analyse_dense(size)?.population)
    }

    /// Computes the spectrum of Σ_x by a p×p symmetric eigendecomposition,
    /// with signal energies e_i = ℓ_i ‖v_iᵀ Θ*‖² from the dense Θ*.
    ///
    /// # Errors
    /// As [`Model::population_dense`].
    pub fn spectrum_dense(&self, size: usize) -> Result<Spectrum, FloatError> {
        Ok(self.analyse_dense(size)?.spectrum)
    }

    /// Computes the signal s_p = tr(Σ_xyᵀ Σ_x⁻¹ Σ_xy) through the push-through
    /// identity, a second low-rank algorithm for cross-checks.
    ///
    /// # Formula
    /// With G_p = W_p W_pᵀ and M = Σ Aᵀ Cᵀ (d×k), Σ_xy = W_pᵀ M, and
    /// W_p (σ_u² I_p + W_pᵀ Σ W_p)⁻¹ W_pᵀ = (σ_u² I_d + G_p Σ)⁻¹ G_p because
    /// W_p (σ_u² I_p + W_pᵀ Σ W_p) = (σ_u² I_d + G_p Σ) W_p. Hence
    ///
    /// ```text
    /// s_p = tr(Mᵀ (σ_u² I_d + G_p Σ)⁻¹ G_p M)
    /// ```
    ///
    /// solved by an LU factorisation with partial pivoting of the d×d
    /// matrix. For σ_u² = 0 the d×d matrix is singular once p < d, and the
    /// model guarantees p ≤ rank W_p ≤ d, so the dense p×p solve is used.
    ///
    /// # Errors
    /// As [`Model::population`].
    pub fn signal_push_through(&self, size: usize) -> Result<f64, FloatError> {
        let hmm = match &self.kind {
            ModelKind::Isotropic(isotropic) => {
                return Ok(isotropic_population(isotropic, size)?.signal);
            }
            ModelKind::Hmm(hmm) => hmm,
        };
        check_size(size, hmm.features.ncols())?;
        if hmm.representation_noise == 0.0 {
            return Ok(self.population_dense(size)?.signal);
        }

        let mut gram = GramAccumulator::new(hmm.features.as_ref());
        gram.advance_to(size);
        let gram = gram.gram;
        check_finite(gram.as_ref(), "feature Gram matrix G_p", Some(size))?;

        let dim = hmm.dim;
        let shifted = Mat::<f64>::identity(dim, dim) * faer::Scale(hmm.representation_noise)
            + &gram * &hmm.covariance;
        let right_side = &gram * &hmm.cross;
        let solution = shifted.partial_piv_lu().solve(&right_side);
        let signal = trace(&(hmm.cross.transpose() * &solution));
        finite(signal, "signal s_p", Some(size))
    }

    /// Runs the low-rank analysis at every size, sorted internally so that
    /// G_p only grows, and returns the results in the order of `sizes`.
    pub(crate) fn analyse_sizes(&self, sizes: &[usize]) -> Result<Vec<SizeAnalysis>, FloatError> {
        let max_size = self.max_size();
        if let Some(&size) = sizes.iter().find(|&&size| size > max_size) {
            return Err(FloatError::SizeBeyondFeatures {
                size,
                columns: max_size,
            });
        }
        let hmm = match &self.kind {
            ModelKind::Isotropic(isotropic) => {
                return sizes
                    .iter()
                    .map(|&size| Ok(self.exact_zero(isotropic_analysis(isotropic, size)?)))
                    .collect();
            }
            ModelKind::Hmm(hmm) => hmm,
        };

        let mut order: Vec<usize> = (0..sizes.len()).collect();
        order.sort_by_key(|&index| sizes[index]);
        let mut results: Vec<Option<SizeAnalysis>> = vec![None; sizes.len()];
        let mut gram = GramAccumulator::new(hmm.features.as_ref());
        for index in order {
            let size = sizes[index];
            gram.advance_to(size);
            let analysis = low_rank_analysis(hmm, gram.gram.as_ref(), size)?;
            results[index] = Some(self.exact_zero(analysis));
        }
        Ok(results.into_iter().flatten().collect())
    }

    pub(crate) fn analyse_dense(&self, size: usize) -> Result<SizeAnalysis, FloatError> {
        let analysis = match &self.kind {
            ModelKind::Isotropic(isotropic) => isotropic_analysis(isotropic, size)?,
            ModelKind::Hmm(hmm) => dense_analysis(hmm, size)?,
        };
        Ok(self.exact_zero(analysis))
    }

    /// Sets σ²_p to exactly 0, in place of its rounded value, at the sizes
    /// where the exact decision of the model crate finds σ²_p = 0.
    fn exact_zero(&self, mut analysis: SizeAnalysis) -> SizeAnalysis {
        if self.noiseless.contains(analysis.population.size) {
            analysis.population.irreducible = 0.0;
        }
        analysis
    }
}

/// G_p = W_p W_pᵀ, updated by the columns added since the last size.
struct GramAccumulator<'a> {
    features: MatRef<'a, f64>,
    gram: Mat<f64>,
    columns: usize,
}

impl<'a> GramAccumulator<'a> {
    fn new(features: MatRef<'a, f64>) -> Self {
        let dim = features.nrows();
        Self {
            features,
            gram: Mat::zeros(dim, dim),
            columns: 0,
        }
    }

    /// Adds columns `columns..size`; a smaller size leaves G unchanged,
    /// which the sorted traversal never requests.
    fn advance_to(&mut self, size: usize) {
        if size <= self.columns {
            return;
        }
        let block = self.features.subcols(self.columns, size - self.columns);
        let dim = self.features.nrows();
        // Blocks above about 10^7 flops are worth the thread start-up.
        let parallelism = if dim * dim * block.ncols() > 10_000_000 {
            Par::rayon(0)
        } else {
            Par::Seq
        };
        matmul(
            self.gram.as_mut(),
            Accum::Add,
            block,
            block.transpose(),
            1.0,
            parallelism,
        );
        self.columns = size;
    }
}

fn check_size(size: usize, columns: usize) -> Result<(), FloatError> {
    if size > columns {
        return Err(FloatError::SizeBeyondFeatures { size, columns });
    }
    Ok(())
}

/// Computes σ²_p, s_p and the spectrum at size p from G_p, as derived on
/// [`Model::population_curve`].
fn low_rank_analysis(
    hmm: &HmmModel,
    gram: MatRef<'_, f64>,
    size: usize,
) -> Result<SizeAnalysis, FloatError> {
    let dim = hmm.dim;
    let noise = hmm.representation_noise;
    if size == 0 {
        return Ok(empty_analysis(
            hmm.output_variance,
            hmm.bayes_risk,
            hmm.amplification,
        ));
    }
    check_finite(gram, "feature Gram matrix G_p", Some(size))?;

    // H = Lᵀ G_p L, the spike of Σ_x seen from the token space.
    let root = hmm.covariance_root.as_ref();
    let spike = root.transpose() * gram * root;
    let spike = Mat::from_fn(dim, dim, |i, j| 0.5 * (spike[(i, j)] + spike[(j, i)]));
    check_finite(spike.as_ref(), "spike matrix Lᵀ G_p L", Some(size))?;
    let eigen =
        spike
            .self_adjoint_eigen(Side::Lower)
            .map_err(|_| FloatError::EigenNotConverged {
                quantity: "spike matrix Lᵀ G_p L",
                size: Some(size),
            })?;
    let mu = eigen.S().column_vector();
    let rotated = eigen.U().transpose() * &hmm.root_cross;
    let weight = |j: usize| -> f64 {
        (0..rotated.ncols())
            .map(|col| rotated[(j, col)].powi(2))
            .sum()
    };

    // Eigenvalues are ascending: the kept m = min(p, d) are the last ones.
    let kept = size.min(dim);
    let first_kept = dim - kept;
    let largest = mu[dim - 1].max(0.0);
    if noise == 0.0 {
        let smallest = mu[first_kept];
        let threshold = RANK_TOLERANCE_FACTOR * dim as f64 * f64::EPSILON * largest;
        if size > dim || smallest.is_nan() || smallest <= threshold {
            return Err(FloatError::SingularFeatureCovariance {
                size,
                smallest_eigenvalue: if size > dim { 0.0 } else { smallest },
                largest_eigenvalue: largest,
            });
        }
    }

    let mut irreducible = hmm.bayes_risk;
    for j in 0..first_kept {
        irreducible += weight(j);
    }
    let mut groups = Vec::with_capacity(kept + 1);
    for j in first_kept..dim {
        let spike_value = mu[j].max(0.0);
        let eigenvalue = noise + spike_value;
        let c = weight(j);
        // e_j = c_j μ_j / ℓ_j and the irreducible share c_j σ_u² / ℓ_j; with
        // ℓ_j = 0 (σ_u² = 0 and μ_j = 0, excluded above) both would be 0.
        let (signal_energy, unexplained) = if eigenvalue > 0.0 {
            (c * (spike_value / eigenvalue), c * (noise / eigenvalue))
        } else {
            (0.0, c)
        };
        irreducible += unexplained;
        groups.push(SpectralGroup {
            eigenvalue,
            multiplicity: 1,
            signal_energy,
        });
    }
    if size > kept {
        groups.push(SpectralGroup {
            eigenvalue: noise,
            multiplicity: size - kept,
            signal_energy: 0.0,
        });
    }

    let spectrum = Spectrum::new(groups);
    let signal = finite(spectrum.signal(), "signal s_p", Some(size))?;
    let irreducible = finite(irreducible, "irreducible risk σ²_p", Some(size))?;
    Ok(hmm_analysis(hmm, size, irreducible, signal, spectrum))
}

/// Computes σ²_p, s_p and the spectrum with Σ_x and Σ_xy formed explicitly.
fn dense_analysis(hmm: &HmmModel, size: usize) -> Result<SizeAnalysis, FloatError> {
    check_size(size, hmm.features.ncols())?;
    if size > DENSE_SIZE_LIMIT {
        return Err(FloatError::DenseSizeTooLarge {
            size,
            limit: DENSE_SIZE_LIMIT,
        });
    }
    if size == 0 {
        return Ok(empty_analysis(
            hmm.output_variance,
            hmm.bayes_risk,
            hmm.amplification,
        ));
    }

    let w = hmm.features.subcols(0, size);
    let sigma_x = w.transpose() * &hmm.covariance * w
        + Mat::<f64>::identity(size, size) * faer::Scale(hmm.representation_noise);
    let sigma_x = Mat::from_fn(size, size, |i, j| 0.5 * (sigma_x[(i, j)] + sigma_x[(j, i)]));
    check_finite(sigma_x.as_ref(), "feature covariance Σ_x", Some(size))?;
    let sigma_xy = w.transpose() * &hmm.cross;
    check_finite(sigma_xy.as_ref(), "cross-covariance Σ_xy", Some(size))?;

    let eigen =
        sigma_x
            .self_adjoint_eigen(Side::Lower)
            .map_err(|_| FloatError::EigenNotConverged {
                quantity: "feature covariance Σ_x",
                size: Some(size),
            })?;
    let ell = eigen.S().column_vector();
    let singular = || FloatError::SingularFeatureCovariance {
        size,
        smallest_eigenvalue: ell[0],
        largest_eigenvalue: ell[size - 1],
    };
    let cholesky = sigma_x.llt(Side::Lower).map_err(|_| singular())?;
    let theta_star = cholesky.solve(&sigma_xy);
    check_finite(theta_star.as_ref(), "best head Θ*", Some(size))?;

    let signal = finite(
        trace(&(sigma_xy.transpose() * &theta_star)),
        "signal s_p",
        Some(size),
    )?;
    let irreducible = hmm.output_variance - signal;

    let rotated = eigen.U().transpose() * &theta_star;
    let mut groups = Vec::with_capacity(size);
    for i in 0..size {
        if ell[i].is_nan() || ell[i] <= 0.0 {
            return Err(singular());
        }
        let norm_squared: f64 = (0..rotated.ncols())
            .map(|col| rotated[(i, col)].powi(2))
            .sum();
        groups.push(SpectralGroup {
            eigenvalue: ell[i],
            multiplicity: 1,
            signal_energy: ell[i] * norm_squared,
        });
    }
    let spectrum = Spectrum::new(groups);
    Ok(hmm_analysis(hmm, size, irreducible, signal, spectrum))
}

/// p = 0: the empty head predicts 0, so σ²_0 = tr Σ_y and s_0 = 0. Σ_x is
/// empty, so the only error amplification is that of the covariance.
fn empty_analysis(output_variance: f64, bayes_risk: f64, amplification: f64) -> SizeAnalysis {
    SizeAnalysis {
        population: Population {
            size: 0,
            irreducible: output_variance,
            signal: 0.0,
            output_variance,
            bayes_risk,
            condition_estimate: amplification,
        },
        spectrum: Spectrum::new(Vec::new()),
    }
}

fn isotropic_population(isotropic: &IsotropicModel, size: usize) -> Result<Population, FloatError> {
    Ok(isotropic_analysis(isotropic, size)?.population)
}

/// Σ_x = I_p: one eigenvalue 1 with multiplicity p carrying all of r².
fn isotropic_analysis(isotropic: &IsotropicModel, size: usize) -> Result<SizeAnalysis, FloatError> {
    check_size(size, isotropic.max_size)?;
    let output_variance = isotropic.noise + isotropic.signal;
    if size == 0 {
        return Ok(empty_analysis(output_variance, isotropic.noise, 1.0));
    }
    let spectrum = Spectrum::new(vec![SpectralGroup {
        eigenvalue: 1.0,
        multiplicity: size,
        signal_energy: isotropic.signal,
    }]);
    let population = Population {
        size,
        irreducible: isotropic.noise,
        signal: isotropic.signal,
        output_variance,
        bayes_risk: isotropic.noise,
        condition_estimate: 1.0,
    };
    Ok(SizeAnalysis {
        population,
        spectrum,
    })
}

/// Assembles the HMM population at one size from σ²_p, s_p and the spectrum
/// of Σ_x, as both the low-rank and the dense path compute them.
fn hmm_analysis(
    hmm: &HmmModel,
    size: usize,
    irreducible: f64,
    signal: f64,
    spectrum: Spectrum,
) -> SizeAnalysis {
    let population = Population {
        size,
        irreducible,
        signal,
        output_variance: hmm.output_variance,
        bayes_risk: hmm.bayes_risk,
        condition_estimate: spectrum.condition_number() * hmm.amplification,
    };
    SizeAnalysis {
        population,
        spectrum,
    }
}
