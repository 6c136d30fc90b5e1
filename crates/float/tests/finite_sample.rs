//! The §3 regimes of the finite-sample ridgeless risk: p = 0, below the
//! threshold, the divergent sizes, and above the threshold.

mod common;

use std::path::PathBuf;

use common::{RandomHmm, assert_close};
use headrisk_float::{FiniteSampleRisk, Model, RiskParts};
use headrisk_model::RiskValue;

fn closed(risk: FiniteSampleRisk) -> RiskParts {
    match risk {
        FiniteSampleRisk::ClosedForm(parts) => parts,
        FiniteSampleRisk::NoClosedForm { size, .. } => panic!("p = {size}: no closed form"),
    }
}

fn finite(value: &RiskValue<f64>, context: &str) -> f64 {
    *value
        .finite()
        .unwrap_or_else(|| panic!("{context}: divergent"))
}

fn isotropic_fixture() -> (Model, headrisk_model::ParameterSet) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/valid/isotropic-snr5.toml");
    let params = headrisk_model::load(&path).unwrap();
    (Model::from_parameters(&params).unwrap(), params)
}

#[test]
fn empty_head_risk_is_output_variance() {
    let model = RandomHmm::new(1, 3).model();
    let parts = closed(model.finite_sample_risk(0, 40).unwrap());
    assert_eq!(parts.total, RiskValue::Finite(model.output_variance()));
    assert_eq!(parts.bias, Some(0.0));
    assert_eq!(parts.variance, RiskValue::Finite(0.0));
}

#[test]
fn below_threshold_is_unbiased() {
    let case = RandomHmm::new(2, 4);
    let model = case.model();
    let n = case.samples;
    let sizes: Vec<usize> = (1..=n - 2).collect();
    let populations = model.population_curve(&sizes).unwrap();
    let risks = model.finite_sample_curve(&sizes, n).unwrap();
    for (population, risk) in populations.iter().zip(risks) {
        let p = population.size;
        let parts = closed(risk);
        let context = format!("p = {p}");
        let total = finite(&parts.total, &context);
        let expected = population.irreducible * (n - 1) as f64 / (n - p - 1) as f64;
        assert_close(total, expected, 4.0 * f64::EPSILON, 0.0, &context);
        assert_eq!(parts.bias, Some(0.0), "{context}");
        let variance = finite(&parts.variance, &context);
        assert_close(
            parts.irreducible + variance,
            total,
            4.0 * f64::EPSILON,
            0.0,
            &format!("σ²_p + V = R, {context}"),
        );

        let equivalent = model.deterministic_equivalent(p, n, 0.0).unwrap();
        let equivalent = finite(&equivalent.risk, &context);
        assert!(
            total > equivalent,
            "{context}: exact {total} not above the deterministic equivalent {equivalent}"
        );
    }
}

#[test]
fn threshold_sizes_diverge() {
    let (model, params) = isotropic_fixture();
    let n = params.samples;
    for p in [n - 1, n, n + 1] {
        let parts = closed(model.finite_sample_risk(p, n).unwrap());
        assert!(parts.total.is_divergent(), "p = {p}");
        assert!(parts.variance.is_divergent(), "p = {p}");
    }
    let hmm = RandomHmm::new(3, 3).model();
    for p in [39, 40, 41] {
        let parts = closed(hmm.finite_sample_risk(p, 40).unwrap());
        assert!(parts.total.is_divergent(), "HMM p = {p}");
    }
    assert_eq!(
        closed(hmm.finite_sample_risk(40, 40).unwrap()).bias,
        Some(0.0)
    );
    assert_eq!(closed(hmm.finite_sample_risk(41, 40).unwrap()).bias, None);
}

#[test]
fn isotropic_above_threshold_closed_form() {
    let (model, params) = isotropic_fixture();
    let n = params.samples;
    let (noise, signal) = (1.0, 5.0);
    let sizes: Vec<usize> = (n + 2..=params.family.max_size()).collect();
    for (risk, &p) in model
        .finite_sample_curve(&sizes, n)
        .unwrap()
        .into_iter()
        .zip(&sizes)
    {
        let parts = closed(risk);
        let context = format!("p = {p}");
        let ratio = n as f64 / p as f64;
        let expected = noise + signal * (1.0 - ratio) + noise * n as f64 / (p - n - 1) as f64;
        assert_close(
            finite(&parts.total, &context),
            expected,
            4.0 * f64::EPSILON,
            0.0,
            &context,
        );
    }
}

#[test]
fn hmm_above_threshold_has_no_closed_form() {
    let model = RandomHmm::new(4, 3).model();
    let risk = model.finite_sample_risk(42, 40).unwrap();
    assert!(
        matches!(risk, FiniteSampleRisk::NoClosedForm { size: 42, .. }),
        "{risk:?}"
    );
    assert_eq!(risk.total(), None);
}

/// d = 3, position 1 with Σ_1 = I, Q = 0 and σ_u² = 0, so x = W_pᵀ z_1 and
/// y = A z_1. Every row of A is a combination of w_1 = (1, 1, 0) and
/// w_2 = (0, 1, 1), so from p = 2 on the head reproduces y and σ²_p = 0.
/// The coefficients 1/3, 1/5, 1/7 and 2/9 are not dyadic, so the f64
/// computation of σ²_2 rounds.
const NOISELESS_HMM: &str = r#"
family = "hmm"
[hmm]
dim = 3
transition = [["1/3", "8/15", "1/5"], ["-1/3", "-4/21", "1/7"], ["2/9", "2/9", 0]]
noise_variance = 0
position = 1
representation_noise = 0
[hmm.features]
matrix = [[1, 0, 1], [1, 1, 0], [0, 1, 1]]
[training]
samples = 2
"#;

#[test]
fn noiseless_hmm_is_finite_at_threshold() {
    let params = headrisk_model::parse(NOISELESS_HMM).unwrap();
    let model = Model::from_parameters(&params).unwrap();
    assert_eq!(
        model.noiseless_sizes(),
        headrisk_model::NoiselessSizes::from_size(2)
    );
    let populations = model.population_curve(&[1, 2, 3]).unwrap();
    assert!(populations[0].irreducible > 0.0);
    assert_eq!(populations[1].irreducible, 0.0);
    assert_eq!(populations[2].irreducible, 0.0);

    // n = 2: p = 1 = n − 1 has noise and diverges; p = 2 = n recovers the
    // head exactly; at p = 3 = n + 1, Σ_x = WᵀW is no multiple of I.
    let risks = model.finite_sample_curve(&[1, 2, 3], 2).unwrap();
    assert_eq!(risks[0].total(), Some(&RiskValue::Divergent));
    assert_eq!(risks[1].total(), Some(&RiskValue::Finite(0.0)));
    assert!(matches!(risks[2], FiniteSampleRisk::NoClosedForm { .. }));

    let equivalent = model.deterministic_equivalent_curve(&[2], 2, 0.0).unwrap();
    assert_eq!(equivalent[0].risk, RiskValue::Finite(0.0));
}
