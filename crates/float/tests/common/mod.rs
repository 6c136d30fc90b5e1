//! Seeded random parameter sets and comparison helpers for the tests.

#![allow(dead_code)]

use std::fmt::Write;

use faer::Mat;
use headrisk_float::Model;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Settings of a random HMM parameter set.
#[derive(Debug, Clone, Copy)]
pub struct RandomHmm {
    pub seed: u64,
    pub dim: usize,
    pub outputs: usize,
    pub columns: usize,
    /// σ_u² as a decimal; 0 makes Σ_x = W_pᵀ Σ W_p.
    pub representation_noise: f64,
    /// `None` for the stationary position.
    pub step: Option<u64>,
    pub samples: usize,
}

impl RandomHmm {
    pub fn new(seed: u64, dim: usize) -> Self {
        Self {
            seed,
            dim,
            outputs: dim.min(3),
            columns: 150,
            representation_noise: 0.5,
            step: None,
            samples: 40,
        }
    }

    /// TOML text of the parameter set. A has Frobenius norm 0.8, so
    /// ρ(A) ≤ 0.8; Q = B Bᵀ/d + I/10 and Σ_1 are symmetric positive definite;
    /// C is k×d; W is generated from the seed. Entries are written with
    /// six decimals, which the parser reads exactly.
    pub fn toml(&self) -> String {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let d = self.dim;
        let transition = scaled_gaussian(&mut rng, d, d, 0.8);
        let noise = random_covariance(&mut rng, d);
        let initial = random_covariance(&mut rng, d);
        let readout = scaled_gaussian(&mut rng, self.outputs, d, (self.outputs as f64).sqrt());

        let mut text = String::new();
        writeln!(text, "family = \"hmm\"").unwrap();
        writeln!(text, "[hmm]").unwrap();
        writeln!(text, "dim = {d}").unwrap();
        writeln!(text, "transition = {}", matrix_literal(&transition)).unwrap();
        writeln!(text, "noise_covariance = {}", matrix_literal(&noise)).unwrap();
        writeln!(text, "initial_covariance = {}", matrix_literal(&initial)).unwrap();
        writeln!(text, "readout = {}", matrix_literal(&readout)).unwrap();
        match self.step {
            Some(step) => writeln!(text, "position = {step}").unwrap(),
            None => writeln!(text, "position = \"stationary\"").unwrap(),
        }
        writeln!(
            text,
            "representation_noise = {:.6}",
            self.representation_noise
        )
        .unwrap();
        writeln!(text, "[hmm.features]").unwrap();
        writeln!(text, "columns = {}", self.columns).unwrap();
        writeln!(text, "seed = {}", self.seed + 1000).unwrap();
        writeln!(text, "[training]").unwrap();
        writeln!(text, "samples = {}", self.samples).unwrap();
        if self.representation_noise == 0.0 {
            writeln!(text, "[sizes]").unwrap();
            writeln!(text, "to = {}", d.min(self.columns)).unwrap();
        }
        text
    }

    pub fn model(&self) -> Model {
        let params = headrisk_model::parse(&self.toml()).unwrap();
        Model::from_parameters(&params).unwrap()
    }
}

/// Gaussian n_rows×n_cols matrix rounded to six decimals, scaled to
/// Frobenius norm `norm` before rounding.
pub fn scaled_gaussian(rng: &mut ChaCha8Rng, n_rows: usize, n_cols: usize, norm: f64) -> Mat<f64> {
    let raw = Mat::from_fn(n_rows, n_cols, |_, _| rng.sample::<f64, _>(StandardNormal));
    let scale = norm / raw.norm_l2();
    Mat::from_fn(n_rows, n_cols, |i, j| round6(raw[(i, j)] * scale))
}

/// B Bᵀ/d + I/10 with B d×d Gaussian, rounded symmetrically to six decimals.
pub fn random_covariance(rng: &mut ChaCha8Rng, dim: usize) -> Mat<f64> {
    let b = Mat::from_fn(dim, dim, |_, _| rng.sample::<f64, _>(StandardNormal));
    let product = &b * b.transpose();
    Mat::from_fn(dim, dim, |i, j| {
        let (row, col) = if i <= j { (i, j) } else { (j, i) };
        let diagonal = if i == j { 0.1 } else { 0.0 };
        round6(product[(row, col)] / dim as f64 + diagonal)
    })
}

/// Returns a random d×d matrix with Frobenius norm `radius`, so its spectral
/// radius is at most `radius`.
pub fn random_stable(rng: &mut ChaCha8Rng, dim: usize, radius: f64) -> Mat<f64> {
    let raw = Mat::from_fn(dim, dim, |_, _| rng.sample::<f64, _>(StandardNormal));
    let scale = radius / raw.norm_l2();
    Mat::from_fn(dim, dim, |i, j| raw[(i, j)] * scale)
}

/// Returns a random non-normal upper-triangular d×d matrix with spectral
/// radius `radius`: its diagonal spans [−radius, radius] and its strict upper
/// triangle is Gaussian with variance 1/d.
pub fn random_triangular(rng: &mut ChaCha8Rng, dim: usize, radius: f64) -> Mat<f64> {
    let mut matrix = Mat::zeros(dim, dim);
    for i in 0..dim {
        let fraction = if dim == 1 {
            1.0
        } else {
            i as f64 / (dim - 1) as f64
        };
        matrix[(i, i)] = radius * (2.0 * fraction - 1.0);
        for j in i + 1..dim {
            matrix[(i, j)] = rng.sample::<f64, _>(StandardNormal) / (dim as f64).sqrt();
        }
    }
    matrix
}

fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

fn matrix_literal(matrix: &Mat<f64>) -> String {
    let rows: Vec<String> = (0..matrix.nrows())
        .map(|i| {
            let entries: Vec<String> = (0..matrix.ncols())
                .map(|j| format!("{:.6}", matrix[(i, j)]))
                .collect();
            format!("[{}]", entries.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// Relative distance |a − b| / max(|b|, floor).
pub fn relative_distance(value: f64, reference: f64, floor: f64) -> f64 {
    (value - reference).abs() / reference.abs().max(floor)
}

/// Asserts |value − reference| ≤ tolerance · max(|reference|, floor) and
/// prints both values, their distance and the tolerance on failure.
pub fn assert_close(value: f64, reference: f64, tolerance: f64, floor: f64, context: &str) {
    let distance = relative_distance(value, reference, floor);
    assert!(
        distance <= tolerance,
        "{context}: {value:.17e} against {reference:.17e}, relative distance {distance:.3e} above tolerance {tolerance:.3e}"
    );
}
