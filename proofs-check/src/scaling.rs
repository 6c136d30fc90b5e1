//! The `scaling` subcommand: the sweet spot at several sample sizes n, and
//! whether the first descent is degenerate in the proportional sense.
//!
//! Each n replaces `training.samples` and keeps every other input, the size
//! grid included. The sweet spot is the smallest p that minimises the risk
//! over the grid sizes 0 ≤ p ≤ n − 2 (as in [`crate::shape`]), so only those
//! sizes are computed. The exact engine runs when
//! [`crate::check::exact_out_of_reach`] allows it and has a closed form at
//! every one of those sizes. Otherwise the deterministic equivalent computes
//! the row, and the row records the reason.
//!
//! Verdict rule. A row is usable when its grid reaches n − 2 (its largest
//! size is at least n − 2) and it has a sweet spot, because otherwise the
//! minimum may lie past the grid. With fewer than two usable rows the
//! verdict is undecided. Otherwise the first descent is degenerate in the
//! proportional sense when p_sweet = 0 at every usable n, or when
//! p_sweet/n never rises from one usable n to the next and the last value
//! is below the first. Any other sequence is not degenerate. Ratios are
//! compared exactly, as integers.

use std::path::Path;

use headrisk_float::Model;
use headrisk_model::number::{format_decimal, format_fraction};
use headrisk_model::{BigRational, ParameterSet, RiskValue};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use crate::check::{exact_out_of_reach, family_name};
use crate::exact_claims::ExactRun;
use crate::numbers::{DECIMAL_DIGITS, float_text};
use crate::plot::{
    FONT, MARK_COLOR, axis_number, check_svg_path, draw_title, log_key_points, write_svg,
};
use crate::shape::{self, ExactOrder, FloatOrder, Point};
use crate::{CurveFormat, Output, UsageError, load_params};

/// Version tag of the JSON output, bumped on any incompatible change.
pub const SCALING_SCHEMA: &str = "proofs-check/scaling/v1";

/// The verdict rule as printed in the table and JSON.
pub const VERDICT_RULE: &str = "degenerate when p_sweet = 0 at every usable n, or when p_sweet/n \
never rises from one usable n to the next and ends below its first value; not degenerate \
otherwise; undecided with fewer than two usable n. A row is usable when its grid reaches \
n − 2 and it has a sweet spot.";

/// Width of the human table's lines, in characters.
const TABLE_WIDTH: usize = 100;

/// One sample size n.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingRow {
    pub samples: usize,
    /// `exact` or `de` (deterministic equivalent).
    pub engine: &'static str,
    /// Reason the exact engine did not compute this row.
    pub engine_reason: Option<String>,
    /// Whether the largest grid size is at least n − 2.
    pub grid_reaches: bool,
    /// Smallest p minimising the risk over the grid sizes 0 ≤ p ≤ n − 2.
    pub sweet_spot: Option<usize>,
    /// p_sweet/n as an exact fraction.
    pub sweet_spot_ratio: Option<String>,
    pub sweet_spot_ratio_decimal: Option<String>,
    /// R(p_sweet): an exact fraction from the exact engine, a decimal from
    /// the deterministic equivalent.
    pub sweet_spot_risk: Option<String>,
    pub sweet_spot_risk_decimal: Option<String>,
    /// R(0), when the grid has p = 0.
    pub empty_head_risk: Option<String>,
    pub empty_head_risk_decimal: Option<String>,
    /// Whether the row enters the verdict (see the module documentation).
    pub usable: bool,
    /// Reason the row has no sweet spot or is not usable.
    pub note: Option<String>,
}

/// The verdict on the first descent in the proportional sense.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// `degenerate`, `not-degenerate` or `undecided`.
    pub status: &'static str,
    pub degenerate: Option<bool>,
    /// The figures behind the verdict.
    pub reason: String,
    pub rule: &'static str,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingReport {
    pub schema: &'static str,
    pub file: String,
    pub family: &'static str,
    pub ridge: String,
    pub sizes: usize,
    pub rows: Vec<ScalingRow>,
    pub verdict: Verdict,
    /// The SVG file written by `--plot`.
    pub plot: Option<String>,
}

