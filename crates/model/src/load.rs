//! Building a [`ParameterSet`] from TOML text, with every check of validity.

use num_rational::BigRational;
use num_traits::Zero;

use crate::certify::{self, Stability};
use crate::error::ParamError;
use crate::features::{self, DEFAULT_FEATURE_BITS, FeatureMatrix, FeatureSpec, MAX_FEATURE_BITS};
use crate::matrix::RationalMatrix;
use crate::number::{NumberTextError, format_value, parse_exact};
use crate::params::{
    Family, FeatureSource, Hmm, Isotropic, NoiseSource, ParameterSet, Position, Sampling,
    Simulation,
};
use crate::parse::{Source, Table, line_and_column, non_negative};

/// Largest number of sizes in a grid.
pub const MAX_GRID_POINTS: usize = 1_000_000;
/// Largest number of entries of a generated feature matrix (d·P), 8 bytes each.
pub const MAX_FEATURE_ENTRIES: usize = 100_000_000;
/// Largest number of simulation trials.
pub const MAX_TRIALS: usize = 10_000_000;
/// Largest token dimension d (and output dimension k of the isotropic family).
pub const MAX_DIM: usize = 500;

const TOP_KEYS: &[&str] = &[
    "description",
    "family",
    "hmm",
    "isotropic",
    "training",
    "sizes",
    "simulation",
];
const HMM_KEYS: &[&str] = &[
    "dim",
    "transition",
    "noise_variance",
    "noise_covariance",
    "initial_covariance",
    "position",
    "representation_noise",
    "readout",
    "features",
];
const FEATURE_KEYS: &[&str] = &["matrix", "columns", "seed", "unit_norm", "bits"];
const ISOTROPIC_KEYS: &[&str] = &["noise", "signal", "outputs", "max_size", "seed"];
const TRAINING_KEYS: &[&str] = &["samples", "ridge", "sampling"];
const SIZES_KEYS: &[&str] = &["list", "from", "to", "step", "count", "spacing"];
const SIMULATION_KEYS: &[&str] = &["trials", "seed", "sizes"];

/// Reads and validates a parameter file.
///
/// # Errors
/// [`ParamError::Io`] when the file cannot be read, otherwise as [`parse`].
pub fn load(path: &std::path::Path) -> Result<ParameterSet, ParamError> {
    let text = std::fs::read_to_string(path).map_err(|error| ParamError::Io {
        path: path.display().to_string(),
        message: error.to_string(),
    })?;
    parse(&text)
}

