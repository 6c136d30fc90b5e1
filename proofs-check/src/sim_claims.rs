//! Claims of the simulator: agreement with the exact risk and with the
//! deterministic equivalent, the shape of the simulated curve, and the
//! effect of trajectory sampling.

use std::path::Path;

use headrisk_exact::{FiniteSampleRisk as ExactRisk, RiskValue};
use headrisk_model::number::to_f64;
use headrisk_model::{NoiselessSizes, ParameterSet, Sampling};
use headrisk_simulate::{SimulatedCurve, skewness_corrected};
use num_traits::Zero;

use crate::UsageError;
use crate::exact_claims::ExactRun;
use crate::float_claims::FloatRun;
use crate::numbers::{counted, float_text};
use crate::report::{Claim, ShapeReport, Status};
use crate::shape::{self, Comparator, Point};

/// Sizes with |p − n| ≤ 3 are left out of the simulated shape: the expected
/// ridgeless risk is infinite for |p − n| ≤ 1 ([`expected_risk_diverges`]),
/// and the conditional risk has infinite variance while n − p − 3 ≤ 0 (the
/// second moment of an inverse Wishart matrix needs n − p − 3 > 0), so a
/// mean there has no usable standard error.
pub const DIVERGENT_HALF_WIDTH: usize = 3;

/// Sizes with |p − n| ≤ 7 are not tested for agreement. The k-th moment of
/// the ridgeless conditional risk is finite only for |p − n| > 2k − 1. The
/// t-statistic of a mean needs a standard error that settles at the rate
/// 1/√trials, which takes a finite fourth moment, |p − n| ≥ 8. Closer to n
/// the right-skewed risks make a sample that misses its rare large values
/// show both a low mean and a low standard error, so the test raises false
/// alarms far above its nominal rate.
pub const HEAVY_TAIL_HALF_WIDTH: usize = 7;

/// Normal deviation whose two-sided tail sets the agreement tests. At 4, a
/// single correct comparison fails with probability about 6·10⁻⁵, so a
/// curve of a hundred sizes stays below 1% of false alarms. The tests use
/// the Student-t quantile with the same tail ([`critical_value`]), because
/// the standard error of a few trials is itself uncertain, and compare it
/// with the skewness-corrected statistic
/// ([`headrisk_simulate::skewness_corrected`]), because the risks are right
/// skewed: an uncorrected z fails a correct comparison 5 to 25 times more
/// often than nominal at 200 to 1,000 trials (estimated on χ²₁ and F samples).
pub const AGREEMENT_Z: f64 = 4.0;

/// Returns the Student-t equivalent of [`AGREEMENT_Z`] for a mean of
/// `trials` values, 4.09 at 200 trials. A mean agrees with a predicted value
/// within that many standard errors, and a step of the curve counts as a
/// rise or a fall beyond it.
pub fn critical_value(trials: usize) -> f64 {
    // The run rejects fewer than 2 trials, so the error branch is unused.
    headrisk_simulate::critical_value(trials, AGREEMENT_Z).unwrap_or(f64::INFINITY)
}

/// Relative floor of a standard error, on the scale of tr Σ_y: the
/// simulator's f64 risk evaluation carries rounding errors near 10⁻¹⁵ of
/// that scale, so a spread below 10⁻¹² of it is rounding, not sampling noise.
pub const ROUNDING_FLOOR: f64 = 1e-12;

/// Factor of the stated accuracy of the deterministic equivalent against the
/// finite-sample risk: relative error ≤ DE_ACCURACY_FACTOR·(1/n + 1/|p − n|).
/// At λ = 0 and p < n the exact ratio of the two is
/// (1 − 1/n)(1 + 1/(n − p − 1)), a relative error below 1/(n − p − 1) + 1/n;
/// the factor 2 covers the same order past the peak and ridge.
pub const DE_ACCURACY_FACTOR: f64 = 2.0;

/// Returns whether the ridgeless head at `size` lies within `half_width`
/// of n and has σ²_p > 0, so that its conditional risk is heavy-tailed.
fn close_to_threshold(
    size: usize,
    params: &ParameterSet,
    noiseless: NoiselessSizes,
    half_width: usize,
) -> bool {
    // The empty head p = 0 fits nothing, so its risk is tr Σ_y in every trial.
    size > 0
        && params.ridge.is_zero()
        && size.abs_diff(params.samples) <= half_width
        && !noiseless.contains(size)
}

