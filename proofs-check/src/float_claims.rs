//! Claims of the floating-point engine: agreement with the exact engine,
//! the deterministic equivalent inside its certified enclosure, the shape
//! of the deterministic-equivalent curve, and the approach to the
//! proportional limit.

use headrisk_exact::{EnclosurePoint, FiniteSampleRisk as ExactRisk, RiskValue};
use headrisk_float::{DeterministicEquivalent, FiniteSampleRisk as FloatRisk, Model, tolerance};
use headrisk_model::number::to_f64;
use headrisk_model::{BigRational, Family, FeatureSource, ParameterSet};

use crate::exact_claims::ExactRun;
use crate::numbers::{counted, float_text};
use crate::report::{Claim, ShapeReport, Status};
use crate::shape::{self, FloatOrder, Point};

/// Relative residual of the float Lyapunov solve above which the stationary
/// covariance is not trusted: a few hundred ulps of the solve's own error.
pub const LYAPUNOV_RESIDUAL_LIMIT: f64 = 1e-12;

/// Factors by which `n` grows in the limit claim, with γ = p/n held fixed.
pub const LIMIT_SAMPLE_FACTORS: [usize; 4] = [1, 2, 4, 8];
/// Ratios γ = p/n at which the limit claim compares the deterministic
/// equivalent with the proportional limit, one on each side of the peak.
pub const LIMIT_RATIOS: [(usize, usize); 2] = [(1, 2), (2, 1)];
/// Relative slack allowed when the distance to the limit is already at
/// rounding level and cannot shrink further.
pub const LIMIT_FLOOR: f64 = 1e-9;

/// The float model, its population and finite-sample curves, and the
/// deterministic-equivalent curve.
#[derive(Debug)]
pub struct FloatRun {
    pub model: Model,
    pub population: Vec<headrisk_float::Population>,
    pub finite_sample: Vec<FloatRisk>,
    pub equivalent: Vec<DeterministicEquivalent>,
    pub ridge: f64,
}

impl FloatRun {
    pub fn new(params: &ParameterSet) -> Result<Self, headrisk_float::FloatError> {
        let model = Model::from_parameters(params)?;
        let ridge = to_f64(&params.ridge);
        let population = model.population_curve(&params.sizes)?;
        let finite_sample = model.finite_sample_curve(&params.sizes, params.samples)?;
        let equivalent =
            model.deterministic_equivalent_curve(&params.sizes, params.samples, ridge)?;
        Ok(Self {
            model,
            population,
            finite_sample,
            equivalent,
            ridge,
        })
    }

    /// Returns the deterministic-equivalent risk at each size, for shape analysis.
    pub fn equivalent_points(&self) -> Vec<(usize, Point<f64>)> {
        self.equivalent
            .iter()
            .map(|point| {
                let value = match point.risk {
                    RiskValue::Finite(risk) => Point::Finite(risk),
                    RiskValue::Divergent => Point::Divergent,
                };
                (point.size, value)
            })
            .collect()
    }
}

/// Whether `difference ≤ tolerance`; a NaN difference is never within.
fn within(difference: f64, tolerance: f64) -> bool {
    difference <= tolerance
}

fn relative_difference(float: f64, exact: &BigRational) -> f64 {
    let exact = to_f64(exact);
    let scale = exact.abs().max(f64::MIN_POSITIVE);
    (float - exact).abs() / scale
}

fn dim(params: &ParameterSet) -> usize {
    match &params.family {
        Family::Hmm(hmm) => hmm.dim,
        Family::Isotropic(_) => 1,
    }
}

/// Claims that need only the float engine.
pub fn standalone_claims(run: &FloatRun) -> Vec<Claim> {
    let id = "float.lyapunov";
    let statement = "the float Lyapunov solve Σ = AΣAᵀ + Q has a small relative residual";
    let claim = match run.model.lyapunov_residual() {
        None => Claim::skip(
            id,
            statement,
            "no stationary covariance in this parameter set",
        ),
        Some(residual) => Claim::from_check(
            id,
            statement,
            format!(
                "relative residual {} ≤ {LYAPUNOV_RESIDUAL_LIMIT:e}",
                float_text(residual)
            ),
            (residual.is_nan() || residual > LYAPUNOV_RESIDUAL_LIMIT).then(|| {
                format!(
                    "relative residual {} > {LYAPUNOV_RESIDUAL_LIMIT:e}",
                    float_text(residual)
                )
            }),
        ),
    };
    vec![claim]
}

