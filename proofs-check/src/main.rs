//! `proofs-check`: checks the head-tuning risk claims of a parameter set.
//!
//! Exit codes: 0 when every claim holds, 1 when a claim fails, 2 for invalid
//! input or usage.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let execution = proofs_check::execute(std::env::args_os());
    let _ = std::io::stdout().write_all(execution.stdout.as_bytes());
    let _ = std::io::stderr().write_all(execution.stderr.as_bytes());
    ExitCode::from(execution.exit_code)
}
