//! The `plot` subcommand: the risk against p from every engine, as an SVG
//! file.
//!
//! The figure shows the exact curve where it has values, the deterministic
//! equivalent, the proportional limit at γ = p/n and, when the parameter set
//! has a `[simulation]` table, the simulated means with their confidence
//! intervals. It marks the divergent sizes and annotates the sweet spot and
//! the start of the non-monotone region found by [`crate::shape::analyze`].
//!
//! Neither of plotters' font features (`ttf`, `ab_glyph`) is enabled, so
//! plotters lays text out with its built-in width estimate and writes it as
//! SVG `<text>` elements in the generic family `sans-serif`. No font file or
//! system library is read, and the viewer picks the font.

use std::path::Path;

use headrisk_float::Model;
use headrisk_model::number::{format_decimal, format_fraction, to_f64};
use headrisk_model::{BigRational, ParameterSet, RiskValue};
use num_traits::Zero;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::check::{exact_out_of_reach, family_name};
use crate::exact_claims::ExactRun;
use crate::numbers::counted;
use crate::shape::{self, ExactOrder, FloatOrder, Point};
use crate::sim_claims::{DIVERGENT_HALF_WIDTH, near_threshold};
use crate::{Output, UsageError, load_params};

mod ticks;

use ticks::{AxisTicks, TickedRange};
pub(crate) use ticks::{axis_number, log_key_points, short_number};

/// Size of the figure in pixels.
const FIGURE_SIZE: (u32, u32) = (1100, 640);
/// Height of the title band above the chart, in pixels.
const TITLE_HEIGHT: u32 = 58;
/// Width of the legend panel right of the chart, in pixels.
const PANEL_WIDTH: u32 = 310;
/// Maximum length of a note line in the legend panel, in characters.
const PANEL_LINE_CHARS: usize = 42;
/// Font family of every text, which the viewer resolves to a font.
pub(crate) const FONT: &str = "sans-serif";

/// The y axis ends at this multiple of the largest value away from the
/// interpolation threshold, so the peak does not squash the rest.
const CLIP_FACTOR: f64 = 3.0;
/// "Away from the threshold" means |p − n| ≥ this fraction of n.
const CLIP_DISTANCE: f64 = 0.25;
/// Smallest span of the y axis relative to the largest magnitude on it.
const MIN_RELATIVE_SPAN: f64 = 1e-12;
/// Maximum length, in characters, of a ridge fraction that the subtitle
/// writes exactly.
const MAX_EXACT_RIDGE_CHARS: usize = 16;
/// Points at which the proportional limit is drawn across the x range.
const LIMIT_POINTS: usize = 400;
/// Largest exact curve drawn with a marker at each size; denser curves are
/// lines only.
const EXACT_MARKER_MAX_SIZES: usize = 60;

const EXACT_COLOR: RGBColor = RGBColor(31, 119, 180);
const EQUIVALENT_COLOR: RGBColor = RGBColor(255, 127, 14);
const LIMIT_COLOR: RGBColor = RGBColor(90, 90, 90);
const SIMULATION_COLOR: RGBColor = RGBColor(44, 160, 44);
const DIVERGENT_COLOR: RGBColor = RGBColor(214, 39, 40);

/// Horizontal distance in pixels below which divergent sizes share one
/// cross: the width of one cross plus a gap.
const DIVERGENT_CROSS_SPACING: i32 = 14;
pub(crate) const MARK_COLOR: RGBColor = RGBColor(148, 103, 189);
const GRID_COLOR: RGBColor = RGBColor(225, 225, 225);

pub fn run(path: &Path, output: &Path, log_x: bool) -> Result<Output, UsageError> {
    check_svg_path(output, "-o")?;
    let params = load_params(path)?;
    let figure = Figure::compute(path, &params, log_x)?;
    let svg = figure
        .render()
        .map_err(|error| UsageError(format!("cannot draw the plot: {error}")))?;
    write_svg(output, &svg)?;
    Ok(Output {
        text: format!("wrote {}\n", output.display()),
        exit_code: 0,
    })
}

/// Checks that `output` names an `.svg` file in an existing directory, before
/// any engine runs. `option` names the flag in the message.
pub(crate) fn check_svg_path(output: &Path, option: &str) -> Result<(), UsageError> {
    let extension = output
        .extension()
        .map(|extension| extension.to_string_lossy().to_lowercase());
    if extension.as_deref() != Some("svg") {
        let found = match &extension {
            Some(extension) => format!("has extension `.{extension}`"),
            None => "has no extension".to_string(),
        };
        return Err(UsageError(format!(
            "{option} {}: the output file {found}, but plots are written as SVG only; \
             name the file with .svg",
            output.display()
        )));
    }
    if let Some(directory) = output
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        if !directory.is_dir() {
            return Err(UsageError(format!(
                "{option} {}: directory {} does not exist; create it or choose another path",
                output.display(),
                directory.display()
            )));
        }
    }
    Ok(())
}

/// Writes the SVG text to `output`.
pub(crate) fn write_svg(output: &Path, svg: &str) -> Result<(), UsageError> {
    std::fs::write(output, svg).map_err(|error| {
        UsageError(format!(
            "cannot write {}: {error}; choose a writable path",
            output.display()
        ))
    })
}

/// A simulated mean with its confidence interval.
#[derive(Debug, Clone, Copy)]
struct SimulatedMean {
    size: usize,
    mean: f64,
    lower: f64,
    upper: f64,
}

/// The simulated curve as drawn.
#[derive(Debug)]
struct Simulation {
    means: Vec<SimulatedMean>,
    /// Confidence level of the intervals, in (0, 1).
    level: f64,
    /// Sizes left out because they are within DIVERGENT_HALF_WIDTH of n.
    omitted: Vec<usize>,
}

