//! Certified enclosures of the deterministic equivalent of the ridge(less)
//! risk.
//!
//! With the eigenvalues ℓ_i of Σ_x, n samples and ridge λ ≥ 0:
//!
//!   df1(κ) = tr(Σ_x (Σ_x + κI)⁻¹),   df2(κ) = tr(Σ_x² (Σ_x + κI)⁻²)
//!   κ ≥ 0 solves λ = κ (1 − df1(κ)/n)
//!   V_DE = σ²_p df2/(n − df2),   B_DE = N(κ)·F(κ),   R_DE = σ²_p + B_DE + V_DE
//!   N(κ) = κ² tr(Θ*ᵀ Σ_x (Σ_x + κI)⁻² Θ*),   F(κ) = 1/(1 − df2/n)
//!
//! Source: the deterministic equivalent of ridge regression with general
//! covariance, Hastie, Montanari, Rosset, Tibshirani, Ann. Statist. 50(2),
//! 2022. It approximates the finite-n risk; the enclosure certifies the
//! value of the formula, not its distance to the finite-n risk.
//!
//! Bracketing κ. Let g(κ) = κ(1 − df1(κ)/n). Then g(0) = 0 and
//! g''(κ) = (2/n) Σ ℓ_i²/(ℓ_i + κ)³ > 0, so g is strictly convex, and a
//! root κ* > 0 of g = λ (λ > 0, or λ = 0 with p > n) is unique with
//! λ − g(κ) > 0 exactly for 0 < κ < κ*. Bisection on dyadic midpoints
//! with that exact sign keeps κ* in [κ_lo, κ_hi]. Initial bounds:
//!
//! - upper: df1(κ) < tr Σ_x/κ gives g(κ) > κ − tr Σ_x/n, so
//!   κ_hi = λ + tr Σ_x/n has g(κ_hi) > λ; for p < n also df1 < p gives
//!   g(κ) > κ(1 − p/n), so λn/(n − p) is an upper bound as well;
//! - lower: g(κ) ≤ κ gives κ* ≥ λ; and with every ℓ_i ≥ ℓ_min > 0,
//!   df1(κ) ≥ pℓ_min/(ℓ_min + κ) > n for κ < ℓ_min(p − n)/n, so for p > n
//!   g < 0 there and κ* ≥ ℓ_min(p − n)/n.
//!
//! Both are rounded outward to powers of two, so every midpoint is dyadic.
//!
//! Enclosing the risk. df1 and df2 decrease in κ, N increases (each term
//! κ²ℓ_i θ_i²/(ℓ_i + κ)² does) and F decreases while df2 < n. At κ*,
//! g'(κ*) = 1 − df2(κ*)/n > 0 by convexity, so df2 < n on a narrow enough
//! bracket, which the bisection checks exactly at κ_lo before it stops.
//! Then V_DE ∈ [V(κ_hi), V(κ_lo)] and B_DE ∈ [N(κ_lo)F(κ_hi), N(κ_hi)F(κ_lo)].
//!
//! Low-rank evaluation. With Σ_x = σ_u² I_p + W_pᵀ Σ W_p and S = σ_u² I_d +
//! Σ G_p, the p×p matrix W_pᵀ Σ W_p and the d×d matrix Σ G_p have the same
//! non-zero eigenvalues with the same algebraic multiplicities (their
//! characteristic polynomials satisfy x^d det(xI_p − W_pᵀΣW_p) =
//! x^p det(xI_d − ΣG_p)), so tr f(W_pᵀ Σ W_p) = (p − d) f(0) + tr f(Σ G_p)
//! for any rational f defined on the spectrum. Hence
//!
//!   df1 = (p − d) σ_u²/(σ_u² + κ) + tr(S (S + κI)⁻¹)
//!   df2 = (p − d) σ_u⁴/(σ_u² + κ)² + tr(S² (S + κI)⁻²).
//!
//! For N, Θ* = W_pᵀ H with H = S⁻¹ M, and the push-through identity
//! g(Σ_x) W_pᵀ = W_pᵀ g(S) gives Σ_x (Σ_x + κI)⁻² Θ* = W_pᵀ S (S + κI)⁻² H,
//! so tr(Θ*ᵀ Σ_x (Σ_x + κI)⁻² Θ*) = tr(Hᵀ G_p S (S + κI)⁻² H): two d×d
//! solves per evaluation instead of p×p ones.

