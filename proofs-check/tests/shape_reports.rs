//! Shape claims and the shape section of `check` on variants of the
//! d = 3, position t = 1 fixture.

use std::path::Path;

use proofs_check::check::build_report;
use proofs_check::report::{CheckReport, Status};

const POSITION1: &str = include_str!("../../fixtures/valid/hmm-position1.toml");

fn report_of(text: &str) -> CheckReport {
    let params = headrisk_model::parse(text).unwrap_or_else(|error| panic!("{error}"));
    build_report(Path::new("hmm-position1-variant.toml"), &params)
        .unwrap_or_else(|error| panic!("{}", error.0))
}

/// Builds the check report of the fixture with `line` added after the
/// sample count.
fn report_with(line: &str) -> CheckReport {
    let text = POSITION1.replacen("samples = 16\n", &format!("samples = 16\n{line}\n"), 1);
    assert_ne!(text, POSITION1, "the fixture has no `samples = 16` line");
    report_of(&text)
}

fn status(report: &CheckReport, id: &str) -> Status {
    report
        .claims
        .iter()
        .find(|claim| claim.id == id)
        .unwrap_or_else(|| panic!("no claim {id}"))
        .status
}

fn detail<'a>(report: &'a CheckReport, id: &str) -> &'a str {
    &report
        .claims
        .iter()
        .find(|claim| claim.id == id)
        .unwrap_or_else(|| panic!("no claim {id}"))
        .detail
}

#[test]
fn huge_ridge_ties_flat_curve_at_empty_head() {
    // At λ = 10¹⁵ the head is nearly zero, so R(p) equals tr Σ_y up to
    // rounding at every size.
    let report = report_with("ridge = 1e15");
    for engine in ["de", "mc"] {
        let id = format!("shape.{engine}.degenerate-first-descent");
        assert_eq!(
            status(&report, &id),
            Status::Pass,
            "{}",
            detail(&report, &id)
        );
    }
}

#[test]
fn ridge_1e30_de_sweet_spot_at_zero() {
    let report = report_with("ridge = 1e30");
    let id = "shape.de.degenerate-first-descent";
    assert_eq!(status(&report, id), Status::Pass, "{}", detail(&report, id));
}