/// The shape features that the figure annotates.
#[derive(Debug)]
struct ShapeMarks {
    /// Name of the curve they come from.
    curve: &'static str,
    sweet_spot: Option<(usize, f64)>,
    rise_start: Option<usize>,
}

/// The x axis: its range, and whether it is logarithmic.
#[derive(Debug, Clone, Copy)]
struct XAxis {
    low: f64,
    high: f64,
    log: bool,
}

impl XAxis {
    /// Maps p to the coordinate in which the axis is linear.
    fn screen(&self, p: f64) -> f64 {
        if self.log { p.ln() } else { p }
    }

    fn unscreen(&self, coordinate: f64) -> f64 {
        if self.log {
            coordinate.exp()
        } else {
            coordinate
        }
    }

    fn contains(&self, p: f64) -> bool {
        self.low <= p && p <= self.high
    }
}

/// The y axis range. Finite values above `high` are clipped to the top edge.
#[derive(Debug, Clone, Copy)]
struct YAxis {
    low: f64,
    high: f64,
    /// Whether some finite value lies above `high`.
    clipped: bool,
    /// Source of the clip level, which is [`CLIP_FACTOR`] times that value.
    clip_base: ClipBase,
}

/// The value that sets the clip level of the y axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClipBase {
    /// The largest value with |p − n| ≥ [`CLIP_DISTANCE`]·n.
    FarFromThreshold,
    /// The median of all values, used when no size is that far from n.
    Median,
}

/// Everything the figure shows, in f64.
#[derive(Debug)]
struct Figure {
    file: String,
    subtitle: String,
    samples: usize,
    ridgeless: bool,
    exact: Vec<(usize, Point<f64>)>,
    /// Reason the exact curve is absent or partial.
    exact_note: Option<String>,
    equivalent: Vec<(usize, Point<f64>)>,
    /// The limit across the x range, for the line.
    limit_line: Vec<(f64, Point<f64>)>,
    /// The limit at γ = 0, drawn as a dot because the limit jumps there.
    limit_at_zero: Option<f64>,
    simulation: Option<Simulation>,
    /// Reason a requested simulation is not drawn, when it could not run.
    simulation_note: Option<String>,
    marks: ShapeMarks,
    x: XAxis,
    y: YAxis,
    /// Whether the grid has p = 0 that the log axis cannot show.
    zero_hidden: bool,
}

impl Figure {
    /// Runs every engine that applies and places the axes.
    fn compute(path: &Path, params: &ParameterSet, log_x: bool) -> Result<Self, UsageError> {
        let engine_failure = |name: &str, error: &dyn std::fmt::Display| {
            UsageError(format!(
                "{}: the {name} engine cannot evaluate this parameter set: {error}",
                path.display()
            ))
        };
        let samples = params.samples;
        let x = x_axis(params, log_x)
            .map_err(|reason| UsageError(format!("{}: {reason}", path.display())))?;

        let (exact_rational, exact_note) = exact_series(params, engine_failure)?;
        let exact: Vec<(usize, Point<f64>)> = exact_rational
            .iter()
            .map(|(size, point)| (*size, map_point(point, to_f64)))
            .collect();

        let model =
            Model::from_parameters(params).map_err(|error| engine_failure("float", &error))?;
        let equivalent: Vec<(usize, Point<f64>)> = model
            .deterministic_equivalent_curve(
                &params.sizes,
                samples,
                crate::float_ridge(path, params)?,
            )
            .map_err(|error| engine_failure("float", &error))?
            .iter()
            .map(|point| (point.size, risk_point(&point.risk)))
            .collect();

        let limit_at = |p: f64| -> Result<Point<f64>, UsageError> {
            let value = model
                .limit(p / samples as f64)
                .map_err(|error| engine_failure("float", &error))?;
            Ok(risk_point(&value))
        };
        let mut limit_line = Vec::with_capacity(LIMIT_POINTS + 2);
        for p in limit_abscissas(&x, &params.sizes, samples) {
            limit_line.push((p, limit_at(p)?));
        }
        let limit_at_zero = match (x.contains(0.0), limit_at(0.0)?) {
            (true, Point::Finite(value)) => Some(value),
            _ => None,
        };

        // A simulation that cannot run (a design too ill-conditioned for
        // f64, a memory budget) leaves the other curves to draw, with a note.
        let (simulation, simulation_note) = match params.simulation {
            Some(_) => match simulate(path, params) {
                Ok(simulation) => (Some(simulation), None),
                Err(error) => {
                    let prefix = format!("{}: ", path.display());
                    let reason = error.0.strip_prefix(&prefix).unwrap_or(&error.0);
                    (None, Some(format!("simulation not drawn: {reason}")))
                }
            },
            None => (None, None),
        };

        let finite_exact = exact_rational
            .iter()
            .filter(|(_, point)| matches!(point, Point::Finite(_)))
            .count();
        let marks = if finite_exact >= 2 {
            shape_marks(
                "exact",
                &shape::analyze(&exact_rational, samples, &ExactOrder),
                &exact,
            )
        } else {
            let order = FloatOrder::new(model.output_variance());
            let found = shape::analyze(&equivalent, samples, &order);
            shape_marks("deterministic equivalent", &found, &equivalent)
        };

        let values = range_values(&exact, &equivalent, simulation.as_ref(), &x);
        let y = y_axis(&values, samples).ok_or_else(|| {
            UsageError(format!(
                "{}: no engine has a finite risk on the size grid, so there is nothing to plot",
                path.display()
            ))
        })?;

        // A long exact fraction would run off the subtitle, so it is rounded.
        let ridge = match format_fraction(&params.ridge) {
            exact if exact.chars().count() <= MAX_EXACT_RIDGE_CHARS => format!("= {exact}"),
            _ => format!("≈ {}", format_decimal(&params.ridge, 4)),
        };
        Ok(Self {
            file: path.display().to_string(),
            subtitle: format!(
                "family {}, n = {samples}, λ {ridge}, {} from {} to {}",
                family_name(params),
                counted(params.sizes.len(), "size", "sizes"),
                params.sizes.first().copied().unwrap_or(0),
                params.sizes.last().copied().unwrap_or(0),
            ),
            samples,
            ridgeless: params.ridge.is_zero(),
            exact,
            exact_note,
            equivalent,
            limit_line,
            limit_at_zero,
            simulation,
            simulation_note,
            marks,
            x,
            y,
            zero_hidden: x.log && params.sizes.first() == Some(&0),
        })
    }
}

