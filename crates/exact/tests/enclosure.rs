//! Certified enclosures of the deterministic equivalent: closed forms they
//! must contain, nesting under refinement, and the p×p cross-check.

mod common;

use common::{fixture, hmm, integer, ratio};
use headrisk_exact::{
    DeEnclosure, ExactError, HmmPopulation, Interval, RiskValue, default_relative_width,
    enclose_at_size, enclose_direct, enclosure_curve,
};
use headrisk_model::{BigRational, ParameterSet};

fn finite(value: &RiskValue<DeEnclosure>) -> &DeEnclosure {
    match value {
        RiskValue::Finite(enclosure) => enclosure,
        RiskValue::Divergent => panic!("expected a finite enclosure"),
    }
}

fn zero() -> BigRational {
    ratio(0, 1)
}

fn assert_consistent(enclosure: &DeEnclosure, context: &str) {
    let risk = &enclosure.risk;
    assert!(risk.lo <= risk.hi, "{context}: empty risk interval");
    assert_eq!(
        risk.lo,
        &enclosure.irreducible + &enclosure.variance.lo + &enclosure.bias.lo,
        "{context}: lower end of R"
    );
    assert_eq!(
        risk.hi,
        &enclosure.irreducible + &enclosure.variance.hi + &enclosure.bias.hi,
        "{context}: upper end of R"
    );
}

#[test]
fn isotropic_enclosure_contains_closed_form() {
    // Σ_x = I_p and λ = 0, p > n: df1(κ) = p/(1 + κ) = n gives κ = p/n − 1,
    // df2 = n²/p, so V_DE = σ² n/(p − n), B_DE = r²(1 − n/p).
    for name in ["isotropic-snr1.toml", "isotropic-snr5.toml"] {
        let params = fixture(name);
        let family = match &params.family {
            headrisk_model::Family::Isotropic(family) => family.clone(),
            headrisk_model::Family::Hmm(_) => panic!("expected the isotropic family"),
        };
        let n = params.samples;
        let sizes: Vec<usize> = (n + 1..=params.sizes[params.sizes.len() - 1])
            .step_by(7)
            .collect();
        let curve = enclosure_curve(&params, &sizes, &zero(), &default_relative_width()).unwrap();
        for point in &curve {
            let p = point.size;
            let context = format!("{name}, p = {p}");
            let enclosure = finite(&point.enclosure);
            let kappa = integer(p) / integer(n) - ratio(1, 1);
            let variance = &family.noise * integer(n) / integer(p - n);
            let bias = &family.signal * (ratio(1, 1) - integer(n) / integer(p));
            let risk = &family.noise + &variance + &bias;
            assert!(enclosure.kappa.contains(&kappa), "{context}: κ");
            assert!(enclosure.variance.contains(&variance), "{context}: V");
            assert!(enclosure.bias.contains(&bias), "{context}: B");
            assert!(enclosure.risk.contains(&risk), "{context}: R");
            assert!(
                enclosure.kappa.width() <= default_relative_width() * &enclosure.kappa.lo,
                "{context}: κ bracket too wide"
            );
            assert_consistent(enclosure, &context);
        }
    }
}

#[test]
fn ridgeless_below_n_is_exact() {
    // λ = 0, p < n: κ = 0, df2 = p, so V_DE = σ²_p p/(n − p), B_DE = 0.
    let params = fixture("hmm-d3-generated.toml");
    let n = params.samples;
    let population = HmmPopulation::new(hmm(&params)).unwrap();
    let sizes: Vec<usize> = (1..n).step_by(5).collect();
    let curve = enclosure_curve(&params, &sizes, &zero(), &default_relative_width()).unwrap();
    for point in &curve {
        let p = point.size;
        let enclosure = finite(&point.enclosure);
        let sigma2 = population.at_size(p).unwrap().irreducible;
        assert_eq!(enclosure.kappa, Interval::point(zero()), "p = {p}");
        assert_eq!(enclosure.bias, Interval::point(zero()), "p = {p}");
        assert_eq!(
            enclosure.risk,
            Interval::point(&sigma2 * integer(n) / integer(n - p)),
            "p = {p}"
        );
    }
}

