//! Benchmarks of the simulator on the workload of the NumPy peer script
//! `benches/numpy_peer.py` at the workspace root: n = 200, 40 sizes
//! p = 50, 100, …, 2,000, d = k = 8, 200 trials, and of faer's kernels at
//! the shapes the fitter uses.
//!
//! Run with `cargo bench -p headrisk-simulate --bench simulate`. Counters
//! count floating-point operations as items, so divan's item rate is the
//! GFLOP/s rate of each kernel. The `kernels` group runs on one thread, like
//! one trial of the simulator, so its rates compare with `fit_one_trial`.

use divan::Bencher;
use divan::counter::ItemsCount;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::matmul::matmul;
use faer::linalg::qr::no_pivoting::factor as qr;
use faer::{Accum, Mat, Par};
use headrisk_model::{ParameterSet, parse};
use headrisk_simulate::{SimulationOptions, fit_nested_heads, simulate};

const SAMPLES: usize = 200;
const WIDEST: usize = 2_000;
const STEP: usize = 50;
const DIM: usize = 8;

fn main() {
    divan::main();
}

fn hmm_parameters() -> ParameterSet {
    let transition: Vec<String> = (0..DIM)
        .map(|row| {
            let entries: Vec<&str> = (0..DIM)
                .map(|col| if row == col { "0.5" } else { "0" })
                .collect();
            format!("[{}]", entries.join(", "))
        })
        .collect();
    let text = format!(
        r#"
family = "hmm"
[hmm]
dim = {DIM}
transition = [{}]
noise_variance = 1
position = "stationary"
representation_noise = 1
[hmm.features]
columns = {WIDEST}
seed = 1
[training]
samples = {SAMPLES}
[sizes]
from = {STEP}
to = {WIDEST}
step = {STEP}
"#,
        transition.join(", ")
    );
    parse(&text).expect("the benchmark parameter set is valid")
}

fn isotropic_parameters() -> ParameterSet {
    let text = format!(
        r#"
family = "isotropic"
[isotropic]
noise = 1
signal = 5
outputs = {DIM}
max_size = {WIDEST}
seed = 1
[training]
samples = {SAMPLES}
[sizes]
from = {STEP}
to = {WIDEST}
step = {STEP}
"#
    );
    parse(&text).expect("the benchmark parameter set is valid")
}

fn options(trials: usize) -> SimulationOptions {
    SimulationOptions {
        trials,
        seed: 1,
        ..SimulationOptions::default()
    }
}

/// Floating-point operations of the fits of one trial at λ = 0: the QR
/// factorisations, triangular solves, head products and residual checks,
/// counted as the textbook algorithms do (2mn² − ⅔n³ for a Householder QR of
/// an m×n matrix, 2mn² for clearing m rows stacked under an n×n triangle).
/// Sampling and risk evaluation are not counted.
fn fit_flops_per_trial(params: &ParameterSet) -> u64 {
    let n = params.samples as u64;
    let k = DIM as u64;
    let qr_flops = |rows: u64, cols: u64| 2 * rows * cols * cols - 2 * cols * cols * cols / 3;
    let primal: Vec<u64> = params
        .sizes
        .iter()
        .map(|&p| p as u64)
        .filter(|&p| p <= n)
        .collect();
    let mut total = 0;
    if let Some(&widest) = primal.last() {
        total += qr_flops(n, widest) + 4 * n * widest * k;
        total += primal
            .iter()
            .map(|&p| p * p * k + 4 * n * p * k)
            .sum::<u64>();
    }
    let mut added = 0;
    for p in params.sizes.iter().map(|&p| p as u64).filter(|&p| p > n) {
        total += if added == 0 {
            qr_flops(p, n)
        } else {
            2 * (p - added) * n * n
        };
        total += 2 * n * n * k + 2 * p * n * k + 2 * n * p * k;
        added = p;
    }
    total
}

#[divan::bench_group(sample_count = 3, sample_size = 1)]
mod workload {
    use super::*;

    /// Times the full workload on the global rayon pool (every core).
    #[divan::bench]
    fn hmm_200_trials(bencher: Bencher) {
        let params = hmm_parameters();
        bencher.bench(|| simulate(&params, &options(200), None).expect("simulation runs"));
    }

    #[divan::bench]
    fn isotropic_200_trials(bencher: Bencher) {
        let params = isotropic_parameters();
        bencher.bench(|| simulate(&params, &options(200), None).expect("simulation runs"));
    }