/// The exact risk at each grid size.
type ExactPoints = Vec<(usize, Point<BigRational>)>;

/// Computes the exact curve when [`exact_out_of_reach`] allows it, with a
/// note when it is absent or has sizes without a closed form.
fn exact_series(
    params: &ParameterSet,
    engine_failure: impl Fn(&str, &dyn std::fmt::Display) -> UsageError,
) -> Result<(ExactPoints, Option<String>), UsageError> {
    if let Some(reason) = exact_out_of_reach(params) {
        return Ok((
            Vec::new(),
            Some(format!("exact curve not computed: {reason}")),
        ));
    }
    let run = ExactRun::new(params).map_err(|error| engine_failure("exact", &error))?;
    let points = run.points();
    let missing = points
        .iter()
        .filter(|(_, point)| matches!(point, Point::Missing))
        .count();
    let note = (missing > 0).then(|| {
        format!(
            "exact curve has no closed form at {missing} of {} sizes",
            points.len()
        )
    });
    Ok((points, note))
}

/// Collects the values `(p, risk)` that place the y axis: the finite exact
/// and deterministic-equivalent risks and the simulated means and interval
/// ends, at the sizes on the x axis. The limit is left out, because for
/// λ > 0 it is the ridgeless limit, whose peak would squash the other curves.
fn range_values(
    exact: &[(usize, Point<f64>)],
    equivalent: &[(usize, Point<f64>)],
    simulation: Option<&Simulation>,
    x: &XAxis,
) -> Vec<(usize, f64)> {
    let mut values: Vec<(usize, f64)> = Vec::new();
    for series in [exact, equivalent] {
        values.extend(series.iter().filter_map(|(size, point)| match point {
            Point::Finite(value) => Some((*size, *value)),
            _ => None,
        }));
    }
    if let Some(simulation) = simulation {
        for mean in &simulation.means {
            values.extend([mean.mean, mean.lower, mean.upper].map(|value| (mean.size, value)));
        }
    }
    values.retain(|(size, value)| value.is_finite() && x.contains(*size as f64));
    values
}

fn map_point<T>(point: &Point<T>, convert: impl Fn(&T) -> f64) -> Point<f64> {
    match point {
        Point::Finite(value) => Point::Finite(convert(value)),
        Point::Divergent => Point::Divergent,
        Point::Missing => Point::Missing,
        Point::InfiniteVariance => Point::InfiniteVariance,
    }
}

fn risk_point(value: &RiskValue<f64>) -> Point<f64> {
    match value {
        RiskValue::Finite(value) if value.is_finite() => Point::Finite(*value),
        RiskValue::Finite(_) => Point::Missing,
        RiskValue::Divergent => Point::Divergent,
    }
}

/// Computes the x range: the grid, widened by 2% on each side. A log axis
/// spans the positive grid sizes, widened on each side by 2% of their span
/// in ln p, and by at most a factor of 1.1.
fn x_axis(params: &ParameterSet, log: bool) -> Result<XAxis, String> {
    if log {
        let positive: Vec<usize> = params.sizes.iter().copied().filter(|&p| p > 0).collect();
        let (Some(&first), Some(&last)) = (positive.first(), positive.last()) else {
            return Err("--log-x needs a grid size p ≥ 1, but the grid holds only p = 0".into());
        };
        let (first, last) = (first as f64, last as f64);
        let (low, high) = if first == last {
            (first / 2.0, first * 2.0)
        } else {
            let margin = (0.02 * (last / first).ln()).min(1.1_f64.ln()).exp();
            (first / margin, last * margin)
        };
        return Ok(XAxis {
            low,
            high,
            log: true,
        });
    }
    let first = params.sizes.first().copied().unwrap_or(0) as f64;
    let last = params.sizes.last().copied().unwrap_or(0) as f64;
    let span = (last - first).max(2.0);
    let middle = (first + last) / 2.0;
    let (first, last) = (
        first.min(middle - span / 2.0),
        last.max(middle + span / 2.0),
    );
    Ok(XAxis {
        low: first - 0.02 * span,
        high: last + 0.02 * span,
        log: false,
    })
}

/// Abscissas of the limit line: evenly spaced along the axis from the first
/// to the last grid size shown, without p = 0 (the limit jumps there), and
/// with p = n when it is in range, so that the line breaks where the limit
/// diverges.
fn limit_abscissas(x: &XAxis, sizes: &[usize], samples: usize) -> Vec<f64> {
    let on_axis: Vec<f64> = sizes
        .iter()
        .map(|&size| size as f64)
        .filter(|&p| p > 0.0 && x.contains(p))
        .collect();
    let (Some(&first), Some(&last)) = (on_axis.first(), on_axis.last()) else {
        return Vec::new();
    };
    // On a linear axis the line starts just right of p = 0 when the grid has it.
    let first = if !x.log && sizes.first() == Some(&0) {
        0.0
    } else {
        first
    };
    let (from, to) = (x.screen(first), x.screen(last));
    let mut abscissas: Vec<f64> = (0..=LIMIT_POINTS)
        .map(|index| x.unscreen(from + (to - from) * index as f64 / LIMIT_POINTS as f64))
        .filter(|&p| p > 0.0)
        .collect();
    let threshold = samples as f64;
    if first < threshold && threshold < last {
        abscissas.push(threshold);
    }
    abscissas.sort_by(f64::total_cmp);
    abscissas.dedup();
    abscissas
}

