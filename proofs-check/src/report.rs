//! The report of `check`: claims with their status, and the shape of each
//! curve, rendered as a table or as versioned JSON.

use serde::Serialize;

use crate::numbers::counted;
use crate::shape::Shape;
use crate::shape_claims::{curve_untested, degenerate_untested};

/// Version tag of the JSON report; bumped on any incompatible change.
pub const CHECK_SCHEMA: &str = "proofs-check/check/v1";

/// Outcome of one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

/// One checked statement with the figures behind its status.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// Stable identifier, for scripts (`population.bounds`).
    pub id: String,
    /// The statement in words.
    pub statement: String,
    pub status: Status,
    /// Numbers that support the status: the worst case, the distance and the
    /// tolerance on FAIL, or the reason on SKIP.
    pub detail: String,
}

impl Claim {
    pub fn new(
        id: impl Into<String>,
        statement: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            statement: statement.into(),
            status,
            detail: detail.into(),
        }
    }

    pub fn skip(
        id: impl Into<String>,
        statement: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::new(id, statement, Status::Skip, reason)
    }

    /// PASS when `failure` is `None`, otherwise FAIL with its text.
    pub fn from_check(
        id: impl Into<String>,
        statement: impl Into<String>,
        pass_detail: impl Into<String>,
        failure: Option<String>,
    ) -> Self {
        match failure {
            None => Self::new(id, statement, Status::Pass, pass_detail),
            Some(failure) => Self::new(id, statement, Status::Fail, failure),
        }
    }
}

/// A located curve feature with the risk there, for the shape section.
#[derive(Debug, Clone, Serialize)]
pub struct ShapeReport {
    /// Engine that produced the curve (`exact`, `de`, `mc`, …).
    pub engine: &'static str,
    #[serde(flatten)]
    pub shape: Shape,
    /// Risk at the sweet spot, as text (exact fraction or decimal).
    pub sweet_spot_risk: Option<String>,
    /// Risk at p = 0, as text.
    pub empty_head_risk: Option<String>,
    /// R(0) minus the smallest risk over 0 ≤ p ≤ n − 2, as a decimal, when
    /// R(0) is finite. It shows a difference that the rounded risks print as
    /// equal.
    pub empty_head_excess: Option<String>,
}

/// Everything `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub schema: &'static str,
    pub file: String,
    pub description: String,
    pub family: &'static str,
    pub samples: usize,
    pub ridge: String,
    pub sizes: SizeSummary,
    pub claims: Vec<Claim>,
    pub shapes: Vec<ShapeReport>,
    pub summary: Summary,
}

/// The size grid in brief.
#[derive(Debug, Clone, Serialize)]
pub struct SizeSummary {
    pub count: usize,
    pub min: usize,
    pub max: usize,
}

/// Claim counts by status.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn of(claims: &[Claim]) -> Self {
        let count = |status| claims.iter().filter(|claim| claim.status == status).count();
        Self {
            passed: count(Status::Pass),
            failed: count(Status::Fail),
            skipped: count(Status::Skip),
        }
    }
}

/// Width of the human table; every line fits in it.
pub const TABLE_WIDTH: usize = 100;

impl CheckReport {
    /// Renders the report for a terminal, each line at most [`TABLE_WIDTH`] characters.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let description = if self.description.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.description)
        };
        push_wrapped(&mut out, "", &format!("{}{description}", self.file));
        push_wrapped(
            &mut out,
            "",
            &format!(
                "family {}, n = {}, λ = {}, {} from {} to {}",
                self.family,
                self.samples,
                self.ridge,
                counted(self.sizes.count, "size", "sizes"),
                self.sizes.min,
                self.sizes.max
            ),
        );
        out.push('\n');

        for claim in &self.claims {
            push_wrapped(
                &mut out,
                "",
                &format!("{}  {}", claim.status.label(), claim.id),
            );
            push_wrapped(&mut out, "      ", &claim.statement);
            if !claim.detail.is_empty() {
                push_wrapped(&mut out, "      ", &format!("→ {}", claim.detail));
            }
        }

        for shape in &self.shapes {
            out.push('\n');
            push_wrapped(
                &mut out,
                "",
                &format!("shape of the {} curve", shape.engine),
            );
            for line in shape_lines(shape, self.samples) {
                push_wrapped(&mut out, "  ", &line);
            }
        }

        out.push('\n');
        push_wrapped(
            &mut out,
            "",
            &format!(
                "{} passed, {} failed, {} skipped",
                self.summary.passed, self.summary.failed, self.summary.skipped
            ),
        );
        out
    }
}

