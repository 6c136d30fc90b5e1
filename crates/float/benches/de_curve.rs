//! Deterministic-equivalent curve of a d = 50 HMM with generated features:
//! n = 10,000 and 1,000 sizes up to p = 100,000 on the low-rank path, plus
//! the dense p×p path against the low-rank path at p = 500.
//!
//! Run with `cargo bench -p headrisk-float`.

use std::fmt::Write;
use std::sync::OnceLock;

use divan::Bencher;
use headrisk_float::Model;
use headrisk_model::ParameterSet;

const DIM: usize = 50;
const COLUMNS: usize = 100_000;
const SAMPLES: usize = 10_000;
const DENSE_SIZE: usize = 500;
const DENSE_SAMPLES: usize = 200;

fn main() {
    divan::main();
}

/// Builds the parameter set once: A = I/2, Q = I, stationary, σ_u² = 1, W generated.
fn parameters() -> &'static ParameterSet {
    static PARAMETERS: OnceLock<ParameterSet> = OnceLock::new();
    PARAMETERS.get_or_init(|| {
        let rows: Vec<String> = (0..DIM)
            .map(|i| {
                let entries: Vec<&str> =
                    (0..DIM).map(|j| if i == j { "0.5" } else { "0" }).collect();
                format!("[{}]", entries.join(", "))
            })
            .collect();
        let mut text = String::new();
        writeln!(text, "family = \"hmm\"").unwrap();
        writeln!(text, "[hmm]").unwrap();
        writeln!(text, "dim = {DIM}").unwrap();
        writeln!(text, "transition = [{}]", rows.join(", ")).unwrap();
        writeln!(text, "noise_variance = 1").unwrap();
        writeln!(text, "position = \"stationary\"").unwrap();
        writeln!(text, "representation_noise = 1").unwrap();
        writeln!(text, "[hmm.features]").unwrap();
        writeln!(text, "columns = {COLUMNS}").unwrap();
        writeln!(text, "seed = 1").unwrap();
        writeln!(text, "unit_norm = true").unwrap();
        writeln!(text, "[training]").unwrap();
        writeln!(text, "samples = {SAMPLES}").unwrap();
        writeln!(text, "[sizes]").unwrap();
        writeln!(text, "from = 1").unwrap();
        writeln!(text, "to = {COLUMNS}").unwrap();
        writeln!(text, "count = 1000").unwrap();
        writeln!(text, "spacing = \"linear\"").unwrap();
        headrisk_model::parse(&text).unwrap()
    })
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_parameters(parameters()).unwrap())
}

/// Measures model preparation: conversion of W to f64, Lyapunov solve, Σ^(1/2).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn prepare_model(bencher: Bencher) {
    let params = parameters();
    bencher.bench(|| Model::from_parameters(divan::black_box(params)).unwrap());
}

/// Measures the ridgeless deterministic-equivalent curve over the 1,000 sizes.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn de_curve_ridgeless(bencher: Bencher) {
    let (params, model) = (parameters(), model());
    bencher.bench(|| {
        model
            .deterministic_equivalent_curve(divan::black_box(&params.sizes), SAMPLES, 0.0)
            .unwrap()
    });
}

/// Measures the same curve with ridge λ = 0.1.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn de_curve_ridge(bencher: Bencher) {
    let (params, model) = (parameters(), model());
    bencher.bench(|| {
        model
            .deterministic_equivalent_curve(divan::black_box(&params.sizes), SAMPLES, 0.1)
            .unwrap()
    });
}

/// Measures the low-rank deterministic equivalent at p = 500, n = 200.
#[divan::bench(sample_count = 10)]
fn low_rank_p500(bencher: Bencher) {
    let model = model();
    bencher.bench(|| {
        model
            .deterministic_equivalent(divan::black_box(DENSE_SIZE), DENSE_SAMPLES, 0.0)
            .unwrap()
    });
}

/// Measures the dense deterministic equivalent at p = 500, n = 200: a 500×500 Σ_x,
/// a Cholesky solve and a symmetric eigendecomposition.
#[divan::bench(sample_count = 10)]
fn dense_p500(bencher: Bencher) {
    let model = model();
    bencher.bench(|| {
        model
            .deterministic_equivalent_dense(divan::black_box(DENSE_SIZE), DENSE_SAMPLES, 0.0)
            .unwrap()
    });
}
