//! The exact finite-sample risk: hand-derived values, the regimes and the
//! outcomes without a closed form.

mod common;

use common::{fixture, integer, ratio};
use headrisk_exact::{
    ExactError, FiniteSampleRisk, NoClosedForm, PopulationPoint, RiskDecomposition, RiskValue,
    finite_sample_curve, finite_sample_risk,
};
use headrisk_model::{BigRational, Sampling, parse};

fn decomposition(risk: &FiniteSampleRisk) -> &RiskDecomposition {
    match risk {
        FiniteSampleRisk::Closed(RiskValue::Finite(decomposition)) => decomposition,
        other => panic!("expected a finite closed form, found {other:?}"),
    }
}

#[test]
fn d2_fixture_by_hand() {
    // The fixture header derives R(1) = σ²_1 (n − 1)/(n − 2) = 127/56 · 5/4 = 635/224 at n = 6.
    let params = fixture("hmm-d2-explicit.toml");
    let curve = finite_sample_curve(&params).unwrap();
    assert_eq!(curve.len(), 11);

    let at_zero = decomposition(&curve[0].risk);
    assert_eq!(at_zero.total, ratio(59, 24));
    assert_eq!(at_zero.bias, ratio(0, 1));
    assert_eq!(at_zero.variance, ratio(0, 1));

    let at_one = decomposition(&curve[1].risk);
    assert_eq!(at_one.total, ratio(635, 224));
    assert_eq!(at_one.irreducible, ratio(127, 56));
    assert_eq!(at_one.variance, ratio(127, 56) * ratio(1, 4));
    assert_eq!(at_one.bias, ratio(0, 1));
}

#[test]
fn d2_fixture_regimes() {
    // n = 6: exact for p ≤ 4, divergent for 5 ≤ p ≤ 7, and Σ_x ≠ c·I for p ≥ 8.
    let params = fixture("hmm-d2-explicit.toml");
    let curve = finite_sample_curve(&params).unwrap();
    for point in &curve {
        let size = point.population.size;
        match size {
            0..=4 => {
                let value = decomposition(&point.risk);
                assert_eq!(
                    value.total,
                    &value.irreducible + &value.bias + &value.variance,
                    "p = {size}"
                );
            }
            5..=7 => assert_eq!(
                point.risk,
                FiniteSampleRisk::Closed(RiskValue::Divergent),
                "p = {size}"
            ),
            _ => assert_eq!(
                point.risk,
                FiniteSampleRisk::NoClosedForm(NoClosedForm::GeneralCovariance),
                "p = {size}"
            ),
        }
    }
}

#[test]
fn middle_regime_formula() {
    // R = σ²_p (n − 1)/(n − p − 1) and V = σ²_p p/(n − p − 1) on every
    // size 1 ≤ p ≤ n − 2 of the generated d = 3 fixture (n = 32).
    let params = fixture("hmm-d3-generated.toml");
    let n = params.samples;
    for point in finite_sample_curve(&params).unwrap() {
        let p = point.population.size;
        if p == 0 || p + 2 > n {
            continue;
        }
        let sigma2 = &point.population.irreducible;
        let value = decomposition(&point.risk);
        assert_eq!(
            value.total,
            sigma2 * integer(n - 1) / integer(n - p - 1),
            "p = {p}"
        );
        assert_eq!(
            value.variance,
            sigma2 * integer(p) / integer(n - p - 1),
            "p = {p}"
        );
    }
}

#[test]
fn isotropic_closed_form_past_peak() {
    // SNR 5 fixture: σ² = 1, r² = 5, n = 40. At p = 50,
    // R = 1 + 5(1 − 40/50) + 40/(50 − 41) = 1 + 1 + 40/9 = 58/9.
    let params = fixture("isotropic-snr5.toml");
    let curve = finite_sample_curve(&params).unwrap();
    let at_fifty = decomposition(&curve[50].risk);
    assert_eq!(at_fifty.total, ratio(58, 9));
    assert_eq!(at_fifty.bias, ratio(1, 1));
    assert_eq!(at_fifty.variance, ratio(40, 9));
    // p = 0: σ² + r² = 6; p = 10: σ²(n − 1)/(n − p − 1) = 39/29.
    assert_eq!(decomposition(&curve[0].risk).total, ratio(6, 1));
    assert_eq!(decomposition(&curve[10].risk).total, ratio(39, 29));
    for point in &curve[39..=41] {
        let size = point.population.size;
        assert_eq!(
            point.risk,
            FiniteSampleRisk::Closed(RiskValue::Divergent),
            "p = {size}"
        );
    }
}

