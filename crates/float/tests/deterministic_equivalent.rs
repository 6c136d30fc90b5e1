//! The deterministic equivalent against its closed forms at λ = 0, its
//! continuity as λ → 0, the effect of ridge on the peak, and its
//! proportional limit.

mod common;

use common::{RandomHmm, assert_close};
use headrisk_float::{Model, latent_limit};
use headrisk_model::RiskValue;

fn finite_risk(value: &RiskValue<f64>, context: &str) -> f64 {
    match value {
        RiskValue::Finite(value) => *value,
        RiskValue::Divergent => panic!("{context}: divergent"),
    }
}

fn isotropic_model(noise: f64, signal: f64, max_size: usize, samples: usize) -> Model {
    let text = format!(
        "family = \"isotropic\"\n[isotropic]\nnoise = {noise}\nsignal = {signal}\nmax_size = {max_size}\n[training]\nsamples = {samples}\n"
    );
    Model::from_parameters(&headrisk_model::parse(&text).unwrap()).unwrap()
}

#[test]
fn noiseless_threshold_is_finite() {
    // σ² = 0: the 0/0 variance term at p = n has the limit 0 from both sides.
    let model = isotropic_model(0.0, 2.0, 30, 10);
    let curve = model
        .deterministic_equivalent_curve(&[9, 10, 11], 10, 0.0)
        .unwrap();
    assert_eq!(curve[1].risk, RiskValue::Finite(0.0));
    assert_eq!(curve[0].risk, RiskValue::Finite(0.0));
    let past = finite_risk(&curve[2].risk, "p = 11");
    assert_close(past, 2.0 * (1.0 - 10.0 / 11.0), 1e-14, 0.0, "p = 11");
}

#[test]
fn noisy_threshold_diverges() {
    let model = isotropic_model(1.0, 2.0, 30, 10);
    let curve = model
        .deterministic_equivalent_curve(&[10], 10, 0.0)
        .unwrap();
    assert_eq!(curve[0].risk, RiskValue::Divergent);
}

#[test]
fn ridgeless_below_threshold_is_inflated_irreducible() {
    for seed in [1, 2, 3] {
        let case = RandomHmm::new(seed, 4);
        let model = case.model();
        let n = case.samples;
        let sizes: Vec<usize> = (1..n).collect();
        let curve = model
            .deterministic_equivalent_curve(&sizes, n, 0.0)
            .unwrap();
        for equivalent in &curve {
            let p = equivalent.size;
            let expected = equivalent.irreducible * n as f64 / (n - p) as f64;
            let context = format!("seed {seed}, p = {p}");
            assert_eq!(equivalent.kappa, 0.0, "κ, {context}");
            assert_eq!(equivalent.bias, 0.0, "B_DE, {context}");
            assert_close(
                finite_risk(&equivalent.risk, &context),
                expected,
                16.0 * f64::EPSILON,
                0.0,
                &context,
            );
        }
    }
}

#[test]
fn ridgeless_at_threshold_diverges() {
    let case = RandomHmm::new(4, 3);
    let model = case.model();
    let equivalent = model
        .deterministic_equivalent(case.samples, case.samples, 0.0)
        .unwrap();
    assert!(equivalent.risk.is_divergent());
    assert!(equivalent.variance.is_divergent());
    for size in [case.samples - 1, case.samples + 1] {
        let neighbour = model
            .deterministic_equivalent(size, case.samples, 0.0)
            .unwrap();
        assert!(!neighbour.risk.is_divergent(), "p = {size}");
    }
}

#[test]
fn ridgeless_above_threshold_solves_df1() {
    let case = RandomHmm::new(5, 5);
    let model = case.model();
    let n = case.samples as f64;
    let sizes: Vec<usize> = (case.samples + 1..=case.columns).collect();
    for equivalent in model
        .deterministic_equivalent_curve(&sizes, case.samples, 0.0)
        .unwrap()
    {
        let context = format!("p = {}", equivalent.size);
        assert!(equivalent.kappa > 0.0, "κ > 0, {context}");
        assert_close(
            equivalent.df1,
            n,
            1e-13,
            0.0,
            &format!("df1(κ) = n, {context}"),
        );
        assert!(equivalent.df2 < n, "df2 < n, {context}");
    }
}

#[test]
fn ridge_to_zero_approaches_ridgeless() {
    let case = RandomHmm::new(6, 4);
    let model = case.model();
    for size in [5, 20, 35, 45, 80, 150] {
        let ridgeless = finite_risk(
            &model
                .deterministic_equivalent(size, case.samples, 0.0)
                .unwrap()
                .risk,
            "λ = 0",
        );
        let mut previous_distance = f64::INFINITY;
        for exponent in 2..=10 {
            let ridge = 10f64.powi(-exponent);
            let context = format!("p = {size}, λ = {ridge:e}");
            let risk = finite_risk(
                &model
                    .deterministic_equivalent(size, case.samples, ridge)
                    .unwrap()
                    .risk,
                &context,
            );
            let distance = (risk - ridgeless).abs() / ridgeless;
            assert!(
                distance <= previous_distance * 1.0001 + 1e-15,
                "{context}: distance {distance:e} grew from {previous_distance:e}"
            );
            previous_distance = distance;
        }
        assert!(
            previous_distance < 1e-7,
            "p = {size}: distance {previous_distance:e} at λ = 1e-10"
        );
    }
}

