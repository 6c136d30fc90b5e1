//! The `curve` subcommand: one engine's risk at every grid size.
//!
//! A curve is a list of rows with named value columns. Every value is text,
//! so exact fractions pass through unrounded, floats print at a fixed
//! number of significant digits, and divergence is the word `divergent`.

use std::path::Path;

use headrisk_exact::{FiniteSampleRisk as ExactRisk, NoClosedForm, RiskValue};
use headrisk_float::{FiniteSampleRisk as FloatRisk, Model};
use headrisk_model::number::{format_decimal, format_fraction};
use headrisk_model::{BigRational, Family, NoiselessSizes, ParameterSet, Sampling};
use num_traits::{One, Zero};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::check::family_name;
use crate::numbers::{DECIMAL_DIGITS, float_text};
use crate::{CurveFormat, Engine, Output, UsageError, load_params};

/// Version tag of the JSON curve; bumped on any incompatible change.
pub const CURVE_SCHEMA: &str = "proofs-check/curve/v1";
/// Width of one value column in the human table.
const CELL_WIDTH: usize = 15;
/// Largest number of value columns in the human table, so a line fits in
/// 100 characters next to p and p/n.
const TABLE_COLUMNS: usize = 5;
/// Width of the status column, the length of `divergent`. The `mc` table
/// has four value columns, so with it a line takes 91 characters.
const STATUS_WIDTH: usize = 9;

/// A named value column; `in_table` columns appear in the human table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Column {
    pub name: &'static str,
    #[serde(skip)]
    pub in_table: bool,
}

/// One size of a curve.
#[derive(Debug, Clone)]
pub struct Row {
    pub p: usize,
    /// `finite`, `divergent`, or `no-value`.
    pub status: &'static str,
    /// Reason for the missing value, when `status` is `no-value`.
    pub reason: Option<String>,
    /// One entry per column, `None` where the engine has no value.
    pub values: Vec<Option<String>>,
    /// Whether the values are sample statistics at a size whose expected
    /// risk diverges, kept for reference. The table puts them in parentheses.
    pub reference_only: bool,
}

/// A whole curve with what identifies it.
#[derive(Debug, Clone)]
pub struct Curve {
    pub engine: &'static str,
    pub file: String,
    pub family: &'static str,
    pub samples: usize,
    pub ridge: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Whether the table shows the status as a column. It does for `mc`,
    /// whose cells hold sample statistics even where the risk diverges.
    pub status_column: bool,
}

pub fn run(path: &Path, engine: Engine, format: CurveFormat) -> Result<Output, UsageError> {
    let params = load_params(path)?;
    let curve = build(path, &params, engine)?;
    let text = match format {
        CurveFormat::Table => to_table(&curve),
        CurveFormat::Csv => to_csv(&curve),
        CurveFormat::Json => {
            let mut json = serde_json::to_string_pretty(&to_json(&curve))
                .map_err(|error| UsageError(format!("cannot encode the curve as JSON: {error}")))?;
            json.push('\n');
            json
        }
    };
    Ok(Output { text, exit_code: 0 })
}