use headrisk_model::{Family, ParameterSet, RiskValue};
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use crate::error::ExactError;
use crate::matrix::Matrix;
use crate::number::{
    ceil_power_of_two, floor_power_of_two, format_value, from_count, power_of_two,
};
use crate::population::{
    HmmPopulation, LowRankFactors, PopulationMatrices, SizeFactors, check_sizes,
};

/// Largest number of bisection steps for one κ.
///
/// A bracket that starts between the powers of two 2^a and 2^b needs about
/// (b − a) + log₂(1/width) steps: between 64 and 74 for the default width
/// on the bundled fixtures, fewer when a midpoint is the exact root. Each
/// step adds a bit to the dyadic midpoint, and BigRational reduces every
/// result with the binary (Stein) gcd of num-bigint 0.4.6, whose cost is
/// quadratic in the bits. The total time therefore grows quadratically with
/// the steps: 20,000 steps took 25 s in the test profile on a 2-core AMD
/// EPYC, and the limit stops such requests after about a second.
pub const MAX_KAPPA_STEPS: usize = 4_096;

/// Returns the default relative width 2^-64 of the κ bracket.
pub fn default_relative_width() -> BigRational {
    power_of_two(-64)
}

/// A closed interval [lo, hi] of rationals with lo ≤ hi.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    /// Lower end.
    pub lo: BigRational,
    /// Upper end.
    pub hi: BigRational,
}

impl Interval {
    /// Builds the interval [lo, hi], swapping the ends if given in the wrong order.
    pub fn new(lo: BigRational, hi: BigRational) -> Self {
        if lo <= hi {
            Self { lo, hi }
        } else {
            Self { lo: hi, hi: lo }
        }
    }

    /// Builds the degenerate interval [value, value].
    pub fn point(value: BigRational) -> Self {
        Self {
            lo: value.clone(),
            hi: value,
        }
    }

    /// Computes the width hi − lo.
    pub fn width(&self) -> BigRational {
        &self.hi - &self.lo
    }

    /// Tests whether lo = hi.
    pub fn is_point(&self) -> bool {
        self.lo == self.hi
    }

    /// Tests whether lo ≤ value ≤ hi.
    pub fn contains(&self, value: &BigRational) -> bool {
        self.lo <= *value && *value <= self.hi
    }

    /// Tests whether `other` lies inside this interval.
    pub fn contains_interval(&self, other: &Interval) -> bool {
        self.lo <= other.lo && other.hi <= self.hi
    }
}

/// A certified enclosure of the deterministic equivalent at one size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeEnclosure {
    /// Bracket of the effective regularisation κ; a point when κ is known
    /// exactly.
    pub kappa: Interval,
    /// Irreducible risk σ²_p, exact.
    pub irreducible: BigRational,
    /// Enclosure of B_DE.
    pub bias: Interval,
    /// Enclosure of V_DE.
    pub variance: Interval,
    /// Enclosure of R_DE = σ²_p + B_DE + V_DE.
    pub risk: Interval,
    /// Bisection steps taken on κ.
    pub steps: usize,
}

/// One size of an enclosure curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnclosurePoint {
    /// Model size p.
    pub size: usize,
    /// The enclosure, or [`RiskValue::Divergent`] at λ = 0, p = n when σ²_p > 0.
    pub enclosure: RiskValue<DeEnclosure>,
}

/// df2 and N at one κ.
struct SpectralValues {
    df2: BigRational,
    bias_numerator: BigRational,
}