/// Parses and validates the TOML text of a parameter set.
///
/// # Errors
/// A [`ParamError`] naming the first offending field, its value and the fix.
pub fn parse(text: &str) -> Result<ParameterSet, ParamError> {
    let document = toml_edit::Document::parse(text).map_err(|error| {
        let (line, column) = line_and_column(text, error.span().map_or(0, |span| span.start));
        // The text at the error (a duplicated key, a stray token) helps
        // find it; keep it short so the message stays on one line.
        let snippet = error
            .span()
            .and_then(|span| text.get(span))
            .map(|snippet| snippet.trim().replace('\n', " "))
            .filter(|snippet| !snippet.is_empty());
        let near = snippet
            .as_deref()
            .map(|snippet| format!(" (at `{}`)", snippet.chars().take(40).collect::<String>()))
            .unwrap_or_default();
        let fix = snippet
            .as_deref()
            .and_then(|snippet| overflow_fix(error.message(), snippet))
            .unwrap_or_default();
        ParamError::Syntax {
            line,
            column,
            message: format!("{}{near}{fix}", error.message().trim().replace('\n', " ")),
        }
    })?;
    let source = Source { text };
    let top = Table {
        path: String::new(),
        inner: document.as_table(),
        source: &source,
    };
    top.check_keys(TOP_KEYS)?;

    let description = top.string("description")?.unwrap_or_default();
    let family_name = top.required(
        "family",
        "write family = \"hmm\" or family = \"isotropic\"",
        Table::string,
    )?;
    let family = match family_name.as_str() {
        "hmm" => {
            if top.contains("isotropic") {
                return Err(ParamError::UnknownKey {
                    table: "a file with family = \"hmm\"".into(),
                    key: "isotropic".into(),
                    valid: TOP_KEYS
                        .iter()
                        .copied()
                        .filter(|key| *key != "isotropic")
                        .collect(),
                });
            }
            let table = top.table("hmm")?.ok_or_else(|| ParamError::MissingKey {
                field: "hmm".into(),
                hint: "family = \"hmm\" needs an [hmm] table".into(),
            })?;
            Family::Hmm(read_hmm(&table)?)
        }
        "isotropic" => {
            if top.contains("hmm") {
                return Err(ParamError::UnknownKey {
                    table: "a file with family = \"isotropic\"".into(),
                    key: "hmm".into(),
                    valid: TOP_KEYS
                        .iter()
                        .copied()
                        .filter(|key| *key != "hmm")
                        .collect(),
                });
            }
            let table = top
                .table("isotropic")?
                .ok_or_else(|| ParamError::MissingKey {
                    field: "isotropic".into(),
                    hint: "family = \"isotropic\" needs an [isotropic] table".into(),
                })?;
            Family::Isotropic(read_isotropic(&table)?)
        }
        other => {
            return Err(ParamError::out_of_range(
                "family",
                format!("\"{other}\""),
                "must be \"hmm\" or \"isotropic\"",
            ));
        }
    };

    let training = top
        .table("training")?
        .ok_or_else(|| ParamError::MissingKey {
            field: "training".into(),
            hint: "add a [training] table with at least `samples = n`".into(),
        })?;
    training.check_keys(TRAINING_KEYS)?;
    let samples_range = "must be ≥ 2, because the risk needs at least two training samples";
    let samples = training.required(
        "samples",
        "set the number of training samples n ≥ 2",
        |table, key| table.size_in(key, samples_range),
    )?;
    if samples < 2 {
        return Err(ParamError::out_of_range(
            "training.samples",
            samples,
            samples_range,
        ));
    }
    let ridge = training.number("ridge")?.unwrap_or_else(BigRational::zero);
    non_negative("training.ridge", &ridge, "use 0 for the ridgeless head")?;
    let sampling = match training.string("sampling")?.as_deref() {
        None | Some("independent") => Sampling::Independent,
        Some("trajectory") => Sampling::Trajectory,
        Some(other) => {
            return Err(ParamError::out_of_range(
                "training.sampling",
                format!("\"{other}\""),
                "must be \"independent\" or \"trajectory\"",
            ));
        }
    };
    if sampling == Sampling::Trajectory && matches!(family, Family::Isotropic(_)) {
        return Err(ParamError::out_of_range(
            "training.sampling",
            "\"trajectory\"",
            "needs family = \"hmm\", because the isotropic family has no sequence of tokens; use \"independent\" or remove the key",
        ));
    }

    let max_size = family.max_size();
    let sizes = match top.table("sizes")? {
        Some(table) => read_sizes(&table, max_size)?,
        None if max_size >= MAX_GRID_POINTS => {
            return Err(ParamError::MissingKey {
                field: "sizes".into(),
                hint: format!(
                    "the default grid 0..={max_size} would have more than {MAX_GRID_POINTS} sizes; add a [sizes] table with a step, a count or a list"
                ),
            });
        }
        None => (0..=max_size).collect(),
    };
    if let Some(&largest) = sizes.last() {
        if largest > max_size {
            return Err(ParamError::SizeBeyondFeatures {
                size: largest,
                columns: max_size,
            });
        }
    }
    if let Family::Hmm(hmm) = &family {
        check_rank(hmm, &sizes)?;
    }

    let simulation = match top.table("simulation")? {
        None => None,
        Some(table) => {
            table.check_keys(SIMULATION_KEYS)?;
            let trials_range = format!("must be between 2 (for a standard error) and {MAX_TRIALS}");
            let too_many = format!(
                "must be at most {MAX_TRIALS}, because every trial keeps its risks in memory"
            );
            let trials = table
                .size_at_most("trials", &trials_range, MAX_TRIALS, &too_many)?
                .unwrap_or(200);
            if trials < 2 {
                return Err(ParamError::out_of_range(
                    "simulation.trials",
                    trials,
                    trials_range,
                ));
            }
            let seed = table.integer("seed")?.unwrap_or(0);
            Some(Simulation { trials, seed })
        }
    };
    let simulation_sizes = match top.table("simulation")? {
        None => None,
        Some(table) => match table.integer_list("sizes")? {
            None => None,
            Some(list) => Some(read_simulation_sizes(list, &sizes)?),
        },
    };

    let params = ParameterSet {
        description,
        family,
        samples,
        ridge,
        sampling,
        sizes,
        simulation,
        simulation_sizes,
    };
    // Every engine needs this decision, so a parameter set where it is out
    // of reach is rejected here, with the field to change.
    crate::noiseless::noiseless_sizes(&params)?;
    Ok(params)
}