fn shape_lines(report: &ShapeReport, samples: usize) -> Vec<String> {
    let shape = &report.shape;
    let size = |value: Option<usize>| value.map_or("none".to_string(), |p| format!("p = {p}"));
    let untested = curve_untested(report.engine, shape, samples);
    let mut lines = Vec::new();
    lines.push(format!(
        "sweet spot: {}{}",
        size(shape.sweet_spot),
        report
            .sweet_spot_risk
            .as_ref()
            .map_or(String::new(), |risk| format!(", R = {risk}"))
    ));
    if let Some(risk) = &report.empty_head_risk {
        lines.push(format!("empty head: R(0) = {risk}"));
    }
    lines.push(format!(
        "non-monotone region starts at: {}",
        match (&untested, shape.non_monotone_start) {
            (Some(reason), _) => format!("not located, {reason}"),
            (None, None) => "none, the risk does not rise after the sweet spot".to_string(),
            (None, Some(start)) => format!("p = {start}"),
        }
    ));
    lines.push(format!(
        "first descent degenerate: {}",
        match degenerate_untested(report.engine, shape, samples) {
            Some(reason) => format!("not tested, {reason}"),
            None if shape.first_descent_degenerate == Some(true) => {
                "yes (sweet spot at p = 0)".to_string()
            }
            None => "no".to_string(),
        }
    ));
    let nothing_diverges = shape.divergent_sizes.is_empty();
    lines.push(
        match (&untested, shape.finite_peak, shape.non_monotone_start) {
            _ if !nothing_diverges => {
                format!("peak: divergent at {}", list_sizes(&shape.divergent_sizes))
            }
            (Some(reason), ..) => format!("peak: not located, {reason}"),
            (None, Some(peak), _) => format!(
                "peak: p = {peak} (largest finite value after the non-monotone start, above R at the sweet spot)"
            ),
            (None, None, Some(start)) => {
                format!("peak: none, no value after p = {start} rises above R at the sweet spot")
            }
            (None, None, None) => "peak: none, the risk does not rise after the sweet spot".to_string(),
        },
    );
    if !shape.infinite_variance_sizes.is_empty() {
        lines.push(format!(
            "infinite variance, not compared: {}",
            list_sizes(&shape.infinite_variance_sizes)
        ));
    }
    let has_peak = !nothing_diverges || shape.finite_peak.is_some();
    lines.push(
        match (shape.second_descent_end, shape.second_descent_present) {
            _ if !has_peak => match &untested {
                Some(reason) => format!("second descent: not located, {reason}"),
                None => "second descent: none, the curve has no peak".to_string(),
            },
            (None, Some(false)) => "second descent: none, the grid ends at the peak".to_string(),
            (None, _) if nothing_diverges => {
                "second descent: no values for p ≥ n + 2 after the peak".to_string()
            }
            (None, _) => "second descent: no values for p ≥ n + 2".to_string(),
            (Some(end), None) => {
                format!("second descent: not tested, the only value for p ≥ n + 2 is at p = {end}")
            }
            (Some(_), Some(false)) => {
                "second descent: none, the risk does not fall for p ≥ n + 2".to_string()
            }
            (Some(end), Some(true)) if shape.still_falling_at_end == Some(true) => format!(
                "second descent: still falling at the end of the sweep (minimum at p = {end})"
            ),
            (Some(end), Some(true)) => format!("second descent: ends at p = {end}"),
        },
    );
    lines
}

fn list_sizes(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(|p| format!("p = {p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appends `text` wrapped at word boundaries to [`TABLE_WIDTH`], each line
/// starting with `indent`.
pub fn push_wrapped(out: &mut String, indent: &str, text: &str) {
    let width = TABLE_WIDTH.saturating_sub(indent.chars().count()).max(20);
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(indent);
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::{ExactOrder, Point, analyze};

    fn shape_report(engine: &'static str, points: &[(usize, Point<i64>)]) -> ShapeReport {
        ShapeReport {
            engine,
            shape: analyze(points, 6, &ExactOrder),
            sweet_spot_risk: None,
            empty_head_risk: None,
            empty_head_excess: None,
        }
    }

    #[test]
    fn degenerate_line_matches_skipped_claim() {
        let points = vec![
            (2, Point::Finite(3)),
            (4, Point::Finite(2)),
            (8, Point::Finite(4)),
        ];
        let lines = shape_lines(&shape_report("mc", &points), 6);
        assert!(
            lines.contains(&"first descent degenerate: not tested, p = 0 is not simulated".into()),
            "{lines:?}"
        );
    }

    #[test]
    fn one_finite_value_leaves_shape_unlocated() {
        let points = vec![
            (0, Point::Finite(3)),
            (2, Point::Missing),
            (4, Point::Missing),
        ];
        let lines = shape_lines(&shape_report("exact", &points), 6);
        let reason = "the exact engine has a finite value at only one size";
        for line in [
            format!("non-monotone region starts at: not located, {reason}"),
            format!("first descent degenerate: not tested, {reason}"),
            format!("peak: not located, {reason}"),
            format!("second descent: not located, {reason}"),
        ] {
            assert!(lines.contains(&line), "{line} not in {lines:?}");
        }
    }

    #[test]
    fn wrapping_respects_width() {
        let mut out = String::new();
        let text = "word ".repeat(60);
        push_wrapped(&mut out, "    ", text.trim());
        assert!(out.lines().count() > 1);
        for line in out.lines() {
            assert!(line.chars().count() <= TABLE_WIDTH, "{line}");
        }
    }
}