#[test]
fn ridge_removes_isotropic_peak() {
    let (noise, signal, n) = (1.0, 5.0, 200);
    let model = isotropic_model(noise, signal, 1_000, n);
    let sizes: Vec<usize> = (1..=1_000).collect();
    let ridge = noise / signal;
    let ridged = model
        .deterministic_equivalent_curve(&sizes, n, ridge)
        .unwrap();
    let peak = ridged
        .iter()
        .map(|equivalent| {
            finite_risk(
                &equivalent.risk,
                &format!("λ = {ridge}, p = {}", equivalent.size),
            )
        })
        .fold(0.0, f64::max);
    assert!(
        peak <= noise + signal,
        "maximum {peak} above the null risk σ² + r² = {}",
        noise + signal
    );

    for size in [n - 1, n + 1] {
        let ridgeless = model.deterministic_equivalent(size, n, 0.0).unwrap();
        let ridgeless = finite_risk(&ridgeless.risk, &format!("λ = 0, p = {size}"));
        assert!(
            peak < 0.1 * ridgeless,
            "ridged maximum {peak} not far below the λ = 0 risk {ridgeless} at p = {size}"
        );
    }
}

#[test]
fn ridge_removes_hmm_peak() {
    let case = RandomHmm::new(7, 5);
    let model = case.model();
    let n = case.samples;
    let sizes: Vec<usize> = (1..=case.columns).collect();
    let ridged = model
        .deterministic_equivalent_curve(&sizes, n, 0.1)
        .unwrap();
    let peak = ridged
        .iter()
        .map(|equivalent| finite_risk(&equivalent.risk, &format!("p = {}", equivalent.size)))
        .fold(0.0, f64::max);
    for size in [n - 1, n + 1] {
        let ridgeless = finite_risk(
            &model.deterministic_equivalent(size, n, 0.0).unwrap().risk,
            "λ = 0",
        );
        assert!(
            peak < 0.5 * ridgeless,
            "ridged maximum {peak} against the λ = 0 risk {ridgeless} at p = {size}"
        );
    }
}

#[test]
fn large_sizes_need_no_p_by_p_matrix() {
    let text = "family = \"hmm\"\n[hmm]\ndim = 10\ntransition = [[0.5,0,0,0,0,0,0,0,0,0],[0,0.5,0,0,0,0,0,0,0,0],[0,0,0.5,0,0,0,0,0,0,0],[0,0,0,0.5,0,0,0,0,0,0],[0,0,0,0,0.5,0,0,0,0,0],[0,0,0,0,0,0.5,0,0,0,0],[0,0,0,0,0,0,0.5,0,0,0],[0,0,0,0,0,0,0,0.5,0,0],[0,0,0,0,0,0,0,0,0.5,0],[0,0,0,0,0,0,0,0,0,0.5]]\nnoise_variance = 1\nposition = \"stationary\"\nrepresentation_noise = 1\n[hmm.features]\ncolumns = 100000\nseed = 3\n[training]\nsamples = 10000\n[sizes]\nfrom = 1\nto = 100000\ncount = 200\nspacing = \"log\"\n";
    let params = headrisk_model::parse(text).unwrap();
    let model = Model::from_parameters(&params).unwrap();
    let curve = model
        .deterministic_equivalent_curve(&params.sizes, params.samples, 0.0)
        .unwrap();
    let last = curve.last().unwrap();
    assert_eq!(last.size, 100_000);
    assert_close(
        last.df1,
        params.samples as f64,
        1e-12,
        0.0,
        "df1(κ) = n at p = 100,000",
    );
    for equivalent in &curve {
        if equivalent.size != params.samples {
            finite_risk(&equivalent.risk, &format!("p = {}", equivalent.size));
        }
    }
}

#[test]
fn approaches_latent_limit_as_samples_grow() {
    // Columns are i.i.d. N(0, I_3), so the spike of Σ_x grows like p and
    // σ²_p → σ²_B; the distance to the limit shrinks like 1/n.
    let text = |samples: usize| {
        format!(
            "family = \"hmm\"\n[hmm]\ndim = 3\ntransition = [[0.6,0.2,0],[0,0.5,0.1],[0,0,0.3]]\nnoise_variance = 0.5\nposition = \"stationary\"\nrepresentation_noise = 1\n[hmm.features]\ncolumns = 40000\nseed = 8\n[training]\nsamples = {samples}\n[sizes]\nlist = [0]\n"
        )
    };
    for ratio in [0.5, 2.0] {
        let mut previous = f64::INFINITY;
        for samples in [200usize, 2_000, 20_000] {
            let params = headrisk_model::parse(&text(samples)).unwrap();
            let model = Model::from_parameters(&params).unwrap();
            let size = (ratio * samples as f64) as usize;
            let equivalent = model.deterministic_equivalent(size, samples, 0.0).unwrap();
            let risk = finite_risk(&equivalent.risk, &format!("γ = {ratio}, n = {samples}"));
            let limit = latent_limit(ratio, model.output_variance(), model.bayes_risk()).unwrap();
            let limit = finite_risk(&limit, "latent limit");
            let distance = (risk - limit).abs() / limit;
            assert!(
                distance < previous,
                "γ = {ratio}, n = {samples}: distance {distance:e} did not shrink from {previous:e}"
            );
            previous = distance;
        }
        assert!(
            previous < 1e-2,
            "γ = {ratio}: distance {previous:e} at n = 20,000"
        );
    }
}
