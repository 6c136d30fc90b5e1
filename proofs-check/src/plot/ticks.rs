//! Axis ticks and the text of axis and legend numbers.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// Maximum number of intervals between the ticks of a linear axis.
const MAX_INTERVALS: f64 = 10.0;
/// Minimum number of power-of-ten ticks on a log axis. An axis with fewer
/// gets the ticks of a linear axis.
const MIN_LOG_TICKS: usize = 4;
/// Magnitudes at or above this are written in scientific notation.
const MAX_FIXED_MAGNITUDE: f64 = 1e7;
/// Nonzero magnitudes below this are written in scientific notation.
const MIN_FIXED_MAGNITUDE: f64 = 1e-4;

/// The ticks of an axis with their labels.
#[derive(Debug, Clone)]
pub(crate) struct AxisTicks {
    values: Vec<f64>,
    labels: Vec<String>,
}

impl AxisTicks {
    /// Places ticks at the multiples of a step of 1, 2 or 5 times a power of
    /// ten in `low..=high`, with at most [`MAX_INTERVALS`] intervals. The
    /// labels have as many digits as the step needs, so no two are equal.
    /// An empty or infinite range has no ticks.
    pub(crate) fn linear(low: f64, high: f64) -> Self {
        let Some(step) = tick_step(low, high) else {
            return Self {
                values: Vec::new(),
                labels: Vec::new(),
            };
        };
        let first = (low / step).ceil();
        let last = (high / step).floor();
        let values: Vec<f64> = (0..=(last - first) as usize)
            .map(|index| (first + index as f64) * step)
            .filter(|value| low <= *value && *value <= high)
            .collect();
        let labels = tick_labels(&values, step);
        Self { values, labels }
    }