/// Float population and finite-sample risk against the exact engine.
pub fn agreement_claims(
    params: &ParameterSet,
    exact: &ExactRun<'_>,
    float: &FloatRun,
) -> Vec<Claim> {
    let d = dim(params);
    let mut worst: (f64, f64, String) = (0.0, 0.0, String::new());
    let mut failure = None;
    for (exact_point, float_point) in exact.curve.iter().zip(&float.population) {
        let p = float_point.size;
        let tol = tolerance::float_exact_tolerance(p, d, float_point.condition_estimate);
        let pairs = [
            (
                "σ²_p",
                float_point.irreducible,
                &exact_point.population.irreducible,
            ),
            ("s_p", float_point.signal, &exact_point.population.signal),
            (
                "tr Σ_y",
                float_point.output_variance,
                &exact.bounds.target_trace,
            ),
            ("σ²_B", float_point.bayes_risk, &exact.bounds.bayes_risk),
        ];
        for (name, float_value, exact_value) in pairs {
            // s_p can be exactly 0 (p = 0); compare it on the scale of tr Σ_y.
            let difference = if name == "s_p" {
                (float_value - to_f64(exact_value)).abs()
                    / to_f64(&exact.bounds.target_trace)
                        .abs()
                        .max(f64::MIN_POSITIVE)
            } else {
                relative_difference(float_value, exact_value)
            };
            if difference / tol > worst.0 / worst.1.max(f64::MIN_POSITIVE) || worst.2.is_empty() {
                worst = (difference, tol, format!("{name} at p = {p}"));
            }
            if !within(difference, tol) && failure.is_none() {
                failure = Some(format!(
                    "{name} at p = {p}: float {}, exact {}, relative difference {:.3e} > tolerance {:.3e}",
                    float_text(float_value),
                    float_text(to_f64(exact_value)),
                    difference,
                    tol
                ));
            }
        }
    }
    let population = Claim::from_check(
        "float.population",
        "float σ²_p, s_p, tr Σ_y and σ²_B equal the exact values within a tolerance scaled by size and conditioning",
        format!(
            "largest relative difference {:.3e} ({}), tolerance there {:.3e}",
            worst.0, worst.2, worst.1
        ),
        failure,
    );

    let mut largest = 0.0f64;
    let mut failure = None;
    let mut compared = 0;
    let mut exact_only = 0;
    let hmm = matches!(params.family, Family::Hmm(_));
    for ((exact_point, float_point), population) in exact
        .curve
        .iter()
        .zip(&float.finite_sample)
        .zip(&float.population)
    {
        let p = population.size;
        let tol = tolerance::float_exact_tolerance(p, d, population.condition_estimate);
        let mismatch = match (&exact_point.risk, float_point) {
            (ExactRisk::Closed(RiskValue::Finite(exact_risk)), FloatRisk::ClosedForm(parts)) => {
                match parts.total {
                    RiskValue::Finite(value) => {
                        compared += 1;
                        let difference = relative_difference(value, &exact_risk.total);
                        largest = largest.max(difference);
                        (!within(difference, tol)).then(|| {
                        format!(
                            "R at p = {p}: float {}, exact {}, relative difference {difference:.3e} > {tol:.3e}",
                            float_text(value),
                            float_text(to_f64(&exact_risk.total))
                        )
                    })
                    }
                    RiskValue::Divergent => Some(format!(
                        "at p = {p} the float risk diverges but the exact one is finite"
                    )),
                }
            }
            (ExactRisk::Closed(RiskValue::Divergent), FloatRisk::ClosedForm(parts))
                if parts.total.is_divergent() =>
            {
                None
            }
            (ExactRisk::NoClosedForm(_), _)
                if params.sampling != headrisk_model::Sampling::Independent =>
            {
                None
            }
            (ExactRisk::NoClosedForm(headrisk_exact::NoClosedForm::Ridge), _) => None,
            (ExactRisk::NoClosedForm(_), FloatRisk::NoClosedForm { .. }) => None,
            // Past n the exact engine has a closed form where Σ_x = c·I_p
            // exactly (at p = n + 1 only where σ²_p = 0 as well). The float
            // engine cannot decide Σ_x = c·I_p from rounded values, so it
            // gives the HMM family no closed form there.
            (ExactRisk::Closed(RiskValue::Finite(_)), FloatRisk::NoClosedForm { .. })
                if hmm && p > params.samples =>
            {
                exact_only += 1;
                None
            }
            (exact_risk, float_risk) => Some(format!(
                "at p = {p} the engines disagree on the kind of value: exact {}, float {}",
                kind_exact(exact_risk),
                kind_float(float_risk)
            )),
        };
        if failure.is_none() {
            failure = mismatch;
        }
    }
    let finite = if compared == 0 && failure.is_none() {
        Claim::skip(
            "float.finite-sample",
            "the float finite-sample risk equals the exact one",
            "no size has a closed-form finite risk",
        )
    } else {
        let uncompared = if exact_only == 0 {
            String::new()
        } else {
            format!(
                "; {} past n with only an exact closed form (Σ_x = c·I_p)",
                counted(exact_only, "size", "sizes")
            )
        };
        Claim::from_check(
            "float.finite-sample",
            "the float finite-sample risk equals the exact one, with divergence at the same sizes",
            format!(
                "{}, largest relative difference {largest:.3e}{uncompared}",
                counted(compared, "finite size", "finite sizes")
            ),
            failure,
        )
    };
    vec![population, finite]
}