/// Simulates at the simulation sizes. For the ridgeless head, sizes within
/// [`DIVERGENT_HALF_WIDTH`] of n with σ²_p > 0 are left out, because the
/// mean there is infinite or too heavy-tailed to settle. `curve --engine mc`
/// marks those at |p − n| ≤ 1 divergent. The lower end of the interval is
/// clipped at 0 as in `curve`, because the risk is nonnegative.
fn simulate(path: &Path, params: &ParameterSet) -> Result<Simulation, UsageError> {
    let noiseless = crate::noiseless_sizes(path, params)?;
    let curve = crate::simulation::run(path, params, true)?;
    let mut means = Vec::with_capacity(curve.points.len());
    let mut omitted = Vec::new();
    let mut level = 0.95;
    for point in &curve.points {
        level = point.risk.confidence_level;
        if near_threshold(point.size, params, noiseless) {
            omitted.push(point.size);
        } else {
            means.push(SimulatedMean {
                size: point.size,
                mean: point.risk.mean,
                lower: point.risk.lower.max(0.0),
                upper: point.risk.upper,
            });
        }
    }
    Ok(Simulation {
        means,
        level,
        omitted,
    })
}

fn shape_marks(
    curve: &'static str,
    found: &shape::Shape,
    points: &[(usize, Point<f64>)],
) -> ShapeMarks {
    let value_at = |size: usize| {
        points.iter().find_map(|(p, point)| match point {
            Point::Finite(value) if *p == size => Some(*value),
            _ => None,
        })
    };
    ShapeMarks {
        curve,
        sweet_spot: found
            .sweet_spot
            .and_then(|size| value_at(size).map(|value| (size, value))),
        rise_start: found.non_monotone_start,
    }
}

