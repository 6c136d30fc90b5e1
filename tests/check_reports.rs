//! Snapshots of the `check` report for every valid fixture, the exit code
//! that goes with it, the width of the table, and the JSON form.

use headrisk_tests::{fixtures, relative, run, stem};

#[test]
fn check_report_per_valid_fixture() {
    let paths = fixtures("valid");
    assert!(
        paths.len() >= 6,
        "expected at least six valid fixtures, found {}",
        paths.len()
    );
    for path in paths {
        let file = relative(&path);
        let execution = run(&["check", &file]);
        assert!(
            execution.stderr.is_empty(),
            "{file}: unexpected error output {}",
            execution.stderr
        );
        let failed = execution
            .stdout
            .lines()
            .any(|line| line.starts_with("FAIL"));
        assert_eq!(
            execution.exit_code,
            u8::from(failed),
            "{file}: exit code does not match the report"
        );
        insta::assert_snapshot!(
            format!("check-{}", stem(&path)),
            format!("exit code {}\n{}", execution.exit_code, execution.stdout)
        );
    }
}

/// Fixtures whose JSON report is checked: one without simulation, one per
/// family with it, and the trajectory and ridge cases.
const JSON_FIXTURES: [&str; 5] = [
    "fixtures/valid/hmm-d2-explicit.toml",
    "fixtures/valid/isotropic-snr5.toml",
    "fixtures/valid/hmm-large.toml",
    "fixtures/valid/hmm-trajectory.toml",
    "fixtures/valid/hmm-ridge.toml",
];

#[test]
fn check_json_reports_parse() {
    for file in JSON_FIXTURES {
        let execution = run(&["check", file, "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&execution.stdout)
            .unwrap_or_else(|error| panic!("{file}: invalid JSON: {error}"));
        assert_eq!(report["schema"], "proofs-check/check/v1", "{file}");
        let claims = report["claims"]
            .as_array()
            .unwrap_or_else(|| panic!("{file}: no claims array"));
        assert!(!claims.is_empty(), "{file}: no claims");
        for claim in claims {
            let status = claim["status"].as_str().unwrap_or_default();
            assert!(
                ["PASS", "FAIL", "SKIP"].contains(&status),
                "{file}: status {status}"
            );
        }
    }
}
