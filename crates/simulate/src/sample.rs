//! Drawing training sets from the model.
//!
//! Each trial owns one ChaCha8 stream, `ChaCha8Rng::seed_from_u64(seed)` with
//! stream number = trial index, so a trial's draws do not depend on which
//! thread runs it. Within a trial the draws come in a fixed order, listed on
//! each sampler. Gaussian vectors with covariance S are drawn as F g with
//! g ~ N(0, I) and F Fᵀ = S (see [`crate::population::psd_square_root`]).
//!
//! Every trial draws the widest representation X_P once, and the design of
//! size p is its first p columns. All sizes of a trial share their random
//! numbers, so differences between sizes have small variance.
//!
//! The n×P block whose width is the largest simulated size P is the last
//! draw of a trial, and it is filled column by column. So the first p
//! columns and the targets of a trial, and with them the risk at size p,
//! do not depend on which other sizes are simulated.

use std::sync::Arc;

#[cfg(test)]
use faer::MatRef;
use faer::linalg::matmul::matmul;
use faer::reborrow::ReborrowMut;
use faer::{Accum, Mat, MatMut, Par};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::error::SimulateError;
use crate::population::product;

/// Returns the random stream of one trial.
pub(crate) fn trial_rng(seed: u64, trial: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(trial as u64);
    rng
}

/// Fills `out` with independent N(0, scale²) draws, column by column.
fn fill_gaussian(mut out: MatMut<'_, f64>, scale: f64, rng: &mut ChaCha8Rng) {
    for column in out.rb_mut().col_iter_mut() {
        for entry in column.iter_mut() {
            let draw: f64 = rng.sample(StandardNormal);
            *entry = scale * draw;
        }
    }
}

fn gaussian(rows: usize, cols: usize, scale: f64, rng: &mut ChaCha8Rng) -> Mat<f64> {
    let mut out = Mat::zeros(rows, cols);
    fill_gaussian(out.as_mut(), scale, rng);
    out
}

/// A training set of one trial: the widest design X_P (n×P) and the targets.
#[derive(Debug)]
pub(crate) struct TrainingSet {
    pub x: Mat<f64>,
    /// Y (n×k) for the HMM; the noise E (n×k) for the isotropic family,
    /// whose targets Y_p = X_p B_p + E depend on the size.
    pub y_or_noise: Mat<f64>,
}

/// Sampler of HMM training pairs: the model matrices and the square roots
/// of the covariances they draw from.
#[derive(Debug, Clone)]
pub(crate) struct HmmSampler {
    /// A, d×d.
    pub transition: Mat<f64>,
    /// F_Q with F_Q F_Qᵀ = Q.
    pub noise_root: Mat<f64>,
    /// F with F Fᵀ = Σ, the covariance of z_t (Σ_t or Σ_∞).
    pub sigma_root: Mat<f64>,
    /// C, k×d.
    pub readout: Mat<f64>,
    /// W, d×P, shared with the risk model.
    pub features: Arc<Mat<f64>>,
    /// σ_u.
    pub representation_sd: f64,
    /// n consecutive positions of one chain instead of n independent pairs.
    pub trajectory: bool,
}