fn kind_exact(risk: &ExactRisk) -> &'static str {
    match risk {
        ExactRisk::Closed(RiskValue::Finite(_)) => "finite",
        ExactRisk::Closed(RiskValue::Divergent) => "divergent",
        _ => "no closed form",
    }
}

fn kind_float(risk: &FloatRisk) -> &'static str {
    match risk {
        FloatRisk::ClosedForm(parts) if parts.total.is_divergent() => "divergent",
        FloatRisk::ClosedForm(_) => "finite",
        FloatRisk::NoClosedForm { .. } => "no closed form",
    }
}

/// Checks that each float deterministic equivalent lies in the exact certified enclosure.
pub fn enclosure_claim(
    params: &ParameterSet,
    enclosures: &[EnclosurePoint],
    float: &FloatRun,
) -> Claim {
    let id = "de.enclosure";
    let statement = "each float deterministic-equivalent risk lies in the exact certified enclosure, widened only by the float tolerance";
    let d = dim(params);
    let mut widest = 0.0f64;
    let mut worst_margin: Option<(f64, usize)> = None;
    let mut checked = 0;
    for enclosure in enclosures {
        let Some(index) = float
            .equivalent
            .iter()
            .position(|point| point.size == enclosure.size)
        else {
            continue;
        };
        let (equivalent, population) = (&float.equivalent[index], &float.population[index]);
        let p = equivalent.size;
        let tol = tolerance::float_exact_tolerance(p, d, population.condition_estimate);
        match (&enclosure.enclosure, equivalent.risk.clone()) {
            (RiskValue::Divergent, RiskValue::Divergent) => {}
            (RiskValue::Finite(interval), RiskValue::Finite(value)) => {
                checked += 1;
                let lo = to_f64(&interval.risk.lo);
                let hi = to_f64(&interval.risk.hi);
                let width = to_f64(&interval.risk.width()) / hi.abs().max(f64::MIN_POSITIVE);
                widest = widest.max(width);
                let slack = tol * hi.abs().max(lo.abs());
                // Distance outside the interval, relative to the value; ≤ 0 inside.
                let outside = (lo - value).max(value - hi) / hi.abs().max(f64::MIN_POSITIVE);
                if worst_margin.is_none_or(|(margin, _)| outside > margin) {
                    worst_margin = Some((outside, p));
                }
                if !(value >= lo - slack && value <= hi + slack) {
                    return Claim::new(
                        id,
                        statement,
                        Status::Fail,
                        format!(
                            "at p = {p}: float R_DE = {}, enclosure [{}, {}], float tolerance {tol:.3e}",
                            float_text(value),
                            float_text(lo),
                            float_text(hi)
                        ),
                    );
                }
            }
            (exact_kind, float_kind) => {
                return Claim::new(
                    id,
                    statement,
                    Status::Fail,
                    format!(
                        "at p = {p}: exact enclosure is {}, float value is {}",
                        if exact_kind.is_divergent() {
                            "divergent"
                        } else {
                            "finite"
                        },
                        if float_kind.is_divergent() {
                            "divergent"
                        } else {
                            "finite"
                        }
                    ),
                );
            }
        }
    }
    if checked == 0 {
        return Claim::skip(
            id,
            statement,
            "every enclosed size is divergent, so no finite value is compared",
        );
    }
    let margin = worst_margin.map_or(String::new(), |(outside, p)| {
        if outside <= 0.0 {
            format!(", every value strictly inside (closest at p = {p})")
        } else {
            format!(
                ", largest excursion {outside:.3e} relative at p = {p}, within the float tolerance"
            )
        }
    });
    Claim::new(
        id,
        statement,
        Status::Pass,
        format!(
            "{}, widest enclosure {widest:.3e} relative{margin}",
            counted(checked, "size", "sizes")
        ),
    )
}

