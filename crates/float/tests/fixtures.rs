//! Reference values written in the headers of the fixture files, each
//! derived there by hand from the exact parameters.

use std::path::PathBuf;

use headrisk_float::{FiniteSampleRisk, Model};
use headrisk_model::RiskValue;

fn load_model(name: &str) -> (Model, headrisk_model::ParameterSet) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/valid")
        .join(name);
    let params = headrisk_model::load(&path).unwrap();
    (Model::from_parameters(&params).unwrap(), params)
}

fn assert_relative(value: f64, expected: f64, tolerance: f64, context: &str) {
    let relative = (value - expected).abs() / expected.abs();
    assert!(
        relative <= tolerance,
        "{context}: {value} against {expected}, relative error {relative:e}"
    );
}

#[test]
fn d2_fixture_header_values() {
    let (model, params) = load_model("hmm-d2-explicit.toml");
    assert_eq!(params.samples, 6);
    assert_relative(model.output_variance(), 59.0 / 24.0, 1e-14, "tr Σ_y");

    let population = model.population(1).unwrap();
    assert_relative(population.irreducible, 127.0 / 56.0, 1e-12, "σ²_1");

    let risk = model.finite_sample_risk(1, params.samples).unwrap();
    let FiniteSampleRisk::ClosedForm(parts) = risk else {
        panic!("p = 1 < n − 1 has a closed form, got {risk:?}");
    };
    let RiskValue::Finite(total) = parts.total else {
        panic!("R(1) is finite, got {:?}", parts.total);
    };
    assert_relative(total, 635.0 / 224.0, 1e-12, "R(1)");
}

#[test]
fn d2_fixture_stationary_residual_small() {
    let (model, _) = load_model("hmm-d2-explicit.toml");
    let residual = model.lyapunov_residual().unwrap();
    assert!(residual < 1e-15, "residual {residual:e}");
    let sigma = model.token_covariance().unwrap();
    assert_relative(sigma[(0, 0)], 4.0 / 3.0, 1e-15, "Σ[0][0]");
    assert_relative(sigma[(1, 1)], 9.0 / 8.0, 1e-15, "Σ[1][1]");
}

#[test]
fn every_valid_fixture_builds_a_curve() {
    for name in [
        "hmm-d2-explicit.toml",
        "hmm-d3-generated.toml",
        "hmm-position1.toml",
        "hmm-readout.toml",
        "isotropic-snr1.toml",
        "isotropic-snr5.toml",
    ] {
        let (model, params) = load_model(name);
        let populations = model.population_curve(&params.sizes).unwrap();
        let equivalents = model
            .deterministic_equivalent_curve(&params.sizes, params.samples, 0.0)
            .unwrap();
        let exact = model
            .finite_sample_curve(&params.sizes, params.samples)
            .unwrap();
        assert_eq!(populations.len(), params.sizes.len(), "{name}");
        assert_eq!(equivalents.len(), params.sizes.len(), "{name}");
        assert_eq!(exact.len(), params.sizes.len(), "{name}");
        for window in populations.windows(2) {
            let slack = 1e-12 * window[0].output_variance;
            assert!(
                window[1].irreducible <= window[0].irreducible + slack,
                "{name}: σ²_p rises from {} at p = {} to {} at p = {}",
                window[0].irreducible,
                window[0].size,
                window[1].irreducible,
                window[1].size
            );
        }
    }
}