/// The spectral data of Σ_x at one size p ≥ 1, in one of three forms.
enum Spectrum<'a> {
    /// Σ_x = c I_p with ‖Θ*‖²_F given.
    ScaledIdentity {
        size: usize,
        scale: BigRational,
        head_norm_squared: BigRational,
    },
    /// The d×d reduction, for σ_u² > 0.
    LowRank(&'a LowRankFactors),
    /// The p×p matrices.
    Direct(&'a PopulationMatrices),
}

impl Spectrum<'_> {
    fn size(&self) -> usize {
        match self {
            Spectrum::ScaledIdentity { size, .. } => *size,
            Spectrum::LowRank(factors) => factors.size,
            Spectrum::Direct(matrices) => matrices.feature_covariance.n_rows(),
        }
    }

    /// Computes tr Σ_x.
    fn trace(&self) -> Result<BigRational, ExactError> {
        match self {
            Spectrum::ScaledIdentity { size, scale, .. } => Ok(from_count(*size) * scale),
            Spectrum::LowRank(factors) => {
                let bulk = (from_count(factors.size) - from_count(factors.spike.n_rows()))
                    * &factors.noise;
                Ok(bulk + factors.spike.trace()?)
            }
            Spectrum::Direct(matrices) => matrices.feature_covariance.trace(),
        }
    }

    /// Returns a positive lower bound on the eigenvalues of Σ_x when one is
    /// known without a factorisation.
    fn eigenvalue_floor(&self) -> Option<&BigRational> {
        match self {
            Spectrum::ScaledIdentity { scale, .. } => scale.is_positive().then_some(scale),
            Spectrum::LowRank(factors) => factors.noise.is_positive().then_some(&factors.noise),
            Spectrum::Direct(_) => None,
        }
    }

    /// Computes df1(κ) alone, for the sign tests of the bisection.
    fn df1(&self, kappa: &BigRational) -> Result<BigRational, ExactError> {
        match self {
            Spectrum::ScaledIdentity { size, scale, .. } => {
                Ok(from_count(*size) * scale / (scale + kappa))
            }
            Spectrum::LowRank(factors) => {
                let resolvent_product =
                    factors.spike.shift_diagonal(kappa)?.solve(&factors.spike)?;
                Ok(low_rank_bulk(factors, kappa, 1) + resolvent_product.trace()?)
            }
            Spectrum::Direct(matrices) => {
                let sigma_x = &matrices.feature_covariance;
                sigma_x.shift_diagonal(kappa)?.solve(sigma_x)?.trace()
            }
        }
    }

    /// Computes df2 and N at κ.
    fn evaluate(&self, kappa: &BigRational) -> Result<SpectralValues, ExactError> {
        let kappa_squared = kappa * kappa;
        match self {
            Spectrum::ScaledIdentity {
                size,
                scale,
                head_norm_squared,
            } => {
                let ratio = scale / (scale + kappa);
                let df2 = from_count(*size) * &ratio * &ratio;
                // tr(Θ*ᵀ c I (c + κ)⁻² Θ*) = c‖Θ*‖²_F/(c + κ)².
                let bias_numerator = &kappa_squared * head_norm_squared * &ratio / (scale + kappa);
                Ok(SpectralValues {
                    df2,
                    bias_numerator,
                })
            }
            Spectrum::LowRank(factors) => {
                let spike = &factors.spike;
                let shifted = spike.shift_diagonal(kappa)?;
                // One solve for X = (S + κI)⁻¹ S and Z = (S + κI)⁻¹ H, a second for (S + κI)⁻² H.
                let solution = shifted.solve(&side_by_side(spike, &factors.head_factor))?;
                let (resolvent_product, resolved_head) = split_columns(&solution, spike.n_cols());
                let twice_resolved_head = shifted.solve(&resolved_head)?;

                let df2 = low_rank_bulk(factors, kappa, 2)
                    + trace_of_product(&resolvent_product, &resolvent_product);
                let gram_head = factors.gram.product(&factors.head_factor)?;
                let weighted = spike.product(&twice_resolved_head)?;
                let bias_numerator = &kappa_squared * gram_head.frobenius_inner(&weighted)?;
                Ok(SpectralValues {
                    df2,
                    bias_numerator,
                })
            }
            Spectrum::Direct(matrices) => {
                let sigma_x = &matrices.feature_covariance;
                let shifted = sigma_x.shift_diagonal(kappa)?;
                let solution = shifted.solve(&side_by_side(sigma_x, &matrices.optimal_head))?;
                let (resolvent_product, resolved_head) = split_columns(&solution, sigma_x.n_cols());

                let df2 = trace_of_product(&resolvent_product, &resolvent_product);
                // Θ*ᵀ Σ_x (Σ_x + κI)⁻² Θ* = Yᵀ Σ_x Y with Y = (Σ_x + κI)⁻¹ Θ*.
                let bias_numerator = &kappa_squared
                    * resolved_head.frobenius_inner(&sigma_x.product(&resolved_head)?)?;
                Ok(SpectralValues {
                    df2,
                    bias_numerator,
                })
            }
        }
    }
}

