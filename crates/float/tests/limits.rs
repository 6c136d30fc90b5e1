//! The proportional limits at exactly representable ratios, and the
//! isotropic minimiser γ* against a grid search of the limit curve.

use headrisk_float::{FloatError, isotropic_limit, isotropic_optimal_ratio, latent_limit};
use headrisk_model::RiskValue;

fn finite(value: RiskValue<f64>) -> f64 {
    match value {
        RiskValue::Finite(value) => value,
        RiskValue::Divergent => panic!("divergent"),
    }
}

/// Distance in units in the last place of `reference`.
fn ulps(value: f64, reference: f64) -> f64 {
    (value - reference).abs() / (reference.abs() * f64::EPSILON)
}

#[test]
fn isotropic_limit_at_half_is_twice_noise() {
    for (noise, signal) in [(1.0, 5.0), (0.3, 2.0), (7.25, 0.1)] {
        let risk = finite(isotropic_limit(0.5, noise, signal).unwrap());
        assert!(
            ulps(risk, 2.0 * noise) <= 2.0,
            "σ² = {noise}: {risk} against {}",
            2.0 * noise
        );
    }
}

#[test]
fn isotropic_limit_at_two() {
    for (noise, signal) in [(1.0, 5.0), (0.3, 2.0), (7.25, 0.1)] {
        let risk = finite(isotropic_limit(2.0, noise, signal).unwrap());
        let expected = noise + signal / 2.0 + noise;
        assert!(
            ulps(risk, expected) <= 4.0,
            "σ² = {noise}, r² = {signal}: {risk} against {expected}"
        );
    }
}

#[test]
fn isotropic_limit_endpoints() {
    assert_eq!(
        isotropic_limit(0.0, 1.5, 2.5).unwrap(),
        RiskValue::Finite(4.0)
    );
    assert_eq!(
        isotropic_limit(1.0, 1.5, 2.5).unwrap(),
        RiskValue::Divergent
    );
}

#[test]
fn optimal_ratio_matches_grid_minimum() {
    let noise = 1.0;
    for signal in [2.0, 5.0, 20.0] {
        let optimum = isotropic_optimal_ratio(noise, signal).unwrap().unwrap();
        let step = 1e-5;
        let (mut best_ratio, mut best_risk) = (f64::NAN, f64::INFINITY);
        for index in 1..=1_000_000 {
            let ratio = 1.0 + index as f64 * step;
            let risk = finite(isotropic_limit(ratio, noise, signal).unwrap());
            if risk < best_risk {
                best_risk = risk;
                best_ratio = ratio;
            }
        }
        assert!(
            (best_ratio - optimum).abs() <= 2.0 * step,
            "SNR = {signal}: grid minimum at {best_ratio}, formula γ* = {optimum}"
        );
        let at_optimum = finite(isotropic_limit(optimum, noise, signal).unwrap());
        assert!(
            at_optimum <= best_risk * (1.0 + 1e-12),
            "R(γ*) = {at_optimum} above the grid minimum {best_risk}"
        );
    }
}

#[test]
fn optimal_ratio_absent_for_low_snr() {
    for signal in [0.5, 1.0] {
        assert_eq!(
            isotropic_optimal_ratio(1.0, signal).unwrap(),
            None,
            "SNR = {signal}"
        );
        let mut previous = f64::INFINITY;
        for index in 1..=10_000 {
            let ratio = 1.0 + index as f64 * 1e-3;
            let risk = finite(isotropic_limit(ratio, 1.0, signal).unwrap());
            assert!(
                risk < previous,
                "SNR = {signal}: the risk rises at γ = {ratio}"
            );
            previous = risk;
        }
    }
    assert_eq!(isotropic_optimal_ratio(0.0, 1.0).unwrap(), None);
}

#[test]
fn latent_limit_values() {
    let (output_variance, bayes_risk) = (3.0, 0.75);
    assert_eq!(
        latent_limit(0.0, output_variance, bayes_risk).unwrap(),
        RiskValue::Finite(3.0)
    );
    assert_eq!(
        latent_limit(0.5, output_variance, bayes_risk).unwrap(),
        RiskValue::Finite(1.5)
    );
    assert_eq!(
        latent_limit(1.0, output_variance, bayes_risk).unwrap(),
        RiskValue::Divergent
    );
    assert_eq!(
        latent_limit(2.0, output_variance, bayes_risk).unwrap(),
        RiskValue::Finite(1.5)
    );
}

#[test]
fn invalid_ratio_is_rejected() {
    for ratio in [-0.5, f64::NAN, f64::INFINITY] {
        let error = isotropic_limit(ratio, 1.0, 1.0).unwrap_err();
        assert!(
            matches!(
                error,
                FloatError::InvalidArgument {
                    argument: "ratio",
                    ..
                }
            ),
            "γ = {ratio}: {error:?}"
        );
        let error = latent_limit(ratio, 1.0, 1.0).unwrap_err();
        assert!(
            matches!(
                error,
                FloatError::InvalidArgument {
                    argument: "ratio",
                    ..
                }
            ),
            "γ = {ratio}: {error:?}"
        );
    }
}

#[test]
fn overflowing_limit_is_typed_error() {
    let error = isotropic_limit(0.5, 1e308, 1.0).unwrap_err();
    assert!(matches!(error, FloatError::NonFinite { .. }), "{error:?}");
}