pub fn run(
    path: &Path,
    samples: &[usize],
    format: CurveFormat,
    plot: Option<&Path>,
) -> Result<Output, UsageError> {
    check_samples(samples)?;
    if let Some(plot) = plot {
        check_svg_path(plot, "--plot")?;
    }
    let params = load_params(path)?;
    if let Some(&largest) = samples.last() {
        // The largest n allows the smallest λ, so it is checked before any row.
        let mut widest = params.clone();
        widest.samples = largest;
        crate::float_ridge(path, &widest)?;
    }
    let model = Model::from_parameters(&params).map_err(|error| {
        UsageError(format!(
            "{}: the float engine cannot evaluate this parameter set: {error}",
            path.display()
        ))
    })?;
    let mut rows = Vec::with_capacity(samples.len());
    for &n in samples {
        rows.push(row_at(path, &params, &model, n)?);
    }
    let verdict = verdict(&rows);
    let report = ScalingReport {
        schema: SCALING_SCHEMA,
        file: path.display().to_string(),
        family: family_name(&params),
        ridge: format_fraction(&params.ridge),
        sizes: params.sizes.len(),
        rows,
        verdict,
        plot: plot.map(|plot| plot.display().to_string()),
    };
    if let Some(plot) = plot {
        let svg = render(&report)
            .map_err(|error| UsageError(format!("cannot draw the plot: {error}")))?;
        write_svg(plot, &svg)?;
    }
    let text = match format {
        CurveFormat::Table => to_table(&report, &params),
        CurveFormat::Csv => to_csv(&report),
        CurveFormat::Json => {
            let mut json = serde_json::to_string_pretty(&report).map_err(|error| {
                UsageError(format!("cannot encode the report as JSON: {error}"))
            })?;
            json.push('\n');
            json
        }
    };
    Ok(Output { text, exit_code: 0 })
}

/// Rejects an empty list, n < 2, and a list that is not strictly increasing.
fn check_samples(samples: &[usize]) -> Result<(), UsageError> {
    if samples.is_empty() {
        return Err(UsageError(
            "--samples is empty; give sample sizes n ≥ 2 separated by commas, \
             for example --samples 50,100,200"
                .into(),
        ));
    }
    if let Some(&small) = samples.iter().find(|&&n| n < 2) {
        return Err(UsageError(format!(
            "--samples contains n = {small}, but every sample size must be at least 2"
        )));
    }
    for pair in samples.windows(2) {
        if pair[1] == pair[0] {
            return Err(UsageError(format!(
                "--samples lists n = {} twice; give each sample size once, in increasing order",
                pair[0]
            )));
        }
        if pair[1] < pair[0] {
            return Err(UsageError(format!(
                "--samples has {} after {}; list the sample sizes in increasing order",
                pair[1], pair[0]
            )));
        }
    }
    Ok(())
}

/// The risk at the grid sizes 0 ≤ p ≤ n − 2 from one engine.
enum Curve {
    Exact(Vec<(usize, Point<BigRational>)>),
    Equivalent(Vec<(usize, Point<f64>)>),
}

