//! The `curve` subcommand on every engine: snapshots of the human table,
//! JSON that parses and round-trips, CSV with a header, and values that
//! agree across engines where they must.

use headrisk_tests::run;

const D2: &str = "fixtures/valid/hmm-d2-explicit.toml";
const ENGINES: [&str; 5] = ["exact", "float", "de", "de-exact", "limit"];

#[test]
fn curve_tables_on_d2_fixture() {
    for engine in ENGINES {
        let execution = run(&["curve", D2, "--engine", engine]);
        assert_eq!(execution.exit_code, 0, "{engine}: {}", execution.stderr);
        for line in execution.stdout.lines() {
            assert!(
                line.chars().count() <= 100,
                "{engine}: line too wide: {line}"
            );
        }
        insta::assert_snapshot!(format!("curve-d2-{engine}"), execution.stdout);
    }
}

#[test]
fn curve_json_round_trips() {
    for engine in ENGINES {
        let execution = run(&["curve", D2, "--engine", engine, "--format", "json"]);
        assert_eq!(execution.exit_code, 0, "{engine}: {}", execution.stderr);
        let value: serde_json::Value = serde_json::from_str(&execution.stdout).unwrap();
        assert_eq!(value["schema"], "proofs-check/curve/v1");
        assert_eq!(value["engine"], engine);
        let again: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
        assert_eq!(value, again);
        let rows = value["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 11, "{engine}");
        for row in rows {
            let status = row["status"].as_str().unwrap();
            assert!(
                ["finite", "divergent", "no-value"].contains(&status),
                "{engine}: {status}"
            );
        }
    }
}

#[test]
fn exact_curve_csv_has_fractions() {
    let execution = run(&["curve", D2, "--engine", "exact", "--format", "csv"]);
    let mut lines = execution.stdout.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("p,gamma,status,risk,risk_decimal"),
        "{header}"
    );
    let columns = header.split(',').count();
    for line in lines {
        assert_eq!(line.split(',').count(), columns, "{line}");
    }
    // R(1) = 635/224, derived in the fixture's header.
    assert!(
        execution.stdout.contains("\n1,1/6,finite,635/224,"),
        "{}",
        execution.stdout
    );
    // The interpolation peak n − 1 ≤ p ≤ n + 1 = 5..7 is written as divergent.
    assert!(
        execution
            .stdout
            .contains("\n6,1,divergent,divergent,divergent"),
        "{}",
        execution.stdout
    );
}

#[test]
fn isotropic_exact_value_past_peak() {
    // R(42) = σ² + r²(1 − n/p) + σ² n/(p − n − 1) = 1 + 5·(2/42) + 40 = 866/21 for n = 40.
    let execution = run(&[
        "curve",
        "fixtures/valid/isotropic-snr5.toml",
        "--engine",
        "exact",
        "--format",
        "csv",
    ]);
    assert!(
        execution.stdout.contains("\n42,21/20,finite,866/21,"),
        "{}",
        execution.stdout
    );
}

