//! Claims about the shape of a risk curve, shared by every engine.

use headrisk_model::BigRational;
use headrisk_model::number::format_decimal;

use crate::report::{Claim, ShapeReport, Status};
use crate::shape::Shape;

/// The double-descent claim and the degenerate-first-descent claim for one
/// curve.
///
/// Double descent holds when the risk rises after the sweet spot to a peak,
/// which is either divergent sizes or a finite maximum above the risk at the
/// sweet spot. It must also fall again past the peak wherever the engine has
/// values for p ≥ n + 2. The first descent is degenerate on a finite curve
/// when the sweet spot is p = 0. The proportional sense, p_sweet/n → 0, is
/// the subject of `scaling`.
pub fn claims(engine: &str, shape: &Shape, samples: usize, report: &ShapeReport) -> Vec<Claim> {
    let double_id = format!("shape.{engine}.double-descent");
    let double_statement =
        format!("the {engine} risk curve rises after its sweet spot, peaks, then falls again");
    let degenerate_id = format!("shape.{engine}.degenerate-first-descent");
    let degenerate_statement =
        "the sweet spot over 0 ≤ p ≤ n − 2 is p = 0 (degenerate first descent)";

    let Some(sweet_spot) = shape.sweet_spot.filter(|_| shape.finite_points >= 2) else {
        let reason = curve_untested(engine, shape, samples).unwrap_or_default();
        return vec![
            Claim::skip(double_id, double_statement, reason.clone()),
            Claim::skip(degenerate_id, degenerate_statement, reason),
        ];
    };
    let at_sweet = report.sweet_spot_risk.clone().unwrap_or_default();

    let peak = if shape.divergent_sizes.is_empty() {
        shape.finite_peak.map(|p| format!("finite peak at p = {p}"))
    } else {
        let first = shape.divergent_sizes.first().copied().unwrap_or_default();
        let last = shape.divergent_sizes.last().copied().unwrap_or_default();
        Some(if first == last {
            format!("divergent at p = {first}")
        } else {
            format!("divergent at p = {first}..{last}")
        })
    };
    let (status, detail) = match (
        shape.non_monotone_start,
        &peak,
        shape.second_descent_present,
    ) {
        (None, _, _) => (
            Status::Fail,
            format!("the risk does not rise after the sweet spot p = {sweet_spot}"),
        ),
        (Some(start), None, _) => (
            Status::Fail,
            format!(
                "rises from p = {start}, but no later value rises above R = {at_sweet} at the sweet spot p = {sweet_spot}"
            ),
        ),
        (Some(start), Some(peak), Some(false)) if shape.second_descent_end.is_none() => (
            Status::Fail,
            format!("rises from p = {start}, {peak}, but the grid ends there"),
        ),
        (Some(start), Some(peak), Some(false)) => (
            Status::Fail,
            format!("rises from p = {start}, {peak}, but does not fall for p ≥ n + 2"),
        ),
        (Some(start), Some(peak), Some(true)) => (
            Status::Pass,
            format!(
                "rises from p = {start}, {peak}, falls to p = {}{}",
                shape.second_descent_end.unwrap_or_default(),
                if shape.still_falling_at_end == Some(true) {
                    " (still falling at the end of the sweep)"
                } else {
                    ""
                }
            ),
        ),
        (Some(start), Some(peak), None) if shape.divergent_sizes.is_empty() => (
            Status::Pass,
            format!(
                "rises from p = {start}, {peak}; no {engine} value for p ≥ n + 2 after the peak, so the second descent is not tested here"
            ),
        ),
        (Some(start), Some(peak), None) => (
            Status::Pass,
            format!(
                "rises from p = {start}, {peak}; fewer than two {engine} values for p ≥ n + 2, so the second descent is not tested here"
            ),
        ),
    };
    let double = Claim::new(double_id, double_statement, status, detail);

    let at_zero = report.empty_head_risk.clone().unwrap_or_default();
    let degenerate = match shape.first_descent_degenerate {
        None => Claim::skip(
            degenerate_id,
            degenerate_statement,
            format!(
                "{} (the sweet spot of the grid is p = {sweet_spot})",
                empty_head_absent(engine)
            ),
        ),
        Some(true) => Claim::new(
            degenerate_id,
            degenerate_statement,
            Status::Pass,
            if engine == "exact" {
                format!("R(0) = {at_zero} is the minimum")
            } else {
                format!("R(0) = {at_zero} is the minimum up to rounding")
            },
        ),
        Some(false) => Claim::new(
            degenerate_id,
            degenerate_statement,
            Status::Fail,
            format!(
                "R(0) = {at_zero} exceeds the minimum over 0 ≤ p ≤ n − 2{}, so the sweet spot is p = {sweet_spot} (p/n = {}) with R = {at_sweet}",
                report
                    .empty_head_excess
                    .as_ref()
                    .map_or(String::new(), |excess| format!(" by {excess}")),
                // Four significant digits of the exact ratio, as `curve` prints it.
                format_decimal(
                    &BigRational::new(sweet_spot.into(), samples.max(1).into()),
                    4
                )
            ),
        ),
    };
    vec![double, degenerate]
}

