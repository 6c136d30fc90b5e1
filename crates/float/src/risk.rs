//! Risk curves of a [`Model`]: the finite-sample ridgeless risk, the
//! deterministic equivalent and the proportional limit.

use headrisk_model::RiskValue;

use crate::equivalent::{
    DeterministicEquivalent, check_ridge, check_samples, deterministic_equivalent,
};
use crate::error::{FloatError, finite};
use crate::limits::{isotropic_limit, latent_limit};
use crate::model::{Model, ModelKind};
use crate::population::Population;

/// The expected ridgeless risk split into its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskParts {
    /// Model size p.
    pub size: usize,
    /// R = σ²_p + B + V.
    pub total: RiskValue<f64>,
    /// Bias B; `None` where no closed form gives it (the HMM family at
    /// p = n + 1).
    pub bias: Option<f64>,
    /// Variance V.
    pub variance: RiskValue<f64>,
    /// Irreducible risk σ²_p.
    pub irreducible: f64,
}

/// The finite-sample ridgeless risk at one size, where a closed form exists.
#[derive(Debug, Clone, PartialEq)]
pub enum FiniteSampleRisk {
    /// The closed form applies.
    ClosedForm(RiskParts),
    /// p ≥ n + 2 with Σ_x not a multiple of I_p: no closed form, use the
    /// deterministic equivalent and simulation.
    NoClosedForm { size: usize, irreducible: f64 },
}

impl FiniteSampleRisk {
    /// Returns the total risk when a closed form applies.
    pub fn total(&self) -> Option<&RiskValue<f64>> {
        match self {
            FiniteSampleRisk::ClosedForm(parts) => Some(&parts.total),
            FiniteSampleRisk::NoClosedForm { .. } => None,
        }
    }
}

impl Model {
    /// Computes the expected risk of the ridgeless head (λ = 0) trained on n
    /// independent samples, at size p.
    ///
    /// # Formula
    ///
    /// ```text
    /// p = 0:               R = tr Σ_y
    /// 1 ≤ p ≤ n−2:         R = σ²_p (n−1)/(n−p−1),  B = 0,  V = σ²_p p/(n−p−1)
    /// p ∈ {n−1, n, n+1}:   R = +∞ (divergent) when σ²_p > 0
    /// p ≥ n+2, Σ_x = c I:  R = σ²_p + c‖Θ*‖²_F (1 − n/p) + σ²_p n/(p−n−1)
    /// ```
    ///
    /// The last line applies to the isotropic family (c = 1, c‖Θ*‖²_F = r²);
    /// the HMM family gets [`FiniteSampleRisk::NoClosedForm`] there. Bias is
    /// 0 for p ≤ n, where X has full column rank almost surely. Where
    /// σ²_p = 0 (see [`Model::noiseless_sizes`]) nothing diverges: R = 0 for
    /// p ≤ n, and R = c‖Θ*‖²_F (1 − n/p) at p = n + 1 for the isotropic
    /// family, while the HMM family gets no closed form there.
    ///
    /// # Regime, accuracy and source
    /// Exact for Gaussian rows and independent sampling:
    /// E[(XᵀX)⁻¹] = Σ_x⁻¹/(n−p−1) for n > p + 1, and for isotropic rows
    /// E[X⁺X] = (n/p) I and E[(XXᵀ)⁻¹] = I/(p−n−1) (Hastie, Montanari,
    /// Rosset, Tibshirani, Ann. Statist. 50(2), 2022). Evaluated in `f64`
    /// with a few ulps of error on top of that of σ²_p.
    ///
    /// # Errors
    /// [`FloatError::InvalidArgument`] for n = 0 and the errors of
    /// [`Model::population`].
    pub fn finite_sample_risk(
        &self,
        size: usize,
        samples: usize,
    ) -> Result<FiniteSampleRisk, FloatError> {
        Ok(self.finite_sample_curve(&[size], samples)?.remove(0))
    }

    /// Computes [`Model::finite_sample_risk`] at every size, in the order given.
    ///
    /// # Errors
    /// As [`Model::finite_sample_risk`].
    pub fn finite_sample_curve(
        &self,
        sizes: &[usize],
        samples: usize,
    ) -> Result<Vec<FiniteSampleRisk>, FloatError> {
        check_samples(samples)?;
        let populations = self.population_curve(sizes)?;
        populations
            .iter()
            .map(|population| self.finite_sample_at(population, samples))
            .collect()
    }