/// Computes (p − d)·(σ_u²/(σ_u² + κ))^power, the contribution of the bulk
/// eigenvalue σ_u² that Σ G_p does not carry. Needs σ_u² > 0.
fn low_rank_bulk(factors: &LowRankFactors, kappa: &BigRational, power: i32) -> BigRational {
    let ratio = &factors.noise / (&factors.noise + kappa);
    let multiplicity = from_count(factors.size) - from_count(factors.spike.n_rows());
    multiplicity * ratio.pow(power)
}

/// Computes tr(A·B) = Σ_ij A_ij B_ji for square A, B of one size.
fn trace_of_product(left: &Matrix, right: &Matrix) -> BigRational {
    let n = left.n_rows();
    let mut total = BigRational::zero();
    for i in 0..n {
        for j in 0..n {
            total += &left[(i, j)] * &right[(j, i)];
        }
    }
    total
}

/// Joins A and B, which have the same number of rows, into [A | B].
fn side_by_side(left: &Matrix, right: &Matrix) -> Matrix {
    let split = left.n_cols();
    Matrix::from_fn(left.n_rows(), split + right.n_cols(), |row, col| {
        if col < split {
            left[(row, col)].clone()
        } else {
            right[(row, col - split)].clone()
        }
    })
}

/// Splits a matrix into its first `split` columns and the rest.
fn split_columns(matrix: &Matrix, split: usize) -> (Matrix, Matrix) {
    let left = Matrix::from_fn(matrix.n_rows(), split, |row, col| {
        matrix[(row, col)].clone()
    });
    let right = Matrix::from_fn(matrix.n_rows(), matrix.n_cols() - split, |row, col| {
        matrix[(row, col + split)].clone()
    });
    (left, right)
}

/// Validated inputs of one enclosure.
struct Request<'a> {
    samples: usize,
    ridge: &'a BigRational,
    relative_width: &'a BigRational,
}

fn check_request(
    samples: usize,
    ridge: &BigRational,
    relative_width: &BigRational,
) -> Result<(), ExactError> {
    if samples == 0 {
        return Err(ExactError::InvalidSamples { samples });
    }
    if ridge.is_negative() {
        return Err(ExactError::Negative {
            field: "ridge λ",
            value: format_value(ridge),
        });
    }
    if !relative_width.is_positive() {
        return Err(ExactError::InvalidWidth {
            value: format_value(relative_width),
        });
    }
    Ok(())
}

/// Builds the point enclosure with B = V = 0 and R = σ²_p at the given κ.
/// It serves size 0, where df1 = df2 = 0 and κ = λ, and the noiseless
/// threshold p = n at λ = 0, where κ = 0.
fn point_enclosure(irreducible: &BigRational, kappa: &BigRational) -> DeEnclosure {
    DeEnclosure {
        kappa: Interval::point(kappa.clone()),
        irreducible: irreducible.clone(),
        bias: Interval::point(BigRational::zero()),
        variance: Interval::point(BigRational::zero()),
        risk: Interval::point(irreducible.clone()),
        steps: 0,
    }
}

/// Encloses the deterministic equivalent at one size p ≥ 1 from its spectrum and σ²_p.
fn enclose(
    spectrum: &Spectrum<'_>,
    irreducible: &BigRational,
    request: &Request<'_>,
) -> Result<RiskValue<DeEnclosure>, ExactError> {
    let size = spectrum.size();
    let n = request.samples;
    let lambda = request.ridge;

    if lambda.is_zero() && size < n {
        return assemble(
            spectrum,
            irreducible,
            n,
            &BigRational::zero(),
            &BigRational::zero(),
            0,
        );
    }
    if lambda.is_zero() && size == n {
        // Without noise the 0/0 variance term has the limit 0 from both
        // sides and the bias vanishes with κ = 0, so R = σ²_p = 0.
        if irreducible.is_zero() {
            return Ok(RiskValue::Finite(point_enclosure(
                irreducible,
                &BigRational::zero(),
            )));
        }
        return Ok(RiskValue::Divergent);
    }

    let bracket = bracket_kappa(spectrum, request)?;
    assemble(
        spectrum,
        irreducible,
        n,
        &bracket.lo,
        &bracket.hi,
        bracket.steps,
    )
}

