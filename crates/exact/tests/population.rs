//! Population quantities: hand-derived values and identities that need no
//! stored reference value.

mod common;

use common::{fixture, hmm, hmm_fixtures, ratio};
use headrisk_exact::{ExactError, HmmPopulation, Matrix, covariance};
use headrisk_model::{BigRational, parse};

/// d = 1, A = 1/2, Q = 3/4, stationary, σ_u² = 1/2, W = [1, 2, −1].
const D1_HMM: &str = r#"
family = "hmm"
[hmm]
dim = 1
transition = [[0.5]]
noise_variance = 0.75
position = "stationary"
representation_noise = 0.5
[hmm.features]
matrix = [[1, 2, -1]]
[training]
samples = 10
"#;

#[test]
fn d1_closed_form() {
    // Σ = q/(1 − a²) = (3/4)/(3/4) = 1, Σ_y = a²Σ + q = 1, M = Σa = 1/2 and
    // g = Σ_{j≤p} w_j². Then σ²_p = Σ_y − M²g/(σ_u² + Σg) = 1 − (g/4)/(1/2 + g):
    // p = 1 (g = 1): 1 − 1/6 = 5/6; p = 2 (g = 5): 1 − 5/22 = 17/22;
    // p = 3 (g = 6): 1 − 3/13 = 10/13. H = M/(σ_u² + Σg), ‖Θ*‖² = g·H²,
    // so ‖Θ*‖² at p = 1 is (1/3)² = 1/9.
    let params = parse(D1_HMM).unwrap();
    let population = HmmPopulation::new(hmm(&params)).unwrap();
    assert_eq!(population.token_covariance(), &Matrix::identity(1));
    assert_eq!(population.target_trace(), &ratio(1, 1));
    assert_eq!(population.bayes_risk(), &ratio(3, 4));

    let curve = population.curve(&[0, 1, 2, 3]).unwrap();
    let irreducible: Vec<BigRational> = curve
        .iter()
        .map(|point| point.irreducible.clone())
        .collect();
    assert_eq!(
        irreducible,
        vec![ratio(1, 1), ratio(5, 6), ratio(17, 22), ratio(10, 13)]
    );
    assert_eq!(curve[1].head_norm_squared, ratio(1, 9));
    assert_eq!(curve[1].isotropic_scale, Some(ratio(3, 2)));
    assert_eq!(curve[2].isotropic_scale, None);
}

#[test]
fn d2_fixture_by_hand() {
    // Derived in the fixture header: Σ = diag(4/3, 9/8), tr Σ_y = 59/24,
    // σ²_1 = 127/56; σ²_B = tr Q = 2.
    let params = fixture("hmm-d2-explicit.toml");
    let population = HmmPopulation::new(hmm(&params)).unwrap();
    let sigma = population.token_covariance();
    assert_eq!(sigma[(0, 0)], ratio(4, 3));
    assert_eq!(sigma[(1, 1)], ratio(9, 8));
    assert_eq!(sigma[(0, 1)], ratio(0, 1));
    assert_eq!(population.target_trace(), &ratio(59, 24));
    assert_eq!(population.bayes_risk(), &ratio(2, 1));
    assert_eq!(population.at_size(1).unwrap().irreducible, ratio(127, 56));
}

#[test]
fn lyapunov_residual_is_zero_on_fixtures() {
    for (name, params) in hmm_fixtures() {
        let hmm = hmm(&params);
        let sigma = covariance::token_covariance(hmm).unwrap();
        let a = Matrix::from(&hmm.transition);
        let q = Matrix::from(&hmm.noise_covariance);
        let next = a
            .product(&sigma)
            .unwrap()
            .product(&a.transpose())
            .unwrap()
            .sum(&q)
            .unwrap();
        assert!(sigma.is_symmetric(), "{name}");
        if hmm.position == headrisk_model::Position::Stationary {
            assert_eq!(next, sigma, "{name}: Σ ≠ A Σ Aᵀ + Q");
        }
    }
}

#[test]
fn position_four_follows_recursion() {
    let params = fixture("hmm-readout.toml");
    let hmm = hmm(&params);
    let a = Matrix::from(&hmm.transition);
    let q = Matrix::from(&hmm.noise_covariance);
    let mut expected = Matrix::from(&hmm.initial_covariance);
    for _ in 1..4 {
        expected = a
            .product(&expected)
            .unwrap()
            .product(&a.transpose())
            .unwrap()
            .sum(&q)
            .unwrap();
    }
    assert_eq!(covariance::token_covariance(hmm).unwrap(), expected);
}

