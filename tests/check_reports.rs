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
        for line in execution.stdout.lines() {
            assert!(line.chars().count() <= 100, "{file}: line too wide: {line}");
        }
        // Identities and engine agreements must hold on every fixture; only
        // the shape claims, which test the preprint's statements on the
        // parameters, may fail.
        for line in execution
            .stdout
            .lines()
            .filter(|line| line.starts_with("FAIL"))
        {
            let id = line.trim_start_matches("FAIL").trim();
            assert!(
                id.starts_with("shape."),
                "{file}: claim {id} failed:\n{}",
                execution.stdout
            );
        }
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

/// The JSON report of the d = 2 fixture, whole: the snapshot pins the
/// schema (field names, nesting, value types) as well as the values.
#[test]
fn check_json_schema_snapshot() {
    let execution = run(&[
        "check",
        "fixtures/valid/hmm-d2-explicit.toml",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&execution.stdout).unwrap();
    let again: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    assert_eq!(report, again, "the JSON report does not round-trip");
    for key in [
        "schema",
        "file",
        "description",
        "family",
        "samples",
        "ridge",
        "sizes",
        "claims",
        "shapes",
        "summary",
    ] {
        assert!(report.get(key).is_some(), "missing top-level key {key}");
    }
    insta::assert_snapshot!("check-json-hmm-d2-explicit", execution.stdout);
}

/// Writes `text` to a file in the temporary directory and returns its path.
fn temporary_file(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("headrisk-{}-{name}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Returns the d = 2 fixture's model with 20 generated features, n = 6 and
/// 50 trials, at the given representation noise and position.
fn d2_variant(representation_noise: &str, position: &str) -> String {
    format!(
        r#"
family = "hmm"
[hmm]
dim = 2
transition = [[0.5, 0], [0, "1/3"]]
noise_variance = 1
position = {position}
representation_noise = {representation_noise}
[hmm.features]
columns = 20
seed = 7
[training]
samples = 6
[simulation]
trials = 50
seed = 1
"#
    )
}

#[test]
fn failed_simulation_keeps_other_claims() {
    // σ_u² = 10⁻¹⁶ leaves the design too ill-conditioned for f64 at p = n + 1.
    let file = temporary_file("tiny-noise", &d2_variant("1e-16", "\"stationary\""));
    let execution = run(&["check", &file]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    assert!(execution.stdout.contains("PASS  float.finite-sample"));
    assert!(
        execution
            .stdout
            .contains("SKIP  mc\n      claims of the simulation\n      → the simulation failed"),
        "{}",
        execution.stdout
    );
}

#[test]
fn distant_position_skips_exact_claims() {
    let file = temporary_file("far-position", &d2_variant("1", "20000"));
    let execution = run(&["check", &file]);
    assert!(execution.exit_code <= 1, "{}", execution.stderr);
    assert!(
        execution
            .stdout
            .contains("position t = 20000 exceeds 500, the exact engine's limit in check"),
        "{}",
        execution.stdout
    );
    assert!(
        execution.stdout.contains("PASS  mc.de"),
        "{}",
        execution.stdout
    );
}

#[test]
fn ill_conditioned_position_skips_limit_claim() {
    // ρ(A) = 1.2 at t = 100 makes ‖Σ_t‖ about 10^16, so the float
    // deterministic equivalent carries errors near 20% and cannot show the
    // approach to the limit; the exact distances do fall.
    let fixture = std::fs::read_to_string("fixtures/valid/hmm-position1.toml").unwrap();
    let text = fixture
        .replace("position = 1\n", "position = 100\n")
        .replace("[simulation]\ntrials = 400\nseed = 1\n", "");
    let file = temporary_file("position-100", &text);
    let execution = run(&["check", &file]);
    assert!(execution.exit_code <= 1, "{}", execution.stderr);
    assert!(
        !execution.stdout.contains("FAIL  limit.approach"),
        "{}",
        execution.stdout
    );
    assert!(
        execution.stdout.contains(
            "SKIP  limit.approach\n      with γ = p/n fixed at 1/2 and 2, the deterministic equivalent at n, 2n, 4n, 8n moves towards\n      the proportional limit\n      → f64 cannot resolve the approach"
        ),
        "{}",
        execution.stdout
    );
}
