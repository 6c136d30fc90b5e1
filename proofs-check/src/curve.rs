//! The `curve` subcommand: one engine's risk at every grid size.

use std::path::Path;

use headrisk_exact::{FiniteSampleRisk, NoClosedForm, RiskValue};
use headrisk_model::number::format_fraction;
use headrisk_model::{BigRational, ParameterSet};
use serde::Serialize;

use crate::check::family_name;
use crate::numbers::ExactText;
use crate::report::TABLE_WIDTH;
use crate::{CurveFormat, Engine, Output, UsageError, load_params};

/// Version tag of the JSON curve; bumped on any incompatible change.
pub const CURVE_SCHEMA: &str = "proofs-check/curve/v1";

/// One size of a curve. Values are text: exact fractions with decimals for
/// the exact engine, so that nothing is rounded on the way out.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub p: usize,
    /// γ = p/n as an exact fraction.
    pub gamma: String,
    /// `finite`, `divergent`, or `no-closed-form`.
    pub status: &'static str,
    /// Why there is no value, when `status` is `no-closed-form`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    pub risk: Option<ExactText>,
    pub irreducible: Option<ExactText>,
    pub bias: Option<ExactText>,
    pub variance: Option<ExactText>,
}

/// A whole curve with what identifies it.
#[derive(Debug, Clone, Serialize)]
pub struct Curve {
    pub schema: &'static str,
    pub engine: &'static str,
    pub file: String,
    pub family: &'static str,
    pub samples: usize,
    pub ridge: String,
    pub rows: Vec<Row>,
}

pub fn run(path: &Path, engine: Engine, format: CurveFormat) -> Result<Output, UsageError> {
    let params = load_params(path)?;
    let curve = match engine {
        Engine::Exact => exact_curve(path, &params)?,
    };
    let text = match format {
        CurveFormat::Table => to_table(&curve),
        CurveFormat::Csv => to_csv(&curve),
        CurveFormat::Json => {
            let mut json = serde_json::to_string_pretty(&curve)
                .map_err(|error| UsageError(format!("cannot encode the curve as JSON: {error}")))?;
            json.push('\n');
            json
        }
    };
    Ok(Output { text, exit_code: 0 })
}

fn exact_curve(path: &Path, params: &ParameterSet) -> Result<Curve, UsageError> {
    let points = headrisk_exact::finite_sample_curve(params).map_err(|error| {
        UsageError(format!(
            "{}: the exact engine cannot evaluate this parameter set: {error}",
            path.display()
        ))
    })?;
    let n = BigRational::from_integer(params.samples.into());
    let rows = points
        .iter()
        .map(|point| {
            let p = point.population.size;
            let gamma = format_fraction(&(BigRational::from_integer(p.into()) / &n));
            let irreducible = Some(ExactText::of(&point.population.irreducible));
            match &point.risk {
                FiniteSampleRisk::Closed(RiskValue::Finite(risk)) => Row {
                    p,
                    gamma,
                    status: "finite",
                    reason: None,
                    risk: Some(ExactText::of(&risk.total)),
                    irreducible,
                    bias: Some(ExactText::of(&risk.bias)),
                    variance: Some(ExactText::of(&risk.variance)),
                },
                FiniteSampleRisk::Closed(RiskValue::Divergent) => Row {
                    p,
                    gamma,
                    status: "divergent",
                    reason: None,
                    risk: None,
                    irreducible,
                    bias: None,
                    variance: None,
                },
                FiniteSampleRisk::NoClosedForm(why) => Row {
                    p,
                    gamma,
                    status: "no-closed-form",
                    reason: Some(no_closed_form_reason(*why)),
                    risk: None,
                    irreducible,
                    bias: None,
                    variance: None,
                },
            }
        })
        .collect();
    Ok(Curve {
        schema: CURVE_SCHEMA,
        engine: "exact",
        file: path.display().to_string(),
        family: family_name(params),
        samples: params.samples,
        ridge: format_fraction(&params.ridge),
        rows,
    })
}

fn no_closed_form_reason(why: NoClosedForm) -> &'static str {
    match why {
        NoClosedForm::GeneralCovariance => "p ≥ n + 2 and Σ_x is not a multiple of the identity",
        NoClosedForm::Ridge => "λ > 0 has no finite-sample closed form",
        NoClosedForm::TrajectorySampling => "trajectory sampling has no closed form",
        _ => "no closed form",
    }
}

fn cell(value: &Option<ExactText>, status: &str) -> String {
    match value {
        Some(value) => value.decimal.clone(),
        None if status == "divergent" => "divergent".into(),
        None => "-".into(),
    }
}

/// A fixed-width table of decimals; exact fractions are in CSV and JSON.
pub fn to_table(curve: &Curve) -> String {
    let mut out = format!(
        "{} curve of {} (family {}, n = {}, λ = {})\n",
        curve.engine, curve.file, curve.family, curve.samples, curve.ridge
    );
    let header = format!(
        "{:>7} {:>9} {:>19} {:>19} {:>19} {:>19}",
        "p", "p/n", "risk", "irreducible", "bias", "variance"
    );
    debug_assert!(header.chars().count() <= TABLE_WIDTH);
    out.push_str(&header);
    out.push('\n');
    for row in &curve.rows {
        let gamma = BigRational::from_integer(row.p.into())
            / BigRational::from_integer(curve.samples.into());
        out.push_str(&format!(
            "{:>7} {:>9} {:>19} {:>19} {:>19} {:>19}\n",
            row.p,
            headrisk_model::number::format_decimal(&gamma, 4),
            truncate(&cell(&row.risk, row.status)),
            truncate(&cell(&row.irreducible, row.status)),
            truncate(&cell(&row.bias, row.status)),
            truncate(&cell(&row.variance, row.status)),
        ));
    }
    out
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= 19 {
        text.to_string()
    } else {
        text.chars().take(18).collect::<String>() + "…"
    }
}

/// CSV with a header; exact columns hold fractions, `_decimal` columns
/// their decimals, and divergence is the word `divergent`.
pub fn to_csv(curve: &Curve) -> String {
    let mut out = String::from(
        "p,gamma,status,risk,risk_decimal,irreducible,irreducible_decimal,bias,bias_decimal,variance,variance_decimal\n",
    );
    for row in &curve.rows {
        let pair = |value: &Option<ExactText>| match value {
            Some(value) => format!("{},{}", value.exact, value.decimal),
            None if row.status == "divergent" => "divergent,divergent".into(),
            None => ",".into(),
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            row.p,
            row.gamma,
            row.status,
            pair(&row.risk),
            pair(&row.irreducible),
            pair(&row.bias),
            pair(&row.variance)
        ));
    }
    out
}