#[test]
fn de_exact_interval_contains_de_value() {
    let exact = run(&[
        "curve",
        "fixtures/valid/isotropic-snr5.toml",
        "--engine",
        "de-exact",
        "--format",
        "json",
    ]);
    let float = run(&[
        "curve",
        "fixtures/valid/isotropic-snr5.toml",
        "--engine",
        "de",
        "--format",
        "json",
    ]);
    let exact: serde_json::Value = serde_json::from_str(&exact.stdout).unwrap();
    let float: serde_json::Value = serde_json::from_str(&float.stdout).unwrap();
    let exact_rows = exact["rows"].as_array().unwrap();
    let float_rows = float["rows"].as_array().unwrap();
    assert_eq!(exact_rows.len(), float_rows.len());
    for (interval, point) in exact_rows.iter().zip(float_rows) {
        if point["status"] != "finite" {
            assert_eq!(interval["status"], point["status"]);
            continue;
        }
        let value: f64 = point["values"]["risk"].as_str().unwrap().parse().unwrap();
        let lo: f64 = interval["values"]["risk_lo_decimal"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let hi: f64 = interval["values"]["risk_hi_decimal"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        // The decimals carry 12 significant digits.
        let slack = 1e-10 * value.abs();
        assert!(
            lo - slack <= value && value <= hi + slack,
            "p = {}: {value} outside [{lo}, {hi}]",
            point["p"]
        );
    }
}

/// The JSON curve of the exact engine on the d = 2 fixture, whole, which
/// pins the curve schema.
#[test]
fn curve_json_schema_snapshot() {
    let execution = run(&["curve", D2, "--engine", "exact", "--format", "json"]);
    insta::assert_snapshot!("curve-json-d2-exact", execution.stdout);
}

#[test]
fn mc_table_marks_divergent_sizes() {
    let execution = run(&["curve", D2, "--engine", "mc"]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    let lines: Vec<&str> = execution.stdout.lines().collect();
    for line in &lines {
        assert!(line.chars().count() <= 100, "line too wide: {line}");
    }
    assert!(lines[1].ends_with("status"), "header: {}", lines[1]);

    // n = 6, so the expected risk is infinite at p = 5, 6, 7 only.
    for line in &lines[2..13] {
        let p: usize = line.split_whitespace().next().unwrap().parse().unwrap();
        let divergent = (5..=7).contains(&p);
        assert_eq!(line.ends_with(" divergent"), divergent, "{line}");
        assert_eq!(line.ends_with(" finite"), !divergent, "{line}");
        assert_eq!(line.contains('('), divergent, "{line}");
    }
    assert_eq!(
        lines[13],
        "values in parentheses: sample statistics where the expected risk is infinite, for reference only"
    );
}

/// Returns the `ci_lower` cell of each row of a `curve --engine mc` CSV, by size.
fn mc_lower_ends(file: &str) -> Vec<(usize, String)> {
    let execution = run(&["curve", file, "--engine", "mc", "--format", "csv"]);
    assert_eq!(execution.exit_code, 0, "{file}: {}", execution.stderr);
    let mut lines = execution.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let lower = header.iter().position(|name| *name == "ci_lower").unwrap();
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[0].parse().unwrap(), cells[lower].to_string())
        })
        .collect()
}

#[test]
fn mc_interval_is_clipped_at_zero() {
    // At these seeds mean − t·standard error is negative at p = n: a few
    // huge risks at n = 40 (σ² = 1), and rounding around 0 without noise.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("curves");
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string("fixtures/valid/isotropic-snr5.toml").unwrap();
    // The appended key belongs to the last table, which must be [simulation].
    assert!(text.trim_end().ends_with("seed = 1"), "{text}");
    let path = dir.join("isotropic-snr5-threshold.toml");
    std::fs::write(&path, format!("{text}sizes = [39, 40, 41]\n")).unwrap();
    let threshold = path.display().to_string();

    for (file, size) in [
        (threshold.as_str(), 40),
        ("fixtures/valid/isotropic-noiseless.toml", 10),
    ] {
        let lower_ends = mc_lower_ends(file);
        for (p, lower) in &lower_ends {
            assert!(!lower.starts_with('-'), "{file}, p = {p}: ci_lower {lower}");
        }
        let at_threshold = lower_ends.iter().find(|(p, _)| *p == size).unwrap();
        assert_eq!(at_threshold.1, "0", "{file}, p = {size}");
    }
}

#[test]
fn mc_curve_needs_simulation_table() {
    // check and plot simulate only with a [simulation] table, so curve
    // --engine mc does not invent trials and a seed without one.
    let fixture = std::fs::read_to_string(D2).unwrap();
    let text = fixture.replace("[simulation]\ntrials = 400\nseed = 1\n", "");
    assert!(!text.contains("[simulation]"));
    let path = std::env::temp_dir().join(format!(
        "headrisk-{}-no-simulation.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    let file = path.display().to_string();

    let execution = run(&["curve", &file, "--engine", "mc"]);
    assert_eq!(execution.exit_code, 2, "{}", execution.stdout);
    assert!(execution.stdout.is_empty(), "{}", execution.stdout);
    assert_eq!(execution.stderr.lines().count(), 1, "{}", execution.stderr);
    assert!(
        execution
            .stderr
            .contains("has no [simulation] table, so it sets no trials or seed"),
        "{}",
        execution.stderr
    );
    assert!(
        execution
            .stderr
            .contains("add `[simulation]` with `trials = 200`"),
        "{}",
        execution.stderr
    );
}
