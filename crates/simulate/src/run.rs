//! The Monte Carlo run: options, the precomputed plan of a parameter set,
//! parallel trials, and the per-size summaries.

use std::sync::Arc;

use faer::Mat;
use headrisk_model::{Family, ParameterSet, Position, Sampling};
use rayon::prelude::*;

use crate::error::SimulateError;
use crate::fit::{Targets, fit_nested};
use crate::population::{
    HmmRiskTerms, covariance_at_step, noise_to_f64_matrix, psd_square_root, stationary_covariance,
    to_f64_matrix, to_f64_scalar,
};
use crate::risk::RiskModel;
use crate::sample::{HmmSampler, IsotropicSampler, SignalDirection, TrainingSet, trial_rng};
use crate::summary::{DEFAULT_CONFIDENCE_LEVEL, Summary, check_confidence_level, summarize};

/// Default memory budget of one trial's working set: 2 GiB.
pub const DEFAULT_MEMORY_BUDGET_BYTES: u64 = 2 << 30;

/// Default number of trials when the parameter set has no `[simulation]`
/// table, the same default as the parameter file's `simulation.trials`.
pub const DEFAULT_TRIALS: usize = 200;

/// Settings of one Monte Carlo run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulationOptions {
    /// Number of independent training sets per size, at least 2.
    pub trials: usize,
    /// Seed of the per-trial streams; trial i uses ChaCha8 stream i.
    pub seed: u64,
    /// Level of the Student-t confidence interval, in (0, 1).
    pub confidence_level: f64,
    /// Largest accepted working set of one trial, in bytes. Trials run on
    /// every thread of the current rayon pool, so the peak is this figure
    /// times the number of threads.
    pub memory_budget_bytes: u64,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        Self {
            trials: DEFAULT_TRIALS,
            seed: 0,
            confidence_level: DEFAULT_CONFIDENCE_LEVEL,
            memory_budget_bytes: DEFAULT_MEMORY_BUDGET_BYTES,
        }
    }
}

impl SimulationOptions {
    /// Takes trials and seed from the parameter set's `[simulation]` table
    /// and the defaults for everything else.
    pub fn from_parameters(params: &ParameterSet) -> Self {
        let mut options = Self::default();
        if let Some(simulation) = params.simulation {
            options.trials = simulation.trials;
            options.seed = simulation.seed;
        }
        options
    }

    fn validate(&self) -> Result<(), SimulateError> {
        if self.trials < 2 {
            return Err(SimulateError::InvalidOption {
                field: "trials",
                value: self.trials.to_string(),
                requirement: "must be ≥ 2 for a standard error",
            });
        }
        check_confidence_level(self.confidence_level)
    }
}

/// The simulated risk of one model size.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeEstimate {
    /// Model size p.
    pub size: usize,
    /// Summary of the conditional risks over the trials.
    pub risk: Summary,
    /// Conditional risk of each trial, in trial order.
    pub trial_risks: Vec<f64>,
}

/// A simulated risk curve.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedCurve {
    /// Number of training samples n.
    pub samples: usize,
    /// Ridge strength λ as used, in f64.
    pub ridge: f64,
    /// Options of the run.
    pub options: SimulationOptions,
    /// One estimate per size of the grid, in grid order.
    pub points: Vec<SizeEstimate>,
}

impl SimulatedCurve {
    /// Summarises the paired differences R_second − R_first between the
    /// points at indices `first` and `second`, trial by trial.
    ///
    /// All sizes of a trial share one training draw, so the standard error of
    /// a paired difference is much smaller than that of either risk, which is
    /// what a test of whether the curve rises or falls needs.
    ///
    /// # Errors
    /// [`SimulateError::InvalidOption`] when an index is out of range.
    pub fn paired_difference(&self, first: usize, second: usize) -> Result<Summary, SimulateError> {
        let point = |index: usize| {
            self.points
                .get(index)
                .ok_or_else(|| SimulateError::InvalidOption {
                    field: "point index",
                    value: index.to_string(),
                    requirement: "must be below the number of sizes of the curve",
                })
        };
        let (first, second) = (point(first)?, point(second)?);
        let differences: Vec<f64> = first
            .trial_risks
            .iter()
            .zip(&second.trial_risks)
            .map(|(a, b)| b - a)
            .collect();
        summarize(&differences, self.options.confidence_level)
    }
}

