//! Inputs near the end of the f64 range give typed errors, never a NaN or
//! an infinite risk.

use headrisk_float::{FloatError, Model};

fn hmm_text(transition: &str, features: &str, position: &str) -> String {
    format!(
        "family = \"hmm\"\n[hmm]\ndim = 2\ntransition = {transition}\nnoise_variance = 1\nposition = {position}\nrepresentation_noise = 1\n[hmm.features]\nmatrix = {features}\n[training]\nsamples = 6\n"
    )
}

const SMALL_FEATURES: &str = "[[1, 0, 1], [0, 1, -1]]";

#[test]
fn huge_transition_overflows_covariance() {
    let text = hmm_text("[[1e300, 0], [0, 0.5]]", SMALL_FEATURES, "2");
    let params = headrisk_model::parse(&text).unwrap();
    let error = Model::from_parameters(&params).unwrap_err();
    assert_eq!(error, FloatError::PositionOverflow { step: 2 });
}

#[test]
fn unstable_transition_overflows_at_late_position() {
    // ρ(A) = 1.2, so Σ_t grows like 1.2^(2(t−1)) and passes 1.8e308 near
    // t = 1,950.
    let text = hmm_text("[[1.2, 0], [0.1, 0.5]]", SMALL_FEATURES, "2000");
    let params = headrisk_model::parse(&text).unwrap();
    let error = Model::from_parameters(&params).unwrap_err();
    assert_eq!(error, FloatError::PositionOverflow { step: 2000 });
    let message = error.to_string();
    assert!(
        message.starts_with("field `hmm.position` = 2000 "),
        "{message}"
    );
    assert!(message.contains("use a smaller position"), "{message}");
    let earlier = hmm_text("[[1.2, 0], [0.1, 0.5]]", SMALL_FEATURES, "1000");
    assert!(Model::from_parameters(&headrisk_model::parse(&earlier).unwrap()).is_ok());
}

#[test]
fn huge_features_overflow_gram_matrix() {
    let text = hmm_text(
        "[[0.5, 0], [0, 0.5]]",
        "[[1e300, 0, 1], [0, 1e300, -1]]",
        "\"stationary\"",
    );
    let params = headrisk_model::parse(&text).unwrap();
    let model = Model::from_parameters(&params).unwrap();
    let error = model.population(2).unwrap_err();
    assert!(
        matches!(error, FloatError::NonFinite { size: Some(2), .. }),
        "{error:?}"
    );
    let error = model
        .deterministic_equivalent_curve(&[1, 3], 6, 0.0)
        .unwrap_err();
    assert!(matches!(error, FloatError::NonFinite { .. }), "{error:?}");
}

#[test]
fn unrepresentable_feature_is_input_error() {
    let text = hmm_text(
        "[[0.5, 0], [0, 0.5]]",
        "[[1, 0, 1], [0, \"1e400\", -1]]",
        "\"stationary\"",
    );
    let params = headrisk_model::parse(&text).unwrap();
    let error = Model::from_parameters(&params).unwrap_err();
    assert_eq!(
        error,
        FloatError::NonFiniteInput {
            field: "hmm.features.matrix",
            entry: Some((1, 1)),
            value: "1e400".into(),
        }
    );
}

#[test]
fn unrepresentable_noise_variance_names_field() {
    let text = hmm_text("[[0.5, 0], [0, 0.5]]", SMALL_FEATURES, "2")
        .replace("noise_variance = 1", "noise_variance = \"1e400\"");
    let params = headrisk_model::parse(&text).unwrap();
    let error = Model::from_parameters(&params).unwrap_err();
    assert_eq!(
        error,
        FloatError::NonFiniteInput {
            field: "hmm.noise_variance",
            entry: None,
            value: "1e400".into(),
        }
    );
    assert_eq!(
        error.to_string(),
        "input `hmm.noise_variance` = 1e400 is not a finite f64; scale the parameter set so that every entry lies within ±1.8e308"
    );
}

#[test]
fn unrepresentable_noise_covariance_names_entry() {
    let text = hmm_text("[[0.5, 0], [0, 0.5]]", SMALL_FEATURES, "2").replace(
        "noise_variance = 1",
        "noise_covariance = [[1, 0], [0, \"1e400\"]]",
    );
    let params = headrisk_model::parse(&text).unwrap();
    let error = Model::from_parameters(&params).unwrap_err();
    assert_eq!(
        error.to_string(),
        "input `hmm.noise_covariance` entry [1][1] = 1e400 is not a finite f64; scale the parameter set so that every entry lies within ±1.8e308"
    );
}

#[test]
fn huge_isotropic_noise_is_typed_error() {
    let text = "family = \"isotropic\"\n[isotropic]\nnoise = 1e308\nsignal = 1e308\nmax_size = 10\n[training]\nsamples = 4\n";
    let params = headrisk_model::parse(text).unwrap();
    let error = Model::from_parameters(&params).unwrap_err();
    assert!(matches!(error, FloatError::NonFinite { .. }), "{error:?}");

    let text = "family = \"isotropic\"\n[isotropic]\nnoise = 1e308\nsignal = 1\nmax_size = 10\n[training]\nsamples = 4\n";
    let params = headrisk_model::parse(text).unwrap();
    let model = Model::from_parameters(&params).unwrap();
    let error = model.finite_sample_risk(1, 4).unwrap_err();
    assert!(
        matches!(error, FloatError::NonFinite { size: Some(1), .. }),
        "{error:?}"
    );
}
