//! Every invalid fixture is rejected with exit code 2 and a one-line error
//! that names the field; the messages are kept under a snapshot.

use headrisk_tests::{fixtures, relative, run, stem};

#[test]
fn invalid_fixture_errors() {
    let paths = fixtures("invalid");
    assert!(
        paths.len() >= 20,
        "expected at least twenty invalid fixtures, found {}",
        paths.len()
    );
    let mut messages = String::new();
    for path in paths {
        let file = relative(&path);
        for command in [
            vec!["check", file.as_str()],
            vec!["curve", file.as_str(), "--engine", "exact"],
        ] {
            let execution = run(&command);
            assert_eq!(
                execution.exit_code, 2,
                "{file}: {command:?} exit code; stderr {}",
                execution.stderr
            );
            assert!(
                execution.stdout.is_empty(),
                "{file}: printed a report for invalid input"
            );
            assert_eq!(
                execution.stderr.lines().count(),
                1,
                "{file}: error is not one line: {}",
                execution.stderr
            );
            assert!(
                execution.stderr.starts_with("error: "),
                "{file}: {}",
                execution.stderr
            );
        }
        let execution = run(&["check", &file]);
        messages.push_str(&format!("{}: {}", stem(&path), execution.stderr));
    }
    insta::assert_snapshot!("invalid-fixture-errors", messages);
}

#[test]
fn missing_file_is_usage_error() {
    let execution = run(&["check", "fixtures/does-not-exist.toml"]);
    assert_eq!(execution.exit_code, 2);
    assert!(
        execution.stderr.contains("cannot read parameter file"),
        "{}",
        execution.stderr
    );
}

#[test]
fn unknown_engine_is_usage_error() {
    let execution = run(&[
        "curve",
        "fixtures/valid/hmm-d2-explicit.toml",
        "--engine",
        "magic",
    ]);
    assert_eq!(execution.exit_code, 2);
    assert!(execution.stderr.contains("magic"), "{}", execution.stderr);
}