/// Computes the row of one sample size n.
fn row_at(
    path: &Path,
    params: &ParameterSet,
    model: &Model,
    n: usize,
) -> Result<ScalingRow, UsageError> {
    let mut restricted = params.clone();
    restricted.samples = n;
    restricted.sizes.retain(|&p| p + 2 <= n);
    restricted.simulation_sizes = None;
    let largest = params.sizes.last().copied().unwrap_or(0);
    let grid_reaches = largest + 2 >= n;

    let (curve, engine_reason) = exact_or_equivalent(path, &restricted, model)?;
    let (engine, sweet_spot, sweet_value, empty_value) = match &curve {
        Curve::Exact(points) => {
            let sweet = shape::analyze(points, n, &ExactOrder).sweet_spot;
            let text = |size: usize| {
                finite_at(points, size).map(|value| (format_fraction(value), exact_decimal(value)))
            };
            ("exact", sweet, sweet.and_then(text), text(0))
        }
        Curve::Equivalent(points) => {
            let order = FloatOrder::new(model.output_variance());
            let sweet = shape::analyze(points, n, &order).sweet_spot;
            let text = |size: usize| {
                finite_at(points, size).map(|value| (float_text(*value), float_text(*value)))
            };
            ("de", sweet, sweet.and_then(text), text(0))
        }
    };

    let ratio = sweet_spot.map(|size| BigRational::new((size as u64).into(), (n as u64).into()));
    let note = if restricted.sizes.is_empty() {
        Some(format!(
            "no grid size in 0 ≤ p ≤ n − 2 = {}, so no sweet spot",
            n - 2
        ))
    } else if sweet_spot.is_none() {
        Some("no finite risk at 0 ≤ p ≤ n − 2, so no sweet spot".to_string())
    } else if !grid_reaches {
        Some(format!(
            "the grid ends at p = {largest}, before n − 2 = {}; not used in the verdict",
            n - 2
        ))
    } else {
        None
    };
    Ok(ScalingRow {
        samples: n,
        engine,
        engine_reason,
        grid_reaches,
        sweet_spot,
        sweet_spot_ratio: ratio.as_ref().map(format_fraction),
        sweet_spot_ratio_decimal: ratio.as_ref().map(|ratio| format_decimal(ratio, 4)),
        sweet_spot_risk: sweet_value.as_ref().map(|(exact, _)| exact.clone()),
        sweet_spot_risk_decimal: sweet_value.map(|(_, decimal)| decimal),
        empty_head_risk: empty_value.as_ref().map(|(exact, _)| exact.clone()),
        empty_head_risk_decimal: empty_value.map(|(_, decimal)| decimal),
        usable: grid_reaches && sweet_spot.is_some(),
        note,
    })
}

/// Computes the exact curve when the exact engine is in reach and has a
/// closed form at every size, else the deterministic equivalent with the
/// reason.
fn exact_or_equivalent(
    path: &Path,
    restricted: &ParameterSet,
    model: &Model,
) -> Result<(Curve, Option<String>), UsageError> {
    let reason = match exact_out_of_reach(restricted) {
        Some(reason) => reason,
        None => {
            let run = ExactRun::new(restricted).map_err(|error| {
                UsageError(format!(
                    "{}: the exact engine cannot evaluate this parameter set at n = {}: {error}",
                    path.display(),
                    restricted.samples
                ))
            })?;
            let points = run.points();
            match points
                .iter()
                .find(|(_, point)| !matches!(point, Point::Finite(_)))
            {
                None => return Ok((Curve::Exact(points), None)),
                Some((size, _)) => format!("the exact engine has no closed form at p = {size}"),
            }
        }
    };
    let points = model
        .deterministic_equivalent_curve(
            &restricted.sizes,
            restricted.samples,
            crate::float_ridge(path, restricted)?,
        )
        .map_err(|error| {
            UsageError(format!(
                "{}: the float engine cannot evaluate this parameter set at n = {}: {error}",
                path.display(),
                restricted.samples
            ))
        })?
        .iter()
        .map(|point| {
            let value = match point.risk {
                RiskValue::Finite(value) => Point::Finite(value),
                RiskValue::Divergent => Point::Divergent,
            };
            (point.size, value)
        })
        .collect();
    Ok((Curve::Equivalent(points), Some(reason)))
}

fn finite_at<T>(points: &[(usize, Point<T>)], size: usize) -> Option<&T> {
    points.iter().find_map(|(p, point)| match point {
        Point::Finite(value) if *p == size => Some(value),
        _ => None,
    })
}

fn exact_decimal(value: &BigRational) -> String {
    format_decimal(value, DECIMAL_DIGITS)
}