/// Simulates the risk curve of a parameter set.
///
/// For every trial it draws one training set with the widest design X_P
/// (P = the largest size of the grid), fits the head of every size on the
/// nested designs X_p, and evaluates each head's exact conditional risk (no
/// test sample). Trials run in parallel on the current rayon pool, each on
/// its own ChaCha8 stream, and are reduced in trial order, so the result is
/// bit-identical whatever the thread count. Run it inside
/// `rayon::ThreadPool::install` to choose the threads.
///
/// `progress`, when given, is called from worker threads with the number of
/// trials that just finished, currently 1 per call. The arguments add up to
/// `options.trials`. Nothing is drawn or printed otherwise.
///
/// # Errors
/// - [`SimulateError::InvalidOption`] for invalid options;
/// - [`SimulateError::UnsupportedSetting`] for trajectory sampling of the
///   isotropic family;
/// - [`SimulateError::NotRepresentable`] for inputs that overflow f64;
/// - [`SimulateError::MemoryBudgetExceeded`] for a working set above
///   `options.memory_budget_bytes`, and [`SimulateError::ResultsTooLarge`]
///   when the trial risks kept for the summaries would exceed it;
/// - the covariance errors of Σ and Q (not positive semidefinite, overflow,
///   Lyapunov iteration not converged);
/// - [`SimulateError::Trial`], with the trial and the seed, around a fit that
///   fails its rank or residual check or a risk that overflows.
pub fn simulate(
    params: &ParameterSet,
    options: &SimulationOptions,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<SimulatedCurve, SimulateError> {
    options.validate()?;
    // A first bound before anything is allocated: the design X_P alone has
    // n·P entries of 8 bytes. The plan then checks its whole working set.
    let max_size = params.sizes.last().copied().unwrap_or(0);
    let entries = params.samples as u128 * max_size as u128;
    if entries.saturating_mul(8) > u128::from(options.memory_budget_bytes) {
        return Err(SimulateError::MemoryBudgetExceeded {
            samples: params.samples,
            max_size,
            entries,
            bytes: entries.saturating_mul(8),
            budget: options.memory_budget_bytes,
        });
    }
    // The risks of every trial and size are kept twice at the peak: by
    // trial as the trials finish, then by size in the summaries.
    let results = options.trials as u128 * params.sizes.len() as u128 * 16;
    if results > u128::from(options.memory_budget_bytes) {
        return Err(SimulateError::ResultsTooLarge {
            trials: options.trials,
            sizes: params.sizes.len(),
            bytes: results,
            budget: options.memory_budget_bytes,
        });
    }
    let plan = Plan::new(params)?;
    plan.check_memory(options.memory_budget_bytes)?;

    let results: Vec<Result<Vec<f64>, SimulateError>> = (0..options.trials)
        .into_par_iter()
        .map(|trial| {
            let result = plan.run_trial(options.seed, trial);
            if let Some(progress) = progress {
                progress(1);
            }
            result
        })
        .collect();

    let mut risks_by_trial = Vec::with_capacity(options.trials);
    for (trial, result) in results.into_iter().enumerate() {
        let risks = result.map_err(|source| SimulateError::Trial {
            trial,
            seed: options.seed,
            source: Box::new(source),
        })?;
        risks_by_trial.push(risks);
    }

    let mut points = Vec::with_capacity(plan.sizes.len());
    for (index, &size) in plan.sizes.iter().enumerate() {
        let trial_risks: Vec<f64> = risks_by_trial.iter().map(|risks| risks[index]).collect();
        let risk = summarize(&trial_risks, options.confidence_level)?;
        points.push(SizeEstimate {
            size,
            risk,
            trial_risks,
        });
    }
    Ok(SimulatedCurve {
        samples: plan.samples,
        ridge: plan.ridge,
        options: *options,
        points,
    })
}

/// Everything a trial needs, computed once per run.
#[derive(Debug)]
struct Plan {
    samples: usize,
    ridge: f64,
    sizes: Vec<usize>,
    outputs: usize,
    sampler: Sampler,
    risk: RiskModel,
}

#[derive(Debug)]
enum Sampler {
    Hmm(Box<HmmSampler>),
    Isotropic(IsotropicSampler),
}

impl Plan {
    fn new(params: &ParameterSet) -> Result<Self, SimulateError> {
        let samples = params.samples;
        let ridge = to_f64_scalar("training.ridge", &params.ridge)?;
        let sizes = params.sizes.clone();
        if sizes.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(SimulateError::InvalidOption {
                field: "sizes",
                value: format!("{sizes:?}"),
                requirement: "must be strictly increasing",
            });
        }
        let widest = sizes.last().copied().unwrap_or(0);

        let (sampler, risk, outputs) = match &params.family {
            Family::Hmm(hmm) => {
                let transition = to_f64_matrix("hmm.transition", &hmm.transition)?;
                let noise = noise_to_f64_matrix(hmm)?;
                let initial = to_f64_matrix("hmm.initial_covariance", &hmm.initial_covariance)?;
                let readout = to_f64_matrix("hmm.readout", &hmm.readout)?;
                let representation_noise =
                    to_f64_scalar("hmm.representation_noise", &hmm.representation_noise)?;

                let sigma = match hmm.position {
                    Position::Step(position) => covariance_at_step(
                        transition.as_ref(),
                        noise.as_ref(),
                        initial.as_ref(),
                        position,
                    )?,
                    Position::Stationary => {
                        stationary_covariance(transition.as_ref(), noise.as_ref())?
                    }
                };
                let sigma_root = psd_square_root("Σ", sigma.as_ref())?;
                let noise_root = psd_square_root("Q", noise.as_ref())?;
                let features = Arc::new(leading_features(hmm, widest)?);

                let terms = HmmRiskTerms::new(
                    sigma.as_ref(),
                    sigma_root.clone(),
                    transition.as_ref(),
                    noise.as_ref(),
                    readout.as_ref(),
                    representation_noise,
                );
                let outputs = readout.nrows();
                let sampler = HmmSampler {
                    transition,
                    noise_root,
                    sigma_root,
                    readout,
                    features: Arc::clone(&features),
                    representation_sd: representation_noise.sqrt(),
                    trajectory: params.sampling == Sampling::Trajectory,
                };
                (
                    Sampler::Hmm(Box::new(sampler)),
                    RiskModel::Hmm { terms, features },
                    outputs,
                )
            }
            Family::Isotropic(isotropic) => {
                if params.sampling == Sampling::Trajectory {
                    return Err(SimulateError::UnsupportedSetting {
                        field: "training.sampling",
                        value: "\"trajectory\"".into(),
                        reason: "the isotropic family has no sequence of tokens; use \"independent\"",
                    });
                }
                let noise = to_f64_scalar("isotropic.noise", &isotropic.noise)?;
                let signal = to_f64_scalar("isotropic.signal", &isotropic.signal)?;
                let outputs = isotropic.outputs;
                let direction = SignalDirection::new(widest, outputs, signal, isotropic.seed);
                let sampler = IsotropicSampler {
                    max_size: widest,
                    outputs,
                    noise_sd: (noise / outputs as f64).sqrt(),
                };
                (
                    Sampler::Isotropic(sampler),
                    RiskModel::Isotropic { noise, direction },
                    outputs,
                )
            }
        };

        Ok(Self {
            samples,
            ridge,
            sizes,
            outputs,
            sampler,
            risk,
        })
    }

    /// Estimates the bytes of one trial's largest buffers: X_P, the largest
    /// QR buffer, and the n×k and P×k matrices of targets and heads.
    fn working_set_bytes(&self) -> u128 {
        let n = self.samples as u128;
        let k = self.outputs as u128;
        let widest = self.sizes.last().copied().unwrap_or(0) as u128;
        let ridge_rows = |rows: u128| if self.ridge > 0.0 { rows } else { 0 };

        let primal = self
            .sizes
            .iter()
            .rev()
            .find(|&&size| size as u128 <= n)
            .map_or(0, |&size| (n + ridge_rows(size as u128)) * size as u128);
        let mut dual = 0;
        let mut rows = ridge_rows(n);
        let mut added = 0;
        for &size in self.sizes.iter().filter(|&&size| size as u128 > n) {
            let size = size as u128;
            dual = dual.max((rows + size - added) * n);
            rows = n;
            added = size;
        }
        8 * (n * widest + primal.max(dual) + 4 * (n + widest) * k)
    }

    fn check_memory(&self, budget: u64) -> Result<(), SimulateError> {
        let bytes = self.working_set_bytes();
        if bytes > u128::from(budget) {
            let max_size = self.sizes.last().copied().unwrap_or(0);
            return Err(SimulateError::MemoryBudgetExceeded {
                samples: self.samples,
                max_size,
                entries: self.samples as u128 * max_size as u128,
                bytes,
                budget,
            });
        }
        Ok(())
    }

    /// Returns the conditional risk of every size of one trial.
    fn run_trial(&self, seed: u64, trial: usize) -> Result<Vec<f64>, SimulateError> {
        let mut rng = trial_rng(seed, trial);
        let TrainingSet { x, y_or_noise } = match &self.sampler {
            Sampler::Hmm(sampler) => sampler.draw(self.samples, &mut rng),
            Sampler::Isotropic(sampler) => sampler.draw(self.samples, &mut rng),
        };
        let targets = match &self.risk {
            RiskModel::Hmm { .. } => Targets::Shared(y_or_noise.as_ref()),
            RiskModel::Isotropic { direction, .. } => Targets::Linear {
                direction,
                noise: y_or_noise.as_ref(),
            },
        };

        let mut risks = vec![0.0; self.sizes.len()];
        fit_nested(
            x.as_ref(),
            &self.sizes,
            self.ridge,
            targets,
            |index, _size, theta| {
                risks[index] = self.risk.conditional_risk(theta)?;
                Ok(())
            },
        )?;
        Ok(risks)
    }
}

/// Returns the first `columns` columns of W as an f64 matrix, d×`columns`.
fn leading_features(hmm: &headrisk_model::Hmm, columns: usize) -> Result<Mat<f64>, SimulateError> {
    let features = &hmm.features;
    let dim = features.n_rows();
    if columns > features.n_cols() {
        return Err(SimulateError::InvalidOption {
            field: "sizes",
            value: columns.to_string(),
            requirement: "must not exceed the number of feature columns",
        });
    }
    let mut out = Mat::zeros(dim, columns);
    for col in 0..columns {
        for row in 0..dim {
            let value = features.float(row, col);
            if !value.is_finite() {
                return Err(SimulateError::NotRepresentable {
                    field: format!("hmm.features[{row}][{col}]"),
                    value: headrisk_model::number::format_value(&features.rational(row, col)),
                });
            }
            out[(row, col)] = value;
        }
    }
    Ok(out)
}