/// Returns whether the simulation claims leave `size` out: the ridgeless
/// head with |p − n| ≤ [`DIVERGENT_HALF_WIDTH`] and σ²_p > 0.
pub fn near_threshold(size: usize, params: &ParameterSet, noiseless: NoiselessSizes) -> bool {
    close_to_threshold(size, params, noiseless, DIVERGENT_HALF_WIDTH)
}

/// Returns whether the expected risk at `size` is infinite: the sizes of
/// [`near_threshold`] with |p − n| ≤ 1. The others there have a finite
/// expected risk whose simulated mean has infinite variance.
pub fn expected_risk_diverges(
    size: usize,
    params: &ParameterSet,
    noiseless: NoiselessSizes,
) -> bool {
    close_to_threshold(size, params, noiseless, 1)
}

/// Returns whether the agreement claims leave `size` out: the ridgeless
/// head with |p − n| ≤ [`HEAVY_TAIL_HALF_WIDTH`] and σ²_p > 0. Where
/// σ²_p = 0 the conditional risk is at most ‖Θ*‖²_F times the largest
/// eigenvalue of Σ_x, so every moment is finite.
fn heavy_tailed(size: usize, params: &ParameterSet, noiseless: NoiselessSizes) -> bool {
    close_to_threshold(size, params, noiseless, HEAVY_TAIL_HALF_WIDTH)
}

/// Simulated risk at the sizes of the run, as shape points.
fn points(
    params: &ParameterSet,
    curve: &SimulatedCurve,
    noiseless: NoiselessSizes,
) -> Vec<(usize, Point<(usize, f64)>)> {
    curve
        .points
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let value = if expected_risk_diverges(point.size, params, noiseless) {
                Point::Divergent
            } else if near_threshold(point.size, params, noiseless) {
                Point::InfiniteVariance
            } else {
                Point::Finite((index, point.risk.mean))
            };
            (point.size, value)
        })
        .collect()
}

/// Compares simulated points by their paired differences: every size of a
/// trial shares its training draw, so a step counts as a rise or a fall only
/// when its paired mean exceeds [`critical_value`] paired standard errors
/// (after the skewness correction) and the rounding floor,
/// [`ROUNDING_FLOOR`] times the largest mean. Means that differ by no more
/// than the rounding floor are ties.
struct PairedOrder<'a> {
    curve: &'a SimulatedCurve,
    rounding: f64,
    critical: f64,
}

impl<'a> PairedOrder<'a> {
    fn new(curve: &'a SimulatedCurve) -> Self {
        let scale = curve
            .points
            .iter()
            .map(|point| point.risk.mean.abs())
            .filter(|mean| mean.is_finite())
            .fold(0.0, f64::max);
        Self {
            curve,
            rounding: ROUNDING_FLOOR * scale,
            critical: critical_value(curve.options.trials),
        }
    }

    fn z(&self, a: &(usize, f64), b: &(usize, f64)) -> f64 {
        match self.curve.paired_difference(a.0, b.0) {
            Ok(summary) if summary.mean.abs() <= self.rounding => 0.0,
            Ok(summary) if summary.standard_error > 0.0 => skewness_corrected(
                summary.mean / summary.standard_error,
                summary.skewness,
                summary.trials,
            ),
            Ok(summary) => summary.mean.signum() * f64::INFINITY,
            Err(_) => 0.0,
        }
    }
}

impl Comparator<(usize, f64)> for PairedOrder<'_> {
    fn order(&self, a: &(usize, f64), b: &(usize, f64)) -> std::cmp::Ordering {
        a.1.total_cmp(&b.1)
    }
    fn less(&self, a: &(usize, f64), b: &(usize, f64)) -> bool {
        b.1 - a.1 > self.rounding
    }
    fn rises(&self, a: &(usize, f64), b: &(usize, f64)) -> bool {
        self.z(a, b) > self.critical
    }
    fn falls(&self, a: &(usize, f64), b: &(usize, f64)) -> bool {
        self.z(a, b) < -self.critical
    }
}