/// Applies the verdict rule of the module documentation.
fn verdict(rows: &[ScalingRow]) -> Verdict {
    let usable: Vec<(usize, usize)> = rows
        .iter()
        .filter(|row| row.usable)
        .filter_map(|row| row.sweet_spot.map(|size| (size, row.samples)))
        .collect();
    let undecided = |reason: String| Verdict {
        status: "undecided",
        degenerate: None,
        reason,
        rule: VERDICT_RULE,
    };
    let (first, last) = match usable.as_slice() {
        [first, .., last] => (*first, *last),
        _ => {
            return undecided(format!(
                "{} of {} sample sizes are usable, and the rule needs two",
                usable.len(),
                rows.len()
            ));
        }
    };
    let ratio = |(size, n): (usize, usize)| {
        format_decimal(
            &BigRational::new((size as u64).into(), (n as u64).into()),
            4,
        )
    };
    let described = |point: (usize, usize)| format!("{} at n = {}", ratio(point), point.1);
    let decided = |degenerate: bool, reason: String| Verdict {
        status: if degenerate {
            "degenerate"
        } else {
            "not-degenerate"
        },
        degenerate: Some(degenerate),
        reason,
        rule: VERDICT_RULE,
    };

    if usable.iter().all(|(size, _)| *size == 0) {
        let list: Vec<String> = usable.iter().map(|(_, n)| n.to_string()).collect();
        return decided(true, format!("p_sweet = 0 at n = {}", list.join(", ")));
    }
    // a/b < c/d exactly, for non-negative sizes and positive n.
    let below = |(a, b): (usize, usize), (c, d): (usize, usize)| {
        (a as u128) * (d as u128) < (c as u128) * (b as u128)
    };
    if let Some(pair) = usable.windows(2).find(|pair| below(pair[0], pair[1])) {
        return decided(
            false,
            format!(
                "p_sweet/n rises from {} to {}",
                described(pair[0]),
                described(pair[1])
            ),
        );
    }
    if below(last, first) {
        decided(
            true,
            format!(
                "p_sweet/n falls from {} to {} and never rises",
                described(first),
                described(last)
            ),
        )
    } else {
        decided(
            false,
            format!(
                "p_sweet/n stays at {} from n = {} to n = {}",
                ratio(first),
                first.1,
                last.1
            ),
        )
    }
}

/// Formats the human table with notes, the verdict and its rule, in lines
/// of at most [`TABLE_WIDTH`] characters.
pub fn to_table(report: &ScalingReport, params: &ParameterSet) -> String {
    let mut out = format!("sweet spot against n: {}\n", report.file);
    out.push_str(&format!(
        "family {}, λ = {}, {} sizes from {} to {}; every input but n is kept\n",
        report.family,
        report.ridge,
        params.sizes.len(),
        params.sizes.first().copied().unwrap_or(0),
        params.sizes.last().copied().unwrap_or(0),
    ));
    out.push_str(
        "sweet spot: the smallest p minimising the risk over grid sizes 0 ≤ p ≤ n − 2\n\n",
    );
    out.push_str(&format!(
        "{:>8}  {:<6} {:>8} {:>10} {:>16} {:>16}\n",
        "n", "engine", "p_sweet", "p_sweet/n", "R(p_sweet)", "R(0)"
    ));
    let dash = || "-".to_string();
    for row in &report.rows {
        out.push_str(&format!(
            "{:>8}  {:<6} {:>8} {:>10} {:>16} {:>16}\n",
            row.samples,
            row.engine,
            row.sweet_spot.map_or_else(dash, |size| size.to_string()),
            row.sweet_spot_ratio_decimal.clone().unwrap_or_else(dash),
            row.sweet_spot_risk_decimal.clone().unwrap_or_else(dash),
            row.empty_head_risk_decimal.clone().unwrap_or_else(dash),
        ));
    }

    let mut notes = Vec::new();
    for row in &report.rows {
        if let Some(reason) = &row.engine_reason {
            notes.push(format!(
                "n = {}: deterministic equivalent, because {reason}",
                row.samples
            ));
        }
        if let Some(note) = &row.note {
            notes.push(format!("n = {}: {note}", row.samples));
        }
    }
    if !notes.is_empty() {
        out.push_str("\nnotes:\n");
        for note in notes {
            for line in wrap(&note, TABLE_WIDTH - 2, 4) {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }

    out.push_str(&format!(
        "\nfirst descent in the proportional sense: {}\n",
        report.verdict.status
    ));
    for line in wrap(&report.verdict.reason, TABLE_WIDTH - 2, 2) {
        out.push_str(&format!("  {line}\n"));
    }
    for line in wrap(&format!("rule: {VERDICT_RULE}"), TABLE_WIDTH, 2) {
        out.push_str(&format!("{line}\n"));
    }
    if let Some(plot) = &report.plot {
        out.push_str(&format!("\nwrote {plot}\n"));
    }
    out
}

/// Splits `text` at spaces into lines of at most `width` characters, with
/// `indent` spaces before every line after the first.
fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = line.chars().count() + 1 + word.chars().count();
        if !line.trim().is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
            line = " ".repeat(indent);
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        lines.push(line);
    }
    lines
}

