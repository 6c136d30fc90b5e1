//! Timings of the exact engine on a d = 3 HMM with generated features:
//! the finite-sample curve p = 0..62 at n = 64, and certified enclosures
//! of the deterministic equivalent to a relative κ width of 2^-64 at 20
//! sizes above n.
//!
//! Run with `cargo bench -p headrisk-exact --bench exact_curve`.

use headrisk_exact::{default_relative_width, enclosure_curve, finite_sample_curve};
use headrisk_model::{BigRational, ParameterSet, parse};

fn main() {
    divan::main();
}

/// Builds a stationary d = 3 HMM with n = 64 and `columns` generated feature
/// columns of 20 fractional bits, sizes 0..=`largest`.
fn d3_hmm(columns: usize, largest: usize) -> ParameterSet {
    let text = format!(
        r#"
family = "hmm"
[hmm]
dim = 3
transition = [[0.6, 0.8, 0], [0, 0.5, 0.3], [0, -0.3, 0.5]]
noise_variance = 0.5
position = "stationary"
representation_noise = 0.25
[hmm.features]
columns = {columns}
seed = 2024
[training]
samples = 64
[sizes]
from = 0
to = {largest}
"#
    );
    match parse(&text) {
        Ok(params) => params,
        Err(error) => panic!("benchmark parameter set is invalid: {error}"),
    }
}

#[divan::bench(sample_count = 10)]
fn finite_sample_curve_d3_n64(bencher: divan::Bencher) {
    let params = d3_hmm(62, 62);
    bencher.bench(|| finite_sample_curve(divan::black_box(&params)));
}

#[divan::bench(sample_count = 3)]
fn enclosures_d3_20_sizes_above_n(bencher: divan::Bencher) {
    let params = d3_hmm(256, 256);
    // 20 sizes from n + 2 = 66 to 256 in steps of 10.
    let sizes: Vec<usize> = (66..=256).step_by(10).collect();
    let ridge = BigRational::from_integer(0.into());
    let width = default_relative_width();
    bencher.bench(|| enclosure_curve(divan::black_box(&params), &sizes, &ridge, &width));
}