/// Computes the curve of one engine.
pub fn build(path: &Path, params: &ParameterSet, engine: Engine) -> Result<Curve, UsageError> {
    let engine_failure = |name: &str, error: &dyn std::fmt::Display| {
        UsageError(format!(
            "{}: the {name} engine cannot evaluate this parameter set: {error}",
            path.display()
        ))
    };
    if matches!(engine, Engine::Exact | Engine::DeExact) {
        if let Some(reason) = crate::check::exact_out_of_reach(params) {
            return Err(UsageError(format!(
                "{}: {reason}; use --engine float or de for this parameter set",
                path.display()
            )));
        }
    }
    let (name, columns, rows) = match engine {
        Engine::Exact => {
            let points = headrisk_exact::finite_sample_curve(params)
                .map_err(|error| engine_failure("exact", &error))?;
            (
                "exact",
                exact_columns(),
                points
                    .iter()
                    .map(|point| exact_row(point, params))
                    .collect(),
            )
        }
        Engine::Float => {
            let model =
                Model::from_parameters(params).map_err(|error| engine_failure("float", &error))?;
            let points = model
                .finite_sample_curve(&params.sizes, params.samples)
                .map_err(|error| engine_failure("float", &error))?;
            // The closed forms hold for the ridgeless head with independent
            // pairs only; elsewhere p ≥ 1 has no finite-sample value.
            let unsupported = if !params.ridge.is_zero() {
                Some("λ > 0 has no finite-sample closed form")
            } else if params.sampling != Sampling::Independent {
                Some("trajectory sampling has no closed form")
            } else {
                None
            };
            let points: Vec<FloatRisk> = points
                .into_iter()
                .map(|risk| match (unsupported, &risk) {
                    (Some(_), FloatRisk::ClosedForm(parts)) if parts.size > 0 => {
                        FloatRisk::NoClosedForm {
                            size: parts.size,
                            irreducible: parts.irreducible,
                        }
                    }
                    _ => risk,
                })
                .collect();
            let reason = unsupported.unwrap_or(
                "the float engine has no closed form for the HMM family at p ≥ n + 2, or at p = n + 1 when σ²_p = 0; the exact engine has one where Σ_x = c·I_p",
            );
            (
                "float",
                float_columns(),
                points
                    .iter()
                    .zip(&params.sizes)
                    .map(|(risk, &p)| float_row(p, risk, reason))
                    .collect(),
            )
        }
        Engine::De => {
            let model =
                Model::from_parameters(params).map_err(|error| engine_failure("float", &error))?;
            let points = model
                .deterministic_equivalent_curve(
                    &params.sizes,
                    params.samples,
                    crate::float_ridge(path, params)?,
                )
                .map_err(|error| engine_failure("float", &error))?;
            ("de", de_columns(), points.iter().map(de_row).collect())
        }
        Engine::Limit => {
            let model =
                Model::from_parameters(params).map_err(|error| engine_failure("float", &error))?;
            let mut rows = Vec::with_capacity(params.sizes.len());
            if !params.ridge.is_zero() {
                let reason = "the proportional limits are stated for the ridgeless head (λ = 0)";
                let rows = params
                    .sizes
                    .iter()
                    .map(|&p| missing_row(p, 1, reason))
                    .collect();
                return Ok(Curve {
                    engine: "limit",
                    file: path.display().to_string(),
                    family: family_name(params),
                    samples: params.samples,
                    ridge: format_fraction(&params.ridge),
                    columns: vec![column("risk", true)],
                    rows,
                    status_column: false,
                });
            }
            for &p in &params.sizes {
                let gamma = p as f64 / params.samples as f64;
                let value = model
                    .limit(gamma)
                    .map_err(|error| engine_failure("float", &error))?;
                rows.push(match value {
                    RiskValue::Finite(risk) => finite_row(p, vec![Some(float_text(risk))]),
                    RiskValue::Divergent => divergent_row(p, 1),
                });
            }
            ("limit", vec![column("risk", true)], rows)
        }
        Engine::Mc => {
            let noiseless = crate::noiseless_sizes(path, params)?;
            let simulated = crate::simulation::run(path, params, true)?;
            let rows = simulated
                .points
                .iter()
                .map(|point| mc_row(point, params, noiseless))
                .collect();
            ("mc", mc_columns(), rows)
        }
        Engine::DeExact => {
            let points = headrisk_exact::enclosure_curve(
                params,
                &params.sizes,
                &params.ridge,
                &headrisk_exact::default_relative_width(),
            )
            .map_err(|error| engine_failure("exact", &error))?;
            (
                "de-exact",
                enclosure_columns(),
                points.iter().map(enclosure_row).collect(),
            )
        }
    };
    Ok(Curve {
        engine: name,
        file: path.display().to_string(),
        family: family_name(params),
        samples: params.samples,
        ridge: format_fraction(&params.ridge),
        columns,
        rows,
        status_column: matches!(engine, Engine::Mc),
    })
}

fn column(name: &'static str, in_table: bool) -> Column {
    Column { name, in_table }
}

fn finite_row(p: usize, values: Vec<Option<String>>) -> Row {
    Row {
        p,
        status: "finite",
        reason: None,
        values,
        reference_only: false,
    }
}