    fn finite_sample_at(
        &self,
        population: &Population,
        samples: usize,
    ) -> Result<FiniteSampleRisk, FloatError> {
        let p = population.size;
        let n = samples;
        let sigma2 = population.irreducible;
        let parts = |total: RiskValue<f64>, bias: Option<f64>, variance: RiskValue<f64>| {
            FiniteSampleRisk::ClosedForm(RiskParts {
                size: p,
                total,
                bias,
                variance,
                irreducible: sigma2,
            })
        };

        if p == 0 {
            return Ok(parts(
                RiskValue::Finite(sigma2),
                Some(0.0),
                RiskValue::Finite(0.0),
            ));
        }
        if p + 2 <= n {
            let denominator = (n - p - 1) as f64;
            let variance = finite(
                sigma2 * p as f64 / denominator,
                "finite-sample variance",
                Some(p),
            )?;
            let total = finite(
                sigma2 * (n - 1) as f64 / denominator,
                "finite-sample risk",
                Some(p),
            )?;
            return Ok(parts(
                RiskValue::Finite(total),
                Some(0.0),
                RiskValue::Finite(variance),
            ));
        }

        let isotropic_bias = match &self.kind {
            ModelKind::Isotropic(isotropic) => Some(isotropic.signal * (1.0 - n as f64 / p as f64)),
            ModelKind::Hmm(_) => None,
        };
        if p <= n + 1 {
            let bias = if p <= n { Some(0.0) } else { isotropic_bias };
            // The divergent term is σ²_p times an infinite moment, so without
            // noise only the bias remains: 0 for p ≤ n, where the design has
            // full column rank almost surely, and the closed form at p = n + 1.
            // Whether σ²_p = 0 is the exact decision, not a test of the f64.
            if self.noiseless.contains(p) {
                return Ok(match bias {
                    Some(bias) => {
                        parts(RiskValue::Finite(bias), Some(bias), RiskValue::Finite(0.0))
                    }
                    None => FiniteSampleRisk::NoClosedForm {
                        size: p,
                        irreducible: sigma2,
                    },
                });
            }
            return Ok(parts(RiskValue::Divergent, bias, RiskValue::Divergent));
        }
        match isotropic_bias {
            Some(bias) => {
                let variance = finite(
                    sigma2 * n as f64 / (p - n - 1) as f64,
                    "finite-sample variance",
                    Some(p),
                )?;
                let total = finite(sigma2 + bias + variance, "finite-sample risk", Some(p))?;
                Ok(parts(
                    RiskValue::Finite(total),
                    Some(bias),
                    RiskValue::Finite(variance),
                ))
            }
            None => Ok(FiniteSampleRisk::NoClosedForm {
                size: p,
                irreducible: sigma2,
            }),
        }
    }

    /// Computes the deterministic equivalent of the expected risk at size p
    /// for n samples and ridge λ, by the low-rank path.
    ///
    /// The eigenvalues ℓ_i of Σ_x come from [`Model::spectrum`]: d spikes
    /// plus the bulk σ_u² with multiplicity p − min(p, d), which enters
    /// df1, df2 and the bias in closed form. Each evaluation of df1 or df2
    /// costs O(d), so p = 100,000 costs the same as p = d. Formulas, regime,
    /// accuracy and sources are on [`crate::deterministic_equivalent`].
    ///
    /// # Errors
    /// [`FloatError::InvalidArgument`] for n = 0 or λ negative or not
    /// finite, and the errors of [`Model::population`] and
    /// [`crate::effective_regularization`].
    pub fn deterministic_equivalent(
        &self,
        size: usize,
        samples: usize,
        ridge: f64,
    ) -> Result<DeterministicEquivalent, FloatError> {
        Ok(self
            .deterministic_equivalent_curve(&[size], samples, ridge)?
            .remove(0))
    }

    /// Computes [`Model::deterministic_equivalent`] at every size, in the
    /// order given, sharing the Gram matrix updates between sizes.
    ///
    /// # Errors
    /// As [`Model::deterministic_equivalent`].
    pub fn deterministic_equivalent_curve(
        &self,
        sizes: &[usize],
        samples: usize,
        ridge: f64,
    ) -> Result<Vec<DeterministicEquivalent>, FloatError> {
        check_samples(samples)?;
        check_ridge(ridge)?;
        let analyses = self.analyse_sizes(sizes)?;
        analyses
            .iter()
            .map(|analysis| {
                deterministic_equivalent(
                    &analysis.spectrum,
                    analysis.population.irreducible,
                    samples,
                    ridge,
                )
            })
            .collect()
    }

    /// Computes the deterministic equivalent from the dense p×p spectrum of
    /// Σ_x, to cross-check [`Model::deterministic_equivalent`].
    ///
    /// # Errors
    /// As [`Model::population_dense`] and [`Model::deterministic_equivalent`].
    pub fn deterministic_equivalent_dense(
        &self,
        size: usize,
        samples: usize,
        ridge: f64,
    ) -> Result<DeterministicEquivalent, FloatError> {
        check_samples(samples)?;
        check_ridge(ridge)?;
        let analysis = self.analyse_dense(size)?;
        deterministic_equivalent(
            &analysis.spectrum,
            analysis.population.irreducible,
            samples,
            ridge,
        )
    }

    /// Evaluates the proportional limit of the ridgeless risk at γ = p/n:
    /// [`crate::isotropic_limit`] with σ², r² for the isotropic family, and
    /// [`crate::latent_limit`] with tr Σ_y and σ²_B for the HMM family.
    ///
    /// # Errors
    /// [`FloatError::InvalidArgument`] when γ is negative or not finite.
    pub fn limit(&self, ratio: f64) -> Result<RiskValue<f64>, FloatError> {
        match &self.kind {
            ModelKind::Isotropic(isotropic) => {
                isotropic_limit(ratio, isotropic.noise, isotropic.signal)
            }
            ModelKind::Hmm(hmm) => latent_limit(ratio, hmm.output_variance, hmm.bayes_risk),
        }
    }
}
