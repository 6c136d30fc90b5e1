//! Simulated means against the exact finite-sample risk of ridgeless least
//! squares with independent Gaussian rows:
//!
//!   R(p) = σ²_p (n − 1)/(n − p − 1)                          for 1 ≤ p ≤ n − 2,
//!   R(p) = σ²_p + c‖Θ*‖²_F (1 − n/p) + σ²_p n/(p − n − 1)    for p ≥ n + 2 and Σ_x = c I_p,
//!
//! which follow from E[(XᵀX)⁻¹] = Σ_x⁻¹/(n − p − 1) and, for isotropic rows,
//! E[X⁺X] = (n/p) I and E[(XXᵀ)⁻¹] = I/(c(p − n − 1)).
//!
//! The reference values are computed here in f64 from the population
//! formulas, independently of the simulator's code. Only sizes with
//! p ≤ n − 4 or p ≥ n + 4 are tested: closer to the threshold the variance of
//! the conditional risk is infinite (it involves the second moment of an
//! inverse Wishart matrix, finite only for |n − p| > 3), so a standard error
//! would not describe the spread of the mean.

use std::path::PathBuf;

use headrisk_model::{Family, ParameterSet, load, parse};
use headrisk_simulate::{SimulatedCurve, SimulationOptions, simulate};

/// Largest accepted distance between the simulated mean and the exact risk,
/// in standard errors. With about ten tested sizes a correct simulator
/// exceeds 4 standard errors with probability near 10⁻³, and the seeds are
/// fixed, so the outcome is deterministic.
const AGREEMENT_STANDARD_ERRORS: f64 = 4.0;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/valid")
        .join(name)
}

fn options(trials: usize, seed: u64) -> SimulationOptions {
    SimulationOptions {
        trials,
        seed,
        ..SimulationOptions::default()
    }
}

/// Asserts that the simulated mean at `size` lies within
/// [`AGREEMENT_STANDARD_ERRORS`] standard errors of `expected`.
fn assert_agrees(curve: &SimulatedCurve, size: usize, expected: f64) {
    let point = curve
        .points
        .iter()
        .find(|point| point.size == size)
        .unwrap_or_else(|| panic!("size {size} missing from the curve"));
    let distance = (point.risk.mean - expected).abs();
    let tolerance = AGREEMENT_STANDARD_ERRORS * point.risk.standard_error;
    assert!(
        distance <= tolerance,
        "p = {size}, n = {}: simulated mean {} vs exact {expected}, distance {distance:e} > {tolerance:e} \
         ({AGREEMENT_STANDARD_ERRORS} standard errors), {} trials, seed {}",
        curve.samples,
        point.risk.mean,
        point.risk.trials,
        curve.options.seed,
    );
}

// Small dense linear algebra for the reference values, row-major.

type Matrix = Vec<Vec<f64>>;

fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    (0..a.len())
        .map(|i| {
            (0..b[0].len())
                .map(|j| (0..b.len()).map(|l| a[i][l] * b[l][j]).sum())
                .collect()
        })
        .collect()
}

fn transpose(a: &Matrix) -> Matrix {
    (0..a[0].len())
        .map(|j| (0..a.len()).map(|i| a[i][j]).collect())
        .collect()
}

fn add(a: &Matrix, b: &Matrix) -> Matrix {
    a.iter()
        .zip(b)
        .map(|(row_a, row_b)| row_a.iter().zip(row_b).map(|(x, y)| x + y).collect())
        .collect()
}

fn trace(a: &Matrix) -> f64 {
    (0..a.len()).map(|i| a[i][i]).sum()
}

/// Solves a x = b for every column of b by Gauss-Jordan elimination with
/// partial pivoting.
fn solve(a: &Matrix, b: &Matrix) -> Matrix {
    let n = a.len();
    let mut augmented: Matrix = a
        .iter()
        .zip(b)
        .map(|(row, rhs)| [row.clone(), rhs.clone()].concat())
        .collect();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| augmented[i][col].abs().total_cmp(&augmented[j][col].abs()))
            .unwrap();
        augmented.swap(col, pivot);
        let scale = augmented[col][col];
        augmented[col].iter_mut().for_each(|value| *value /= scale);
        for row in 0..n {
            if row != col {
                let factor = augmented[row][col];
                let pivot_row = augmented[col].clone();
                augmented[row]
                    .iter_mut()
                    .zip(&pivot_row)
                    .for_each(|(value, pivot)| *value -= factor * pivot);
            }
        }
    }
    augmented.into_iter().map(|row| row[n..].to_vec()).collect()
}

fn to_matrix(rows: usize, cols: usize, entries: Vec<f64>) -> Matrix {
    entries
        .chunks(cols)
        .take(rows)
        .map(<[f64]>::to_vec)
        .collect()
}

