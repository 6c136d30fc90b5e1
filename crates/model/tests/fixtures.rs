//! Every bundled valid fixture loads; spot checks of the exact values read.

use std::path::PathBuf;

use headrisk_model::{BigRational, Family, Position, load};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/valid")
        .join(name)
}

fn ratio(numerator: i64, denominator: i64) -> BigRational {
    BigRational::new(numerator.into(), denominator.into())
}

#[test]
fn valid_fixtures_load() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/valid");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            if let Err(error) = load(&path) {
                panic!("{}: {error}", path.display());
            }
            count += 1;
        }
    }
    assert!(count >= 6, "only {count} valid fixtures found");
}

#[test]
fn d2_fixture_reads_exact_numbers() {
    let params = load(&fixture("hmm-d2-explicit.toml")).unwrap();
    let Family::Hmm(hmm) = &params.family else {
        panic!("expected the hmm family");
    };
    assert_eq!(hmm.dim, 2);
    assert_eq!(hmm.transition.get(0, 0), &ratio(1, 2));
    assert_eq!(hmm.transition.get(1, 1), &ratio(1, 3));
    assert_eq!(hmm.position, Position::Stationary);
    assert_eq!(hmm.features.n_cols(), 10);
    assert_eq!(hmm.features.rational(1, 3), ratio(-1, 1));
    assert_eq!(params.samples, 6);
    assert_eq!(params.sizes, (0..=10).collect::<Vec<_>>());
}

#[test]
fn decimal_in_file_is_exact_tenth() {
    let params = load(&fixture("hmm-position1.toml")).unwrap();
    let Family::Hmm(hmm) = &params.family else {
        panic!("expected the hmm family");
    };
    assert_eq!(hmm.transition.get(1, 0), &ratio(1, 10));
    assert_eq!(hmm.noise_covariance.get(2, 2), &ratio(1, 4));
    assert_eq!(hmm.initial_covariance.get(0, 1), &ratio(1, 2));
}