fn divergent_row(p: usize, n_columns: usize) -> Row {
    Row {
        p,
        status: "divergent",
        reason: None,
        values: vec![Some("divergent".into()); n_columns],
        reference_only: false,
    }
}

fn missing_row(p: usize, n_columns: usize, reason: &str) -> Row {
    Row {
        p,
        status: "no-value",
        reason: Some(reason.into()),
        values: vec![None; n_columns],
        reference_only: false,
    }
}

fn exact_columns() -> Vec<Column> {
    ["risk", "irreducible", "bias", "variance"]
        .into_iter()
        .flat_map(|name| [column(name, false), column(decimal_name(name), true)])
        .collect()
}

fn decimal_name(name: &str) -> &'static str {
    match name {
        "risk" => "risk_decimal",
        "irreducible" => "irreducible_decimal",
        "bias" => "bias_decimal",
        _ => "variance_decimal",
    }
}

fn exact_pair(value: &BigRational) -> [Option<String>; 2] {
    [
        Some(format_fraction(value)),
        Some(format_decimal(value, DECIMAL_DIGITS)),
    ]
}

fn exact_row(point: &headrisk_exact::CurvePoint, params: &ParameterSet) -> Row {
    let p = point.population.size;
    match &point.risk {
        ExactRisk::Closed(RiskValue::Finite(risk)) => finite_row(
            p,
            [&risk.total, &risk.irreducible, &risk.bias, &risk.variance]
                .into_iter()
                .flat_map(exact_pair)
                .collect(),
        ),
        ExactRisk::Closed(RiskValue::Divergent) => {
            let mut row = divergent_row(p, 8);
            row.values[2..4].clone_from_slice(&exact_pair(&point.population.irreducible));
            row.values[4..6].clone_from_slice(&threshold_bias(p, params));
            row
        }
        ExactRisk::NoClosedForm(why) => {
            let mut row = missing_row(p, 8, no_closed_form_reason(*why));
            row.values[2..4].clone_from_slice(&exact_pair(&point.population.irreducible));
            row
        }
    }
}

/// Returns the bias at a divergent size, where only the variance diverges:
/// 0 for p ≤ n, where the design has full column rank almost surely, and
/// r²(1 − n/p) at p = n + 1 in the isotropic family. The HMM bias at
/// p = n + 1 has no closed form and is left empty.
fn threshold_bias(p: usize, params: &ParameterSet) -> [Option<String>; 2] {
    let n = params.samples;
    if p <= n {
        return exact_pair(&BigRational::zero());
    }
    match &params.family {
        Family::Isotropic(isotropic) => {
            let unexplained = BigRational::one() - BigRational::new(n.into(), p.into());
            exact_pair(&(&isotropic.signal * unexplained))
        }
        Family::Hmm(_) => [None, None],
    }
}

fn no_closed_form_reason(why: NoClosedForm) -> &'static str {
    match why {
        NoClosedForm::GeneralCovariance => {
            "Σ_x is not a multiple of the identity, which the closed form needs for p ≥ n + 2, and for p = n + 1 when σ²_p = 0"
        }
        NoClosedForm::Ridge => "λ > 0 has no finite-sample closed form",
        NoClosedForm::TrajectorySampling => "trajectory sampling has no closed form",
        _ => "no closed form",
    }
}

fn float_columns() -> Vec<Column> {
    ["risk", "irreducible", "bias", "variance"]
        .into_iter()
        .map(|name| column(name, true))
        .collect()
}

fn float_value(value: &RiskValue<f64>) -> Option<String> {
    Some(match value {
        RiskValue::Finite(value) => float_text(*value),
        RiskValue::Divergent => "divergent".into(),
    })
}

fn float_row(p: usize, risk: &FloatRisk, reason: &str) -> Row {
    match risk {
        FloatRisk::ClosedForm(parts) => Row {
            p,
            status: if parts.total.is_divergent() {
                "divergent"
            } else {
                "finite"
            },
            reason: None,
            values: vec![
                float_value(&parts.total),
                Some(float_text(parts.irreducible)),
                parts.bias.map(float_text),
                float_value(&parts.variance),
            ],
            reference_only: false,
        },
        FloatRisk::NoClosedForm { irreducible, .. } => {
            let mut row = missing_row(p, 4, reason);
            row.values[1] = Some(float_text(*irreducible));
            row
        }
    }
}

