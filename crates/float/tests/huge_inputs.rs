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
    assert!(matches!(error, FloatError::NonFinite { .. }), "{error:?}");
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
            row: 1,
            col: 1
        }
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