struct KappaBracket {
    lo: BigRational,
    hi: BigRational,
    steps: usize,
}

/// Bisects on κ (see [`crate::enclosure`]) until (κ_hi − κ_lo) ≤ width·κ_lo
/// and df2(κ_lo) < n, or until a midpoint is the exact root.
fn bracket_kappa(
    spectrum: &Spectrum<'_>,
    request: &Request<'_>,
) -> Result<KappaBracket, ExactError> {
    let size = spectrum.size();
    let n = from_count(request.samples);
    let lambda = request.ridge;
    let one = BigRational::one();

    // λ − κ(1 − df1(κ)/n) > 0 exactly when κ < κ*.
    let below_root = |kappa: &BigRational| -> Result<std::cmp::Ordering, ExactError> {
        let g = kappa * (&one - spectrum.df1(kappa)? / &n);
        Ok(lambda.cmp(&g))
    };

    let mut upper = lambda + spectrum.trace()? / &n;
    if size < request.samples {
        let alternative = lambda * &n / (&n - from_count(size));
        upper = upper.min(alternative);
    }
    let mut hi = ceil_power_of_two(&upper).unwrap_or_else(|| one.clone());

    let mut lower = lambda.clone();
    if size > request.samples {
        if let Some(floor) = spectrum.eigenvalue_floor() {
            lower = lower.max(floor * (from_count(size) - &n) / &n);
        }
    }
    let mut lo = floor_power_of_two(&lower).unwrap_or_else(BigRational::zero);

    let half = BigRational::new(1.into(), 2.into());
    let mut steps = 0;
    loop {
        if lo.is_positive() && &hi - &lo <= request.relative_width * &lo {
            let df2_lo = spectrum.evaluate(&lo)?.df2;
            if df2_lo < n {
                return Ok(KappaBracket { lo, hi, steps });
            }
        }
        if steps >= MAX_KAPPA_STEPS {
            return Err(ExactError::BisectionLimit {
                quantity: format!("κ at size p = {size}"),
                steps,
            });
        }

        let mid = (&lo + &hi) * &half;
        steps += 1;
        match below_root(&mid)? {
            std::cmp::Ordering::Greater => lo = mid,
            std::cmp::Ordering::Less => hi = mid,
            std::cmp::Ordering::Equal => {
                return Ok(KappaBracket {
                    lo: mid.clone(),
                    hi: mid,
                    steps,
                });
            }
        }
    }
}

/// Encloses V, B and R from a κ bracket by the monotonicity of V, N and F in κ.
fn assemble(
    spectrum: &Spectrum<'_>,
    irreducible: &BigRational,
    samples: usize,
    kappa_lo: &BigRational,
    kappa_hi: &BigRational,
    steps: usize,
) -> Result<RiskValue<DeEnclosure>, ExactError> {
    let n = from_count(samples);
    let at_lo = spectrum.evaluate(kappa_lo)?;
    let at_hi = if kappa_lo == kappa_hi {
        None
    } else {
        Some(spectrum.evaluate(kappa_hi)?)
    };
    let at_hi = at_hi.as_ref().unwrap_or(&at_lo);

    // df2 < n at κ_lo, and df2(κ_hi) ≤ df2(κ_lo); the bisection ensures it
    // away from κ = 0, and at κ = 0 (λ = 0, p < n) df2 = p < n.
    let slack_lo = &n - &at_lo.df2;
    let slack_hi = &n - &at_hi.df2;
    if !slack_lo.is_positive() || !slack_hi.is_positive() {
        return Ok(RiskValue::Divergent);
    }

    let variance_at =
        |values: &SpectralValues, slack: &BigRational| irreducible * &values.df2 / slack;
    let factor_at = |slack: &BigRational| &n / slack;

    let variance = Interval::new(
        variance_at(at_hi, &slack_hi),
        variance_at(&at_lo, &slack_lo),
    );
    let bias = Interval::new(
        &at_lo.bias_numerator * factor_at(&slack_hi),
        &at_hi.bias_numerator * factor_at(&slack_lo),
    );
    let risk = Interval::new(
        irreducible + &variance.lo + &bias.lo,
        irreducible + &variance.hi + &bias.hi,
    );
    Ok(RiskValue::Finite(DeEnclosure {
        kappa: Interval::new(kappa_lo.clone(), kappa_hi.clone()),
        irreducible: irreducible.clone(),
        bias,
        variance,
        risk,
        steps,
    }))
}

