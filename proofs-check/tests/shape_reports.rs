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

/// Asserts sweet spot ≤ non-monotone start < finite peak < end of the
/// second descent, wherever those exist.
fn assert_features_ordered(report: &CheckReport) {
    for shape in &report.shapes {
        let engine = shape.engine;
        let shape = &shape.shape;
        if let (Some(sweet), Some(start)) = (shape.sweet_spot, shape.non_monotone_start) {
            assert!(
                sweet <= start,
                "{engine}: sweet spot {sweet} after start {start}"
            );
        }
        if let (Some(start), Some(peak)) = (shape.non_monotone_start, shape.finite_peak) {
            assert!(
                start < peak,
                "{engine}: start {start} not before peak {peak}"
            );
        }
        if let (Some(peak), Some(end)) = (shape.finite_peak, shape.second_descent_end) {
            assert!(
                peak < end,
                "{engine}: peak {peak} not before descent end {end}"
            );
        }
    }
}

#[test]
fn ridge_one_has_no_double_descent() {
    // At λ = 1 the risk keeps falling past the sweet spot p = 14: it never
    // returns above R(14).
    let report = report_with("ridge = 1");
    assert_features_ordered(&report);
    for engine in ["de", "mc"] {
        let id = format!("shape.{engine}.double-descent");
        assert_eq!(
            status(&report, &id),
            Status::Fail,
            "{}",
            detail(&report, &id)
        );
        assert!(
            detail(&report, &id).contains("no later value rises above R"),
            "{}",
            detail(&report, &id)
        );
    }
}

#[test]
fn huge_ridge_ties_flat_curve_at_empty_head() {
    // At λ = 10¹⁵ the head is nearly zero, so R(p) equals tr Σ_y up to
    // rounding at every size.
    let report = report_with("ridge = 1e15");
    assert_features_ordered(&report);
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

#[test]
fn unsimulated_empty_head_reported_as_untested() {
    // The simulation sizes leave out p = 0, which the [sizes] grid holds.
    let text = POSITION1.replacen("seed = 1\n", "seed = 1\nsizes = [4, 8, 36, 40]\n", 1);
    assert_ne!(text, POSITION1, "the fixture has no `seed = 1` line");
    let report = report_of(&text);
    let id = "shape.mc.degenerate-first-descent";
    assert_eq!(status(&report, id), Status::Skip, "{}", detail(&report, id));
    assert!(detail(&report, id).starts_with("p = 0 is not simulated"));
    let table = report.to_table();
    let mc_section = table
        .split("shape of the mc curve")
        .nth(1)
        .unwrap_or_else(|| panic!("no mc shape section in\n{table}"));
    assert!(
        mc_section.contains("first descent degenerate: not tested, p = 0 is not simulated"),
        "{mc_section}"
    );
}