/// Returns σ²_p = tr Σ_y − tr(Σ_xyᵀ Σ_x⁻¹ Σ_xy) of an HMM at stationarity,
/// with Σ_∞ from 2,000 steps of the plain recursion Σ ← AΣAᵀ + Q.
fn hmm_irreducible_risk(params: &ParameterSet, size: usize) -> f64 {
    let Family::Hmm(hmm) = &params.family else {
        panic!("expected the hmm family");
    };
    let d = hmm.dim;
    let a = to_matrix(d, d, hmm.transition.to_f64_row_major());
    let q = to_matrix(d, d, hmm.noise_covariance.to_f64_row_major());
    let c = to_matrix(hmm.readout.n_rows(), d, hmm.readout.to_f64_row_major());
    let noise = headrisk_model::number::to_f64(&hmm.representation_noise);

    let mut sigma = q.clone();
    for _ in 0..2_000 {
        sigma = add(&multiply(&multiply(&a, &sigma), &transpose(&a)), &q);
    }
    let w_p: Matrix = (0..d)
        .map(|row| (0..size).map(|col| hmm.features.float(row, col)).collect())
        .collect();

    let mut sigma_x = multiply(&multiply(&transpose(&w_p), &sigma), &w_p);
    (0..size).for_each(|i| sigma_x[i][i] += noise);
    let sigma_xy = multiply(
        &multiply(&multiply(&transpose(&w_p), &sigma), &transpose(&a)),
        &transpose(&c),
    );
    let next = add(&multiply(&multiply(&a, &sigma), &transpose(&a)), &q);
    let sigma_y = multiply(&multiply(&c, &next), &transpose(&c));
    let explained = multiply(&transpose(&sigma_xy), &solve(&sigma_x, &sigma_xy));
    trace(&sigma_y) - trace(&explained)
}

#[test]
fn d2_fixture_matches_exact_risk() {
    let mut params = load(&fixture("hmm-d2-explicit.toml")).unwrap();
    let n = params.samples;
    assert_eq!(n, 6);
    params.sizes = vec![0, 1, 2];

    // The fixture's header derives σ²_1 = 127/56 and R(1) = 635/224 by hand.
    let sigma_1 = hmm_irreducible_risk(&params, 1);
    assert!((sigma_1 - 127.0 / 56.0).abs() < 1e-12, "σ²_1 = {sigma_1}");
    assert!((sigma_1 * 5.0 / 4.0 - 635.0 / 224.0).abs() < 1e-12);

    let curve = simulate(&params, &options(40_000, 7), None).unwrap();

    // The empty head predicts 0, so every trial has risk tr Σ_y = 59/24.
    let empty = &curve.points[0];
    assert!(
        empty
            .trial_risks
            .iter()
            .all(|risk| (risk - 59.0 / 24.0).abs() < 1e-12)
    );

    for size in [1, 2] {
        let sigma_p = hmm_irreducible_risk(&params, size);
        let exact = sigma_p * (n - 1) as f64 / (n - size - 1) as f64;
        assert_agrees(&curve, size, exact);
    }
}

#[test]
fn generated_fixture_matches_exact_risk() {
    let mut params = load(&fixture("hmm-d3-generated.toml")).unwrap();
    let n = params.samples;
    params.sizes = vec![1, 4, 12, 24];
    let curve = simulate(&params, &options(4_000, 8), None).unwrap();
    for &size in &params.sizes {
        let sigma_p = hmm_irreducible_risk(&params, size);
        let exact = sigma_p * (n - 1) as f64 / (n - size - 1) as f64;
        assert_agrees(&curve, size, exact);
    }
}

const ISOTROPIC: &str = r#"
family = "isotropic"

[isotropic]
noise = 1.5
signal = 2
outputs = 2
max_size = 40
seed = 3

[training]
samples = 12

[sizes]
list = [0, 1, 4, 8, 16, 24, 40]
"#;

#[test]
fn isotropic_matches_exact_risk() {
    let params = parse(ISOTROPIC).unwrap();
    let n = params.samples;
    let (noise, signal) = (1.5, 2.0);
    let curve = simulate(&params, &options(20_000, 9), None).unwrap();

    let empty = &curve.points[0];
    assert!(
        empty
            .trial_risks
            .iter()
            .all(|risk| (risk - (noise + signal)).abs() < 1e-12)
    );
    for size in [1, 4, 8] {
        assert_agrees(&curve, size, noise * (n - 1) as f64 / (n - size - 1) as f64);
    }
    for size in [16, 24, 40] {
        let p = size as f64;
        let n = n as f64;
        let exact = noise + signal * (1.0 - n / p) + noise * n / (p - n - 1.0);
        assert_agrees(&curve, size, exact);
    }
}

/// The simulated mean must accept the exact risk σ²(n − 1)/(n − p − 1) and
/// reject the same value scaled by (n − 1)/n, the error of confusing the
/// unbiased and the plug-in normalisation.
#[test]
fn simulation_rejects_factor_error() {
    // n = 8, p = 2: the smallest n for which p = 2 has a finite risk
    // variance (p ≤ n − 4), so the standard error is meaningful.
    let text = ISOTROPIC
        .replace("samples = 12", "samples = 8")
        .replace("list = [0, 1, 4, 8, 16, 24, 40]", "list = [2]");
    let params = parse(&text).unwrap();
    let n = params.samples as f64;
    let curve = simulate(&params, &options(40_000, 10), None).unwrap();
    let risk = &curve.points[0].risk;

    let exact = 1.5 * (n - 1.0) / (n - 2.0 - 1.0);
    let wrong = exact * (n - 1.0) / n;
    assert_agrees(&curve, 2, exact);
    let distance = (risk.mean - wrong).abs() / risk.standard_error;
    assert!(
        distance > 10.0,
        "the mean {} is only {distance:.1} standard errors from the wrong value {wrong}",
        risk.mean
    );
}