#[test]
fn ridgeless_at_n_diverges() {
    let params = fixture("hmm-d3-generated.toml");
    let value =
        enclose_at_size(&params, params.samples, &zero(), &default_relative_width()).unwrap();
    assert_eq!(value, RiskValue::Divergent);
}

#[test]
fn noiseless_ridgeless_at_n_is_zero() {
    // Without noise the square design recovers B exactly, so R(n) = 0.
    let params = fixture("isotropic-noiseless.toml");
    let value =
        enclose_at_size(&params, params.samples, &zero(), &default_relative_width()).unwrap();
    let enclosure = finite(&value);
    assert_eq!(enclosure.risk, Interval::point(zero()));
    assert_eq!(enclosure.kappa, Interval::point(zero()));
}

#[test]
fn empty_head_enclosure() {
    // p = 0: κ = λ, B = V = 0 and R = tr Σ_y.
    let params = fixture("hmm-d2-explicit.toml");
    let ridge = ratio(1, 3);
    let value = enclose_at_size(&params, 0, &ridge, &default_relative_width()).unwrap();
    let enclosure = finite(&value);
    assert_eq!(enclosure.kappa, Interval::point(ridge));
    assert_eq!(enclosure.risk, Interval::point(ratio(59, 24)));
}

fn assert_nested(params: &ParameterSet, sizes: &[usize], ridge: &BigRational) {
    let coarse_width = ratio(1, 1 << 20);
    let fine_width = ratio(1, 1 << 21);
    let coarse = enclosure_curve(params, sizes, ridge, &coarse_width).unwrap();
    let fine = enclosure_curve(params, sizes, ridge, &fine_width).unwrap();
    for (coarse, fine) in coarse.iter().zip(&fine) {
        let context = format!("p = {}, λ = {ridge}", coarse.size);
        let (coarse, fine) = match (&coarse.enclosure, &fine.enclosure) {
            (RiskValue::Finite(coarse), RiskValue::Finite(fine)) => (coarse, fine),
            (RiskValue::Divergent, RiskValue::Divergent) => continue,
            _ => panic!("{context}: divergence differs between widths"),
        };
        assert!(
            coarse.kappa.contains_interval(&fine.kappa),
            "{context}: κ not nested"
        );
        assert!(
            coarse.variance.contains_interval(&fine.variance),
            "{context}: V not nested"
        );
        assert!(
            coarse.bias.contains_interval(&fine.bias),
            "{context}: B not nested"
        );
        assert!(
            coarse.risk.contains_interval(&fine.risk),
            "{context}: R not nested"
        );
        assert!(
            fine.risk.width() <= coarse.risk.width(),
            "{context}: R did not shrink"
        );
        assert!(
            fine.kappa.width() <= &fine_width * &fine.kappa.lo,
            "{context}: κ too wide"
        );
        assert_consistent(fine, &context);
    }
}

#[test]
fn enclosures_nest_when_width_halves() {
    let params = fixture("hmm-d3-generated.toml");
    let sizes = [1, 10, 31, 33, 40, 64, 80];
    for ridge in [zero(), ratio(1, 10), ratio(5, 1)] {
        assert_nested(&params, &sizes, &ridge);
    }
    let isotropic = fixture("isotropic-snr5.toml");
    assert_nested(&isotropic, &[5, 39, 41, 60, 120], &ratio(1, 100));
}

#[test]
fn ridge_bracket_solves_fixed_point() {
    // λ − κ(1 − df1(κ)/n) changes sign across the bracket; checked here
    // through the isotropic closed form df1 = p/(1 + κ):
    // g(κ) = κ(1 − p/(n(1 + κ))) is below λ at κ_lo and above at κ_hi.
    let params = fixture("isotropic-snr1.toml");
    let n = integer(params.samples);
    let ridge = ratio(1, 4);
    for p in [10usize, 40, 90] {
        let value = enclose_at_size(&params, p, &ridge, &default_relative_width()).unwrap();
        let kappa = &finite(&value).kappa;
        let g =
            |kappa: &BigRational| kappa * (ratio(1, 1) - integer(p) / (&n * (ratio(1, 1) + kappa)));
        assert!(g(&kappa.lo) <= ridge, "p = {p}: g(κ_lo) > λ");
        assert!(g(&kappa.hi) >= ridge, "p = {p}: g(κ_hi) < λ");
    }
}

