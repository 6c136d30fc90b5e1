//! Claims about the shape of a risk curve, shared by every engine.

use headrisk_model::BigRational;
use headrisk_model::number::format_decimal;

use crate::report::{Claim, ShapeReport, Status};
use crate::shape::Shape;

/// The double-descent claim and the degenerate-first-descent claim for one
/// curve.
///
/// Double descent holds when the risk rises somewhere after the sweet spot,
/// peaks (diverges, or reaches a finite maximum), and falls again past the
/// peak wherever the engine has values for p ≥ n + 2. The first descent is
/// degenerate on a finite curve when the sweet spot is p = 0; the
/// proportional sense, p_sweet/n → 0, is the subject of `scaling`.
pub fn claims(engine: &str, shape: &Shape, samples: usize, report: &ShapeReport) -> Vec<Claim> {
    let double_id = format!("shape.{engine}.double-descent");
    let double_statement =
        format!("the {engine} risk curve rises after its sweet spot, peaks, then falls again");
    let degenerate_id = format!("shape.{engine}.degenerate-first-descent");
    let degenerate_statement =
        "the sweet spot over 0 ≤ p ≤ n − 2 is p = 0 (degenerate first descent)";

    if shape.finite_points < 2 {
        let reason = match shape.finite_points {
            1 => format!("the {engine} engine has a finite value at only one size"),
            count => format!("the {engine} engine has a finite value at {count} sizes"),
        };
        return vec![
            Claim::skip(double_id, double_statement, reason.clone()),
            Claim::skip(degenerate_id, degenerate_statement, reason),
        ];
    }
    let Some(sweet_spot) = shape.sweet_spot else {
        let reason = format!(
            "no finite value at 0 ≤ p ≤ n − 2 = {}",
            samples.saturating_sub(2)
        );
        return vec![
            Claim::skip(double_id, double_statement, reason.clone()),
            Claim::skip(degenerate_id, degenerate_statement, reason),
        ];
    };

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
    let double = match (
        shape.non_monotone_start,
        &peak,
        shape.second_descent_present,
    ) {
        (None, _, _) => Claim::new(
            double_id,
            double_statement,
            Status::Fail,
            format!("the risk never rises on the grid (sweet spot p = {sweet_spot})"),
        ),
        (Some(_), None, _) => Claim::new(
            double_id,
            double_statement,
            Status::Fail,
            "no peak after the sweet spot",
        ),
        (Some(start), Some(peak), Some(false)) => Claim::new(
            double_id,
            double_statement,
            Status::Fail,
            format!("rises from p = {start}, {peak}, but does not fall for p ≥ n + 2"),
        ),
        (Some(start), Some(peak), Some(true)) => Claim::new(
            double_id,
            double_statement,
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
        (Some(start), Some(peak), None) => Claim::new(
            double_id,
            double_statement,
            Status::Pass,
            format!(
                "rises from p = {start}, {peak}; fewer than two {engine} values for p ≥ n + 2, so the second descent is not tested here"
            ),
        ),
    };

    let at_sweet = report.sweet_spot_risk.clone().unwrap_or_default();
    let at_zero = report.empty_head_risk.clone().unwrap_or_default();
    let degenerate = if report.empty_head_risk.is_none() {
        Claim::skip(
            degenerate_id,
            degenerate_statement,
            format!("p = 0 is not on the grid (the sweet spot of the grid is p = {sweet_spot})"),
        )
    } else if sweet_spot == 0 {
        Claim::new(
            degenerate_id,
            degenerate_statement,
            Status::Pass,
            if engine == "exact" {
                format!("R(0) = {at_zero} is the minimum")
            } else {
                format!("R(0) = {at_zero} is the minimum up to rounding")
            },
        )
    } else {
        Claim::new(
            degenerate_id,
            degenerate_statement,
            Status::Fail,
            format!(
                "sweet spot at p = {sweet_spot} (p/n = {}) with R = {at_sweet}, below R(0) = {at_zero}",
                // Four significant digits of the exact ratio, as `curve` prints it.
                format_decimal(
                    &BigRational::new(sweet_spot.into(), samples.max(1).into()),
                    4
                )
            ),
        )
    };
    vec![double, degenerate]
}
