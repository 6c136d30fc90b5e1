//! Reproducibility, options and errors of a simulation run.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use headrisk_model::{ParameterSet, Sampling, load, parse};
use headrisk_simulate::{SimulateError, SimulatedCurve, SimulationOptions, simulate};

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

fn run_on_threads(
    threads: usize,
    params: &ParameterSet,
    options: &SimulationOptions,
) -> SimulatedCurve {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| simulate(params, options, None)).unwrap()
}

fn assert_bit_identical(first: &SimulatedCurve, second: &SimulatedCurve) {
    assert_eq!(first.points.len(), second.points.len());
    for (a, b) in first.points.iter().zip(&second.points) {
        let bits = |risks: &[f64]| risks.iter().map(|risk| risk.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.trial_risks), bits(&b.trial_risks), "p = {}", a.size);
        assert_eq!(
            a.risk.mean.to_bits(),
            b.risk.mean.to_bits(),
            "p = {}",
            a.size
        );
        assert_eq!(
            a.risk.standard_error.to_bits(),
            b.risk.standard_error.to_bits()
        );
        assert_eq!(a.risk.median.to_bits(), b.risk.median.to_bits());
    }
}

#[test]
fn results_do_not_depend_on_threads() {
    let options = options(64, 42);
    for name in [
        "hmm-d3-generated.toml",
        "hmm-readout.toml",
        "isotropic-snr5.toml",
    ] {
        let params = load(&fixture(name)).unwrap();
        let single = run_on_threads(1, &params, &options);
        let double = run_on_threads(2, &params, &options);
        assert_bit_identical(&single, &double);
    }
}

#[test]
fn trajectory_results_do_not_depend_on_threads() {
    let mut params = load(&fixture("hmm-d3-generated.toml")).unwrap();
    params.sampling = Sampling::Trajectory;
    let options = options(32, 5);
    let single = run_on_threads(1, &params, &options);
    let double = run_on_threads(2, &params, &options);
    assert_bit_identical(&single, &double);
}

#[test]
fn seed_changes_results() {
    let params = load(&fixture("hmm-d2-explicit.toml")).unwrap();
    let first = simulate(&params, &options(8, 1), None).unwrap();
    let second = simulate(&params, &options(8, 2), None).unwrap();
    assert_ne!(first.points[1].trial_risks, second.points[1].trial_risks);
}

#[test]
fn curve_covers_every_size() {
    let params = load(&fixture("hmm-d2-explicit.toml")).unwrap();
    let curve = simulate(&params, &options(16, 3), None).unwrap();
    let sizes: Vec<usize> = curve.points.iter().map(|point| point.size).collect();
    assert_eq!(sizes, params.sizes);
    for point in &curve.points {
        assert_eq!(point.trial_risks.len(), 16);
        assert_eq!(point.risk.trials, 16);
        assert!(point.risk.mean.is_finite(), "p = {}", point.size);
        assert!(point.risk.lower <= point.risk.mean, "p = {}", point.size);
        assert!(point.risk.mean <= point.risk.upper, "p = {}", point.size);
    }
}

#[test]
fn ridge_runs_on_both_sides_of_threshold() {
    let mut params = load(&fixture("hmm-d2-explicit.toml")).unwrap();
    params.ridge = headrisk_model::BigRational::new(1.into(), 10.into());
    let curve = simulate(&params, &options(200, 4), None).unwrap();
    // Ridge keeps the risk bounded at the interpolation threshold p = n.
    let at_threshold = curve.points.iter().find(|point| point.size == 6).unwrap();
    assert!(
        at_threshold.risk.mean < 10.0,
        "ridge risk at p = n is {}",
        at_threshold.risk.mean
    );
}

#[test]
fn progress_reports_every_trial() {
    let params = load(&fixture("hmm-d2-explicit.toml")).unwrap();
    let finished = AtomicUsize::new(0);
    let report = |count: usize| {
        finished.fetch_add(count, Ordering::Relaxed);
    };
    simulate(&params, &options(25, 6), Some(&report)).unwrap();
    assert_eq!(finished.load(Ordering::Relaxed), 25);
}

#[test]
fn paired_difference_has_smaller_error() {
    let params = load(&fixture("hmm-d3-generated.toml")).unwrap();
    let curve = simulate(&params, &options(100, 7), None).unwrap();
    // Sizes 20 and 21 of n = 32 share 20 of their 21 feature columns.
    let (first, second) = (20, 21);
    assert_eq!(
        (curve.points[first].size, curve.points[second].size),
        (20, 21)
    );
    let difference = curve.paired_difference(first, second).unwrap();
    let expected = curve.points[second].risk.mean - curve.points[first].risk.mean;
    assert!((difference.mean - expected).abs() < 1e-12);
    assert!(difference.standard_error < curve.points[second].risk.standard_error);
    assert!(curve.paired_difference(0, curve.points.len()).is_err());
}