    /// Places the ticks of a log axis on `low..=high`: 1, 2 and 5 times the
    /// powers of ten, or every digit times a power of ten when that gives
    /// fewer than four ticks. A range too narrow for either gets the ticks of
    /// a linear axis, because a log axis bends little over a narrow range.
    /// Plotters' own log ticks crowd and repeat labels on short ranges.
    pub(crate) fn log(low: f64, high: f64) -> Self {
        let ticks = |mantissas: &[f64]| -> Vec<f64> {
            let mut ticks = Vec::new();
            let mut power = 10_f64.powi(low.log10().floor() as i32);
            while power <= high {
                for mantissa in mantissas {
                    let tick = mantissa * power;
                    if low <= tick && tick <= high {
                        ticks.push(tick);
                    }
                }
                power *= 10.0;
            }
            ticks
        };
        let mut values = ticks(&[1.0, 2.0, 5.0]);
        if values.len() < MIN_LOG_TICKS {
            values = ticks(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        }
        if values.len() < MIN_LOG_TICKS {
            return Self::linear(low, high);
        }
        // Each tick has one significant digit, so the labels differ.
        let labels = values.iter().map(|value| axis_number(*value)).collect();
        Self { values, labels }
    }

    pub(crate) fn values(&self) -> &[f64] {
        &self.values
    }

    /// Returns the label of the tick nearest to `value`.
    pub(crate) fn label(&self, value: f64) -> String {
        self.values
            .iter()
            .zip(&self.labels)
            .min_by(|(a, _), (b, _)| (*a - value).abs().total_cmp(&(*b - value).abs()))
            .map_or_else(|| axis_number(value), |(_, label)| label.clone())
    }

    /// Returns the length of the longest label, in characters.
    pub(crate) fn widest_label(&self) -> usize {
        self.labels
            .iter()
            .map(|label| label.chars().count())
            .max()
            .unwrap_or(0)
    }
}

/// Returns the smallest step of 1, 2 or 5 times a power of ten that splits
/// `low..high` into at most [`MAX_INTERVALS`] intervals.
fn tick_step(low: f64, high: f64) -> Option<f64> {
    // Dividing each end first keeps the width finite for ends near ±f64::MAX.
    let smallest = high / MAX_INTERVALS - low / MAX_INTERVALS;
    if !(smallest > 0.0 && smallest.is_finite()) {
        return None;
    }
    let power = 10_f64.powi(smallest.log10().floor() as i32);
    if !(power > 0.0 && power.is_finite()) {
        return None;
    }
    [1.0, 2.0, 5.0]
        .into_iter()
        .map(|mantissa| mantissa * power)
        .find(|step| *step >= smallest)
        .or(Some(10.0 * power))
}

/// Labels ticks spaced `step` apart. Fixed notation has as many decimals as
/// the step. Scientific notation, used when the largest magnitude is outside
/// [`MIN_FIXED_MAGNITUDE`]..[`MAX_FIXED_MAGNITUDE`], has as many mantissa
/// digits. When rounding makes two labels equal, every label gets one more
/// digit.
fn tick_labels(values: &[f64], step: f64) -> Vec<String> {
    let largest = values
        .iter()
        .fold(0.0_f64, |largest, value| largest.max(value.abs()));
    let scientific =
        largest > 0.0 && !(MIN_FIXED_MAGNITUDE..MAX_FIXED_MAGNITUDE).contains(&largest);
    // The step is 1, 2 or 5 times 10^step_exponent.
    let step_exponent = step.log10().floor() as i32;
    let label = |value: f64, extra: usize| -> String {
        if (value / step).round() == 0.0 {
            return "0".into();
        }
        if scientific {
            let decimals = (decimal_exponent(value) - step_exponent).max(0) as usize + extra;
            format!("{value:.decimals$e}")
        } else {
            let decimals = (-step_exponent).max(0) as usize + extra;
            format!("{value:.decimals$}")
        }
    };
    let mut labels = Vec::new();
    // Seventeen significant digits tell any two distinct f64 values apart.
    for extra in 0..=17 {
        labels = values.iter().map(|value| label(*value, extra)).collect();
        if all_distinct(&labels) {
            break;
        }
    }
    labels
}

/// Returns the exponent that `{:e}` writes for `value`.
fn decimal_exponent(value: f64) -> i32 {
    let text = format!("{value:e}");
    text.split_once('e')
        .and_then(|(_, exponent)| exponent.parse().ok())
        .unwrap_or(0)
}

fn all_distinct(labels: &[String]) -> bool {
    let mut sorted: Vec<&String> = labels.iter().collect();
    sorted.sort();
    sorted.windows(2).all(|pair| pair[0] != pair[1])
}

/// A linear f64 axis with the given ticks. Unlike plotters' `WithKeyPoints`
/// on an f64 range, it accepts a mesh label formatter.
pub(crate) struct TickedRange {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl TickedRange {
    pub(crate) fn new(range: Range<f64>, ticks: &[f64]) -> Self {
        Self {
            inner: range.into(),
            ticks: ticks.to_vec(),
        }
    }
}

impl Ranged for TickedRange {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    /// Returns the ticks for the bold mesh lines and labels, and no light
    /// lines.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// Returns the ticks of a log axis on `low..=high`, as [`AxisTicks::log`]
/// places them.
pub(crate) fn log_key_points(low: f64, high: f64) -> Vec<f64> {
    AxisTicks::log(low, high).values
}

/// Formats an axis or legend number compactly: integers below
/// [`MAX_FIXED_MAGNITUDE`] without a fraction, others as [`short_number`]
/// does.
pub(crate) fn axis_number(value: f64) -> String {
    if value == value.round() && value.abs() < MAX_FIXED_MAGNITUDE {
        return format!("{value:.0}");
    }
    short_number(value)
}

/// Formats a number with 4 significant digits, without trailing zeros, in
/// scientific notation when its magnitude is outside
/// [`MIN_FIXED_MAGNITUDE`]..[`MAX_FIXED_MAGNITUDE`].
pub(crate) fn short_number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    if !(MIN_FIXED_MAGNITUDE..MAX_FIXED_MAGNITUDE).contains(&value.abs()) {
        let text = format!("{value:.3e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let digits = (3 - value.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_range_labels_differ() {
        // A risk that changes in the seventh digit, as with a strong ridge.
        let ticks = AxisTicks::linear(3.569_075_8, 3.569_082_6);
        assert_eq!(ticks.values().len(), 7, "{ticks:?}");
        assert!(all_distinct(&ticks.labels), "{ticks:?}");
        assert_eq!(ticks.label(3.569_08), "3.569080");
        assert_eq!(ticks.widest_label(), 8);
    }

    #[test]
    fn moderate_range_labels_are_plain() {
        let ticks = AxisTicks::linear(0.0, 18.9);
        assert_eq!(
            ticks.labels,
            ["0", "2", "4", "6", "8", "10", "12", "14", "16", "18"]
        );
    }

    #[test]
    fn extreme_magnitude_labels_are_scientific() {
        let huge = AxisTicks::linear(0.9e300, 2.1e300);
        assert_eq!(
            huge.labels,
            [
                "1.0e300", "1.2e300", "1.4e300", "1.6e300", "1.8e300", "2.0e300"
            ]
        );
        let tiny = AxisTicks::linear(0.0, 2.2e-9);
        assert_eq!(tiny.labels, ["0", "5e-10", "1.0e-9", "1.5e-9", "2.0e-9"]);
    }

    #[test]
    fn empty_range_has_no_ticks() {
        assert!(AxisTicks::linear(1.0, 1.0).values().is_empty());
        assert!(AxisTicks::linear(0.0, f64::INFINITY).values().is_empty());
    }

    #[test]
    fn log_ticks_are_one_two_five() {
        assert_eq!(
            log_key_points(0.9, 132.0),
            vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        );
        assert_eq!(log_key_points(3.0, 12.0).len(), 8);
    }

    #[test]
    fn narrow_log_ticks_are_linear() {
        let ticks = AxisTicks::log(989.6, 1010.4);
        assert_eq!(ticks.values(), [990.0, 995.0, 1000.0, 1005.0, 1010.0]);
        assert_eq!(ticks.labels, ["990", "995", "1000", "1005", "1010"]);
        let ticks = AxisTicks::log(999.98, 1001.02);
        assert_eq!(ticks.values().len(), 6, "{ticks:?}");
        assert!(all_distinct(&ticks.labels), "{ticks:?}");
    }

    #[test]
    fn short_number_trims_zeros() {
        assert_eq!(short_number(2.5), "2.5");
        assert_eq!(short_number(19.2345), "19.23");
        assert_eq!(axis_number(20.0), "20");
    }

    #[test]
    fn extreme_numbers_are_scientific() {
        assert_eq!(short_number(1.0263157894736842e300), "1.026e300");
        assert_eq!(short_number(-2.5e-7), "-2.5e-7");
        assert_eq!(short_number(1e8), "1e8");
        assert_eq!(axis_number(1e8), "1e8");
        assert_eq!(axis_number(1_234_567.0), "1234567");
        assert_eq!(short_number(0.000_125), "0.000125");
    }
}
