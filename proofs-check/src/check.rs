//! The `check` subcommand.

use std::path::Path;

use headrisk_model::number::format_fraction;
use headrisk_model::{Family, ParameterSet, Position};

use crate::exact_claims::{self, ExactRun};
use crate::float_claims::{self, FloatRun};
use crate::report::{CHECK_SCHEMA, CheckReport, Claim, SizeSummary, Summary};
use crate::sim_claims;
use crate::{Output, ReportFormat, UsageError, load_params};

/// Largest token dimension d for which `check` runs the exact engine.
pub const EXACT_MAX_DIM: usize = 10;
/// Largest number of grid sizes for which `check` runs the exact engine.
pub const EXACT_MAX_GRID_POINTS: usize = 500;
/// Largest model size for which `check` runs the exact engine.
pub const EXACT_MAX_SIZE: usize = 2_000;

/// Largest position t for which `check` runs the exact engine. Σ_t has
/// Θ(t) digits, and the exact claims took 12 s at t = 500 and 45 s at
/// t = 1,000 for d = 2 (AMD EPYC core), growing like t².
pub const EXACT_MAX_POSITION: u64 = 500;

/// Largest number of sizes at which `check` computes certified enclosures.
pub const ENCLOSURE_MAX_SIZES: usize = 24;

pub fn run(path: &Path, format: ReportFormat) -> Result<Output, UsageError> {
    let params = load_params(path)?;
    let report = build_report(path, &params)?;
    let exit_code = if report.summary.failed > 0 { 1 } else { 0 };
    let text = match format {
        ReportFormat::Table => report.to_table(),
        ReportFormat::Json => {
            let mut json = serde_json::to_string_pretty(&report).map_err(|error| {
                UsageError(format!("cannot encode the report as JSON: {error}"))
            })?;
            json.push('\n');
            json
        }
    };
    Ok(Output { text, exit_code })
}

/// Returns the reason the exact engine does not run on a parameter set, if any.
pub fn exact_out_of_reach(params: &ParameterSet) -> Option<String> {
    let dim = match &params.family {
        Family::Hmm(hmm) => hmm.dim,
        Family::Isotropic(_) => 0,
    };
    let largest = params.sizes.last().copied().unwrap_or(0);
    let position = match &params.family {
        Family::Hmm(hmm) => match hmm.position {
            Position::Step(step) => step,
            Position::Stationary => 0,
        },
        Family::Isotropic(_) => 0,
    };
    if dim > EXACT_MAX_DIM {
        Some(format!(
            "d = {dim} exceeds {EXACT_MAX_DIM}, the exact engine's limit in check"
        ))
    } else if params.sizes.len() > EXACT_MAX_GRID_POINTS {
        Some(format!(
            "{} grid sizes exceed {EXACT_MAX_GRID_POINTS}, the exact engine's limit in check",
            params.sizes.len()
        ))
    } else if largest > EXACT_MAX_SIZE && dim > 0 {
        Some(format!(
            "p = {largest} exceeds {EXACT_MAX_SIZE}, the exact engine's limit in check"
        ))
    } else if position > EXACT_MAX_POSITION {
        Some(format!(
            "position t = {position} exceeds {EXACT_MAX_POSITION}, the exact engine's limit in check (Σ_t has Θ(t) digits)"
        ))
    } else {
        None
    }
}

