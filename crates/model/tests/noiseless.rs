//! The exact decision of the sizes where σ²_p = 0, on hand-derived cases.

use std::path::PathBuf;

use headrisk_model::{NoiselessSizes, ParamError, load, noiseless_sizes, parse};

/// Builds a d = 2 HMM file with n = 2 from its [hmm] lines and feature
/// matrix.
fn hmm(hmm_lines: &str, features: &str) -> String {
    format!(
        r#"
family = "hmm"

[hmm]
dim = 2
{hmm_lines}

[hmm.features]
matrix = {features}

[training]
samples = 2
"#
    )
}

fn decide(text: &str) -> NoiselessSizes {
    let params = parse(text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    noiseless_sizes(&params).unwrap()
}

#[test]
fn noisy_fixtures_have_no_noiseless_size() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/valid");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".toml") || name.contains("noiseless") {
            continue;
        }
        let decided = noiseless_sizes(&load(&path).unwrap()).unwrap();
        assert_eq!(decided, NoiselessSizes::NONE, "{name}");
    }
}

#[test]
fn isotropic_without_noise_from_size_one() {
    let text = r#"
family = "isotropic"
[isotropic]
noise = 0
signal = 2
max_size = 8
[training]
samples = 4
"#;
    assert_eq!(decide(text), NoiselessSizes::from_size(1));
    let no_signal = text.replace("signal = 2", "signal = 0");
    assert_eq!(decide(&no_signal), NoiselessSizes::from_size(0));
}

#[test]
fn stationary_without_innovation_is_zero() {
    // Σ_∞ = 0, so z_t = 0 and y = 0: σ²_p = 0 at every size, p = 0 too.
    let text = hmm(
        "transition = [[0.5, 0.2], [0, 0.5]]\nnoise_variance = 0\nposition = \"stationary\"\nrepresentation_noise = 1",
        "[[1, 0, 1], [0, 1, 1]]",
    );
    assert_eq!(decide(&text), NoiselessSizes::from_size(0));
}

#[test]
fn exact_features_reach_zero_at_full_rank() {
    // Position 1 with Σ_1 = I and Q = 0: y = A z_1 and x = W_pᵀ z_1. With
    // W_1 = e_1, y still depends on z_2 through A's second column; with
    // W_2 = I the head Θ = Aᵀ reproduces y.
    let text = hmm(
        "transition = [[0.5, 0.1], [0.2, 0.4]]\nnoise_variance = 0\nposition = 1\nrepresentation_noise = 0",
        "[[1, 0], [0, 1]]",
    );
    assert_eq!(decide(&text), NoiselessSizes::from_size(2));
}

#[test]
fn unused_coordinate_gives_zero_earlier() {
    // A's second column is zero, so y = A z_1 depends on z_1 only and the
    // first feature e_1 already reproduces it.
    let text = hmm(
        "transition = [[0.5, 0], [0.2, 0]]\nnoise_variance = 0\nposition = 1\nrepresentation_noise = 0",
        "[[1, 0], [0, 1]]",
    );
    assert_eq!(decide(&text), NoiselessSizes::from_size(1));
}

#[test]
fn representation_noise_keeps_risk_positive() {
    // σ_u² > 0 and y = A z_1 ≠ 0: a non-zero head adds the noise Θᵀu, and
    // the zero head leaves all of y.
    let text = hmm(
        "transition = [[0.5, 0.1], [0.2, 0.4]]\nnoise_variance = 0\nposition = 1\nrepresentation_noise = 1",
        "[[1, 0], [0, 1]]",
    );
    assert_eq!(decide(&text), NoiselessSizes::NONE);
}