#[test]
fn irreducible_risk_is_non_increasing() {
    for (name, params) in hmm_fixtures() {
        let population = HmmPopulation::new(hmm(&params)).unwrap();
        let curve = population.curve(&params.sizes).unwrap();
        for pair in curve.windows(2) {
            assert!(
                pair[1].irreducible <= pair[0].irreducible,
                "{name}: σ²_{} = {} > σ²_{} = {}",
                pair[1].size,
                pair[1].irreducible,
                pair[0].size,
                pair[0].irreducible
            );
        }
    }
}

#[test]
fn irreducible_risk_lies_between_bayes_and_target() {
    for (name, params) in hmm_fixtures() {
        let population = HmmPopulation::new(hmm(&params)).unwrap();
        for point in population.curve(&params.sizes).unwrap() {
            assert!(
                population.bayes_risk() <= &point.irreducible,
                "{name}: σ²_B > σ²_{}",
                point.size
            );
            assert!(
                &point.irreducible <= population.target_trace(),
                "{name}: σ²_{} > tr Σ_y",
                point.size
            );
        }
    }
}

#[test]
fn empty_head_keeps_target() {
    for (name, params) in hmm_fixtures() {
        let population = HmmPopulation::new(hmm(&params)).unwrap();
        let point = population.at_size(0).unwrap();
        assert_eq!(&point.irreducible, population.target_trace(), "{name}");
        assert_eq!(
            point.residual_covariance.as_ref(),
            Some(population.target_covariance()),
            "{name}"
        );
    }
}

#[test]
fn signal_equals_direct_quadratic_form() {
    // s_p = tr Σ_y − σ²_p from the low-rank path against tr(Θ*ᵀ Σ_x Θ*)
    // from the p×p matrices.
    for (name, params) in hmm_fixtures() {
        let population = HmmPopulation::new(hmm(&params)).unwrap();
        for size in 0..=10 {
            let point = population.at_size(size).unwrap();
            let (direct, matrices) = population.direct_at_size(size).unwrap();
            assert_eq!(
                &point.signal + &point.irreducible,
                population.target_trace().clone(),
                "{name}, p = {size}"
            );
            let theta = &matrices.optimal_head;
            let quadratic = theta
                .transpose()
                .product(&matrices.feature_covariance)
                .unwrap()
                .product(theta)
                .unwrap()
                .trace()
                .unwrap();
            assert_eq!(point.signal, quadratic, "{name}, p = {size}");
            assert_eq!(direct.signal, quadratic, "{name}, p = {size}");
        }
    }
}

#[test]
fn low_rank_equals_direct_path() {
    for (name, params) in hmm_fixtures() {
        let population = HmmPopulation::new(hmm(&params)).unwrap();
        let sizes: Vec<usize> = (0..=10).collect();
        for (point, size) in population.curve(&sizes).unwrap().into_iter().zip(sizes) {
            let (direct, matrices) = population.direct_at_size(size).unwrap();
            assert_eq!(point, direct, "{name}, p = {size}");
            assert_eq!(
                population.optimal_head(size).unwrap(),
                matrices.optimal_head,
                "{name}, p = {size}"
            );
        }
    }
}

#[test]
fn optimal_head_solves_normal_equations() {
    let params = fixture("hmm-d3-generated.toml");
    let population = HmmPopulation::new(hmm(&params)).unwrap();
    let (_, matrices) = population.direct_at_size(7).unwrap();
    let residual = matrices
        .feature_covariance
        .product(&matrices.optimal_head)
        .unwrap()
        .difference(&matrices.cross_covariance)
        .unwrap();
    assert!(residual.is_zero());
}

#[test]
fn unsorted_sizes_are_rejected() {
    let params = fixture("hmm-d2-explicit.toml");
    let population = HmmPopulation::new(hmm(&params)).unwrap();
    assert_eq!(
        population.curve(&[1, 3, 3]),
        Err(ExactError::SizesNotIncreasing {
            index: 2,
            size: 3,
            previous: 3,
        })
    );
    assert_eq!(
        population.at_size(11),
        Err(ExactError::SizeBeyondFeatures {
            size: 11,
            columns: 10
        })
    );
}

#[test]
fn zero_representation_noise_uses_direct_path() {
    // σ_u² = 0 with W = I_2: Σ_x = Σ at p = 2, so x = z_t and σ²_2 = σ²_B.
    let text = r#"
family = "hmm"
[hmm]
dim = 2
transition = [[0.5, 0.25], [0, 0.5]]
noise_variance = 1
position = "stationary"
representation_noise = 0
[hmm.features]
matrix = [[1, 0], [0, 1]]
[training]
samples = 8
"#;
    let params = parse(text).unwrap();
    let population = HmmPopulation::new(hmm(&params)).unwrap();
    let curve = population.curve(&[0, 1, 2]).unwrap();
    assert_eq!(&curve[2].irreducible, population.bayes_risk());
    assert!(curve[1].irreducible < curve[0].irreducible);
}