#[test]
fn memory_budget_is_enforced() {
    let params = load(&fixture("isotropic-snr1.toml")).unwrap();
    let options = SimulationOptions {
        memory_budget_bytes: 1_000,
        ..options(4, 0)
    };
    let error = simulate(&params, &options, None).unwrap_err();
    assert!(
        error.to_string().ends_with(
            "above the memory budget of 1000 bytes; lower `training.samples`, or simulate only smaller sizes by listing them in `simulation.sizes`"
        ),
        "{error}"
    );
    let SimulateError::MemoryBudgetExceeded {
        samples,
        max_size,
        entries,
        budget,
        ..
    } = error
    else {
        panic!("expected a memory error, found {error}");
    };
    assert_eq!(
        (samples, max_size, entries, budget),
        (40, 120, 4_800, 1_000)
    );
}

#[test]
fn unrepresentable_noise_names_its_field() {
    let text = std::fs::read_to_string(fixture("hmm-d2-explicit.toml")).unwrap();
    let cases = [
        (
            "noise_variance = \"1e400\"",
            "parameter `hmm.noise_variance` = 1e400 does not fit in an f64; scale the model so that it does",
        ),
        (
            "noise_covariance = [[1, 0], [0, \"1e400\"]]",
            "parameter `hmm.noise_covariance[1][1]` = 1e400 does not fit in an f64; scale the model so that it does",
        ),
    ];
    for (line, expected) in cases {
        let edited = text.replace("noise_variance = 1", line);
        let params = parse(&edited).unwrap();
        let error = simulate(&params, &options(4, 0), None).unwrap_err();
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn invalid_options_are_rejected() {
    let params = load(&fixture("hmm-d2-explicit.toml")).unwrap();
    for options in [
        options(1, 0),
        SimulationOptions {
            confidence_level: 1.5,
            ..options(4, 0)
        },
    ] {
        let error = simulate(&params, &options, None).unwrap_err();
        assert!(
            matches!(error, SimulateError::InvalidOption { .. }),
            "{error}"
        );
    }
}

#[test]
fn isotropic_trajectory_is_unsupported() {
    let text = r#"
family = "isotropic"
[isotropic]
noise = 1
signal = 1
max_size = 10
[training]
samples = 5
"#;
    // The loader rejects this setting, so it is set after loading.
    let mut params = parse(text).unwrap();
    params.sampling = Sampling::Trajectory;
    let error = simulate(&params, &options(4, 0), None).unwrap_err();
    assert!(
        matches!(
            error,
            SimulateError::UnsupportedSetting {
                field: "training.sampling",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn options_come_from_parameter_file() {
    let text = r#"
family = "isotropic"
[isotropic]
noise = 1
signal = 1
max_size = 10
[training]
samples = 5
[simulation]
trials = 17
seed = 99
"#;
    let params = parse(text).unwrap();
    let options = SimulationOptions::from_parameters(&params);
    assert_eq!((options.trials, options.seed), (17, 99));
    let without_table = parse(&text.replace("[simulation]\ntrials = 17\nseed = 99\n", "")).unwrap();
    assert!(without_table.simulation.is_none());
    let defaults = SimulationOptions::from_parameters(&without_table);
    assert_eq!(defaults, SimulationOptions::default());
}

/// Asserts that every trial risk at `size` is the same, up to rounding, when
/// the run simulates only that size as when it simulates the whole grid.
fn assert_size_independent_of_grid(params: &ParameterSet, size: usize) {
    let options = options(64, 121);
    let full = simulate(params, &options, None).unwrap();
    let mut alone = params.clone();
    alone.sizes = vec![size];
    let single = simulate(&alone, &options, None).unwrap();

    let on_grid = full.points.iter().find(|point| point.size == size).unwrap();
    let by_itself = &single.points[0];
    assert_eq!(by_itself.size, size);
    // The factorisations differ between the two runs (block sizes, nested
    // updates), so the risks agree to rounding, not bit for bit.
    for (trial, (a, b)) in on_grid
        .trial_risks
        .iter()
        .zip(&by_itself.trial_risks)
        .enumerate()
    {
        let relative = (a - b).abs() / a.abs().max(f64::MIN_POSITIVE);
        assert!(
            relative < 1e-9,
            "p = {size}, trial {trial}: {a} on the grid, {b} alone"
        );
    }
}

#[test]
fn isotropic_size_ignores_other_sizes() {
    let text = r#"
family = "isotropic"
[isotropic]
noise = 1
signal = 5
max_size = 30
seed = 3
[training]
samples = 10
"#;
    let params = parse(text).unwrap();
    for size in [1, 2, 6, 15, 30] {
        assert_size_independent_of_grid(&params, size);
    }
}

#[test]
fn hmm_size_ignores_other_sizes() {
    let params = load(&fixture("hmm-d3-generated.toml")).unwrap();
    for size in [1, 5, 20, 40] {
        assert_size_independent_of_grid(&params, size);
    }
}
