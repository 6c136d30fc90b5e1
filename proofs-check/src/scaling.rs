//! The `scaling` subcommand.

use std::path::Path;

use crate::{CurveFormat, Output, UsageError};

pub fn run(
    params: &Path,
    samples: &[usize],
    format: CurveFormat,
    plot: Option<&Path>,
) -> Result<Output, UsageError> {
    let _ = (params, samples, format, plot);
    Err(UsageError("scaling is not built yet".into()))
}