pub fn build_report(path: &Path, params: &ParameterSet) -> Result<CheckReport, UsageError> {
    // Checked first, so that a λ beyond f64 fails before the exact claims run.
    crate::float_ridge(path, params)?;
    let mut claims: Vec<Claim> = Vec::new();
    let mut shapes = Vec::new();

    let exact = match exact_out_of_reach(params) {
        Some(reason) => {
            claims.push(Claim::skip("exact", "claims of the exact engine", reason));
            None
        }
        None => {
            let run = ExactRun::new(params).map_err(|error| exact_failure(path, &error))?;
            claims.extend(exact_claims::claims(&run).map_err(|error| exact_failure(path, &error))?);
            let (shape_claims, shape) = exact_claims::shape_claims(&run);
            claims.extend(shape_claims);
            shapes.push(shape);
            Some(run)
        }
    };

    let float = FloatRun::new(params).map_err(|error| float_failure(path, &error))?;
    claims.extend(float_claims::standalone_claims(&float));
    match &exact {
        Some(exact) => claims.extend(float_claims::agreement_claims(params, exact, &float)),
        None => claims.push(Claim::skip(
            "float.agreement",
            "float quantities equal the exact ones",
            "the exact engine did not run",
        )),
    }
    if exact.is_some() {
        let sizes = enclosure_sizes(params);
        let enclosures = headrisk_exact::enclosure_curve(
            params,
            &sizes,
            &params.ridge,
            &headrisk_exact::default_relative_width(),
        )
        .map_err(|error| exact_failure(path, &error))?;
        claims.push(float_claims::enclosure_claim(params, &enclosures, &float));
    }
    let (de_claims, de_shape) = float_claims::shape_claims(params, &float);
    claims.extend(de_claims);
    shapes.push(de_shape);
    claims.push(float_claims::limit_claim(params));

    if params.simulation.is_some() {
        // A simulation that cannot run (a design too ill-conditioned for
        // f64, a memory budget) skips its claims with the reason, so the
        // claims of the other engines are still reported.
        match crate::simulation::run(path, params, true) {
            Ok(simulated) => {
                let noiseless = float.model.noiseless_sizes();
                claims.extend(sim_claims::agreement_claims(
                    params,
                    &simulated,
                    exact.as_ref(),
                    &float,
                ));
                let (mc_claims, mc_shape) = sim_claims::shape_claims(params, &simulated, noiseless);
                claims.extend(mc_claims);
                shapes.push(mc_shape);
                claims.push(
                    sim_claims::trajectory_claim(path, params, &simulated, noiseless)
                        .unwrap_or_else(|error| {
                            Claim::skip(
                                "mc.trajectory",
                                "trajectory sampling is simulated beside independent sampling",
                                without_path(path, &error.0),
                            )
                        }),
                );
            }
            Err(error) => claims.push(Claim::skip(
                "mc",
                "claims of the simulation",
                without_path(path, &error.0),
            )),
        }
    } else {
        claims.push(Claim::skip(
            "mc",
            "claims of the simulation",
            "the parameter set has no [simulation] table",
        ));
    }

    let summary = Summary::of(&claims);
    Ok(CheckReport {
        schema: CHECK_SCHEMA,
        file: path.display().to_string(),
        description: params.description.clone(),
        family: family_name(params),
        samples: params.samples,
        ridge: format_fraction(&params.ridge),
        sizes: SizeSummary {
            count: params.sizes.len(),
            min: params.sizes.first().copied().unwrap_or(0),
            max: params.sizes.last().copied().unwrap_or(0),
        },
        claims,
        shapes,
        summary,
    })
}

/// Grid sizes at which `check` encloses the deterministic equivalent: the
/// whole grid up to [`ENCLOSURE_MAX_SIZES`] sizes, otherwise that many spread
/// evenly over it, always with the sizes next to the interpolation threshold.
pub fn enclosure_sizes(params: &ParameterSet) -> Vec<usize> {
    let sizes = &params.sizes;
    if sizes.len() <= ENCLOSURE_MAX_SIZES {
        return sizes.clone();
    }
    let n = params.samples;
    let mut chosen: Vec<usize> = (0..ENCLOSURE_MAX_SIZES)
        .map(|index| sizes[index * (sizes.len() - 1) / (ENCLOSURE_MAX_SIZES - 1)])
        .chain(sizes.iter().copied().filter(|&p| p + 2 >= n && p <= n + 2))
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// Returns an error message without its leading "path: ", for a claim
/// whose report already names the file.
fn without_path(path: &Path, message: &str) -> String {
    let prefix = format!("{}: ", path.display());
    message.strip_prefix(&prefix).unwrap_or(message).to_string()
}

fn float_failure(path: &Path, error: &headrisk_float::FloatError) -> UsageError {
    UsageError(format!(
        "{}: the float engine cannot evaluate this parameter set: {error}",
        path.display()
    ))
}

fn exact_failure(path: &Path, error: &headrisk_exact::ExactError) -> UsageError {
    UsageError(format!(
        "{}: the exact engine cannot evaluate this parameter set: {error}",
        path.display()
    ))
}

pub fn family_name(params: &ParameterSet) -> &'static str {
    match params.family {
        Family::Hmm(_) => "hmm",
        Family::Isotropic(_) => "isotropic",
    }
}