/// Computes the y range from the values `(p, risk)` of every series.
///
/// The top is the largest value, but at most [`CLIP_FACTOR`] times the
/// largest value with |p − n| ≥ [`CLIP_DISTANCE`]·n (the median of all values
/// when no size is that far from n), plus 5% headroom. The bottom is the
/// smallest value less 5% of the span, but not below 0 when no value is
/// negative. `None` when there is no value.
fn y_axis(values: &[(usize, f64)], samples: usize) -> Option<YAxis> {
    let largest = values.iter().map(|(_, value)| *value).reduce(f64::max)?;
    let smallest = values.iter().map(|(_, value)| *value).reduce(f64::min)?;

    let distance = CLIP_DISTANCE * samples as f64;
    let far_from_threshold = values
        .iter()
        .filter(|(size, _)| (*size as f64 - samples as f64).abs() >= distance)
        .map(|(_, value)| *value)
        .reduce(f64::max);
    let (reference, clip_base) = match far_from_threshold {
        Some(value) => (value, ClipBase::FarFromThreshold),
        None => (
            median(values.iter().map(|(_, value)| *value).collect()),
            ClipBase::Median,
        ),
    };

    let top = largest.min(CLIP_FACTOR * reference).max(smallest);
    // Values that agree to about 12 significant digits get a band of ±1%
    // around them, as equal values do, because distinct ticks in f64 need a
    // wider range.
    let scale = top.abs().max(smallest.abs());
    let span = if top - smallest > MIN_RELATIVE_SPAN * scale {
        top - smallest
    } else if scale > 0.0 {
        scale * 0.2
    } else {
        0.2
    };

    let mut low = smallest - 0.05 * span;
    if smallest >= 0.0 {
        low = low.max(0.0);
    }
    let high = top + 0.05 * span;
    Some(YAxis {
        low,
        high,
        clipped: largest > high,
        clip_base,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A straight piece of a series in data coordinates.
type Polyline = Vec<(f64, f64)>;

/// Cuts a series into polylines between consecutive finite points, clipped to
/// the y range. A divergent or missing point breaks the line, and a segment
/// that leaves the range ends at the edge, interpolated along the straight
/// line on screen (in ln p on a log axis).
fn clipped_polylines(points: &[(f64, Point<f64>)], x: &XAxis, y: &YAxis) -> Vec<Polyline> {
    let mut lines = Vec::new();
    let mut current: Polyline = Vec::new();
    for pair in points.windows(2) {
        let segment = match (&pair[0], &pair[1]) {
            ((p0, Point::Finite(r0)), (p1, Point::Finite(r1)))
                if x.contains(*p0) && x.contains(*p1) =>
            {
                clip_segment((x.screen(*p0), *r0), (x.screen(*p1), *r1), y)
            }
            _ => None,
        };
        match segment {
            Some((start, end)) => {
                let start = (x.unscreen(start.0), start.1);
                let end = (x.unscreen(end.0), end.1);
                if current.last() != Some(&start) {
                    if current.len() >= 2 {
                        lines.push(std::mem::take(&mut current));
                    }
                    current = vec![start];
                }
                current.push(end);
            }
            None => {
                if current.len() >= 2 {
                    lines.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        lines.push(current);
    }
    lines
}

/// Clips the segment from `a` to `b` (screen x, risk) to `y.low ≤ risk ≤ y.high`.
fn clip_segment(a: (f64, f64), b: (f64, f64), y: &YAxis) -> Option<((f64, f64), (f64, f64))> {
    let (mut from, mut to) = (0.0_f64, 1.0_f64);
    let rise = b.1 - a.1;
    for (bound, below) in [(y.low, true), (y.high, false)] {
        if rise == 0.0 {
            let outside = if below { a.1 < bound } else { a.1 > bound };
            if outside {
                return None;
            }
            continue;
        }
        let t = (bound - a.1) / rise;
        let entering = if below { rise > 0.0 } else { rise < 0.0 };
        if entering {
            from = from.max(t);
        } else {
            to = to.min(t);
        }
    }
    if from > to {
        return None;
    }
    let at = |t: f64| (a.0 + (b.0 - a.0) * t, a.1 + rise * t);
    Some((at(from), at(to)))
}

/// A sample drawn before a legend entry.
#[derive(Debug, Clone, Copy)]
enum Glyph {
    Line(RGBColor),
    LineWithDots(RGBColor),
    Dashed(RGBColor),
    MeanWithBar(RGBColor),
    Band,
    Threshold,
    Cross(RGBColor),
    Triangle,
    Diamond,
    DottedVertical,
}

/// One line of the legend panel: a glyph and its text, or a note.
#[derive(Debug)]
struct LegendEntry {
    glyph: Option<Glyph>,
    text: String,
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// The chart of the figure, with a linear or logarithmic p axis `X`.
type Chart<'a, 'b, X> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, TickedRange>>;

/// Converts a series on grid sizes to abscissas, keeping the sizes on the axis.
fn on_axis(series: &[(usize, Point<f64>)], x: &XAxis) -> Vec<(f64, Point<f64>)> {
    series
        .iter()
        .map(|(size, point)| (*size as f64, point.clone()))
        .filter(|(p, _)| x.contains(*p))
        .collect()
}

/// Returns the width in pixels of the area left of the chart, which contains
/// the y axis title and the tick labels, for labels of `widest` characters.
fn y_label_area_width(widest: usize) -> u32 {
    // Plotters writes the 16 px label font as 16/1.24 ≈ 12.9 px in SVG, and
    // digits of common sans-serif fonts are at most about 0.64 em wide.
    const CHAR_WIDTH: f64 = 8.5;
    // The rotated axis title, the tick marks and the gaps between them.
    const TITLE_AND_TICKS: f64 = 32.0;
    let width = TITLE_AND_TICKS + CHAR_WIDTH * widest as f64;
    (width.ceil() as u32).max(64)
}

impl Figure {
    fn render(&self) -> Result<String, Box<dyn std::error::Error>> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, FIGURE_SIZE).into_drawing_area();
            root.fill(&WHITE)?;
            let (title, body) = root.split_vertically(TITLE_HEIGHT);
            draw_title(
                &title,
                &format!("risk against model size p: {}", self.file),
                &self.subtitle,
            )?;
            let (chart_area, panel) = body.split_horizontally(FIGURE_SIZE.0 - PANEL_WIDTH);
            if self.x.log {
                let ticks = AxisTicks::log(self.x.low, self.x.high);
                let spec = (self.x.low..self.x.high)
                    .log_scale()
                    .with_key_points(ticks.values().to_vec());
                self.draw_chart(&chart_area, spec, &|value| ticks.label(*value))?;
            } else {
                let ticks = AxisTicks::linear(self.x.low, self.x.high);
                let spec = TickedRange::new(self.x.low..self.x.high, ticks.values());
                self.draw_chart(&chart_area, spec, &|value| ticks.label(*value))?;
            }
            draw_legend(&panel, &self.legend())?;
            root.present()?;
        }
        Ok(svg)
    }

    /// Draws the axes and every series. `x_label` writes the label of an x tick.
    fn draw_chart<X>(
        &self,
        area: &DrawingArea<SVGBackend<'_>, Shift>,
        x_spec: X,
        x_label: &dyn Fn(&f64) -> String,
    ) -> DrawResult
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
    {
        let (x, y) = (&self.x, &self.y);
        let y_ticks = AxisTicks::linear(y.low, y.high);
        let mut chart = ChartBuilder::on(area)
            .margin_top(12)
            .margin_left(8)
            .margin_right(16)
            .margin_bottom(8)
            .x_label_area_size(48)
            .y_label_area_size(y_label_area_width(y_ticks.widest_label()))
            .build_cartesian_2d(x_spec, TickedRange::new(y.low..y.high, y_ticks.values()))?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID_COLOR)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 17))
            .x_desc(if x.log {
                "model size p (log scale)"
            } else {
                "model size p"
            })
            .y_desc("risk")
            .x_label_formatter(x_label)
            .y_label_formatter(&|value| y_ticks.label(*value))
            .draw()?;

        self.draw_guides(&mut chart)?;
        self.draw_curves(&mut chart)?;
        self.draw_simulation(&mut chart)?;
        self.draw_edge_marks(&mut chart)?;
        self.draw_sweet_spot(&mut chart)?;
        Ok(())
    }

    /// Draws the divergent band and the threshold under everything else, and
    /// the line where the non-monotone region starts.
    fn draw_guides<X: Ranged<ValueType = f64>>(&self, chart: &mut Chart<'_, '_, X>) -> DrawResult {
        let (x, y) = (&self.x, &self.y);
        if self.ridgeless {
            let n = self.samples as f64;
            let (from, to) = ((n - 1.0).max(x.low), (n + 1.0).min(x.high));
            if from < to {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(from, y.low), (to, y.high)],
                    DIVERGENT_COLOR.mix(0.10).filled(),
                )))?;
            }
            if x.contains(n) {
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    vec![(n, y.low), (n, y.high)],
                    6,
                    4,
                    DIVERGENT_COLOR.stroke_width(1),
                )))?;
            }
        }

        if let Some(start) = self
            .marks
            .rise_start
            .map(|p| p as f64)
            .filter(|&p| x.contains(p))
        {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(start, y.low), (start, y.high)],
                2,
                4,
                MARK_COLOR.stroke_width(2),
            )))?;
        }

        Ok(())
    }

    /// Draws the limit, the deterministic equivalent and the exact curve.
    fn draw_curves<X: Ranged<ValueType = f64>>(&self, chart: &mut Chart<'_, '_, X>) -> DrawResult {
        let (x, y) = (&self.x, &self.y);
        for line in clipped_polylines(&self.limit_line, x, y) {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                line,
                7,
                5,
                LIMIT_COLOR.stroke_width(2),
            )))?;
        }
        if let Some(value) = self.limit_at_zero.filter(|value| *value <= y.high) {
            chart.draw_series(std::iter::once(Circle::new(
                (0.0, value),
                4,
                LIMIT_COLOR.filled(),
            )))?;
        }

        let equivalent = on_axis(&self.equivalent, x);
        for line in clipped_polylines(&equivalent, x, y) {
            chart.draw_series(LineSeries::new(line, EQUIVALENT_COLOR.stroke_width(2)))?;
        }

        let exact = on_axis(&self.exact, x);
        for line in clipped_polylines(&exact, x, y) {
            chart.draw_series(LineSeries::new(line, EXACT_COLOR.stroke_width(2)))?;
        }
        if exact.len() <= EXACT_MARKER_MAX_SIZES {
            chart.draw_series(exact.iter().filter_map(|(p, point)| match point {
                Point::Finite(value) if *value <= y.high => {
                    Some(Circle::new((*p, *value), 3, EXACT_COLOR.filled()))
                }
                _ => None,
            }))?;
        }

        Ok(())
    }

    /// Draws the simulated means with their confidence intervals.
    fn draw_simulation<X: Ranged<ValueType = f64>>(
        &self,
        chart: &mut Chart<'_, '_, X>,
    ) -> DrawResult {
        let (x, y) = (&self.x, &self.y);
        if let Some(simulation) = &self.simulation {
            for mean in simulation
                .means
                .iter()
                .filter(|mean| x.contains(mean.size as f64))
            {
                let p = mean.size as f64;
                let (lower, upper) = (mean.lower.max(y.low), mean.upper.min(y.high));
                if lower < upper {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(p, lower), (p, upper)],
                        SIMULATION_COLOR.stroke_width(1),
                    )))?;
                }
                if mean.mean <= y.high {
                    chart.draw_series(std::iter::once(Circle::new(
                        (p, mean.mean),
                        3,
                        SIMULATION_COLOR.stroke_width(1),
                    )))?;
                }
            }
        }

        Ok(())
    }

    /// Draws clipped values on the top edge and divergent sizes on the bottom
    /// edge.
    fn draw_edge_marks<X: Ranged<ValueType = f64>>(
        &self,
        chart: &mut Chart<'_, '_, X>,
    ) -> DrawResult {
        let (x, y) = (&self.x, &self.y);
        // Clipped values as triangles, in the series colour.
        let mut clipped: Vec<(f64, RGBColor)> = Vec::new();
        let series = [
            (on_axis(&self.exact, x), EXACT_COLOR),
            (on_axis(&self.equivalent, x), EQUIVALENT_COLOR),
        ];
        for (series, color) in &series {
            clipped.extend(series.iter().filter_map(|(p, point)| match point {
                Point::Finite(value) if *value > y.high => Some((*p, *color)),
                _ => None,
            }));
        }
        if let Some(simulation) = &self.simulation {
            clipped.extend(
                simulation
                    .means
                    .iter()
                    .filter(|mean| mean.mean > y.high && x.contains(mean.size as f64))
                    .map(|mean| (mean.size as f64, SIMULATION_COLOR)),
            );
        }
        chart.draw_series(clipped.iter().map(|(p, color)| {
            EmptyElement::at((*p, y.high)) + TriangleMarker::new((0, 7), 6, color.filled())
        }))?;

        // Divergent sizes of any engine as crosses just above the bottom
        // edge, where no curve runs near the threshold.
        let mut divergent: Vec<usize> = self
            .exact
            .iter()
            .chain(&self.equivalent)
            .filter(|(size, point)| matches!(point, Point::Divergent) && x.contains(*size as f64))
            .map(|(size, _)| *size)
            .collect();
        divergent.sort_unstable();
        divergent.dedup();
        // On a dense grid the sizes n − 1, n and n + 1 fall within a few
        // pixels, so sizes closer than one cross width merge into one cross
        // at the middle of their group.
        let mut groups: Vec<(f64, f64, i32)> = Vec::new();
        for size in divergent {
            let p = size as f64;
            let (pixel, _) = chart.backend_coord(&(p, y.low));
            match groups.last_mut() {
                Some((_, last, last_pixel)) if pixel - *last_pixel < DIVERGENT_CROSS_SPACING => {
                    *last = p;
                    *last_pixel = pixel;
                }
                _ => groups.push((p, p, pixel)),
            }
        }
        chart.draw_series(groups.iter().map(|(first, last, _)| {
            EmptyElement::at(((first + last) / 2.0, y.low))
                + Cross::new((0, -12), 6, DIVERGENT_COLOR.stroke_width(2))
        }))?;

        Ok(())
    }

    /// Draws the diamond at the sweet spot.
    fn draw_sweet_spot<X: Ranged<ValueType = f64>>(
        &self,
        chart: &mut Chart<'_, '_, X>,
    ) -> DrawResult {
        let (x, y) = (&self.x, &self.y);
        if let Some((size, value)) = self.marks.sweet_spot {
            let p = size as f64;
            if x.contains(p) {
                let value = value.min(y.high);
                chart.draw_series(std::iter::once(
                    EmptyElement::at((p, value))
                        + Polygon::new(
                            vec![(0, -9), (9, 0), (0, 9), (-9, 0)],
                            MARK_COLOR.mix(0.35).filled(),
                        )
                        + PathElement::new(
                            vec![(0, -9), (9, 0), (0, 9), (-9, 0), (0, -9)],
                            MARK_COLOR.stroke_width(2),
                        ),
                ))?;
            }
        }
        Ok(())
    }

    /// Lists the legend entries and notes, in the order drawn.
    fn legend(&self) -> Vec<LegendEntry> {
        let entry = |glyph: Glyph, text: String| LegendEntry {
            glyph: Some(glyph),
            text,
        };
        let mut entries = Vec::new();
        if self
            .exact
            .iter()
            .any(|(_, point)| matches!(point, Point::Finite(_)))
        {
            entries.push(entry(Glyph::LineWithDots(EXACT_COLOR), "exact".into()));
        }
        entries.push(entry(
            Glyph::Line(EQUIVALENT_COLOR),
            "deterministic equivalent".into(),
        ));
        let limit = if self.ridgeless {
            "limit at γ = p/n"
        } else {
            "limit at γ = p/n (ridgeless)"
        };
        entries.push(entry(Glyph::Dashed(LIMIT_COLOR), limit.into()));
        if let Some(simulation) = &self.simulation {
            entries.push(entry(
                Glyph::MeanWithBar(SIMULATION_COLOR),
                format!(
                    "simulation mean, {}% interval",
                    (simulation.level * 100.0).round()
                ),
            ));
        }
        if self.ridgeless {
            entries.push(entry(
                Glyph::Band,
                "ridgeless risk diverges, |p − n| ≤ 1".into(),
            ));
            entries.push(entry(
                Glyph::Threshold,
                format!("interpolation threshold p = n = {}", self.samples),
            ));
        }
        let any_divergent = self
            .exact
            .iter()
            .chain(&self.equivalent)
            .any(|(size, point)| {
                matches!(point, Point::Divergent) && self.x.contains(*size as f64)
            });
        if any_divergent {
            entries.push(entry(
                Glyph::Cross(DIVERGENT_COLOR),
                "divergent value on the grid".into(),
            ));
        }
        if self.y.clipped {
            entries.push(entry(
                Glyph::Triangle,
                format!("value above {} (clipped)", axis_number(self.y.high)),
            ));
        }
        match self.marks.sweet_spot {
            Some((size, value)) => entries.push(entry(
                Glyph::Diamond,
                format!("sweet spot p = {size}, R = {}", short_number(value)),
            )),
            None => entries.push(LegendEntry {
                glyph: None,
                text: "no sweet spot: no finite risk at 0 ≤ p ≤ n − 2".into(),
            }),
        }
        if let Some(start) = self.marks.rise_start {
            entries.push(entry(
                Glyph::DottedVertical,
                format!("non-monotone from p = {start}"),
            ));
        }

        let mut notes = vec![format!(
            "sweet spot and non-monotone start from the {} curve",
            self.marks.curve
        )];
        if self.y.clipped {
            // No-break spaces keep |p − n| on one line when the note wraps.
            let base = match self.y.clip_base {
                ClipBase::FarFromThreshold => {
                    "the largest risk with |p\u{a0}−\u{a0}n| ≥ n/4".to_string()
                }
                ClipBase::Median => "the median risk, because no plotted size has \
                     |p\u{a0}−\u{a0}n| ≥ n/4"
                    .to_string(),
            };
            notes.push(format!(
                "y axis clipped at {}, about {CLIP_FACTOR} times {base}",
                axis_number(self.y.high)
            ));
        }
        if let Some(note) = &self.exact_note {
            notes.push(note.clone());
        }
        if let Some(simulation) = &self.simulation {
            if !simulation.omitted.is_empty() {
                notes.push(format!(
                    "simulation not drawn at |p − n| ≤ {DIVERGENT_HALF_WIDTH}: \
                     the mean does not settle there"
                ));
            }
        }
        if let Some(note) = &self.simulation_note {
            notes.push(note.clone());
        }
        if self.zero_hidden {
            notes.push("p = 0 is not on the log axis".into());
        }
        for note in notes {
            for line in wrap(&note, PANEL_LINE_CHARS) {
                entries.push(LegendEntry {
                    glyph: None,
                    text: line,
                });
            }
        }
        entries
    }
}