    /// Times two trials on one thread, with the counter set to their fit
    /// flops. The time also covers sampling and risk evaluation, so the item
    /// rate is below the fitting rate of `kernels::fit_nested_200x2000`.
    #[divan::bench]
    fn fit_one_trial(bencher: Bencher) {
        let params = hmm_parameters();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool builds");
        bencher
            .counter(ItemsCount::new(2 * fit_flops_per_trial(&params)))
            .bench(|| {
                pool.install(|| simulate(&params, &options(2), None).expect("simulation runs"))
            });
    }
}

#[divan::bench_group(sample_count = 20)]
mod kernels {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    /// Returns a standard normal matrix. A structured input would let the QR
    /// skip negligible columns and overstate its rate.
    fn gaussian(rows: usize, cols: usize) -> Mat<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64((rows * 1_000 + cols) as u64);
        Mat::from_fn(rows, cols, |_, _| rng.sample(StandardNormal))
    }

    fn bench_matmul(bencher: Bencher, m: usize, inner: usize, n: usize) {
        let lhs = gaussian(m, inner);
        let rhs = gaussian(inner, n);
        let mut out = Mat::<f64>::zeros(m, n);
        bencher
            .counter(ItemsCount::new(2 * m * inner * n))
            .bench_local(|| {
                matmul(
                    out.as_mut(),
                    Accum::Replace,
                    lhs.as_ref(),
                    rhs.as_ref(),
                    1.0,
                    Par::Seq,
                )
            });
    }

    /// Times a square GEMM, faer's reference rate on one core.
    #[divan::bench]
    fn matmul_200x200x200(bencher: Bencher) {
        bench_matmul(bencher, SAMPLES, SAMPLES, SAMPLES);
    }

    /// Times a GEMM of the same shape as the 250×200 QR below.
    #[divan::bench]
    fn matmul_250x200x200(bencher: Bencher) {
        bench_matmul(bencher, SAMPLES + STEP, SAMPLES, SAMPLES);
    }

    /// Times the head product Θ̂ = X_pᵀ α at p = 1,000: (p×n)·(n×k).
    #[divan::bench]
    fn matmul_head_1000x200x8(bencher: Bencher) {
        bench_matmul(bencher, 1_000, SAMPLES, DIM);
    }

    /// Times the residual product X_p Θ̂ at p = 1,000: (n×p)·(p×k).
    #[divan::bench]
    fn matmul_residual_200x1000x8(bencher: Bencher) {
        bench_matmul(bencher, SAMPLES, 1_000, DIM);
    }

    fn bench_qr(bencher: Bencher, rows: usize, cols: usize) {
        let input = gaussian(rows, cols);
        let block_size = qr::recommended_block_size::<f64>(rows, cols);
        let flops = 2 * rows * cols * cols - 2 * cols * cols * cols / 3;
        let mut buffer = MemBuffer::new(qr::qr_in_place_scratch::<f64>(
            rows,
            cols,
            block_size,
            Par::Seq,
            Default::default(),
        ));
        let mut coefficients = Mat::<f64>::zeros(block_size, rows.min(cols));
        bencher
            .counter(ItemsCount::new(flops))
            .with_inputs(|| input.clone())
            .bench_local_values(|mut a| {
                qr::qr_in_place(
                    a.as_mut(),
                    coefficients.as_mut(),
                    Par::Seq,
                    MemStack::new(&mut buffer),
                    Default::default(),
                );
                a
            });
    }

    /// Times the fits of one trial alone, without sampling or risk
    /// evaluation: all 40 sizes on one standard normal 200×2,000 design and
    /// 200×8 targets, residual checks included.
    #[divan::bench]
    fn fit_nested_200x2000(bencher: Bencher) {
        let params = hmm_parameters();
        let design = gaussian(SAMPLES, WIDEST);
        let targets = gaussian(SAMPLES, DIM);
        let sizes = params.sizes.clone();
        bencher
            .counter(ItemsCount::new(fit_flops_per_trial(&params)))
            .bench_local(|| {
                let mut fitted = 0;
                fit_nested_heads(
                    design.as_ref(),
                    targets.as_ref(),
                    &sizes,
                    0.0,
                    |_, theta| {
                        fitted += theta.nrows();
                        Ok(())
                    },
                )
                .expect("the fits pass their residual checks");
                fitted
            });
    }

    /// Times a full QR of the stacked [R; X_newᵀ] with 50 new columns, the
    /// factorisation that the panel update of the min-norm path replaces.
    #[divan::bench]
    fn qr_250x200(bencher: Bencher) {
        bench_qr(bencher, SAMPLES + STEP, SAMPLES);
    }

    /// Times the QR of the p ≤ n path.
    #[divan::bench]
    fn qr_200x200(bencher: Bencher) {
        bench_qr(bencher, SAMPLES, SAMPLES);
    }
}