/// Builds the shape claims and shape section of the deterministic-equivalent curve.
pub fn shape_claims(params: &ParameterSet, float: &FloatRun) -> (Vec<Claim>, ShapeReport) {
    let points = float.equivalent_points();
    let order = FloatOrder::new(float.model.output_variance());
    let found = shape::analyze(&points, params.samples, &order);
    let value_at = |size: Option<usize>| {
        size.and_then(|size| {
            points
                .iter()
                .find(|(p, _)| *p == size)
                .and_then(|(_, point)| match point {
                    Point::Finite(value) => Some(float_text(*value)),
                    _ => None,
                })
        })
    };
    let finite_at = |size: usize| {
        points.iter().find_map(|(p, point)| match point {
            Point::Finite(value) if *p == size => Some(*value),
            _ => None,
        })
    };
    let empty_head_excess = found
        .first_descent_minimum
        .and_then(finite_at)
        .zip(finite_at(0))
        .map(|(minimum, empty)| float_text(empty - minimum));
    let report = ShapeReport {
        engine: "de",
        sweet_spot_risk: value_at(found.sweet_spot),
        empty_head_risk: value_at(Some(0)),
        empty_head_excess,
        shape: found.clone(),
    };
    (
        crate::shape_claims::claims("de", &found, params.samples, &report),
        report,
    )
}

/// Checks that the deterministic equivalent approaches the proportional
/// limit as n grows with γ = p/n fixed.
pub fn limit_claim(params: &ParameterSet) -> Claim {
    let id = "limit.approach";
    let statement = "with γ = p/n fixed at 1/2 and 2, the deterministic equivalent at n, 2n, 4n, 8n moves towards the proportional limit";
    if !params.ridge.eq(&BigRational::from_integer(0.into())) {
        return Claim::skip(
            id,
            statement,
            "the proportional limits are stated for the ridgeless head (λ = 0)",
        );
    }
    let scaled = match scaled_parameters(params) {
        Ok(scaled) => scaled,
        Err(reason) => return Claim::skip(id, statement, reason),
    };
    let model = match Model::from_parameters(&scaled) {
        Ok(model) => model,
        Err(error) => {
            return Claim::new(
                id,
                statement,
                Status::Fail,
                format!("the float engine failed: {error}"),
            );
        }
    };

    // A zero limit (σ²_B = 0) has no relative scale, so distances are then
    // measured on the scale of tr Σ_y.
    let output_variance = model.output_variance().abs().max(f64::MIN_POSITIVE);
    let dim = dim(&scaled);
    let mut details = Vec::new();
    let mut steps = 0;
    let mut unresolved = 0;
    let mut largest_error = 0.0f64;
    for (numerator, denominator) in LIMIT_RATIOS {
        let gamma = numerator as f64 / denominator as f64;
        let limit = match model.limit(gamma) {
            Ok(RiskValue::Finite(limit)) => limit,
            Ok(RiskValue::Divergent) => continue,
            Err(error) => {
                return Claim::new(
                    id,
                    statement,
                    Status::Fail,
                    format!("limit at γ = {gamma}: {error}"),
                );
            }
        };
        let scale = if limit == 0.0 {
            output_variance
        } else {
            limit.abs()
        };
        let points = match limit_points(&model, params.samples, dim, (numerator, denominator)) {
            Ok(points) => points,
            Err(failure) => return Claim::new(id, statement, Status::Fail, failure),
        };
        let points: Vec<LimitPoint> = points
            .into_iter()
            .map(|(samples, risk, tolerance)| LimitPoint {
                samples,
                distance: (risk - limit).abs() / scale,
                error: tolerance * risk.abs() / scale,
            })
            .collect();
        let text = format!(
            "γ = {gamma}: limit {}, {} {}",
            float_text(limit),
            if limit == 0.0 {
                "distance relative to tr Σ_y"
            } else {
                "relative distance"
            },
            points
                .iter()
                .map(|point| format!("{:.2e} (n = {})", point.distance, point.samples))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for pair in points.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            let error = before.error + after.error;
            if after.distance > before.distance * (1.0 + LIMIT_FLOOR) + LIMIT_FLOOR + error {
                return Claim::new(
                    id,
                    statement,
                    Status::Fail,
                    format!("the distance grows: {text}"),
                );
            }
            steps += 1;
            if error > LIMIT_FLOOR && after.distance > before.distance - error {
                unresolved += 1;
                largest_error = largest_error.max(before.error).max(after.error);
            }
        }
        details.push(text);
    }
    if steps > 0 && unresolved == steps {
        return Claim::skip(
            id,
            statement,
            format!(
                "f64 cannot resolve the approach: the worst-case rounding bound of the deterministic \
                 equivalent (the tolerance of de.enclosure, up to {largest_error:.2e} relative) \
                 exceeds every fall of the distance, because Σ or Σ_x is ill-conditioned"
            ),
        );
    }
    if unresolved > 0 {
        details.push(format!(
            "{unresolved} of {steps} steps fall by less than the worst-case rounding bound \
             (up to {largest_error:.2e} relative) and are not counted as falls"
        ));
    }
    Claim::new(id, statement, Status::Pass, details.join("; "))
}