impl HmmSampler {
    /// Draws one HMM training set.
    ///
    /// Independent pairs: z_t = F g_i and z_{t+1} = A z_t + F_Q h_i for each
    /// row i, with the draw order G (n×d), H (n×d), U (n×P).
    ///
    /// Trajectory: z_t = F g, then z_{t+i+1} = A z_{t+i} + F_Q h_i for
    /// i = 0, …, n − 1, with the draw order g (d), H (n×d), U (n×P). Pair i is
    /// (x at position t + i, y = C z_{t+i+1}). Drawing z_t from N(0, Σ_t)
    /// gives the same joint law as running the chain from z_1 ~ N(0, Σ_1)
    /// to position t, because the chain is Markov.
    ///
    /// In both modes x = Wᵀz + σ_u u with u ~ N(0, I_P) (U is skipped when
    /// σ_u = 0) and y = C z_{next}.
    pub(crate) fn draw(&self, samples: usize, rng: &mut ChaCha8Rng) -> TrainingSet {
        let dim = self.transition.nrows();
        let (tokens, next_tokens) = if self.trajectory {
            let start = gaussian(dim, 1, 1.0, rng);
            let start = product(self.sigma_root.as_ref(), start.as_ref());
            let innovations = gaussian(samples, dim, 1.0, rng);
            let innovations = product(innovations.as_ref(), self.noise_root.transpose());
            let mut chain = Mat::zeros(samples + 1, dim);
            chain.row_mut(0).copy_from(start.col(0).transpose());
            for i in 0..samples {
                for row in 0..dim {
                    let mut value = innovations[(i, row)];
                    for col in 0..dim {
                        value += self.transition[(row, col)] * chain[(i, col)];
                    }
                    chain[(i + 1, row)] = value;
                }
            }
            (
                chain.get(..samples, ..).to_owned(),
                chain.get(1.., ..).to_owned(),
            )
        } else {
            let start = gaussian(samples, dim, 1.0, rng);
            let tokens = product(start.as_ref(), self.sigma_root.transpose());
            let innovations = gaussian(samples, dim, 1.0, rng);
            let mut next_tokens = product(innovations.as_ref(), self.noise_root.transpose());
            matmul(
                next_tokens.as_mut(),
                Accum::Add,
                tokens.as_ref(),
                self.transition.transpose(),
                1.0,
                Par::Seq,
            );
            (tokens, next_tokens)
        };

        let y = product(next_tokens.as_ref(), self.readout.transpose());
        let mut x = Mat::zeros(samples, self.features.ncols());
        if self.representation_sd > 0.0 {
            fill_gaussian(x.as_mut(), self.representation_sd, rng);
        }
        matmul(
            x.as_mut(),
            Accum::Add,
            tokens.as_ref(),
            self.features.as_ref(),
            1.0,
            Par::Seq,
        );
        TrainingSet { x, y_or_noise: y }
    }
}

/// The unscaled direction of B in the isotropic family, and its scaling.
///
/// B_raw (P×k) is drawn row by row from `ChaCha8Rng::seed_from_u64(seed)`,
/// so its first p rows do not depend on P. The coefficients of size p are
/// B_p = r·B_raw[..p] / ‖B_raw[..p]‖_F, so that ‖B_p‖²_F = r² at every
/// p ≥ 1. The target y = B_pᵀx + e therefore depends on p. Every size has
/// the same signal strength r², with different coefficients.
#[derive(Debug, Clone)]
pub(crate) struct SignalDirection {
    raw: Mat<f64>,
    /// Entry p is ‖B_raw[..p]‖²_F.
    prefix_squared_norms: Vec<f64>,
    /// r² = ‖B_p‖²_F.
    signal: f64,
}

impl SignalDirection {
    pub(crate) fn new(max_size: usize, outputs: usize, signal: f64, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut raw = Mat::zeros(max_size, outputs);
        let mut prefix_squared_norms = Vec::with_capacity(max_size + 1);
        let mut total = 0.0;
        prefix_squared_norms.push(total);
        for row in 0..max_size {
            for col in 0..outputs {
                let draw: f64 = rng.sample(StandardNormal);
                raw[(row, col)] = draw;
                total += draw * draw;
            }
            prefix_squared_norms.push(total);
        }
        Self {
            raw,
            prefix_squared_norms,
            signal,
        }
    }

    /// Returns r², the signal of every size p ≥ 1.
    pub(crate) fn signal(&self) -> f64 {
        self.signal
    }

    /// Returns B_p (p×k).
    ///
    /// # Errors
    /// [`SimulateError::DegenerateSignalDirection`] when r² > 0 and the first
    /// p rows of B_raw are all zero, which has probability zero.
    pub(crate) fn coefficients(&self, size: usize) -> Result<Mat<f64>, SimulateError> {
        let norm_squared = self.prefix_squared_norms[size];
        let scale = if self.signal == 0.0 {
            0.0
        } else if norm_squared > 0.0 {
            (self.signal / norm_squared).sqrt()
        } else {
            return Err(SimulateError::DegenerateSignalDirection { size });
        };
        let rows = self.raw.get(..size, ..);
        Ok(Mat::from_fn(size, self.raw.ncols(), |row, col| {
            scale * rows[(row, col)]
        }))
    }
}

