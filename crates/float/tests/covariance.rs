//! The Lyapunov solver and the position recursion on seeded random
//! matrices, checked by their residuals.

mod common;

use common::{random_covariance, random_stable, random_triangular};
use faer::Mat;
use headrisk_float::{FloatError, covariance_at_step, lyapunov_residual, stationary_covariance};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[test]
fn lyapunov_residual_small_at_several_dimensions() {
    for (seed, dim) in [(1u64, 5usize), (2, 30), (3, 100)] {
        for (kind, radius) in [("dense", 0.95), ("triangular", 0.5), ("triangular", 0.999)] {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let a = if kind == "dense" {
                random_stable(&mut rng, dim, radius)
            } else {
                random_triangular(&mut rng, dim, radius)
            };
            let q = random_covariance(&mut rng, dim);
            let context = format!("d = {dim}, {kind} A with radius {radius}");
            let solution = stationary_covariance(a.as_ref(), q.as_ref()).unwrap();
            let bound = 16.0 * dim as f64 * f64::EPSILON * solution.doublings as f64;
            assert!(
                solution.relative_residual <= bound,
                "{context}: residual {:.3e} above {bound:.3e}",
                solution.relative_residual
            );
            let recomputed =
                lyapunov_residual(a.as_ref(), q.as_ref(), solution.covariance.as_ref());
            assert_eq!(recomputed, solution.relative_residual, "{context}");
            assert!(solution.spectral_radius_estimate < 1.0, "{context}");
            let asymmetry = (&solution.covariance - solution.covariance.transpose()).norm_l2();
            assert_eq!(asymmetry, 0.0, "{context}");
        }
    }
}

#[test]
fn lyapunov_near_unit_radius_converges() {
    let dim = 4;
    let a = Mat::from_fn(dim, dim, |i, j| if i == j { 0.999 } else { 0.0 });
    let q = Mat::<f64>::identity(dim, dim);
    let solution = stationary_covariance(a.as_ref(), q.as_ref()).unwrap();
    let expected = 1.0 / (1.0 - 0.999f64 * 0.999);
    let relative = (solution.covariance[(0, 0)] - expected).abs() / expected;
    assert!(
        relative < 1e-11,
        "Σ[0][0] = {} against {expected}",
        solution.covariance[(0, 0)]
    );
}

#[test]
fn stationary_on_unstable_transition_is_typed_error() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let q = random_covariance(&mut rng, 6);
    for radius in [1.0, 1.05, 3.0] {
        let a = Mat::from_fn(6, 6, |i, j| if i == j { radius } else { 0.0 });
        let error = stationary_covariance(a.as_ref(), q.as_ref()).unwrap_err();
        let FloatError::Unstable {
            spectral_radius_estimate,
        } = error
        else {
            panic!("ρ(A) = {radius}: expected Unstable, got {error:?}");
        };
        assert!(
            spectral_radius_estimate >= 1.0,
            "ρ(A) = {radius}: estimate {spectral_radius_estimate}"
        );
    }
}

#[test]
fn stationary_on_rotation_is_unstable() {
    // A rotation has ρ(A) = 1 with no decay in any direction.
    let (cos, sin) = (0.6, 0.8);
    let a = Mat::from_fn(2, 2, |i, j| [[cos, -sin], [sin, cos]][i][j]);
    let q = Mat::<f64>::identity(2, 2);
    let error = stationary_covariance(a.as_ref(), q.as_ref()).unwrap_err();
    assert!(matches!(error, FloatError::Unstable { .. }), "{error:?}");
}

#[test]
fn far_position_approaches_stationary() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let dim = 12;
    let a = random_stable(&mut rng, dim, 0.9);
    let q = random_covariance(&mut rng, dim);
    let initial = random_covariance(&mut rng, dim);
    let stationary = stationary_covariance(a.as_ref(), q.as_ref())
        .unwrap()
        .covariance;
    let far = covariance_at_step(a.as_ref(), q.as_ref(), initial.as_ref(), u64::MAX).unwrap();
    let distance = (&far - &stationary).norm_l2() / stationary.norm_l2();
    assert!(distance < 1e-13, "relative distance {distance:.3e}");
}

#[test]
fn position_recursion_satisfies_step_identity() {
    // Σ_{t+1} = A Σ_t Aᵀ + Q at positions on both sides of the switch from
    // the recursion to doubling.
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let dim = 7;
    let a = random_stable(&mut rng, dim, 1.3);
    let q = random_covariance(&mut rng, dim);
    let initial = random_covariance(&mut rng, dim);
    for step in [1u64, 2, 10, 64, 65, 66, 100, 1_000] {
        let current = covariance_at_step(a.as_ref(), q.as_ref(), initial.as_ref(), step).unwrap();
        let next = covariance_at_step(a.as_ref(), q.as_ref(), initial.as_ref(), step + 1).unwrap();
        let expected = &a * &current * a.transpose() + &q;
        let distance = (&next - &expected).norm_l2() / expected.norm_l2();
        assert!(
            distance < 1e-12,
            "t = {step}: relative distance {distance:.3e}"
        );
    }
}

#[test]
fn mismatched_shapes_are_rejected() {
    let a = Mat::<f64>::identity(3, 3);
    let q = Mat::<f64>::identity(2, 2);
    let error = stationary_covariance(a.as_ref(), q.as_ref()).unwrap_err();
    assert!(
        matches!(
            error,
            FloatError::Dimension {
                argument: "noise",
                ..
            }
        ),
        "{error:?}"
    );
}
