//! The low-rank path against the dense p×p path and the push-through
//! identity on seeded random HMMs. No stored reference values: the three
//! algorithms must agree within the float tolerance of the size.

mod common;

use common::{RandomHmm, assert_close};
use headrisk_float::tolerance::float_exact_tolerance;
use headrisk_float::{FloatError, Model};

/// Sizes around d and around n = 40 for a model with 150 columns.
fn sizes_for(dim: usize) -> Vec<usize> {
    let mut sizes = vec![
        1,
        2,
        dim - 1,
        dim,
        dim + 1,
        2 * dim,
        39,
        40,
        41,
        43,
        120,
        150,
    ];
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

fn cases() -> Vec<RandomHmm> {
    let mut cases = Vec::new();
    for (seed, dim) in [(1, 2), (2, 3), (3, 5), (4, 8)] {
        cases.push(RandomHmm::new(seed, dim));
        cases.push(RandomHmm {
            step: Some(3),
            representation_noise: 0.01,
            ..RandomHmm::new(seed + 10, dim)
        });
    }
    cases
}

fn tolerance(model: &Model, size: usize, condition: f64) -> f64 {
    2.0 * float_exact_tolerance(size, model.dim().unwrap_or(0), condition)
}

#[test]
fn population_low_rank_matches_dense() {
    for case in cases() {
        let model = case.model();
        let sizes = sizes_for(case.dim);
        let low_rank = model.population_curve(&sizes).unwrap();
        for (population, &size) in low_rank.iter().zip(&sizes) {
            let dense = model.population_dense(size).unwrap();
            let tolerance = tolerance(&model, size, dense.condition_estimate);
            let context = format!("{case:?} p = {size}");
            assert_eq!(population.size, size);
            assert_close(
                population.irreducible,
                dense.irreducible,
                tolerance,
                0.0,
                &format!("σ²_p, {context}"),
            );
            assert_close(
                population.signal,
                dense.signal,
                tolerance,
                population.output_variance,
                &format!("s_p, {context}"),
            );
        }
    }
}

#[test]
fn push_through_matches_dense() {
    for case in cases() {
        let model = case.model();
        for size in sizes_for(case.dim) {
            let dense = model.population_dense(size).unwrap();
            let signal = model.signal_push_through(size).unwrap();
            let tolerance = tolerance(&model, size, dense.condition_estimate);
            let context = format!("s_p by push-through, {case:?} p = {size}");
            assert_close(
                signal,
                dense.signal,
                tolerance,
                dense.output_variance,
                &context,
            );
        }
    }
}

#[test]
fn population_identities_hold() {
    for case in cases() {
        let model = case.model();
        let sizes: Vec<usize> = (0..=case.columns).collect();
        let curve = model.population_curve(&sizes).unwrap();
        assert_eq!(curve[0].irreducible, model.output_variance());
        for population in &curve {
            let slack = 1e-12 * population.output_variance;
            let context = format!("{case:?} p = {}", population.size);
            assert_close(
                population.irreducible + population.signal,
                population.output_variance,
                1e-13,
                0.0,
                &format!("σ²_p + s_p = tr Σ_y, {context}"),
            );
            assert!(
                population.bayes_risk <= population.irreducible + slack,
                "σ²_B ≤ σ²_p, {context}"
            );
            assert!(
                population.irreducible <= population.output_variance + slack,
                "σ²_p ≤ tr Σ_y, {context}"
            );
        }
        for window in curve.windows(2) {
            let slack = 1e-12 * window[0].output_variance;
            assert!(
                window[1].irreducible <= window[0].irreducible + slack,
                "σ²_p non-increasing, {case:?} p = {}: {} then {}",
                window[1].size,
                window[0].irreducible,
                window[1].irreducible
            );
        }
    }
}

#[test]
fn spectrum_low_rank_matches_dense() {
    for case in cases() {
        let model = case.model();
        for size in sizes_for(case.dim) {
            let low_rank = model.spectrum(size).unwrap();
            let dense = model.spectrum_dense(size).unwrap();
            assert_eq!(low_rank.size(), size);
            assert_eq!(dense.size(), size);
            let tolerance = tolerance(&model, size, dense.condition_number());
            let context = format!("{case:?} p = {size}");
            assert_close(
                low_rank.trace(),
                dense.trace(),
                tolerance,
                0.0,
                &format!("tr Σ_x, {context}"),
            );
            for kappa in [0.0, 1e-3, 0.1, 1.0, 10.0] {
                let at = format!("κ = {kappa}, {context}");
                assert_close(
                    low_rank.df1(kappa),
                    dense.df1(kappa),
                    tolerance,
                    1.0,
                    &format!("df1, {at}"),
                );
                assert_close(
                    low_rank.df2(kappa),
                    dense.df2(kappa),
                    tolerance,
                    1.0,
                    &format!("df2, {at}"),
                );
                assert_close(
                    low_rank.bias_numerator(kappa),
                    dense.bias_numerator(kappa),
                    tolerance,
                    model.output_variance(),
                    &format!("bias numerator, {at}"),
                );
            }
        }
    }
}

#[test]
fn deterministic_equivalent_low_rank_matches_dense() {
    for case in cases() {
        let model = case.model();
        for size in sizes_for(case.dim) {
            for ridge in [0.0, 1e-3, 0.5] {
                if ridge == 0.0 && size == case.samples {
                    continue;
                }
                let low_rank = model
                    .deterministic_equivalent(size, case.samples, ridge)
                    .unwrap();
                let dense = model
                    .deterministic_equivalent_dense(size, case.samples, ridge)
                    .unwrap();
                let condition = model.population_dense(size).unwrap().condition_estimate;
                // The κ solve and the factor 1/(1 − df2/n) amplify the
                // spectrum error near p = n.
                let amplification = 1.0 / (1.0 - dense.df2 / case.samples as f64);
                let tolerance = tolerance(&model, size, condition) * amplification;
                let context = format!("{case:?} p = {size}, λ = {ridge}");
                let risk = *low_rank.risk.finite().unwrap();
                let dense_risk = *dense.risk.finite().unwrap();
                assert_close(
                    risk,
                    dense_risk,
                    tolerance,
                    0.0,
                    &format!("R_DE, {context}"),
                );
                assert_close(
                    low_rank.kappa,
                    dense.kappa,
                    tolerance,
                    1e-12,
                    &format!("κ, {context}"),
                );
                assert_close(
                    low_rank.bias,
                    dense.bias,
                    tolerance,
                    dense_risk,
                    &format!("B_DE, {context}"),
                );
            }
        }
    }
}

#[test]
fn zero_representation_noise_matches_dense() {
    for (seed, dim) in [(21, 3), (22, 6)] {
        let case = RandomHmm {
            representation_noise: 0.0,
            ..RandomHmm::new(seed, dim)
        };
        let model = case.model();
        for size in 1..=dim {
            let low_rank = model.population(size).unwrap();
            let dense = model.population_dense(size).unwrap();
            let push_through = model.signal_push_through(size).unwrap();
            let tolerance = tolerance(&model, size, dense.condition_estimate);
            let context = format!("{case:?} p = {size}");
            assert_close(
                low_rank.irreducible,
                dense.irreducible,
                tolerance,
                0.0,
                &format!("σ²_p, {context}"),
            );
            assert_close(
                push_through,
                dense.signal,
                tolerance,
                dense.output_variance,
                &format!("s_p, {context}"),
            );
            let low_rank_de = model
                .deterministic_equivalent(size, case.samples, 0.0)
                .unwrap();
            let dense_de = model
                .deterministic_equivalent_dense(size, case.samples, 0.0)
                .unwrap();
            assert_close(
                *low_rank_de.risk.finite().unwrap(),
                *dense_de.risk.finite().unwrap(),
                tolerance,
                0.0,
                &format!("R_DE, {context}"),
            );
        }
        let error = model.population(dim + 1).unwrap_err();
        assert!(
            matches!(error, FloatError::SingularFeatureCovariance { .. }),
            "{error:?}"
        );
    }
}

#[test]
fn curve_order_does_not_matter() {
    let model = RandomHmm::new(31, 4).model();
    let sorted = [3, 10, 17, 60, 149];
    let shuffled = [60, 3, 149, 17, 10];
    let by_sorted = model.population_curve(&sorted).unwrap();
    let by_shuffled = model.population_curve(&shuffled).unwrap();
    for population in &by_shuffled {
        let twin = by_sorted
            .iter()
            .find(|other| other.size == population.size)
            .unwrap();
        assert_eq!(population, twin);
    }
    let single = model.population(17).unwrap();
    let from_curve = by_sorted
        .iter()
        .find(|population| population.size == 17)
        .unwrap();
    assert_close(
        single.irreducible,
        from_curve.irreducible,
        1e-14,
        0.0,
        "σ²_17 alone against in a curve",
    );
}

#[test]
fn size_beyond_features_is_rejected() {
    let model = RandomHmm::new(41, 3).model();
    let error = model.population(151).unwrap_err();
    assert_eq!(
        error,
        FloatError::SizeBeyondFeatures {
            size: 151,
            columns: 150
        }
    );
}
