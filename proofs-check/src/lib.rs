//! The `proofs-check` library: loads a parameter set, runs the risk
//! engines, and checks every claim that applies. The binary is a thin
//! wrapper around [`execute`], which tests call in-process.
//!
//! Exit codes: 0 when every claim holds, 1 when a claim fails (the report
//! says which, with numbers), 2 for invalid input or usage (one line on
//! standard error naming the field, the value and the fix).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub mod check;
pub mod curve;
pub mod exact_claims;
pub mod float_claims;
pub mod numbers;
pub mod plot;
pub mod report;
pub mod scaling;
pub mod shape;
pub mod shape_claims;
pub mod sim_claims;
pub mod simulation;

/// Command-line interface.
#[derive(Debug, Parser)]
#[command(
    name = "proofs-check",
    version,
    about = "Check the head-tuning risk claims of a parameter set with exact and numerical engines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every claim that applies to the parameter set and report PASS, FAIL or SKIP.
    Check {
        /// Parameter file (TOML).
        params: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Print the risk curve of one engine over the size grid.
    Curve {
        /// Parameter file (TOML).
        params: PathBuf,
        /// Engine that computes the curve.
        #[arg(long, value_enum)]
        engine: Engine,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CurveFormat::Table)]
        format: CurveFormat,
    },
    /// Draw the risk against p for every engine as an SVG file.
    Plot {
        /// Parameter file (TOML).
        params: PathBuf,
        /// Output file (.svg).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Use a logarithmic p axis.
        #[arg(long)]
        log_x: bool,
    },
    /// Locate the sweet spot at several sample sizes n, with the other inputs fixed.
    Scaling {
        /// Parameter file (TOML).
        params: PathBuf,
        /// Comma-separated sample sizes n.
        #[arg(long, value_delimiter = ',', required = true)]
        samples: Vec<usize>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CurveFormat::Table)]
        format: CurveFormat,
        /// Also draw p_sweet/n against n to this SVG file.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
}

/// Output formats of `curve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CurveFormat {
    Table,
    Csv,
    Json,
}

/// Engines that `curve` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// Exact rational finite-sample risk (closed forms only).
    Exact,
    /// The same finite-sample risk in f64 through the low-rank path.
    Float,
    /// Deterministic equivalent in f64, any size and ridge strength.
    De,
    /// Certified rational enclosure of the deterministic equivalent.
    DeExact,
    /// Proportional limit at γ = p/n.
    Limit,
    /// Monte Carlo simulation: mean conditional risk over trials.
    Mc,
}

/// A failure that ends the run with exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

/// Output of one invocation: standard output, standard error and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: u8,
}

/// Runs the command line `args` (program name first) and returns its output
/// instead of printing it.
pub fn execute<I, T>(args: I) -> Execution
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let exit_code = if error.use_stderr() { 2 } else { 0 };
            let mut text = error.render().to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let (stdout, stderr) = if exit_code == 0 {
                (text, String::new())
            } else if error.kind()
                == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                (
                    String::new(),
                    "error: a subcommand is required (check, curve, plot or scaling); run `proofs-check --help` for usage\n"
                        .to_string(),
                )
            } else {
                (String::new(), one_line_usage_error(&text))
            };
            return Execution {
                stdout,
                stderr,
                exit_code,
            };
        }
    };

    let outcome = match cli.command {
        Command::Check { params, format } => check::run(&params, format),
        Command::Curve {
            params,
            engine,
            format,
        } => curve::run(&params, engine, format),
        Command::Plot {
            params,
            output,
            log_x,
        } => plot::run(&params, &output, log_x),
        Command::Scaling {
            params,
            samples,
            format,
            plot,
        } => scaling::run(&params, &samples, format, plot.as_deref()),
    };
    match outcome {
        Ok(output) => Execution {
            stdout: output.text,
            stderr: String::new(),
            exit_code: output.exit_code,
        },
        Err(UsageError(message)) => Execution {
            stdout: String::new(),
            stderr: format!("error: {message}\n"),
            exit_code: 2,
        },
    }
}

/// Shortens clap's multi-line usage error to its first line plus a pointer
/// to `--help`, so every invalid invocation ends with one line on standard
/// error, like invalid input does.
fn one_line_usage_error(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    let mut first = lines.next().unwrap_or("error: invalid usage").to_string();
    // "the following required arguments were not provided:" names them on
    // the next line.
    if first.ends_with(':') {
        if let Some(next) = lines.next() {
            first = format!("{first} {next}");
        }
    }
    if let Some(values) = text
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("[possible values"))
    {
        first = format!("{first} {values}");
    }
    let first = if first.starts_with("error:") {
        first
    } else {
        format!("error: {first}")
    };
    format!("{first}; run `proofs-check --help` for usage\n")
}

/// Standard output of a subcommand and its exit code.
#[derive(Debug)]
pub struct Output {
    pub text: String,
    pub exit_code: u8,
}

/// Loads a parameter file, turning any error into a one-line usage error.
pub fn load_params(path: &std::path::Path) -> Result<headrisk_model::ParameterSet, UsageError> {
    headrisk_model::load(path).map_err(|error| UsageError(format!("{}: {error}", path.display())))
}

/// Converts λ to f64 for the floating-point engines and the simulator.
///
/// The deterministic equivalent forms nλ in f64 and is wrong once that
/// product overflows, so every f64 consumer requires nλ below f64::MAX.
/// The exact engines take any λ.
///
/// # Errors
/// A usage error naming `training.ridge`, its exact value and the largest
/// accepted λ at this n.
pub fn float_ridge(
    path: &std::path::Path,
    params: &headrisk_model::ParameterSet,
) -> Result<f64, UsageError> {
    let ridge = headrisk_model::number::to_f64(&params.ridge);
    let samples = params.samples.max(1) as f64;
    if ridge.is_finite() && (samples * ridge).is_finite() {
        return Ok(ridge);
    }
    Err(UsageError(format!(
        "{}: field `training.ridge` = {} is too large for the floating-point engines and the simulator, \
         which need n·λ below {:.1e} (f64::MAX); with n = {} lower the ridge to at most {}",
        path.display(),
        headrisk_model::number::format_value(&params.ridge),
        f64::MAX,
        params.samples,
        round_down(f64::MAX / samples)
    )))
}

/// Writes a positive finite value with two significant digits, rounded
/// towards zero, so that the text never exceeds the value.
fn round_down(value: f64) -> String {
    let exponent = value.log10().floor() as i32;
    let mantissa = (value / 10f64.powi(exponent) * 10.0).floor() / 10.0;
    format!("{mantissa:.1}e{exponent}")
}

/// Decides exactly the sizes where σ²_p = 0, which set what counts as
/// divergent at the interpolation threshold.
pub fn noiseless_sizes(
    path: &std::path::Path,
    params: &headrisk_model::ParameterSet,
) -> Result<headrisk_model::NoiselessSizes, UsageError> {
    headrisk_model::noiseless_sizes(params)
        .map_err(|error| UsageError(format!("{}: {error}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ridge_bound_rounds_down() {
        assert_eq!(round_down(f64::MAX), "1.7e308");
        assert_eq!(round_down(f64::MAX / 2.0), "8.9e307");
        assert_eq!(round_down(f64::MAX / 32.0), "5.6e306");
        assert_eq!(round_down(1.0), "1.0e0");
    }
}
