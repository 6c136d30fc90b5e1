//! The `plot` subcommand.

use std::path::Path;

use crate::{Output, UsageError};

pub fn run(params: &Path, output: &Path, log_x: bool) -> Result<Output, UsageError> {
    let _ = (params, output, log_x);
    Err(UsageError("plot is not built yet".into()))
}