/// Maximum length of a number that [`overflow_fix`] echoes in full.
const MAX_ECHOED_NUMBER_CHARS: usize = 40;

/// Returns the fix for a bare TOML number beyond the range of its type, or
/// `None` for any other syntax error. toml_edit 0.25 stores a TOML float as an
/// `f64` and an integer as an `i64`, and reports a number beyond that range
/// as a syntax error. The same number written as a string is read exactly,
/// up to the exponent limit [`crate::number::MAX_DECIMAL_EXPONENT`].
fn overflow_fix(message: &str, number: &str) -> Option<String> {
    let range = if message.contains("floating-point number overflowed") {
        "f64"
    } else if message.contains("integer number overflowed") {
        "a 64-bit integer"
    } else {
        return None;
    };
    match parse_exact(number) {
        Ok(_) if number.chars().count() <= MAX_ECHOED_NUMBER_CHARS => Some(format!(
            "; {number} exceeds the range of {range}, so write it as the string \"{number}\", which is read exactly"
        )),
        Ok(_) => Some(format!(
            "; the number exceeds the range of {range}, so write it in quotes as a string, which is read exactly"
        )),
        Err(NumberTextError::Invalid(reason)) => Some(format!(
            "; the number exceeds the range of {range} and cannot be written as a string either, because {reason}; rescale the parameter set"
        )),
        Err(NumberTextError::NotFinite) => None,
    }
}

/// Simulation sizes must be an increasing, non-empty subset of the grid, so
/// every simulated size has the other engines' values beside it.
fn read_simulation_sizes(list: Vec<u64>, sizes: &[usize]) -> Result<Vec<usize>, ParamError> {
    if list.is_empty() {
        return Err(ParamError::dimension(
            "simulation.sizes",
            "at least one size",
            "an empty list",
        ));
    }
    let mut chosen: Vec<usize> = Vec::with_capacity(list.len());
    for (index, size) in list.into_iter().enumerate() {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let field = format!("simulation.sizes[{index}]");
        if sizes.binary_search(&size).is_err() {
            return Err(ParamError::out_of_range(
                field,
                size,
                "must be one of the grid sizes in [sizes]",
            ));
        }
        if chosen.last().is_some_and(|&previous| size <= previous) {
            return Err(ParamError::out_of_range(
                field,
                size,
                "must exceed the previous size; list sizes in increasing order",
            ));
        }
        chosen.push(size);
    }
    Ok(chosen)
}

