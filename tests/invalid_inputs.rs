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

#[test]
fn ridge_beyond_f64_is_usage_error() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("invalid_inputs");
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string("fixtures/valid/hmm-ridge.toml").unwrap();
    let edited = text.replace("ridge = 0.05", "ridge = \"1e400\"");
    assert_ne!(edited, text, "the fixture no longer sets ridge = 0.05");
    let path = dir.join("ridge-1e400.toml");
    std::fs::write(&path, edited).unwrap();
    let file = path.display().to_string();
    let svg = dir.join("ridge-1e400.svg").display().to_string();

    for command in [
        vec!["check", file.as_str()],
        vec!["curve", file.as_str(), "--engine", "de"],
        vec!["curve", file.as_str(), "--engine", "mc"],
        vec!["plot", file.as_str(), "-o", svg.as_str()],
        vec!["scaling", file.as_str(), "--samples", "16,32"],
    ] {
        let execution = run(&command);
        assert_eq!(
            execution.exit_code, 2,
            "{command:?}: stderr {}",
            execution.stderr
        );
        assert_eq!(
            execution.stderr.lines().count(),
            1,
            "{command:?}: {}",
            execution.stderr
        );
        assert!(
            execution
                .stderr
                .contains("field `training.ridge` = 1e400 is too large"),
            "{command:?}: {}",
            execution.stderr
        );
        // n = 32 in the fixture and the largest n of the scaling command.
        assert!(
            execution
                .stderr
                .contains("with n = 32 lower the ridge to at most 5.6e306"),
            "{command:?}: {}",
            execution.stderr
        );
    }

    // The exact engine reads λ as a rational, so it takes this value.
    let exact = run(&["curve", file.as_str(), "--engine", "exact"]);
    assert_eq!(exact.exit_code, 0, "stderr {}", exact.stderr);
}