#[test]
fn low_rank_enclosure_meets_direct() {
    // Both paths certify the same exact value, so their intervals overlap.
    // Their spectral values agree exactly (a unit test of the enclosure
    // module checks it), and only their starting brackets differ.
    let params = fixture("hmm-d2-explicit.toml");
    let population = HmmPopulation::new(hmm(&params)).unwrap();
    for ridge in [zero(), ratio(1, 2)] {
        for size in 1..=10 {
            let context = format!("p = {size}, λ = {ridge}");
            let fast = enclose_at_size(&params, size, &ridge, &default_relative_width()).unwrap();
            let slow = enclose_direct(
                &population,
                size,
                params.samples,
                &ridge,
                &default_relative_width(),
            )
            .unwrap();
            match (&fast, &slow) {
                (RiskValue::Finite(fast), RiskValue::Finite(slow)) => {
                    assert!(fast.risk.lo <= slow.risk.hi, "{context}: disjoint");
                    assert!(slow.risk.lo <= fast.risk.hi, "{context}: disjoint");
                    assert!(fast.kappa.lo <= slow.kappa.hi, "{context}: κ disjoint");
                    assert!(slow.kappa.lo <= fast.kappa.hi, "{context}: κ disjoint");
                }
                (RiskValue::Divergent, RiskValue::Divergent) => {}
                _ => panic!("{context}: divergence differs"),
            }
        }
    }
}

#[test]
fn invalid_requests_are_rejected() {
    let params = fixture("hmm-d2-explicit.toml");
    assert_eq!(
        enclose_at_size(&params, 3, &ratio(-1, 10), &default_relative_width()),
        Err(ExactError::Negative {
            field: "ridge λ",
            value: "-1/10".into(),
        })
    );
    assert_eq!(
        enclose_at_size(&params, 3, &zero(), &zero()),
        Err(ExactError::InvalidWidth { value: "0".into() })
    );
    assert_eq!(
        enclose_at_size(&params, 3, &zero(), &ratio(-1, 2)),
        Err(ExactError::InvalidWidth {
            value: "-1/2".into()
        })
    );
}

#[test]
fn zero_samples_are_rejected() {
    let params = fixture("hmm-d2-explicit.toml");
    let population = HmmPopulation::new(hmm(&params)).unwrap();
    assert_eq!(
        enclose_direct(&population, 2, 0, &zero(), &default_relative_width()),
        Err(ExactError::InvalidSamples { samples: 0 })
    );
}

#[test]
fn tiny_width_hits_step_limit() {
    let params = fixture("isotropic-snr5.toml");
    let width = BigRational::new(
        1.into(),
        num_traits::pow(BigRational::from_integer(2.into()), 5_000).to_integer(),
    );
    let error = enclose_at_size(&params, 60, &zero(), &width).unwrap_err();
    assert!(
        matches!(error, ExactError::BisectionLimit { .. }),
        "{error}"
    );
}

#[test]
fn default_width_needs_few_steps() {
    // The starting bracket spans a few powers of two, so 64 bits of
    // relative width take well under 200 halvings.
    for name in [
        "hmm-d3-generated.toml",
        "hmm-readout.toml",
        "isotropic-snr5.toml",
    ] {
        let params = fixture(name);
        let n = params.samples;
        let sizes: Vec<usize> = params
            .sizes
            .iter()
            .copied()
            .filter(|&p| p > n)
            .step_by(5)
            .collect();
        for ridge in [zero(), ratio(1, 10)] {
            for point in
                enclosure_curve(&params, &sizes, &ridge, &default_relative_width()).unwrap()
            {
                let steps = finite(&point.enclosure).steps;
                assert!(
                    steps < 200,
                    "{name}, p = {}, λ = {ridge}: {steps} steps",
                    point.size
                );
            }
        }
    }
}