fn read_hmm(table: &Table<'_>) -> Result<Hmm, ParamError> {
    table.check_keys(HMM_KEYS)?;
    let dim_range = format!("must be between 1 and {MAX_DIM}");
    let dim = table.required("dim", "set the token dimension d ≥ 1", |table, key| {
        table.size_at_most(key, &dim_range, MAX_DIM, &dim_range)
    })?;
    if dim == 0 {
        return Err(ParamError::out_of_range("hmm.dim", dim, dim_range));
    }
    let square = format!("{dim}×{dim}");

    let transition = table.required(
        "transition",
        "give the d×d transition matrix A as an array of rows",
        Table::matrix,
    )?;
    check_shape("hmm.transition", &transition, dim, dim)?;

    let (noise_covariance, noise_source) = match (
        table.number("noise_variance")?,
        table.matrix("noise_covariance")?,
    ) {
        (Some(_), Some(_)) => {
            return Err(ParamError::Conflict {
                field: "hmm.noise_covariance".into(),
                other: "hmm.noise_variance".into(),
                fix: "give only one of them".into(),
            });
        }
        (Some(variance), None) => {
            non_negative(
                "hmm.noise_variance",
                &variance,
                "a variance cannot be negative",
            )?;
            (
                RationalMatrix::scaled_identity(dim, &variance),
                NoiseSource::Variance,
            )
        }
        (None, Some(covariance)) => {
            check_shape("hmm.noise_covariance", &covariance, dim, dim)?;
            check_covariance("hmm.noise_covariance", &covariance)?;
            (covariance, NoiseSource::Covariance)
        }
        (None, None) => {
            return Err(ParamError::MissingKey {
                field: "hmm.noise_variance".into(),
                hint: format!(
                    "give the innovation variance σ_ε² (Q = σ_ε² I) or a {square} noise_covariance"
                ),
            });
        }
    };

    let initial_covariance = match table.matrix("initial_covariance")? {
        None => RationalMatrix::identity(dim),
        Some(covariance) => {
            check_shape("hmm.initial_covariance", &covariance, dim, dim)?;
            check_covariance("hmm.initial_covariance", &covariance)?;
            covariance
        }
    };

    let position_range = "must be an integer t ≥ 1 or \"stationary\"";
    let position = match table.integer_or_word("position", position_range)? {
        None => {
            return Err(ParamError::MissingKey {
                field: "hmm.position".into(),
                hint: "write position = \"stationary\" or an integer t ≥ 1".into(),
            });
        }
        Some(Ok(0)) => {
            return Err(ParamError::out_of_range("hmm.position", 0, position_range));
        }
        Some(Ok(step)) => Position::Step(step),
        Some(Err(word)) if word == "stationary" => Position::Stationary,
        Some(Err(word)) => {
            return Err(ParamError::out_of_range(
                "hmm.position",
                format!("\"{word}\""),
                position_range,
            ));
        }
    };
    if position == Position::Stationary {
        match certify::stability(&transition) {
            Stability::Stable => {}
            Stability::Unstable(detail) | Stability::Undecided(detail) => {
                return Err(ParamError::Unstable { detail });
            }
        }
    }

    let representation_noise = table.required(
        "representation_noise",
        "set the representation noise variance σ_u² ≥ 0",
        Table::number,
    )?;
    non_negative(
        "hmm.representation_noise",
        &representation_noise,
        "a variance cannot be negative",
    )?;

    let readout = match table.matrix("readout")? {
        None => RationalMatrix::identity(dim),
        Some(readout) => {
            if readout.n_cols() != dim {
                return Err(ParamError::dimension(
                    "hmm.readout",
                    format!("k×{dim} (one column per token coordinate)"),
                    format!("{}×{}", readout.n_rows(), readout.n_cols()),
                ));
            }
            readout
        }
    };

    let feature_table = table
        .table("features")?
        .ok_or_else(|| ParamError::MissingKey {
            field: "hmm.features".into(),
            hint: "add [hmm.features] with an explicit `matrix` or with `columns` and `seed`"
                .into(),
        })?;
    let (features, feature_source) = read_features(&feature_table, dim)?;

    Ok(Hmm {
        dim,
        transition,
        noise_covariance,
        noise_source,
        initial_covariance,
        position,
        representation_noise,
        features,
        readout,
        feature_source,
    })
}

fn read_features(
    table: &Table<'_>,
    dim: usize,
) -> Result<(FeatureMatrix, FeatureSource), ParamError> {
    table.check_keys(FEATURE_KEYS)?;
    if let Some(matrix) = table.matrix("matrix")? {
        if let Some(key) = ["columns", "seed", "unit_norm", "bits"]
            .into_iter()
            .find(|key| table.contains(key))
        {
            return Err(ParamError::Conflict {
                field: format!("hmm.features.{key}"),
                other: "hmm.features.matrix".into(),
                fix: "give an explicit matrix or generation settings, not both".into(),
            });
        }
        if matrix.n_rows() != dim {
            return Err(ParamError::dimension(
                "hmm.features.matrix",
                format!("{dim}×P (one row per token coordinate)"),
                format!("{}×{}", matrix.n_rows(), matrix.n_cols()),
            ));
        }
        return Ok((
            FeatureMatrix::from_rational(matrix),
            FeatureSource::Explicit,
        ));
    }

    let columns_range = format!("must be ≥ 1 with d·P ≤ {MAX_FEATURE_ENTRIES}");
    let columns = table.required(
        "columns",
        "give the number of generated columns P, or an explicit `matrix`",
        |table, key| {
            table.size_at_most(
                key,
                &columns_range,
                MAX_FEATURE_ENTRIES / dim,
                &columns_range,
            )
        },
    )?;
    if columns == 0 {
        return Err(ParamError::out_of_range(
            "hmm.features.columns",
            columns,
            columns_range,
        ));
    }
    let seed = table.required(
        "seed",
        "give the seed of the generated feature matrix",
        Table::integer,
    )?;
    let unit_norm = table.boolean("unit_norm")?.unwrap_or(false);
    let bits_range = format!("must be between 1 and {MAX_FEATURE_BITS}");
    let bits = table
        .size_at_most("bits", &bits_range, MAX_FEATURE_BITS as usize, &bits_range)?
        .unwrap_or(DEFAULT_FEATURE_BITS as usize);
    if bits == 0 {
        return Err(ParamError::out_of_range(
            "hmm.features.bits",
            bits,
            bits_range,
        ));
    }
    let spec = FeatureSpec {
        columns,
        seed,
        unit_norm,
        bits: bits as u32,
    };
    Ok((
        features::generate(dim, &spec),
        FeatureSource::Generated(spec),
    ))
}