/// The isotropic family x ~ N(0, I_P), y = B_pᵀx + e, e ~ N(0, (σ²/k) I_k).
#[derive(Debug, Clone)]
pub(crate) struct IsotropicSampler {
    pub max_size: usize,
    pub outputs: usize,
    /// √(σ²/k), the standard deviation of each entry of e.
    pub noise_sd: f64,
}

impl IsotropicSampler {
    /// Draws E (n×k) and then X (n×P), both column by column. E comes
    /// first so that it does not depend on P.
    pub(crate) fn draw(&self, samples: usize, rng: &mut ChaCha8Rng) -> TrainingSet {
        let noise = gaussian(samples, self.outputs, self.noise_sd, rng);
        let x = gaussian(samples, self.max_size, 1.0, rng);
        TrainingSet {
            x,
            y_or_noise: noise,
        }
    }
}

/// Returns the empirical covariance (1/n) Σ_i a_i a_iᵀ of the rows of `a`.
#[cfg(test)]
pub(crate) fn second_moment(a: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = product(a.transpose(), a);
    let scale = 1.0 / a.nrows() as f64;
    out.col_iter_mut()
        .for_each(|column| column.iter_mut().for_each(|v| *v *= scale));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_streams_are_distinct_and_repeatable() {
        let first: f64 = trial_rng(5, 0).sample(StandardNormal);
        let again: f64 = trial_rng(5, 0).sample(StandardNormal);
        let other: f64 = trial_rng(5, 1).sample(StandardNormal);
        assert_eq!(first.to_bits(), again.to_bits());
        assert_ne!(first.to_bits(), other.to_bits());
    }

    #[test]
    fn signal_direction_has_signal_at_every_size() {
        let direction = SignalDirection::new(50, 3, 2.5, 11);
        for size in [1, 2, 10, 50] {
            let b = direction.coefficients(size).unwrap();
            let norm_squared = b.squared_norm_l2();
            assert!(
                (norm_squared - 2.5).abs() < 1e-12,
                "p = {size}: ‖B_p‖² = {norm_squared}"
            );
        }
        let nested = SignalDirection::new(20, 3, 2.5, 11)
            .coefficients(10)
            .unwrap();
        assert_eq!(nested, direction.coefficients(10).unwrap());
    }

    #[test]
    fn trajectory_tokens_have_stationary_covariance() {
        // Scalar chain z' = z/2 + ε, Q = 1: Σ_∞ = 4/3, and Cov(z_t, z_{t+1}) = 2/3.
        let sampler = HmmSampler {
            transition: Mat::from_fn(1, 1, |_, _| 0.5),
            noise_root: Mat::from_fn(1, 1, |_, _| 1.0),
            sigma_root: Mat::from_fn(1, 1, |_, _| (4.0f64 / 3.0).sqrt()),
            readout: Mat::from_fn(1, 1, |_, _| 1.0),
            features: Arc::new(Mat::from_fn(1, 1, |_, _| 1.0)),
            representation_sd: 0.0,
            trajectory: true,
        };
        let samples = 200_000;
        let set = sampler.draw(samples, &mut trial_rng(3, 0));
        let variance = second_moment(set.x.as_ref())[(0, 0)];
        let lagged = (0..samples)
            .map(|i| set.x[(i, 0)] * set.y_or_noise[(i, 0)])
            .sum::<f64>()
            / samples as f64;
        // Standard errors of the estimates are about 0.01 at this n and correlation.
        assert!((variance - 4.0 / 3.0).abs() < 0.05, "Var z_t = {variance}");
        assert!(
            (lagged - 2.0 / 3.0).abs() < 0.05,
            "Cov(z_t, z_t+1) = {lagged}"
        );
    }
}