/// Agreement with the exact risk where a closed form exists, and with the
/// deterministic equivalent elsewhere.
pub fn agreement_claims(
    params: &ParameterSet,
    curve: &SimulatedCurve,
    exact: Option<&ExactRun<'_>>,
    float: &FloatRun,
) -> Vec<Claim> {
    let noiseless = float.model.noiseless_sizes();
    let n = params.samples;
    let mut exact_tested = 0;
    let mut exact_worst: Option<(f64, usize, f64, f64)> = None;
    let mut exact_failure = None;
    let mut de_tested = 0;
    let mut de_worst: Option<(f64, usize)> = None;
    let mut de_failure = None;

    let critical = critical_value(curve.options.trials);
    for point in &curve.points {
        let p = point.size;
        if heavy_tailed(p, params, noiseless) {
            continue;
        }
        let summary = &point.risk;
        let exact_value = exact.and_then(|run| {
            run.curve
                .iter()
                .find(|candidate| candidate.population.size == p)
                .and_then(|candidate| match &candidate.risk {
                    ExactRisk::Closed(RiskValue::Finite(risk))
                        if params.sampling == Sampling::Independent =>
                    {
                        Some(to_f64(&risk.total))
                    }
                    _ => None,
                })
        });
        if let Some(expected) = exact_value {
            exact_tested += 1;
            // A size whose conditional risk does not vary (p = 0) has a
            // standard error at rounding level; floor it there.
            let scale = exact.map_or(expected.abs(), |run| {
                to_f64(&run.bounds.target_trace).abs().max(expected.abs())
            });
            // The mean of t equal values carries up to about t·ε of rounding.
            let rounding = (ROUNDING_FLOOR + 4.0 * f64::EPSILON * summary.trials as f64) * scale;
            let standard_error = summary.standard_error.max(rounding);
            let uncorrected = if standard_error > 0.0 {
                (summary.mean - expected) / standard_error
            } else if summary.mean == expected {
                0.0
            } else {
                f64::INFINITY
            };
            let z = skewness_corrected(uncorrected, summary.skewness, summary.trials);
            if exact_worst.is_none_or(|(worst, ..)| z.abs() > worst) {
                exact_worst = Some((z.abs(), p, summary.mean, expected));
            }
            if z.abs() > critical && exact_failure.is_none() {
                exact_failure = Some(format!(
                    "at p = {p}: simulated {} ± {} (standard error), exact {}, z = {z:.2} \
                     (uncorrected {uncorrected:.2}, skewness {:.2}), {} trials, seed {}",
                    float_text(summary.mean),
                    float_text(summary.standard_error),
                    float_text(expected),
                    summary.skewness,
                    summary.trials,
                    curve.options.seed
                ));
            }
            continue;
        }
        if params.sampling != Sampling::Independent {
            continue;
        }
        let Some(equivalent) = float
            .equivalent
            .iter()
            .find(|candidate| candidate.size == p)
        else {
            continue;
        };
        let RiskValue::Finite(predicted) = equivalent.risk else {
            continue;
        };
        de_tested += 1;
        let accuracy = DE_ACCURACY_FACTOR * (1.0 / n as f64 + 1.0 / p.abs_diff(n).max(1) as f64);
        let allowed = accuracy * predicted.abs() + critical * summary.standard_error;
        let distance = (summary.mean - predicted).abs();
        let ratio = distance / allowed.max(f64::MIN_POSITIVE);
        if de_worst.is_none_or(|(worst, _)| ratio > worst) {
            de_worst = Some((ratio, p));
        }
        if distance > allowed && de_failure.is_none() {
            de_failure = Some(format!(
                "at p = {p}: simulated {} ± {}, deterministic equivalent {}, distance {} > allowed {} \
                 (relative accuracy {accuracy:.3} plus {critical:.2} standard errors), seed {}",
                float_text(summary.mean),
                float_text(summary.standard_error),
                float_text(predicted),
                float_text(distance),
                float_text(allowed),
                curve.options.seed
            ));
        }
    }

    if params.sampling != Sampling::Independent {
        let reason = "trajectory sampling: the exact risk and the deterministic equivalent assume independent pairs (see mc.trajectory)";
        return vec![
            Claim::skip(
                "mc.exact",
                "the simulated mean agrees with the exact finite-sample risk",
                reason,
            ),
            Claim::skip(
                "mc.de",
                "the simulated mean agrees with the deterministic equivalent",
                reason,
            ),
        ];
    }
    let exact_claim = {
        let id = "mc.exact";
        let statement = format!(
            "the simulated mean agrees with the exact finite-sample risk within {critical:.2} standard errors \
             (skewness-corrected z against Student's t with the tail of {AGREEMENT_Z} normal ones; \
             |p − n| > {HEAVY_TAIL_HALF_WIDTH} at λ = 0 unless σ²_p = 0)"
        );
        match exact_worst {
            None => Claim::skip(
                id,
                statement,
                if exact.is_none() {
                    "the exact engine did not run"
                } else {
                    "no simulated size has an exact finite-sample value"
                },
            ),
            Some((z, p, mean, expected)) => Claim::from_check(
                id,
                statement,
                format!(
                    "{}, largest |z| = {z:.2} at p = {p} (simulated {}, exact {})",
                    counted(exact_tested, "size", "sizes"),
                    float_text(mean),
                    float_text(expected)
                ),
                exact_failure,
            ),
        }
    };
    let de_claim = {
        let id = "mc.de";
        let statement = format!(
            "where no exact value exists, the simulated mean agrees with the deterministic equivalent \
             within its accuracy {DE_ACCURACY_FACTOR}·(1/n + 1/|p − n|) plus {critical:.2} standard errors"
        );
        match de_worst {
            None => Claim::skip(
                id,
                statement,
                format!(
                    "every simulated size has an exact value or lies within {HEAVY_TAIL_HALF_WIDTH} of n"
                ),
            ),
            Some((ratio, p)) => Claim::from_check(
                id,
                statement,
                format!(
                    "{}, largest distance {ratio:.2} of the allowance at p = {p}",
                    counted(de_tested, "size", "sizes")
                ),
                de_failure,
            ),
        }
    };
    vec![exact_claim, de_claim]
}

