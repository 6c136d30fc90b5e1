//! The real binary on bad input: exit code 2, one line on standard error,
//! and never a panic.

use std::path::PathBuf;
use std::process::Command;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_proofs-check"))
        .args(args)
        .current_dir(workspace())
        .output()
        .unwrap_or_else(|error| panic!("cannot run proofs-check: {error}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn invalid_fixtures_exit_2_without_panic() {
    let dir = workspace().join("fixtures/invalid");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = format!(
            "fixtures/invalid/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let (code, stdout, stderr) = run(&["check", &file]);
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stdout.is_empty(), "{file}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        count += 1;
    }
    assert!(count >= 20);
}

#[test]
fn valid_fixture_exit_code_matches_report() {
    let (code, stdout, stderr) = run(&["check", "fixtures/valid/hmm-d2-explicit.toml"]);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("PASS"));
}

#[test]
fn usage_errors_are_one_line() {
    let cases: [&[&str]; 5] = [
        &[],
        &["check"],
        &["no-such-command"],
        &[
            "curve",
            "fixtures/valid/hmm-d2-explicit.toml",
            "--engine",
            "magic",
        ],
        &[
            "scaling",
            "fixtures/valid/isotropic-snr5.toml",
            "--samples",
            "",
        ],
    ];
    for args in cases {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
    let (_, _, stderr) = run(&[
        "curve",
        "fixtures/valid/hmm-d2-explicit.toml",
        "--engine",
        "magic",
    ]);
    assert!(stderr.contains("possible values"), "{stderr}");
}

#[test]
fn help_and_version_exit_0() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("check"));
    let (code, stdout, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(stdout.ends_with('\n'), "{stdout:?}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, stderr) = run(&["check"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = run(&["no-such-command"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&[
        "curve",
        "fixtures/valid/hmm-d2-explicit.toml",
        "--engine",
        "exact",
        "--format",
        "xml",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn garbage_file_is_rejected() {
    let dir = std::env::temp_dir().join(format!("proofs-check-garbage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("garbage.toml");
    std::fs::write(&path, [0xffu8, 0xfe, 0x00, 0x41, 0x3d]).unwrap();
    let (code, _, stderr) = run(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