/// Evaluates the deterministic equivalent at n, 2n, 4n and 8n with
/// γ = numerator/denominator fixed. Returns n, the risk and the relative
/// bound of its rounding error at each, or the failure as text.
fn limit_points(
    model: &Model,
    samples: usize,
    dim: usize,
    (numerator, denominator): (usize, usize),
) -> Result<Vec<(usize, f64, f64)>, String> {
    let mut points = Vec::new();
    for factor in LIMIT_SAMPLE_FACTORS {
        let n = samples * factor;
        let p = n * numerator / denominator;
        let (risk, population) = model
            .deterministic_equivalent(p, n, 0.0)
            .and_then(|equivalent| Ok((equivalent.risk, model.population(p)?)))
            .map_err(|error| format!("DE at n = {n}, p = {p}: {error}"))?;
        let RiskValue::Finite(risk) = risk else {
            return Err(format!("DE diverges at n = {n}, p = {p}"));
        };
        // The float tolerance of de.enclosure bounds the rounding error of
        // the DE value. It is a worst-case bound, and an ill-conditioned Σ_t
        // (ρ(A) > 1 at a late position) can make the actual error as large
        // as the distance to the limit.
        let tolerance = tolerance::float_exact_tolerance(p, dim, population.condition_estimate);
        points.push((n, risk, tolerance));
    }
    Ok(points)
}

/// The distance of the deterministic equivalent to the limit at one n, and
/// the bound of its rounding error, both relative to the limit (to tr Σ_y
/// when the limit is 0).
struct LimitPoint {
    samples: usize,
    distance: f64,
    error: f64,
}

/// The parameter set with enough feature columns for the largest size the
/// limit claim needs; generated features extend with the same seed, so the
/// original columns are kept.
fn scaled_parameters(params: &ParameterSet) -> Result<ParameterSet, String> {
    let largest_factor = LIMIT_SAMPLE_FACTORS.iter().copied().max().unwrap_or(1);
    let largest_ratio = LIMIT_RATIOS
        .iter()
        .map(|(numerator, denominator)| numerator.div_ceil(*denominator))
        .max()
        .unwrap_or(1);
    let needed = params.samples * largest_factor * largest_ratio;
    let mut scaled = params.clone();
    match &mut scaled.family {
        Family::Isotropic(family) => family.max_size = family.max_size.max(needed),
        Family::Hmm(hmm) => {
            if hmm.representation_noise == BigRational::from_integer(0.into()) {
                return Err("the latent limit assumes σ_u² > 0".into());
            }
            let FeatureSource::Generated(spec) = &hmm.feature_source else {
                return Err(
                    "explicit features cannot be extended to the sizes the limit needs".into(),
                );
            };
            if hmm.dim.saturating_mul(needed) > headrisk_model::MAX_FEATURE_ENTRIES {
                return Err(format!(
                    "{needed} feature columns would exceed the feature-matrix limit"
                ));
            }
            let mut spec = spec.clone();
            spec.columns = spec.columns.max(needed);
            hmm.features = headrisk_model::features::generate(hmm.dim, &spec);
        }
    }
    Ok(scaled)
}