fn read_isotropic(table: &Table<'_>) -> Result<Isotropic, ParamError> {
    table.check_keys(ISOTROPIC_KEYS)?;
    let noise = table.required(
        "noise",
        "set the total noise variance σ² ≥ 0",
        Table::number,
    )?;
    non_negative("isotropic.noise", &noise, "a variance cannot be negative")?;
    let signal = table.required(
        "signal",
        "set the signal strength r² = ‖B‖²_F ≥ 0",
        Table::number,
    )?;
    non_negative("isotropic.signal", &signal, "r² is a squared norm")?;
    let outputs_range = format!("must be between 1 and {MAX_DIM}");
    let outputs = table
        .size_at_most("outputs", &outputs_range, MAX_DIM, &outputs_range)?
        .unwrap_or(1);
    if outputs == 0 {
        return Err(ParamError::out_of_range(
            "isotropic.outputs",
            outputs,
            outputs_range,
        ));
    }
    let max_size = table.required("max_size", "set the largest model size P", Table::size)?;
    let seed = table.integer("seed")?.unwrap_or(0);
    Ok(Isotropic {
        noise,
        signal,
        outputs,
        max_size,
        seed,
    })
}

fn read_sizes(table: &Table<'_>, max_size: usize) -> Result<Vec<usize>, ParamError> {
    table.check_keys(SIZES_KEYS)?;
    if let Some(list) = table.integer_list("list")? {
        if let Some(key) = ["from", "to", "step", "count", "spacing"]
            .into_iter()
            .find(|key| table.contains(key))
        {
            return Err(ParamError::Conflict {
                field: format!("sizes.{key}"),
                other: "sizes.list".into(),
                fix: "give a list or a range, not both".into(),
            });
        }
        let mut sizes = Vec::with_capacity(list.len());
        for (index, size) in list.into_iter().enumerate() {
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            if size > max_size {
                return Err(ParamError::SizeBeyondFeatures {
                    size,
                    columns: max_size,
                });
            }
            if let Some(&previous) = sizes.last() {
                if size <= previous {
                    return Err(ParamError::out_of_range(
                        format!("sizes.list[{index}]"),
                        size,
                        format!(
                            "must exceed the previous size {previous}; list sizes in increasing order"
                        ),
                    ));
                }
            }
            sizes.push(size);
        }
        if sizes.is_empty() {
            return Err(ParamError::dimension(
                "sizes.list",
                "at least one size",
                "an empty list",
            ));
        }
        return Ok(sizes);
    }

    let from = table.size("from")?.unwrap_or(0);
    let to = table.size("to")?.unwrap_or(max_size);
    if to > max_size {
        return Err(ParamError::SizeBeyondFeatures {
            size: to,
            columns: max_size,
        });
    }
    if from > to {
        return Err(ParamError::out_of_range(
            "sizes.from",
            from,
            format!("must be ≤ sizes.to = {to}"),
        ));
    }
    let spacing = table.string("spacing")?;
    let count_range = format!("must be between 1 and {MAX_GRID_POINTS}");
    let count = table.size_at_most("count", &count_range, MAX_GRID_POINTS, &count_range)?;
    let step = table.size_in("step", "must be ≥ 1")?;

    match (step, count) {
        (Some(_), Some(_)) => Err(ParamError::Conflict {
            field: "sizes.count".into(),
            other: "sizes.step".into(),
            fix: "give a step or a count, not both".into(),
        }),
        (step, None) => {
            if spacing.is_some() {
                return Err(ParamError::MissingKey {
                    field: "sizes.count".into(),
                    hint: "sizes.spacing needs sizes.count, the number of grid points".into(),
                });
            }
            let step = step.unwrap_or(1);
            if step == 0 {
                return Err(ParamError::out_of_range("sizes.step", 0, "must be ≥ 1"));
            }
            let n_points = (to - from) / step + 1;
            if n_points > MAX_GRID_POINTS {
                return Err(ParamError::out_of_range(
                    "sizes.step",
                    step,
                    format!(
                        "gives {n_points} sizes, more than {MAX_GRID_POINTS}; use a larger step"
                    ),
                ));
            }
            Ok((from..=to).step_by(step).collect())
        }
        (None, Some(count)) => {
            if count == 0 || count > MAX_GRID_POINTS {
                return Err(ParamError::out_of_range("sizes.count", count, count_range));
            }
            let logarithmic = match spacing.as_deref() {
                None | Some("linear") => false,
                Some("log") => true,
                Some(other) => {
                    return Err(ParamError::out_of_range(
                        "sizes.spacing",
                        format!("\"{other}\""),
                        "must be \"linear\" or \"log\"",
                    ));
                }
            };
            if logarithmic && from == 0 {
                return Err(ParamError::out_of_range(
                    "sizes.from",
                    0,
                    "must be ≥ 1 with spacing = \"log\"; a logarithmic grid cannot start at 0",
                ));
            }
            Ok(grid_points(from, to, count, logarithmic))
        }
    }
}