/// Formats CSV with a header row and one row per n. The verdict is in the
/// table and in JSON only, because it is not a per-row value.
pub fn to_csv(report: &ScalingReport) -> String {
    let mut out = String::from(
        "n,engine,grid_reaches,usable,sweet_spot,sweet_spot_ratio,sweet_spot_ratio_decimal,\
sweet_spot_risk,sweet_spot_risk_decimal,empty_head_risk,empty_head_risk_decimal,note\n",
    );
    for row in &report.rows {
        let note = [row.engine_reason.as_ref(), row.note.as_ref()]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        let cells = [
            row.samples.to_string(),
            row.engine.to_string(),
            row.grid_reaches.to_string(),
            row.usable.to_string(),
            row.sweet_spot
                .map(|size| size.to_string())
                .unwrap_or_default(),
            row.sweet_spot_ratio.clone().unwrap_or_default(),
            row.sweet_spot_ratio_decimal.clone().unwrap_or_default(),
            row.sweet_spot_risk.clone().unwrap_or_default(),
            row.sweet_spot_risk_decimal.clone().unwrap_or_default(),
            row.empty_head_risk.clone().unwrap_or_default(),
            row.empty_head_risk_decimal.clone().unwrap_or_default(),
            note,
        ];
        let quoted: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

/// Quotes a CSV cell that contains a comma, a quote or a line break (RFC 4180).
fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// Draws p_sweet/n against n on a log n axis, as SVG text.
fn render(report: &ScalingReport) -> Result<String, Box<dyn std::error::Error>> {
    let points: Vec<(f64, f64, bool)> = report
        .rows
        .iter()
        .filter_map(|row| {
            row.sweet_spot.map(|size| {
                (
                    row.samples as f64,
                    size as f64 / row.samples as f64,
                    row.usable,
                )
            })
        })
        .collect();
    let first = report.rows.first().map_or(2.0, |row| row.samples as f64);
    let last = report.rows.last().map_or(2.0, |row| row.samples as f64);
    let (x_low, x_high) = if first == last {
        (first / 2.0, first * 2.0)
    } else {
        (first / 1.25, last * 1.25)
    };
    let largest = points
        .iter()
        .map(|(_, ratio, _)| *ratio)
        .fold(0.0_f64, f64::max);
    let y_high = if largest > 0.0 { largest * 1.15 } else { 0.1 };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&WHITE)?;
        let (title, body) = root.split_vertically(58);
        draw_title(
            &title,
            &format!("sweet spot ratio against n: {}", report.file),
            &format!(
                "family {}, λ = {}; first descent in the proportional sense: {}",
                report.family, report.ridge, report.verdict.status
            ),
        )?;
        let ticks = if report.rows.len() <= 10 {
            report.rows.iter().map(|row| row.samples as f64).collect()
        } else {
            log_key_points(x_low, x_high)
        };
        let spec = (x_low..x_high).log_scale().with_key_points(ticks);
        draw_ratio_chart(&body, spec, y_high, &points)?;
        root.present()?;
    }
    Ok(svg)
}

