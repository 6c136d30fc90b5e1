//! Proportional limits as exact functions of γ, and the certified bracket
//! of the isotropic minimiser.

mod common;

use common::{fixture, ratio};
use headrisk_exact::{
    ExactError, LimitModel, RiskValue, has_interior_minimum, isotropic_limit,
    isotropic_minimiser_bracket, latent_limit,
};
use headrisk_model::BigRational;

#[test]
fn isotropic_limit_branches() {
    // σ² = 1, r² = 5.
    let noise = ratio(1, 1);
    let signal = ratio(5, 1);
    let cases = [
        (ratio(0, 1), RiskValue::Finite(ratio(6, 1))),
        // σ²/(1 − γ) = 1/(1/2) = 2
        (ratio(1, 2), RiskValue::Finite(ratio(2, 1))),
        (ratio(1, 1), RiskValue::Divergent),
        // 1 + 5(1 − 1/2) + 1/(2 − 1) = 9/2
        (ratio(2, 1), RiskValue::Finite(ratio(9, 2))),
        // 1 + 5(1 − 1/3) + 1/2 = 29/6
        (ratio(3, 1), RiskValue::Finite(ratio(29, 6))),
    ];
    for (gamma, expected) in cases {
        assert_eq!(
            isotropic_limit(&noise, &signal, &gamma).unwrap(),
            expected,
            "γ = {gamma}"
        );
    }
}

#[test]
fn latent_limit_branches() {
    // tr Σ_y = 59/24, σ²_B = 2, as in the d = 2 fixture.
    let target = ratio(59, 24);
    let bayes = ratio(2, 1);
    let cases = [
        (ratio(0, 1), RiskValue::Finite(ratio(59, 24))),
        // 2/(1 − 1/4) = 8/3
        (ratio(1, 4), RiskValue::Finite(ratio(8, 3))),
        (ratio(1, 1), RiskValue::Divergent),
        // 2·3/(3 − 1) = 3
        (ratio(3, 1), RiskValue::Finite(ratio(3, 1))),
    ];
    for (gamma, expected) in cases {
        assert_eq!(
            latent_limit(&target, &bayes, &gamma).unwrap(),
            expected,
            "γ = {gamma}"
        );
    }
}

#[test]
fn limit_model_from_fixtures() {
    let latent = LimitModel::from_params(&fixture("hmm-d2-explicit.toml")).unwrap();
    assert_eq!(
        latent,
        LimitModel::Latent {
            target_trace: ratio(59, 24),
            bayes_risk: ratio(2, 1),
        }
    );
    let isotropic = LimitModel::from_params(&fixture("isotropic-snr5.toml")).unwrap();
    assert_eq!(
        isotropic.risk(&ratio(2, 1)).unwrap(),
        RiskValue::Finite(ratio(9, 2))
    );
}

#[test]
fn negative_ratio_is_rejected() {
    let one = ratio(1, 1);
    let error = isotropic_limit(&one, &one, &ratio(-1, 3)).unwrap_err();
    assert_eq!(
        error,
        ExactError::Negative {
            field: "ratio γ = p/n",
            value: "-1/3".into(),
        }
    );
    assert!(latent_limit(&one, &one, &ratio(-2, 1)).is_err());
}

#[test]
fn interior_minimum_needs_snr_above_one() {
    assert!(has_interior_minimum(&ratio(1, 1), &ratio(5, 1)));
    assert!(!has_interior_minimum(&ratio(1, 1), &ratio(1, 1)));
    assert!(!has_interior_minimum(&ratio(1, 1), &ratio(1, 2)));
    assert!(!has_interior_minimum(&ratio(0, 1), &ratio(1, 1)));
    let width = ratio(1, 1000);
    assert_eq!(
        isotropic_minimiser_bracket(&ratio(1, 1), &ratio(1, 1), &width).unwrap(),
        None
    );
}

/// Sign of the derivative of the γ > 1 branch: r²(γ − 1)² − σ²γ².
fn derivative_sign(
    noise: &BigRational,
    signal: &BigRational,
    gamma: &BigRational,
) -> std::cmp::Ordering {
    let below = gamma - ratio(1, 1);
    (signal * &below * &below).cmp(&(noise * gamma * gamma))
}

#[test]
fn minimiser_bracket_for_snr_five() {
    // γ* = √5/(√5 − 1) ≈ 1.809 is irrational, so the bracket is proper and
    // the derivative changes sign across it.
    let noise = ratio(1, 1);
    let signal = ratio(5, 1);
    let width = BigRational::new(
        1.into(),
        (BigRational::from_integer(2.into()).pow(64)).to_integer(),
    );
    let bracket = isotropic_minimiser_bracket(&noise, &signal, &width)
        .unwrap()
        .unwrap();
    assert!(bracket.width() <= width);
    assert!(bracket.lo > ratio(9, 5));
    assert!(bracket.hi < ratio(181, 100));
    assert_eq!(
        derivative_sign(&noise, &signal, &bracket.lo),
        std::cmp::Ordering::Less
    );
    assert_eq!(
        derivative_sign(&noise, &signal, &bracket.hi),
        std::cmp::Ordering::Greater
    );
}

#[test]
fn minimiser_bracket_for_perfect_square() {
    // SNR = 4: γ* = 2/(2 − 1) = 2 exactly, and the bracket contains it.
    let bracket = isotropic_minimiser_bracket(&ratio(1, 1), &ratio(4, 1), &ratio(1, 1 << 30))
        .unwrap()
        .unwrap();
    assert!(bracket.contains(&ratio(2, 1)));
    // σ² = 9, r² = 25: √SNR = 5/3 and γ* = (5/3)/(2/3) = 5/2, the first
    // midpoint of the bracket (2, 3], so the bracket is that point.
    let bracket = isotropic_minimiser_bracket(&ratio(9, 1), &ratio(25, 1), &ratio(1, 1 << 30))
        .unwrap()
        .unwrap();
    assert_eq!(bracket, headrisk_exact::Interval::point(ratio(5, 2)));
}

#[test]
fn minimiser_rejects_invalid_width() {
    assert_eq!(
        isotropic_minimiser_bracket(&ratio(1, 1), &ratio(5, 1), &ratio(0, 1)),
        Err(ExactError::InvalidWidth { value: "0".into() })
    );
}