/// Encloses the deterministic equivalent with certified bounds along a
/// strictly increasing size grid, for n = `params.samples` and the given λ.
///
/// Each κ bracket has relative width ≤ `relative_width` (use
/// [`default_relative_width`] for 2^-64). κ is exact, and the enclosure a
/// point, in three cases: p = 0 (κ = λ, R = tr Σ_y), λ = 0 with p < n
/// (κ = 0), and a bisection midpoint that is the root. λ = 0 with p = n is
/// [`RiskValue::Divergent`] unless σ²_p = 0, where it is the point 0. The
/// HMM family uses the d×d low-rank evaluation when σ_u² > 0 and the p×p
/// matrices when σ_u² = 0 (then p ≤ d).
///
/// # Errors
/// [`ExactError::InvalidSamples`] when n = 0, [`ExactError::Negative`] when
/// λ < 0, [`ExactError::InvalidWidth`] when
/// the width is ≤ 0, [`ExactError::BisectionLimit`] after
/// [`MAX_KAPPA_STEPS`] steps, and the errors of
/// [`crate::population::population_curve`].
pub fn enclosure_curve(
    params: &ParameterSet,
    sizes: &[usize],
    ridge: &BigRational,
    relative_width: &BigRational,
) -> Result<Vec<EnclosurePoint>, ExactError> {
    check_request(params.samples, ridge, relative_width)?;
    let request = Request {
        samples: params.samples,
        ridge,
        relative_width,
    };

    match &params.family {
        Family::Isotropic(family) => {
            check_sizes(sizes, family.max_size)?;
            sizes
                .iter()
                .map(|&size| {
                    let point = crate::isotropic::population_point(family, size);
                    let enclosure = if size == 0 {
                        RiskValue::Finite(point_enclosure(&point.irreducible, ridge))
                    } else {
                        let spectrum = Spectrum::ScaledIdentity {
                            size,
                            scale: BigRational::one(),
                            head_norm_squared: point.head_norm_squared.clone(),
                        };
                        enclose(&spectrum, &point.irreducible, &request)?
                    };
                    Ok(EnclosurePoint { size, enclosure })
                })
                .collect()
        }
        Family::Hmm(hmm) => {
            let population = HmmPopulation::new(hmm)?;
            population
                .factors_along(sizes)?
                .iter()
                .map(|(point, factors)| {
                    let enclosure = match factors {
                        SizeFactors::Empty => {
                            RiskValue::Finite(point_enclosure(&point.irreducible, ridge))
                        }
                        SizeFactors::LowRank(low_rank) => {
                            enclose(&Spectrum::LowRank(low_rank), &point.irreducible, &request)?
                        }
                        SizeFactors::Direct(matrices) => {
                            enclose(&Spectrum::Direct(matrices), &point.irreducible, &request)?
                        }
                    };
                    Ok(EnclosurePoint {
                        size: point.size,
                        enclosure,
                    })
                })
                .collect()
        }
    }
}

/// Encloses the deterministic equivalent at one size; see [`enclosure_curve`].
///
/// # Errors
/// As [`enclosure_curve`].
pub fn enclose_at_size(
    params: &ParameterSet,
    size: usize,
    ridge: &BigRational,
    relative_width: &BigRational,
) -> Result<RiskValue<DeEnclosure>, ExactError> {
    let mut curve = enclosure_curve(params, &[size], ridge, relative_width)?;
    Ok(curve.remove(0).enclosure)
}

