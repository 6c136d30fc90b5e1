//! Helpers shared by the integration tests: fixture loading and rationals.

#![allow(dead_code)]

use std::path::PathBuf;

use headrisk_model::{BigRational, Family, Hmm, ParameterSet, load};

/// Loads `fixtures/valid/NAME` of the workspace.
pub fn fixture(name: &str) -> ParameterSet {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/valid")
        .join(name);
    load(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Every valid HMM fixture, by file name.
pub fn hmm_fixtures() -> Vec<(&'static str, ParameterSet)> {
    [
        "hmm-d2-explicit.toml",
        "hmm-d3-generated.toml",
        "hmm-position1.toml",
        "hmm-readout.toml",
    ]
    .into_iter()
    .map(|name| (name, fixture(name)))
    .collect()
}

pub fn hmm(params: &ParameterSet) -> &Hmm {
    match &params.family {
        Family::Hmm(hmm) => hmm,
        Family::Isotropic(_) => panic!("expected the hmm family"),
    }
}

pub fn ratio(numerator: i64, denominator: i64) -> BigRational {
    BigRational::new(numerator.into(), denominator.into())
}

pub fn integer(value: usize) -> BigRational {
    BigRational::from_integer(value.into())
}