#[test]
fn scaled_identity_uses_scale() {
    // Σ_x = c I_p with c = 2, ‖Θ*‖² = 3, σ² = 1, n = 4, p = 8:
    // R = 1 + 2·3·(1 − 4/8) + 1·4/(8 − 5) = 1 + 3 + 4/3 = 16/3.
    let point = PopulationPoint {
        size: 8,
        irreducible: ratio(1, 1),
        signal: ratio(6, 1),
        head_norm_squared: ratio(3, 1),
        isotropic_scale: Some(ratio(2, 1)),
        residual_covariance: None,
    };
    let risk = finite_sample_risk(&point, 4, &ratio(0, 1), Sampling::Independent).unwrap();
    assert_eq!(decomposition(&risk).total, ratio(16, 3));
}

fn hmm_text(training: &str) -> String {
    format!(
        r#"
family = "hmm"
[hmm]
dim = 2
transition = [[0.5, 0], [0, 0.25]]
noise_variance = 1
position = "stationary"
representation_noise = 1
[hmm.features]
matrix = [[1, 0, 1, 2], [0, 1, 1, -1]]
[training]
{training}
"#
    )
}

#[test]
fn ridge_has_no_closed_form() {
    let params = parse(&hmm_text("samples = 8\nridge = 0.1")).unwrap();
    let curve = finite_sample_curve(&params).unwrap();
    assert!(matches!(
        curve[0].risk,
        FiniteSampleRisk::Closed(RiskValue::Finite(_))
    ));
    for point in &curve[1..] {
        assert_eq!(
            point.risk,
            FiniteSampleRisk::NoClosedForm(NoClosedForm::Ridge)
        );
    }
}

#[test]
fn trajectory_has_no_closed_form() {
    let params = parse(&hmm_text("samples = 8\nsampling = \"trajectory\"")).unwrap();
    let curve = finite_sample_curve(&params).unwrap();
    assert!(matches!(
        curve[0].risk,
        FiniteSampleRisk::Closed(RiskValue::Finite(_))
    ));
    for point in &curve[1..] {
        assert_eq!(
            point.risk,
            FiniteSampleRisk::NoClosedForm(NoClosedForm::TrajectorySampling)
        );
        assert_eq!(point.risk.total(), None);
    }
}

#[test]
fn negative_ridge_is_rejected() {
    let point = PopulationPoint {
        size: 1,
        irreducible: ratio(1, 1),
        signal: ratio(0, 1),
        head_norm_squared: ratio(0, 1),
        isotropic_scale: None,
        residual_covariance: None,
    };
    let error = finite_sample_risk(&point, 5, &ratio(-1, 2), Sampling::Independent).unwrap_err();
    assert_eq!(
        error,
        ExactError::Negative {
            field: "ridge λ",
            value: "-1/2".into(),
        }
    );
}

#[test]
fn small_sample_counts() {
    // n = 2: p = 1, 2, 3 diverge; p = 4 has the closed form when Σ_x = c I.
    let point = |size: usize| PopulationPoint {
        size,
        irreducible: ratio(1, 1),
        signal: ratio(1, 1),
        head_norm_squared: ratio(1, 1),
        isotropic_scale: Some(ratio(1, 1)),
        residual_covariance: None,
    };
    let zero = BigRational::from_integer(0.into());
    for size in 1..=3 {
        let risk = finite_sample_risk(&point(size), 2, &zero, Sampling::Independent).unwrap();
        assert_eq!(risk.total(), Some(RiskValue::Divergent), "p = {size}");
    }
    // R = 1 + (1 − 2/4) + 2/(4 − 3) = 7/2.
    let risk = finite_sample_risk(&point(4), 2, &zero, Sampling::Independent).unwrap();
    assert_eq!(risk.total(), Some(RiskValue::Finite(ratio(7, 2))));
}

#[test]
fn noiseless_threshold_is_finite() {
    // σ² = 0: at p ≤ n the min-norm head recovers B exactly (R = 0); at
    // p = n + 1 only the bias r²(1 − n/p) = 5·(1/11) remains, with n = 10.
    let params = headrisk_model::parse(
        "family = \"isotropic\"\n[isotropic]\nnoise = 0\nsignal = 5\nmax_size = 14\n[training]\nsamples = 10\n",
    )
    .unwrap();
    let curve = headrisk_exact::finite_sample_curve(&params).unwrap();
    for point in &curve[9..=10] {
        assert_eq!(
            point.risk.total(),
            Some(headrisk_model::RiskValue::Finite(integer(0))),
            "p = {}",
            point.population.size
        );
    }
    let expected = ratio(5, 11);
    assert_eq!(
        curve[11].risk.total(),
        Some(headrisk_model::RiskValue::Finite(expected))
    );
}