/// Draws a title and a subtitle on the title band.
pub(crate) fn draw_title(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    subtitle: &str,
) -> DrawResult {
    area.draw(&Text::new(
        title.to_string(),
        (16, 10),
        (FONT, 20).into_font().color(&BLACK),
    ))?;
    area.draw(&Text::new(
        subtitle.to_string(),
        (16, 34),
        (FONT, 16).into_font().color(&RGBColor(80, 80, 80)),
    ))?;
    Ok(())
}

const LEGEND_LINE_HEIGHT: i32 = 22;
const LEGEND_NOTE_HEIGHT: i32 = 18;

/// Draws the legend entries down the panel, each glyph in a 30-pixel box.
fn draw_legend(area: &DrawingArea<SVGBackend<'_>, Shift>, entries: &[LegendEntry]) -> DrawResult {
    let text_style = (FONT, 16).into_font().color(&BLACK);
    let note_style = (FONT, 15).into_font().color(&RGBColor(70, 70, 70));
    let mut y = 24;
    let mut after_glyphs = false;
    for entry in entries {
        match entry.glyph {
            Some(glyph) => {
                draw_glyph(area, glyph, (6, y))?;
                area.draw(&Text::new(
                    entry.text.clone(),
                    (44, y),
                    text_style.pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                y += LEGEND_LINE_HEIGHT;
            }
            None => {
                if !after_glyphs {
                    y += 10;
                    after_glyphs = true;
                }
                area.draw(&Text::new(
                    entry.text.clone(),
                    (6, y),
                    note_style.pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                y += LEGEND_NOTE_HEIGHT;
            }
        }
    }
    Ok(())
}

/// Draws a glyph in the 30×16 box whose left middle is `at`.
fn draw_glyph(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    glyph: Glyph,
    at: (i32, i32),
) -> DrawResult {
    let (x, y) = at;
    match glyph {
        Glyph::Line(color) => {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 30, y)],
                color.stroke_width(2),
            ))?;
        }
        Glyph::LineWithDots(color) => {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 30, y)],
                color.stroke_width(2),
            ))?;
            area.draw(&Circle::new((x + 15, y), 3, color.filled()))?;
        }
        Glyph::Dashed(color) => {
            area.draw(&DashedPathElement::new(
                vec![(x, y), (x + 30, y)],
                7,
                5,
                color.stroke_width(2),
            ))?;
        }
        Glyph::MeanWithBar(color) => {
            area.draw(&PathElement::new(
                vec![(x + 15, y - 8), (x + 15, y + 8)],
                color.stroke_width(1),
            ))?;
            area.draw(&Circle::new((x + 15, y), 3, color.stroke_width(1)))?;
        }
        Glyph::Band => {
            area.draw(&Rectangle::new(
                [(x, y - 8), (x + 30, y + 8)],
                DIVERGENT_COLOR.mix(0.10).filled(),
            ))?;
        }
        Glyph::Threshold => {
            area.draw(&DashedPathElement::new(
                vec![(x + 15, y - 9), (x + 15, y + 9)],
                6,
                4,
                DIVERGENT_COLOR.stroke_width(1),
            ))?;
        }
        Glyph::Cross(color) => {
            area.draw(&Cross::new((x + 15, y), 6, color.stroke_width(2)))?;
        }
        Glyph::Triangle => {
            area.draw(&TriangleMarker::new(
                (x + 15, y),
                6,
                RGBColor(60, 60, 60).filled(),
            ))?;
        }
        Glyph::Diamond => {
            area.draw(&Polygon::new(
                vec![(x + 15, y - 8), (x + 23, y), (x + 15, y + 8), (x + 7, y)],
                MARK_COLOR.mix(0.35).filled(),
            ))?;
            area.draw(&PathElement::new(
                vec![
                    (x + 15, y - 8),
                    (x + 23, y),
                    (x + 15, y + 8),
                    (x + 7, y),
                    (x + 15, y - 8),
                ],
                MARK_COLOR.stroke_width(2),
            ))?;
        }
        Glyph::DottedVertical => {
            area.draw(&DashedPathElement::new(
                vec![(x + 15, y - 9), (x + 15, y + 9)],
                2,
                4,
                MARK_COLOR.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = line.chars().count() + 1 + word.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y: YAxis = YAxis {
        low: 0.0,
        high: 10.0,
        clipped: true,
        clip_base: ClipBase::FarFromThreshold,
    };
    const LINEAR: XAxis = XAxis {
        low: 0.0,
        high: 100.0,
        log: false,
    };

    #[test]
    fn segment_inside_is_kept() {
        assert_eq!(
            clip_segment((0.0, 1.0), (1.0, 9.0), &Y),
            Some(((0.0, 1.0), (1.0, 9.0)))
        );
    }

    #[test]
    fn segment_leaving_top_ends_at_edge() {
        let (start, end) = clip_segment((0.0, 5.0), (1.0, 15.0), &Y).unwrap();
        assert_eq!(start, (0.0, 5.0));
        assert_eq!(end, (0.5, 10.0));
    }

    #[test]
    fn segment_above_range_is_dropped() {
        assert_eq!(clip_segment((0.0, 11.0), (1.0, 30.0), &Y), None);
        assert_eq!(clip_segment((0.0, 11.0), (1.0, 11.0), &Y), None);
    }

    #[test]
    fn divergent_point_breaks_line() {
        let points = vec![
            (1.0, Point::Finite(1.0)),
            (2.0, Point::Finite(2.0)),
            (3.0, Point::Divergent),
            (4.0, Point::Finite(3.0)),
            (5.0, Point::Finite(4.0)),
        ];
        let lines = clipped_polylines(&points, &LINEAR, &Y);
        assert_eq!(
            lines,
            vec![vec![(1.0, 1.0), (2.0, 2.0)], vec![(4.0, 3.0), (5.0, 4.0)]]
        );
    }

    #[test]
    fn y_axis_clips_peak() {
        // n = 40: the values at p = 38 and 42 are near the threshold, the
        // largest value away from it is 6, so the top is at most 18 + 5%.
        let values = [(0, 6.0), (20, 2.0), (38, 39.0), (42, 41.0), (80, 4.5)];
        let y = y_axis(&values, 40).unwrap();
        assert!(y.clipped);
        assert_eq!(y.clip_base, ClipBase::FarFromThreshold);
        assert!(y.high > 18.0, "{y:?}");
        assert!(y.high < 19.0, "{y:?}");
        assert!((y.low - 1.2).abs() < 1e-12, "{y:?}");
    }

    #[test]
    fn y_axis_near_threshold_clips_at_median() {
        // n = 1000: no size is 250 or more from n, so the median 120 sets
        // the clip level.
        let values = [
            (990, 110.0),
            (992, 115.0),
            (995, 120.0),
            (998, 500.0),
            (1005, 200.0),
        ];
        let y = y_axis(&values, 1000).unwrap();
        assert!(y.clipped);
        assert_eq!(y.clip_base, ClipBase::Median);
        assert!(y.high > 360.0, "{y:?}");
        assert!(y.high < 400.0, "{y:?}");
    }

    #[test]
    fn y_axis_keeps_moderate_values() {
        let values = [(0, 2.0), (1, 3.0), (2, 4.0)];
        let y = y_axis(&values, 10).unwrap();
        assert!(!y.clipped);
        assert!(y.high >= 4.0);
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
    }
}