/// Builds the shape claims and shape section of the simulated curve.
pub fn shape_claims(
    params: &ParameterSet,
    curve: &SimulatedCurve,
    noiseless: NoiselessSizes,
) -> (Vec<Claim>, ShapeReport) {
    let points = points(params, curve, noiseless);
    let found = shape::analyze(&points, params.samples, &PairedOrder::new(curve));
    let value_at = |size: Option<usize>| {
        size.and_then(|size| {
            curve
                .points
                .iter()
                .find(|point| point.size == size)
                .map(|point| {
                    format!(
                        "{} ± {}",
                        float_text(point.risk.mean),
                        float_text(point.risk.standard_error)
                    )
                })
        })
    };
    let mean_at = |size: usize| {
        curve
            .points
            .iter()
            .find(|point| point.size == size)
            .map(|point| point.risk.mean)
    };
    let report = ShapeReport {
        engine: "mc",
        sweet_spot_risk: value_at(found.sweet_spot),
        empty_head_risk: value_at(Some(0)),
        empty_head_excess: found
            .first_descent_minimum
            .and_then(mean_at)
            .zip(mean_at(0))
            .map(|(minimum, empty)| float_text(empty - minimum)),
        shape: found.clone(),
    };
    (
        crate::shape_claims::claims("mc", &found, params.samples, &report),
        report,
    )
}

/// For trajectory sampling: how far the simulated curve moves from the one
/// with independent pairs, at the same seed and sizes.
pub fn trajectory_claim(
    path: &Path,
    params: &ParameterSet,
    curve: &SimulatedCurve,
    noiseless: NoiselessSizes,
) -> Result<Claim, UsageError> {
    let id = "mc.trajectory";
    let statement =
        "trajectory sampling is simulated beside independent sampling and the shift is reported";
    if params.sampling != Sampling::Trajectory {
        return Ok(Claim::skip(
            id,
            statement,
            "the parameter set samples independent pairs",
        ));
    }
    let mut independent = params.clone();
    independent.sampling = Sampling::Independent;
    let reference = crate::simulation::run(path, &independent, false)?;
    let mut largest: Option<(f64, f64, usize)> = None;
    for (trajectory_point, independent_point) in curve.points.iter().zip(&reference.points) {
        if near_threshold(trajectory_point.size, params, noiseless) {
            continue;
        }
        let difference = trajectory_point.risk.mean - independent_point.risk.mean;
        let relative = difference / independent_point.risk.mean.abs().max(f64::MIN_POSITIVE);
        let combined = trajectory_point
            .risk
            .standard_error
            .hypot(independent_point.risk.standard_error);
        let z = if combined > 0.0 {
            difference / combined
        } else {
            0.0
        };
        if largest.is_none_or(|(worst, ..)| relative.abs() > worst.abs()) {
            largest = Some((relative, z, trajectory_point.size));
        }
    }
    Ok(match largest {
        None => Claim::skip(id, statement, "no simulated size away from the threshold"),
        Some((relative, z, p)) => Claim::new(
            id,
            statement,
            Status::Pass,
            format!(
                "largest relative shift {relative:+.3e} at p = {p} (z = {z:.2} against the independent curve)"
            ),
        ),
    })
}
