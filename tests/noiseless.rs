//! The exact decision of the sizes where σ²_p = 0 (headrisk-model) against
//! the exact engine's σ²_p, and the `divergent` status of simulated curves
//! that follows from it.

use headrisk_exact::population_curve;
use headrisk_model::{ParameterSet, load, noiseless_sizes, parse};
use headrisk_tests::{fixtures, relative, run};

/// Asserts that the decision matches σ²_p = 0 from the exact engine at
/// every grid size.
fn assert_decision_matches_exact(name: &str, params: &ParameterSet) {
    let decided = noiseless_sizes(params).unwrap();
    let points = population_curve(params, &params.sizes).unwrap();
    for point in points {
        let zero = *point.irreducible.numer() == 0.into();
        assert_eq!(
            decided.contains(point.size),
            zero,
            "{name}: p = {}, exact σ²_p = {}",
            point.size,
            point.irreducible
        );
    }
}

#[test]
fn decision_matches_exact_on_fixtures() {
    for path in fixtures("valid") {
        let file = relative(&path);
        let params = load(&path).unwrap();
        if proofs_check::check::exact_out_of_reach(&params).is_some() {
            continue;
        }
        assert_decision_matches_exact(&file, &params);
    }
}

#[test]
fn decision_matches_exact_without_noise() {
    // hmm-d3-generated with Q = 0: Σ_∞ = 0, so y = 0 and σ²_p = 0 everywhere.
    let generated = std::fs::read_to_string("fixtures/valid/hmm-d3-generated.toml").unwrap();
    let without_noise = generated.replace("noise_variance = 0.5", "noise_variance = 0");
    assert_decision_matches_exact("d3 without noise", &parse(&without_noise).unwrap());

    // Position 1 with Σ_1 = I, Q = 0, σ_u² = 0 and W = I_3: σ²_p = 0 only at
    // p = 3, where x = z_1 and y = A z_1.
    let identity_features = r#"
family = "hmm"
[hmm]
dim = 3
transition = [[0.5, 0.1, 0], [0, 0.4, 0], [0.2, 0, 0.3]]
noise_variance = 0
position = 1
representation_noise = 0
[hmm.features]
matrix = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
[training]
samples = 2
"#;
    let params = parse(identity_features).unwrap();
    assert_eq!(noiseless_sizes(&params).unwrap().first(), Some(3));
    assert_decision_matches_exact("identity features", &params);

    // The same model read out through C = (1, 1, −1) at position 2: the
    // recursion maps range(Σ_1) = R³ to range(A), which is R³ again.
    let readout = identity_features.replace("position = 1", "position = 2\nreadout = [[1, 1, -1]]");
    assert_decision_matches_exact("readout", &parse(&readout).unwrap());
}

#[test]
fn noiseless_mc_curve_is_finite_at_threshold() {
    // hmm-noiseless has n = 3 and σ²_p = 0 from p = 3: only p = 2 diverges.
    let execution = run(&[
        "curve",
        "fixtures/valid/hmm-noiseless.toml",
        "--engine",
        "mc",
        "--format",
        "csv",
    ]);
    assert_eq!(execution.exit_code, 0, "{}", execution.stderr);
    let statuses: Vec<(String, String)> = execution
        .stdout
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[0].to_string(), fields[2].to_string())
        })
        .collect();
    let expected = [
        ("0", "finite"),
        ("1", "finite"),
        ("2", "divergent"),
        ("3", "finite"),
        ("4", "finite"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, status)| (p.to_string(), status.to_string()))
        .collect();
    assert_eq!(statuses, expected, "{}", execution.stdout);
}

#[test]
fn noiseless_check_tests_threshold_sizes() {
    let execution = run(&["check", "fixtures/valid/hmm-noiseless.toml"]);
    // mc.exact tests p = 0, 3 and 4: next to n only the sizes with σ²_p = 0.
    assert!(
        execution.stdout.contains("→ 3 sizes, largest |z|"),
        "{}",
        execution.stdout
    );
    // Next to n the simulated shape leaves out only p = 1 and p = 2, where
    // σ²_p > 0: p = 2 = n − 1 diverges, and p = 1 has a finite mean of
    // infinite variance.
    assert!(
        execution.stdout.contains("shape of the mc curve\n"),
        "{}",
        execution.stdout
    );
    let mc_shape = execution
        .stdout
        .split("shape of the mc curve\n")
        .nth(1)
        .unwrap();
    assert!(
        mc_shape.contains("  peak: divergent at p = 2\n  infinite variance, not compared: p = 1\n"),
        "{}",
        execution.stdout
    );
}