#[test]
fn readout_blind_to_innovation() {
    // C = (1, 0) and Q = diag(0, 1): the innovation never reaches y. With A
    // diagonal, Σ_∞ = diag(0, 4/3) and y = z_1/2 = 0 almost surely.
    let diagonal = hmm(
        "transition = [[0.5, 0], [0, 0.5]]\nnoise_covariance = [[0, 0], [0, 1]]\nreadout = [[1, 0]]\nposition = \"stationary\"\nrepresentation_noise = 1",
        "[[1, 0], [0, 1]]",
    );
    assert_eq!(decide(&diagonal), NoiselessSizes::from_size(0));
    // A coupling z_2 into z_1 makes Σ_∞ full rank, and C A Σ ≠ 0.
    let coupled = diagonal.replace("[[0.5, 0], [0, 0.5]]", "[[0.5, 0.3], [0, 0.5]]");
    assert_eq!(decide(&coupled), NoiselessSizes::NONE);
}

#[test]
fn covariance_range_follows_the_recursion() {
    // A shifts e_1 to e_2 and e_2 to 0, Σ_1 = diag(1, 0), Q = 0: range(Σ_1)
    // = span(e_1), range(Σ_2) = span(e_2), Σ_3 = 0.
    let at = |position: u32, noise: &str| {
        hmm(
            &format!(
                "transition = [[0, 0], [1, 0]]\nnoise_variance = 0\ninitial_covariance = [[1, 0], [0, 0]]\nposition = {position}\nrepresentation_noise = {noise}"
            ),
            "[[1], [0]]",
        )
    };
    // t = 1: y = A z_1 = (0, z_11) ≠ 0; x = z_11 reproduces it.
    assert_eq!(decide(&at(1, "1")), NoiselessSizes::NONE);
    assert_eq!(decide(&at(1, "0")), NoiselessSizes::from_size(1));
    // t = 2: z_2 = (0, z_11), so y = A z_2 = 0.
    assert_eq!(decide(&at(2, "1")), NoiselessSizes::from_size(0));
    assert_eq!(decide(&at(3, "1")), NoiselessSizes::from_size(0));
}

#[test]
fn rotating_range_beyond_step_limit_is_rejected() {
    // A rotation of infinite order turns range(Σ_1) = span(e_1) forever,
    // so the recursion never settles.
    let at = |position: u64| {
        hmm(
            &format!(
                "transition = [[0.6, -0.8], [0.8, 0.6]]\nnoise_variance = 0\ninitial_covariance = [[1, 0], [0, 0]]\nposition = {position}\nrepresentation_noise = 1"
            ),
            "[[1, 0], [0, 1]]",
        )
    };
    let limit = headrisk_model::noiseless::MAX_NOISELESS_STEPS;
    assert_eq!(decide(&at(limit + 1)), NoiselessSizes::NONE);
    let error = parse(&at(limit + 2)).unwrap_err();
    assert!(
        matches!(&error, ParamError::NoiselessUndecided { field, .. } if field == "hmm.position"),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains(&format!("= {}", limit + 2)), "{message}");
    assert!(message.contains("use a position ≤"), "{message}");
}

#[test]
fn large_dimension_without_target_noise_is_rejected() {
    let dim = headrisk_model::noiseless::MAX_NOISELESS_DIM + 1;
    let identity: Vec<String> = (0..dim)
        .map(|row| {
            let entries: Vec<&str> = (0..dim)
                .map(|col| if row == col { "0.5" } else { "0" })
                .collect();
            format!("[{}]", entries.join(", "))
        })
        .collect();
    let text = format!(
        r#"
family = "hmm"
[hmm]
dim = {dim}
transition = [{}]
noise_variance = 0
position = 2
representation_noise = 1
[hmm.features]
columns = 4
seed = 1
[training]
samples = 2
"#,
        identity.join(", ")
    );
    let error = parse(&text).unwrap_err();
    assert!(
        matches!(&error, ParamError::NoiselessUndecided { field, .. } if field == "hmm.dim"),
        "{error}"
    );
    // The same model at stationarity has Σ_∞ = 0, decided without the range.
    let stationary = text.replace("position = 2", "position = \"stationary\"");
    assert_eq!(decide(&stationary), NoiselessSizes::from_size(0));
}