/// `count` points from `from` to `to` inclusive, evenly spaced on a linear or
/// logarithmic scale, rounded to integers and deduplicated.
///
/// Rounding goes through `f64`, which only places grid points; no computed
/// value depends on it.
fn grid_points(from: usize, to: usize, count: usize, logarithmic: bool) -> Vec<usize> {
    if count == 1 {
        return vec![from];
    }
    let mut points = Vec::with_capacity(count);
    for index in 0..count {
        let fraction = index as f64 / (count - 1) as f64;
        let point = if logarithmic {
            ((from as f64).ln() + fraction * ((to as f64).ln() - (from as f64).ln())).exp()
        } else {
            from as f64 + fraction * (to - from) as f64
        };
        let point = (point.round() as usize).clamp(from, to);
        if points.last() != Some(&point) {
            points.push(point);
        }
    }
    if points.last() != Some(&to) {
        points.push(to);
    }
    points
}

fn check_shape(
    field: &str,
    matrix: &RationalMatrix,
    n_rows: usize,
    n_cols: usize,
) -> Result<(), ParamError> {
    if matrix.n_rows() != n_rows || matrix.n_cols() != n_cols {
        return Err(ParamError::dimension(
            field,
            format!("{n_rows}×{n_cols} (d = hmm.dim = {n_rows})"),
            format!("{}×{}", matrix.n_rows(), matrix.n_cols()),
        ));
    }
    Ok(())
}

fn check_covariance(field: &str, matrix: &RationalMatrix) -> Result<(), ParamError> {
    if let Some((row, col)) = matrix.first_asymmetry() {
        return Err(ParamError::NotSymmetric {
            field: field.into(),
            row,
            col,
        });
    }
    for i in 0..matrix.n_rows() {
        non_negative(
            &format!("{field}[{i}][{i}]"),
            matrix.get(i, i),
            "a variance cannot be negative",
        )?;
    }
    if let Some((pivot, value)) = certify::first_negative_pivot(matrix) {
        return Err(ParamError::NotPositiveSemidefinite {
            field: field.into(),
            pivot,
            value: format_value(&value),
        });
    }
    Ok(())
}

/// With σ_u² = 0, Σ_x = W_pᵀ Σ W_p is singular once p exceeds rank W_p.
fn check_rank(hmm: &Hmm, sizes: &[usize]) -> Result<(), ParamError> {
    if !hmm.representation_noise.is_zero() {
        return Ok(());
    }
    let Some(&largest) = sizes.last() else {
        return Ok(());
    };
    // Rank W_p ≤ d, so only the first d + 1 columns can be independent.
    let through = largest.min(hmm.dim + 1);
    let prefix = hmm.features.leading_columns(through);
    let (independent, _) = certify::leading_column_rank(&prefix, through);
    if let Some(&size) = sizes.iter().find(|&&size| size > independent) {
        let checked = size.min(hmm.dim + 1);
        let (_, rank) =
            certify::leading_column_rank(&hmm.features.leading_columns(checked), checked);
        return Err(ParamError::RankDeficient { size, rank });
    }
    Ok(())
}