fn draw_ratio_chart<X>(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    x_spec: X,
    y_high: f64,
    points: &[(f64, f64, bool)],
) -> Result<(), Box<dyn std::error::Error>>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(x_spec, 0.0..y_high)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 17))
        .x_desc("training samples n (log scale)")
        .y_desc("p_sweet / n")
        .x_label_formatter(&|value| axis_number(*value))
        .y_label_formatter(&|value| axis_number(*value))
        .draw()?;
    let usable: Vec<(f64, f64)> = points
        .iter()
        .filter(|(_, _, usable)| *usable)
        .map(|(n, ratio, _)| (*n, *ratio))
        .collect();
    chart.draw_series(LineSeries::new(usable.clone(), MARK_COLOR.stroke_width(2)))?;
    chart.draw_series(
        usable
            .iter()
            .map(|point| Circle::new(*point, 5, MARK_COLOR.filled())),
    )?;
    // Rows left out of the verdict as hollow circles.
    let left_out: Vec<(f64, f64)> = points
        .iter()
        .filter(|(_, _, usable)| !*usable)
        .map(|(n, ratio, _)| (*n, *ratio))
        .collect();
    chart.draw_series(
        left_out
            .iter()
            .map(|point| Circle::new(*point, 5, MARK_COLOR.stroke_width(2))),
    )?;
    let label_style = (FONT, 15)
        .into_font()
        .color(&RGBColor(60, 60, 60))
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    chart.draw_series(points.iter().map(|(n, ratio, _)| {
        EmptyElement::at((*n, *ratio))
            + Text::new(
                format!("p = {}", (ratio * n).round()),
                (7, -6),
                label_style.clone(),
            )
    }))?;

    let (width, _) = area.dim_in_pixel();
    let text_style = (FONT, 16)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let legend_x = width as i32 - 330;
    area.draw(&Circle::new((legend_x, 30), 5, MARK_COLOR.filled()))?;
    area.draw(&Text::new(
        "used in the verdict".to_string(),
        (legend_x + 14, 30),
        text_style.clone(),
    ))?;
    if !left_out.is_empty() {
        area.draw(&Circle::new((legend_x, 52), 5, MARK_COLOR.stroke_width(2)))?;
        area.draw(&Text::new(
            "grid ends before n − 2, not used".to_string(),
            (legend_x + 14, 52),
            text_style,
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(samples: usize, sweet_spot: usize) -> ScalingRow {
        ScalingRow {
            samples,
            engine: "exact",
            engine_reason: None,
            grid_reaches: true,
            sweet_spot: Some(sweet_spot),
            sweet_spot_ratio: None,
            sweet_spot_ratio_decimal: None,
            sweet_spot_risk: None,
            sweet_spot_risk_decimal: None,
            empty_head_risk: None,
            empty_head_risk_decimal: None,
            usable: true,
            note: None,
        }
    }

    #[test]
    fn zero_sweet_spot_is_degenerate() {
        let verdict = verdict(&[row(10, 0), row(20, 0)]);
        assert_eq!(verdict.degenerate, Some(true));
    }

    #[test]
    fn falling_ratio_is_degenerate() {
        let verdict = verdict(&[row(10, 1), row(20, 1), row(40, 1)]);
        assert_eq!(verdict.degenerate, Some(true));
        assert!(verdict.reason.contains("falls"), "{}", verdict.reason);
    }

    #[test]
    fn constant_ratio_is_not_degenerate() {
        let verdict = verdict(&[row(10, 2), row(20, 4)]);
        assert_eq!(verdict.degenerate, Some(false));
    }

    #[test]
    fn rising_ratio_is_not_degenerate() {
        let verdict = verdict(&[row(10, 3), row(20, 2), row(40, 8)]);
        assert_eq!(verdict.degenerate, Some(false));
        assert!(verdict.reason.contains("rises"), "{}", verdict.reason);
    }

    #[test]
    fn one_usable_row_is_undecided() {
        let mut short = row(40, 0);
        short.usable = false;
        let verdict = verdict(&[row(10, 0), short]);
        assert_eq!(verdict.status, "undecided");
    }

    #[test]
    fn samples_list_is_checked() {
        assert!(check_samples(&[]).is_err());
        assert!(check_samples(&[1, 4]).is_err());
        assert!(check_samples(&[4, 4]).is_err());
        assert!(check_samples(&[8, 4]).is_err());
        assert!(check_samples(&[2, 4]).is_ok());
    }

    #[test]
    fn wrap_indents_continuations() {
        assert_eq!(wrap("aa bb cc", 6, 2), vec!["aa bb", "  cc"]);
    }
}