fn de_columns() -> Vec<Column> {
    vec![
        column("risk", true),
        column("irreducible", true),
        column("bias", true),
        column("variance", true),
        column("kappa", true),
        column("df1", false),
        column("df2", false),
    ]
}

fn de_row(point: &headrisk_float::DeterministicEquivalent) -> Row {
    Row {
        p: point.size,
        status: if point.risk.is_divergent() {
            "divergent"
        } else {
            "finite"
        },
        reason: None,
        values: vec![
            float_value(&point.risk),
            Some(float_text(point.irreducible)),
            Some(float_text(point.bias)),
            float_value(&point.variance),
            Some(float_text(point.kappa)),
            Some(float_text(point.df1)),
            Some(float_text(point.df2)),
        ],
        reference_only: false,
    }
}

fn mc_columns() -> Vec<Column> {
    vec![
        column("mean", true),
        column("std_error", true),
        column("ci_lower", true),
        column("ci_upper", true),
        column("median", false),
        column("trials", false),
    ]
}

/// Builds the row of one simulated size. For the ridgeless head the status
/// is `divergent` at |p − n| ≤ 1 where σ²_p > 0, because the expected risk
/// is infinite there; the sample statistics are kept for reference.
///
/// The risk is nonnegative, so the lower end of the Student-t interval is
/// clipped at 0. That keeps at least the interval's coverage, and the
/// simulator's `Summary::lower` stays the unclipped mean − t·standard error.
fn mc_row(
    point: &headrisk_simulate::SizeEstimate,
    params: &ParameterSet,
    noiseless: NoiselessSizes,
) -> Row {
    let summary = &point.risk;
    // The claims also leave out 2 ≤ |p − n| ≤ 3, where the expected risk is
    // finite but the mean has no usable standard error.
    let divergent = crate::sim_claims::expected_risk_diverges(point.size, params, noiseless);
    Row {
        p: point.size,
        status: if divergent { "divergent" } else { "finite" },
        reason: None,
        values: vec![
            Some(float_text(summary.mean)),
            Some(float_text(summary.standard_error)),
            Some(float_text(summary.lower.max(0.0))),
            Some(float_text(summary.upper)),
            Some(float_text(summary.median)),
            Some(summary.trials.to_string()),
        ],
        reference_only: divergent,
    }
}

fn enclosure_columns() -> Vec<Column> {
    vec![
        column("risk_lo", false),
        column("risk_hi", false),
        column("risk_lo_decimal", true),
        column("risk_hi_decimal", true),
        column("risk_width", true),
        column("kappa_lo", false),
        column("kappa_hi", false),
        column("kappa_lo_decimal", true),
        column("bisection_steps", true),
    ]
}

fn enclosure_row(point: &headrisk_exact::EnclosurePoint) -> Row {
    match &point.enclosure {
        RiskValue::Divergent => divergent_row(point.size, 9),
        RiskValue::Finite(enclosure) => {
            let decimal = |value: &BigRational| Some(format_decimal(value, DECIMAL_DIGITS));
            finite_row(
                point.size,
                vec![
                    Some(format_fraction(&enclosure.risk.lo)),
                    Some(format_fraction(&enclosure.risk.hi)),
                    decimal(&enclosure.risk.lo),
                    decimal(&enclosure.risk.hi),
                    Some(format_decimal(&enclosure.risk.width(), 3)),
                    Some(format_fraction(&enclosure.kappa.lo)),
                    Some(format_fraction(&enclosure.kappa.hi)),
                    decimal(&enclosure.kappa.lo),
                    Some(enclosure.steps.to_string()),
                ],
            )
        }
    }
}

