//! Running the simulator for the checker: simulation sizes, a progress bar
//! on standard error for long runs, and errors as usage errors.

use std::path::Path;
use std::time::{Duration, Instant};

use headrisk_model::ParameterSet;
use headrisk_simulate::{SimulatedCurve, SimulationOptions, simulate};

use crate::UsageError;

/// Runs longer than this show a progress bar, when standard error is a terminal.
pub const PROGRESS_AFTER: Duration = Duration::from_secs(1);

/// Returns the parameter set restricted to the simulation sizes.
pub fn simulation_parameters(params: &ParameterSet) -> ParameterSet {
    let mut restricted = params.clone();
    if let Some(sizes) = &params.simulation_sizes {
        restricted.sizes = sizes.clone();
    }
    restricted
}

/// Simulates the risk at the simulation sizes with the trials and seed of
/// the file's `[simulation]` table.
///
/// With `show_progress`, a bar on standard error appears once the run has
/// taken [`PROGRESS_AFTER`] and counts finished trials; it draws nothing when
/// standard error is not a terminal.
pub fn run(
    path: &Path,
    params: &ParameterSet,
    show_progress: bool,
) -> Result<SimulatedCurve, UsageError> {
    // Without the table the simulator would fall back to trials and a seed
    // that the file does not record. check and plot skip the simulation
    // then, so `curve --engine mc` rejects the file.
    if params.simulation.is_none() {
        return Err(UsageError(format!(
            "{}: the parameter set has no [simulation] table, so it sets no trials or seed for the simulation; add `[simulation]` with `trials = 200` and `seed = 0`, or other values",
            path.display()
        )));
    }
    crate::float_ridge(path, params)?;
    let restricted = simulation_parameters(params);
    let options = SimulationOptions::from_parameters(params);
    let bar = indicatif::ProgressBar::hidden();
    if show_progress {
        bar.set_length(options.trials as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "simulating {pos}/{len} trials [{bar:40}] {elapsed} left {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    }
    let started = Instant::now();
    let progress = |finished: usize| {
        bar.inc(finished as u64);
        if show_progress && bar.is_hidden() && started.elapsed() > PROGRESS_AFTER {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    };
    let curve = simulate(&restricted, &options, Some(&progress)).map_err(|error| {
        UsageError(format!(
            "{}: the simulation failed: {error}",
            path.display()
        ))
    });
    bar.finish_and_clear();
    curve
}