/// Encloses the deterministic equivalent of an HMM at one size through the
/// p×p matrices Σ_x and Θ*, whatever σ_u². Cost O(p³) per bisection step; intended for
/// cross-checks of the low-rank evaluation on small p.
///
/// # Errors
/// As [`enclosure_curve`], and [`ExactError::SingularFeatureCovariance`]
/// when σ_u² = 0 and Σ_x is singular.
pub fn enclose_direct(
    population: &HmmPopulation<'_>,
    size: usize,
    samples: usize,
    ridge: &BigRational,
    relative_width: &BigRational,
) -> Result<RiskValue<DeEnclosure>, ExactError> {
    check_request(samples, ridge, relative_width)?;
    let request = Request {
        samples,
        ridge,
        relative_width,
    };
    let (point, matrices) = population.direct_at_size(size)?;
    if size == 0 {
        return Ok(RiskValue::Finite(point_enclosure(
            &point.irreducible,
            ridge,
        )));
    }
    enclose(&Spectrum::Direct(&matrices), &point.irreducible, &request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(numerator.into(), denominator.into())
    }

    const D3_HMM: &str = r#"
family = "hmm"
[hmm]
dim = 3
transition = [[0.6, 0.8, 0], [0, 0.5, 0.3], [0, -0.3, 0.5]]
noise_variance = 0.5
position = "stationary"
representation_noise = 0.25
readout = [[1, 0, -1], [0.5, 1, 0]]
[hmm.features]
columns = 12
seed = 5
bits = 8
[training]
samples = 6
"#;

    #[test]
    fn low_rank_spectrum_equals_direct() {
        let params = headrisk_model::parse(D3_HMM).unwrap();
        let Family::Hmm(hmm) = &params.family else {
            panic!("expected the hmm family");
        };
        let population = HmmPopulation::new(hmm).unwrap();
        let sizes: Vec<usize> = (1..=12).collect();
        let kappas = [ratio(0, 1), ratio(1, 7), ratio(3, 2), ratio(40, 1)];

        for (point, factors) in population.factors_along(&sizes).unwrap() {
            let SizeFactors::LowRank(low_rank) = &factors else {
                panic!("σ_u² > 0 takes the low-rank path");
            };
            let (_, matrices) = population.direct_at_size(point.size).unwrap();
            let fast = Spectrum::LowRank(low_rank);
            let slow = Spectrum::Direct(&matrices);
            assert_eq!(
                fast.trace().unwrap(),
                slow.trace().unwrap(),
                "tr Σ_x at p = {}",
                point.size
            );
            for kappa in &kappas {
                let context = format!("p = {}, κ = {kappa}", point.size);
                assert_eq!(
                    fast.df1(kappa).unwrap(),
                    slow.df1(kappa).unwrap(),
                    "df1 at {context}"
                );
                let fast_values = fast.evaluate(kappa).unwrap();
                let slow_values = slow.evaluate(kappa).unwrap();
                assert_eq!(fast_values.df2, slow_values.df2, "df2 at {context}");
                assert_eq!(
                    fast_values.bias_numerator, slow_values.bias_numerator,
                    "N at {context}"
                );
            }
        }
    }

    #[test]
    fn scaled_identity_spectrum_by_hand() {
        // Σ_x = 2 I_4, ‖Θ*‖² = 3, κ = 2: df1 = 4·2/4 = 2, df2 = 4·(1/2)² = 1,
        // N = κ²·c‖Θ*‖²/(c + κ)² = 4·6/16 = 3/2.
        let spectrum = Spectrum::ScaledIdentity {
            size: 4,
            scale: ratio(2, 1),
            head_norm_squared: ratio(3, 1),
        };
        let kappa = ratio(2, 1);
        assert_eq!(spectrum.df1(&kappa).unwrap(), ratio(2, 1));
        let values = spectrum.evaluate(&kappa).unwrap();
        assert_eq!(values.df2, ratio(1, 1));
        assert_eq!(values.bias_numerator, ratio(3, 2));
        assert_eq!(spectrum.trace().unwrap(), ratio(8, 1));
    }

    #[test]
    fn interval_helpers() {
        let interval = Interval::new(ratio(3, 1), ratio(1, 1));
        assert_eq!(interval.lo, ratio(1, 1));
        assert_eq!(interval.width(), ratio(2, 1));
        assert!(interval.contains(&ratio(2, 1)));
        assert!(!interval.contains(&ratio(4, 1)));
        assert!(interval.contains_interval(&Interval::point(ratio(3, 1))));
        assert!(Interval::point(ratio(1, 2)).is_point());
    }
}