/// A fixed-width table of the `in_table` columns; full values are in CSV
/// and JSON.
pub fn to_table(curve: &Curve) -> String {
    let mut out = format!(
        "{} curve of {} (family {}, n = {}, λ = {})\n",
        curve.engine, curve.file, curve.family, curve.samples, curve.ridge
    );
    let shown: Vec<usize> = (0..curve.columns.len())
        .filter(|&index| curve.columns[index].in_table)
        .take(TABLE_COLUMNS)
        .collect();
    out.push_str(&format!("{:>7} {:>9}", "p", "p/n"));
    for &index in &shown {
        let name = curve.columns[index].name.trim_end_matches("_decimal");
        out.push_str(&format!(" {name:>CELL_WIDTH$}"));
    }
    if curve.status_column {
        out.push_str(&format!(" {:>STATUS_WIDTH$}", "status"));
    }
    out.push('\n');
    for row in &curve.rows {
        let gamma = BigRational::from_integer(row.p.into())
            / BigRational::from_integer(curve.samples.into());
        out.push_str(&format!("{:>7} {:>9}", row.p, format_decimal(&gamma, 4)));
        for &index in &shown {
            let text = row.values[index].clone().unwrap_or_else(|| "-".into());
            let cell = if row.reference_only {
                format!("({})", shorten(&text, CELL_WIDTH - 2))
            } else {
                shorten(&text, CELL_WIDTH)
            };
            out.push_str(&format!(" {cell:>CELL_WIDTH$}"));
        }
        if curve.status_column {
            out.push_str(&format!(" {:>STATUS_WIDTH$}", row.status));
        }
        out.push('\n');
    }
    if curve.rows.iter().any(|row| row.reference_only) {
        out.push_str(
            "values in parentheses: sample statistics where the expected risk is infinite, for reference only\n",
        );
    }
    out
}

/// Shortens a decimal to `width` characters by dropping trailing digits.
fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    match text.find(['e', 'E']) {
        Some(exponent) => {
            let (mantissa, tail) = text.split_at(exponent);
            let keep = width.saturating_sub(tail.len());
            format!("{}{tail}", mantissa.chars().take(keep).collect::<String>())
        }
        None => text.chars().take(width).collect(),
    }
}

/// CSV with a header row: p, gamma (exact fraction), status, then every column.
pub fn to_csv(curve: &Curve) -> String {
    let mut out = String::from("p,gamma,status");
    for column in &curve.columns {
        out.push(',');
        out.push_str(column.name);
    }
    out.push('\n');
    for row in &curve.rows {
        let gamma = format_fraction(
            &(BigRational::from_integer(row.p.into())
                / BigRational::from_integer(curve.samples.into())),
        );
        out.push_str(&format!("{},{},{}", row.p, gamma, row.status));
        for value in &row.values {
            out.push(',');
            out.push_str(value.as_deref().unwrap_or(""));
        }
        out.push('\n');
    }
    out
}

/// The versioned JSON form: rows carry `p`, `gamma`, `status`, an optional
/// `reason`, and `values` keyed by column name (null where absent).
pub fn to_json(curve: &Curve) -> Value {
    let rows: Vec<Value> = curve
        .rows
        .iter()
        .map(|row| {
            let mut values = Map::new();
            for (column, value) in curve.columns.iter().zip(&row.values) {
                values.insert(
                    column.name.into(),
                    value.clone().map_or(Value::Null, Value::String),
                );
            }
            let gamma = format_fraction(
                &(BigRational::from_integer(row.p.into())
                    / BigRational::from_integer(curve.samples.into())),
            );
            let mut object = Map::new();
            object.insert("p".into(), Value::from(row.p));
            object.insert("gamma".into(), Value::String(gamma));
            object.insert("status".into(), Value::String(row.status.into()));
            if let Some(reason) = &row.reason {
                object.insert("reason".into(), Value::String(reason.clone()));
            }
            object.insert("values".into(), Value::Object(values));
            Value::Object(object)
        })
        .collect();
    serde_json::json!({
        "schema": CURVE_SCHEMA,
        "engine": curve.engine,
        "file": curve.file,
        "family": curve.family,
        "samples": curve.samples,
        "ridge": curve.ridge,
        "columns": curve.columns.iter().map(|column| column.name).collect::<Vec<_>>(),
        "rows": rows,
    })
}