/// Returns why the degenerate-first-descent claim of a curve is skipped, or
/// `None` when it is tested. The shape section of the check report prints
/// the same reason.
pub fn degenerate_untested(engine: &str, shape: &Shape, samples: usize) -> Option<String> {
    curve_untested(engine, shape, samples).or_else(|| {
        shape
            .first_descent_degenerate
            .is_none()
            .then(|| empty_head_absent(engine).to_string())
    })
}

/// Returns why the shape claims of a curve are skipped, or `None` when they
/// are tested. They need two finite values, one of them at 0 ≤ p ≤ n − 2.
pub fn curve_untested(engine: &str, shape: &Shape, samples: usize) -> Option<String> {
    match (shape.finite_points, shape.sweet_spot) {
        (1, _) => Some(format!(
            "the {engine} engine has a finite value at only one size"
        )),
        (0, _) => Some(format!(
            "the {engine} engine has no finite value on the grid"
        )),
        (_, None) => Some(format!(
            "no finite value at 0 ≤ p ≤ n − 2 = {}",
            samples.saturating_sub(2)
        )),
        _ => None,
    }
}

/// Returns the reason a curve has no risk at p = 0. The simulation runs only
/// at its own sizes, the other engines at every grid size.
fn empty_head_absent(engine: &str) -> &'static str {
    if engine == "mc" {
        "p = 0 is not simulated"
    } else {
        "p = 0 is not on the grid"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::{ExactOrder, Point, analyze};

    fn finite_curve(values: &[(usize, i64)]) -> Vec<(usize, Point<i64>)> {
        values
            .iter()
            .map(|&(size, value)| (size, Point::Finite(value)))
            .collect()
    }

    fn shape_report(engine: &'static str, shape: &Shape) -> ShapeReport {
        ShapeReport {
            engine,
            shape: shape.clone(),
            sweet_spot_risk: Some("25".into()),
            empty_head_risk: None,
            empty_head_excess: None,
        }
    }

    #[test]
    fn double_descent_needs_peak_above_sweet_spot() {
        // The sweet spot over p ≤ n − 2 = 4 is p = 4. R blips up at
        // p = 7 → 8 but stays below R(4) = 25 and falls to the end.
        let points = finite_curve(&[
            (0, 50),
            (1, 40),
            (2, 45),
            (3, 30),
            (4, 25),
            (5, 24),
            (6, 22),
            (7, 20),
            (8, 21),
            (9, 19),
            (10, 16),
        ]);
        let shape = analyze(&points, 6, &ExactOrder);
        let claims = claims("exact", &shape, 6, &shape_report("exact", &shape));
        assert_eq!(claims[0].status, Status::Fail, "{}", claims[0].detail);
        assert_eq!(
            claims[0].detail,
            "rises from p = 7, but no later value rises above R = 25 at the sweet spot p = 4"
        );
    }

    #[test]
    fn degenerate_failure_states_excess_over_minimum() {
        let points = finite_curve(&[(0, 9), (2, 3), (4, 5), (8, 4)]);
        let shape = analyze(&points, 6, &ExactOrder);
        let report = ShapeReport {
            engine: "exact",
            shape: shape.clone(),
            sweet_spot_risk: Some("3".into()),
            empty_head_risk: Some("9".into()),
            empty_head_excess: Some("6".into()),
        };
        let claims = claims("exact", &shape, 6, &report);
        assert_eq!(claims[1].status, Status::Fail);
        assert_eq!(
            claims[1].detail,
            "R(0) = 9 exceeds the minimum over 0 ≤ p ≤ n − 2 by 6, so the sweet spot is p = 2 (p/n = 0.3333) with R = 3"
        );
    }

    #[test]
    fn degenerate_skip_reason_without_empty_head() {
        let points = finite_curve(&[(2, 3), (4, 2), (8, 4)]);
        let shape = analyze(&points, 6, &ExactOrder);
        let claims = claims("mc", &shape, 6, &shape_report("mc", &shape));
        assert_eq!(claims[1].status, Status::Skip);
        assert_eq!(
            claims[1].detail,
            "p = 0 is not simulated (the sweet spot of the grid is p = 4)"
        );
        assert_eq!(
            degenerate_untested("mc", &shape, 6).as_deref(),
            Some("p = 0 is not simulated")
        );
        assert_eq!(
            degenerate_untested("de", &shape, 6).as_deref(),
            Some("p = 0 is not on the grid")
        );
    }

    #[test]
    fn degenerate_tested_with_empty_head() {
        let points = finite_curve(&[(0, 1), (2, 3), (4, 2), (8, 4)]);
        let shape = analyze(&points, 6, &ExactOrder);
        assert_eq!(degenerate_untested("exact", &shape, 6), None);
        let claims = claims("exact", &shape, 6, &shape_report("exact", &shape));
        assert_eq!(claims[1].status, Status::Pass);
    }
}
