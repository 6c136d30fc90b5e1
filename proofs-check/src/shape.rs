//! The shape of a risk curve: sweet spot, non-monotone region, peak and
//! second descent.
//!
//! Definitions, for a curve R(p) on an increasing size grid with n samples:
//! - sweet spot s: the smallest p whose R is within the comparison's
//!   tolerance of the minimum of R over the grid sizes 0 ≤ p ≤ n−2;
//! - non-monotone start: scanning the grid from s, the last size before R
//!   first rises above its lowest value since s, or diverges;
//! - first descent degenerate: the sweet spot is p = 0, decided only when the
//!   curve has a value at p = 0;
//! - peak: the divergent sizes (n−1 ≤ p ≤ n+1 for the ridgeless head); when
//!   nothing diverges, the largest finite value after the non-monotone
//!   start, provided it rises above R(s);
//! - second descent: from the peak while R falls. It ends at the minimum
//!   over the grid sizes p ≥ n+2 after the peak, or at the end of the grid if
//!   R still falls there.
//!
//! So when all of them exist, s ≤ start < peak < end of the second descent.
//! The comparison is passed in as a [`Comparator`], so the same code serves
//! exact, floating-point and simulated curves. Points whose estimate has
//! infinite variance are skipped by every comparison: a rise is looked for
//! between the neighbours on either side of them.

use std::cmp::Ordering;

use serde::Serialize;

/// One point of a curve as input to the shape analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Point<T> {
    Finite(T),
    Divergent,
    /// No value from this engine at this size (for example, no closed form).
    Missing,
    /// A finite expected risk whose estimate has infinite variance, such as
    /// a simulated mean at 2 ≤ |p − n| ≤ 3 for the ridgeless head.
    InfiniteVariance,
}

/// Comparison of two finite risk values.
pub trait Comparator<T> {
    /// Orders `a` and `b` by value with no tolerance, to find the extreme
    /// values of a curve.
    fn order(&self, a: &T, b: &T) -> Ordering;
    /// Whether `a` lies below `b` by more than the comparison's tolerance.
    /// Closer values are ties.
    fn less(&self, a: &T, b: &T) -> bool;
    /// Whether the step from `a` to `b` is a rise that counts.
    fn rises(&self, a: &T, b: &T) -> bool;
    /// Whether the step from `a` to `b` is a fall that counts.
    fn falls(&self, a: &T, b: &T) -> bool;
}

/// Exact comparison, for exact rational curves. Floating-point curves use
/// [`FloatOrder`], which treats rounding differences as ties.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExactOrder;

impl<T: Ord> Comparator<T> for ExactOrder {
    fn order(&self, a: &T, b: &T) -> Ordering {
        a.cmp(b)
    }
    fn less(&self, a: &T, b: &T) -> bool {
        a < b
    }
    fn rises(&self, a: &T, b: &T) -> bool {
        b > a
    }
    fn falls(&self, a: &T, b: &T) -> bool {
        b < a
    }
}

/// Relative rounding tolerance of a floating-point risk curve: 256 ε, about
/// 5.7·10⁻¹⁴.
///
/// A deterministic-equivalent value carries about (d + 1) ε of relative
/// error from its sums and the κ solve (`headrisk_float::deterministic_equivalent`),
/// plus that of the spectrum of Σ_x, whose eigenvalues are accurate to a
/// few ε of the largest one. 256 ε leaves a wide margin above that and stays
/// far below the differences the shape claims are about. The tolerance is
/// taken of the larger of |a|, |b| and tr Σ_y, the curve's scale. At
/// λ = 10¹⁵ a curve is flat at tr Σ_y up to rounding, which must not move
/// the sweet spot.
// NOTE: unlike the float-versus-exact tolerance, this one does not grow with
// the condition number of Σ_x, so on an ill-conditioned model a rounding
// difference above it can still decide a comparison.
pub const FLOAT_CURVE_ROUNDING: f64 = 256.0 * f64::EPSILON;

/// Comparison of floating-point risks that treats differences within
/// [`FLOAT_CURVE_ROUNDING`] of the curve's scale as ties.
#[derive(Debug, Clone, Copy)]
pub struct FloatOrder {
    scale: f64,
}

impl FloatOrder {
    /// Builds the comparison for a curve whose empty head has risk
    /// `output_variance` = tr Σ_y, the scale of its rounding errors.
    pub fn new(output_variance: f64) -> Self {
        Self {
            scale: output_variance.abs(),
        }
    }

    fn tolerance(&self, a: f64, b: f64) -> f64 {
        FLOAT_CURVE_ROUNDING * self.scale.max(a.abs()).max(b.abs())
    }
}

impl Comparator<f64> for FloatOrder {
    fn order(&self, a: &f64, b: &f64) -> Ordering {
        a.total_cmp(b)
    }
    fn less(&self, a: &f64, b: &f64) -> bool {
        b - a > self.tolerance(*a, *b)
    }
    fn rises(&self, a: &f64, b: &f64) -> bool {
        self.less(a, b)
    }
    fn falls(&self, a: &f64, b: &f64) -> bool {
        self.less(b, a)
    }
}

/// The located features of one curve, as grid sizes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shape {
    /// Number of grid sizes with a finite value.
    pub finite_points: usize,
    /// Smallest size within the comparison's tolerance of the minimum of R
    /// over grid sizes 0 ≤ p ≤ n−2. `None` if none is finite.
    pub sweet_spot: Option<usize>,
    /// Size of the smallest value of R over grid sizes 0 ≤ p ≤ n−2, compared
    /// with no tolerance. The sweet spot is the smallest size that ties with it.
    pub first_descent_minimum: Option<usize>,
    /// Last size before R first rises above its lowest value since the
    /// sweet spot, or diverges. `None` without a sweet spot or a rise.
    pub non_monotone_start: Option<usize>,
    /// Whether the sweet spot is p = 0. `None` when the curve has no value at
    /// p = 0 or no sweet spot.
    pub first_descent_degenerate: Option<bool>,
    /// Grid sizes where the risk diverges.
    pub divergent_sizes: Vec<usize>,
    /// Grid sizes left out of every comparison, because the estimate of the
    /// (finite) risk there has infinite variance.
    pub infinite_variance_sizes: Vec<usize>,
    /// The peak when nothing diverges: the size of the largest finite value
    /// after the non-monotone start, if that value rises above R at the
    /// sweet spot. `None` when a size diverges.
    pub finite_peak: Option<usize>,
    /// End of the second descent: the smallest size within tolerance of the
    /// minimum over grid sizes p ≥ n+2 after the peak.
    pub second_descent_end: Option<usize>,
    /// Whether R still falls at the last grid size (the descent runs past the sweep).
    pub still_falling_at_end: Option<bool>,
    /// Whether R falls past the peak: from the finite peak, or from the first
    /// finite size p ≥ n+2 after divergent sizes, to the end of the second
    /// descent. `Some(false)` when the grid ends at a finite peak, `None`
    /// when there is no peak or too few values past it.
    pub second_descent_present: Option<bool>,
}

/// Locates the shape features of a curve.
///
/// `points` pairs each grid size with its value, in increasing size order.
pub fn analyze<T, C: Comparator<T>>(
    points: &[(usize, Point<T>)],
    samples: usize,
    order: &C,
) -> Shape {
    let first_region = finite_values(points, |size| size + 2 <= samples);
    let first_descent_minimum = first_region
        .iter()
        .min_by(|(_, a), (_, b)| order.order(a, b))
        .map(|(size, _)| *size);
    let sweet_spot = argmin(&first_region, order);
    let has_empty_head = points
        .iter()
        .any(|(size, point)| *size == 0 && matches!(point, Point::Finite(_)));
    let first_descent_degenerate = sweet_spot
        .filter(|_| has_empty_head)
        .map(|sweet| sweet == 0);

    let non_monotone_start = sweet_spot.and_then(|sweet| rise_start(points, sweet, order));

    let sizes_where = |wanted: fn(&Point<T>) -> bool| -> Vec<usize> {
        points
            .iter()
            .filter(|(_, point)| wanted(point))
            .map(|(size, _)| *size)
            .collect()
    };
    let divergent_sizes = sizes_where(|point| matches!(point, Point::Divergent));
    let infinite_variance_sizes = sizes_where(|point| matches!(point, Point::InfiniteVariance));

    let finite_peak = match (divergent_sizes.is_empty(), sweet_spot, non_monotone_start) {
        (true, Some(sweet), Some(start)) => value_at(points, sweet)
            .and_then(|sweet_value| finite_peak(points, sweet_value, start, order)),
        _ => None,
    };
    let peak = match (divergent_sizes.last(), finite_peak) {
        (Some(&last), _) => Some(Peak::Divergent { last }),
        (None, Some(size)) => value_at(points, size).map(|value| Peak::Finite { size, value }),
        (None, None) => None,
    };
    let descent = peak.map_or(SecondDescent::default(), |peak| {
        second_descent(points, samples, peak, order)
    });

    Shape {
        finite_points: points
            .iter()
            .filter(|(_, point)| matches!(point, Point::Finite(_)))
            .count(),
        sweet_spot,
        first_descent_minimum,
        non_monotone_start,
        first_descent_degenerate,
        divergent_sizes,
        infinite_variance_sizes,
        finite_peak,
        second_descent_end: descent.end,
        still_falling_at_end: descent.still_falling_at_end,
        second_descent_present: descent.present,
    }
}

/// The peak of a curve: the last of its divergent sizes, or a finite maximum.
#[derive(Debug, Clone, Copy)]
enum Peak<'a, T> {
    Divergent { last: usize },
    Finite { size: usize, value: &'a T },
}

#[derive(Debug, Clone, Copy, Default)]
struct SecondDescent {
    end: Option<usize>,
    still_falling_at_end: Option<bool>,
    present: Option<bool>,
}

/// Returns the finite values at the sizes that `keep` accepts, in grid order.
fn finite_values<T>(
    points: &[(usize, Point<T>)],
    keep: impl Fn(usize) -> bool,
) -> Vec<(usize, &T)> {
    points
        .iter()
        .filter(|(size, _)| keep(*size))
        .filter_map(|(size, point)| match point {
            Point::Finite(value) => Some((*size, value)),
            _ => None,
        })
        .collect()
}

fn value_at<T>(points: &[(usize, Point<T>)], size: usize) -> Option<&T> {
    points.iter().find_map(|(candidate, point)| match point {
        Point::Finite(value) if *candidate == size => Some(value),
        _ => None,
    })
}

/// Scans the grid from the sweet spot, keeping the lowest value so far and
/// the last size whose value has not risen above it. At the first size
/// where R rises above the lowest value or diverges, returns that last
/// size. Comparing with the lowest value rather than the previous one also
/// counts a rise made of steps that each stay within the tolerance. Sizes
/// without a value are skipped.
fn rise_start<T, C: Comparator<T>>(
    points: &[(usize, Point<T>)],
    sweet_spot: usize,
    order: &C,
) -> Option<usize> {
    let mut lowest: Option<&T> = None;
    let mut last_level: Option<usize> = None;
    for (size, point) in points.iter().filter(|(size, _)| *size >= sweet_spot) {
        match point {
            Point::Finite(value) => {
                if let Some(lowest_value) = lowest {
                    if order.rises(lowest_value, value) {
                        return last_level;
                    }
                }
                if lowest
                    .is_none_or(|lowest_value| order.order(value, lowest_value) == Ordering::Less)
                {
                    lowest = Some(value);
                }
                last_level = Some(*size);
            }
            Point::Divergent => return last_level,
            Point::Missing | Point::InfiniteVariance => {}
        }
    }
    None
}

/// Returns the size of the largest finite value after `start`, if that value
/// rises above `sweet_value`.
fn finite_peak<T, C: Comparator<T>>(
    points: &[(usize, Point<T>)],
    sweet_value: &T,
    start: usize,
    order: &C,
) -> Option<usize> {
    let after_start = finite_values(points, |size| size > start);
    let peak = argmax(&after_start, order)?;
    let peak_value = value_at(points, peak)?;
    order.rises(sweet_value, peak_value).then_some(peak)
}

/// Locates the second descent past `peak`, over the finite sizes p ≥ n+2
/// after it. The descent falls from a finite peak itself, but after divergent
/// sizes from the first finite size of that region.
fn second_descent<T, C: Comparator<T>>(
    points: &[(usize, Point<T>)],
    samples: usize,
    peak: Peak<'_, T>,
    order: &C,
) -> SecondDescent {
    let (after, reference) = match peak {
        Peak::Divergent { last } => (last, None),
        Peak::Finite { size, value } => (size, Some((size, value))),
    };
    let region = finite_values(points, |size| size > after && size >= samples + 2);
    let end = argmin(&region, order);
    let descent: Vec<(usize, &T)> = reference.into_iter().chain(region).collect();

    let still_falling_at_end = match descent.as_slice() {
        [.., (_, before), (_, last)] => Some(order.falls(before, last)),
        _ => None,
    };
    let ends_at_peak = points.last().is_some_and(|(size, _)| *size == after);
    let present = match (descent.as_slice(), end) {
        ([(first_size, first_value), _, ..], Some(end)) => Some(
            end != *first_size
                && value_at(points, end).is_some_and(|value| order.falls(first_value, value)),
        ),
        // The grid ends at a finite peak, so R never falls past it.
        ([_], None) if reference.is_some() && ends_at_peak => Some(false),
        _ => None,
    };
    SecondDescent {
        end,
        still_falling_at_end,
        present,
    }
}

/// Smallest size whose value is within the comparison's tolerance of the
/// minimum.
fn argmin<T, C: Comparator<T>>(values: &[(usize, &T)], order: &C) -> Option<usize> {
    let (_, minimum) = values.iter().min_by(|(_, a), (_, b)| order.order(a, b))?;
    values
        .iter()
        .find(|(_, value)| !order.less(minimum, value))
        .map(|(size, _)| *size)
}

/// Smallest size whose value is within the comparison's tolerance of the
/// maximum.
fn argmax<T, C: Comparator<T>>(values: &[(usize, &T)], order: &C) -> Option<usize> {
    let (_, maximum) = values.iter().max_by(|(_, a), (_, b)| order.order(a, b))?;
    values
        .iter()
        .find(|(_, value)| !order.less(value, maximum))
        .map(|(size, _)| *size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(values: &[(usize, Option<i64>)]) -> Vec<(usize, Point<i64>)> {
        values
            .iter()
            .map(|&(size, value)| (size, value.map_or(Point::Divergent, Point::Finite)))
            .collect()
    }

    #[test]
    fn infinite_variance_sizes_are_skipped() {
        // n = 6: divergent at 5..7, infinite variance at 3, 4, 8 and 9.
        let points = vec![
            (0, Point::Finite(3)),
            (1, Point::Finite(2)),
            (2, Point::Finite(1)),
            (3, Point::InfiniteVariance),
            (4, Point::InfiniteVariance),
            (5, Point::Divergent),
            (6, Point::Divergent),
            (7, Point::Divergent),
            (8, Point::InfiniteVariance),
            (9, Point::InfiniteVariance),
            (10, Point::Finite(4)),
            (11, Point::Finite(3)),
        ];
        let shape = analyze(&points, 6, &ExactOrder);
        assert_eq!(shape.sweet_spot, Some(2));
        // The rise from p = 2 to the divergent p = 5 crosses 3 and 4.
        assert_eq!(shape.non_monotone_start, Some(2));
        assert_eq!(shape.divergent_sizes, vec![5, 6, 7]);
        assert_eq!(shape.infinite_variance_sizes, vec![3, 4, 8, 9]);
        assert_eq!(shape.finite_points, 5);
        assert_eq!(shape.second_descent_end, Some(11));
        assert_eq!(shape.second_descent_present, Some(true));
    }

    #[test]
    fn degenerate_double_descent() {
        // n = 4: finite for p ≤ 2, divergent at 3..5, finite from 6.
        let points = curve(&[
            (0, Some(5)),
            (1, Some(6)),
            (2, Some(9)),
            (3, None),
            (4, None),
            (5, None),
            (6, Some(8)),
            (7, Some(7)),
            (8, Some(7)),
        ]);
        let shape = analyze(&points, 4, &ExactOrder);
        assert_eq!(shape.sweet_spot, Some(0));
        assert_eq!(shape.non_monotone_start, Some(0));
        assert_eq!(shape.first_descent_degenerate, Some(true));
        assert_eq!(shape.divergent_sizes, vec![3, 4, 5]);
        assert_eq!(shape.second_descent_end, Some(7));
        assert_eq!(shape.still_falling_at_end, Some(false));
        assert_eq!(shape.second_descent_present, Some(true));
    }

    #[test]
    fn interior_sweet_spot() {
        let points = curve(&[
            (0, Some(9)),
            (1, Some(4)),
            (2, Some(4)),
            (3, Some(6)),
            (4, None),
        ]);
        let shape = analyze(&points, 5, &ExactOrder);
        assert_eq!(shape.sweet_spot, Some(1));
        assert_eq!(shape.non_monotone_start, Some(2));
        assert_eq!(shape.first_descent_degenerate, Some(false));
        assert_eq!(shape.divergent_sizes, vec![4]);
        assert_eq!(shape.finite_peak, None);
    }

    #[test]
    fn rise_searched_after_sweet_spot() {
        // n = 6, so the sweet spot is searched over p ≤ 4. R rises at
        // p = 1 → 2, before the sweet spot p = 4, keeps falling after it
        // apart from a blip at p = 7 → 8, and never returns above R(4) = 25.
        let points = curve(&[
            (0, Some(50)),
            (1, Some(40)),
            (2, Some(45)),
            (3, Some(30)),
            (4, Some(25)),
            (5, Some(24)),
            (6, Some(22)),
            (7, Some(20)),
            (8, Some(21)),
            (9, Some(19)),
            (10, Some(18)),
            (11, Some(17)),
            (12, Some(16)),
        ]);
        let shape = analyze(&points, 6, &ExactOrder);
        assert_eq!(shape.sweet_spot, Some(4));
        assert_eq!(shape.non_monotone_start, Some(7));
        assert_eq!(shape.finite_peak, None);
        assert_eq!(shape.second_descent_present, None);
        assert_eq!(shape.second_descent_end, None);
    }

    #[test]
    fn finite_peak_above_sweet_spot() {
        let points = curve(&[
            (0, Some(50)),
            (1, Some(40)),
            (2, Some(30)),
            (3, Some(25)),
            (4, Some(20)),
            (5, Some(26)),
            (6, Some(35)),
            (7, Some(30)),
            (8, Some(22)),
            (9, Some(18)),
        ]);
        let shape = analyze(&points, 6, &ExactOrder);
        assert_eq!(shape.sweet_spot, Some(4));
        assert_eq!(shape.non_monotone_start, Some(4));
        assert_eq!(shape.finite_peak, Some(6));
        assert_eq!(shape.second_descent_end, Some(9));
        assert_eq!(shape.second_descent_present, Some(true));
        assert_eq!(shape.still_falling_at_end, Some(true));
    }

    #[test]
    fn second_descent_measured_from_finite_peak() {
        // The peak lies past n + 2 = 8, so R(8) and R(9) come before it and
        // do not count for the second descent.
        let points = curve(&[
            (0, Some(50)),
            (4, Some(20)),
            (8, Some(10)),
            (9, Some(30)),
            (10, Some(40)),
            (11, Some(35)),
            (12, Some(36)),
        ]);
        let shape = analyze(&points, 6, &ExactOrder);
        assert_eq!(shape.non_monotone_start, Some(8));
        assert_eq!(shape.finite_peak, Some(10));
        assert_eq!(shape.second_descent_end, Some(11));
        assert_eq!(shape.second_descent_present, Some(true));
        assert_eq!(shape.still_falling_at_end, Some(false));
    }

    #[test]
    fn maximum_at_grid_end_has_no_descent() {
        let points = curve(&[
            (0, Some(5)),
            (2, Some(3)),
            (4, Some(2)),
            (6, Some(3)),
            (8, Some(4)),
            (10, Some(6)),
        ]);
        let shape = analyze(&points, 6, &ExactOrder);
        assert_eq!(shape.non_monotone_start, Some(4));
        assert_eq!(shape.finite_peak, Some(10));
        assert_eq!(shape.second_descent_end, None);
        assert_eq!(shape.second_descent_present, Some(false));
    }

    #[test]
    fn degenerate_unknown_without_empty_head() {
        let points = curve(&[(2, Some(3)), (4, Some(2)), (8, Some(4))]);
        let shape = analyze(&points, 6, &ExactOrder);
        assert_eq!(shape.sweet_spot, Some(4));
        assert_eq!(shape.first_descent_degenerate, None);
    }

    /// Builds a curve flat at `level` except for rounding: p = 0 at `level`,
    /// then values up to 5 ε below it up to p = 12, for n = 16.
    fn rounding_flat_curve(level: f64) -> Vec<(usize, Point<f64>)> {
        (0..=12)
            .map(|size| {
                let ulps = (size % 6) as f64;
                (size, Point::Finite(level - ulps * level * f64::EPSILON))
            })
            .collect()
    }

    #[test]
    fn float_order_ties_rounding_differences() {
        let level = 3.569_082_382_01;
        let points = rounding_flat_curve(level);
        let shape = analyze(&points, 16, &FloatOrder::new(level));
        assert_eq!(shape.sweet_spot, Some(0));
        assert_eq!(shape.first_descent_degenerate, Some(true));
        assert_eq!(shape.non_monotone_start, None);
        assert_eq!(shape.finite_peak, None);
    }

    #[test]
    fn float_order_counts_real_differences() {
        let order = FloatOrder::new(1.0);
        assert!(order.less(&1.0, &(1.0 + 1e-10)));
        assert!(order.rises(&1.0, &(1.0 + 1e-10)));
        assert!(order.falls(&(1.0 + 1e-10), &1.0));
        assert!(!order.less(&1.0, &(1.0 + 16.0 * f64::EPSILON)));
        assert!(!order.less(&(1.0 + 16.0 * f64::EPSILON), &1.0));
    }

    #[test]
    fn float_order_scales_with_output_variance() {
        // Values far below tr Σ_y are compared on the scale of tr Σ_y.
        let order = FloatOrder::new(1e6);
        assert!(!order.less(&1e-3, &(1e-3 + 1e-9)));
        assert!(order.less(&1e-3, &(1e-3 + 1e-6)));
    }

    #[test]
    fn sweet_spot_ties_with_float_minimum() {
        // With tolerance T = 256 ε, R(1) ties with the minimum R(2) and with
        // R(0), but R(0) lies 1.2 T above R(2) and does not tie with it.
        let tolerance = FLOAT_CURVE_ROUNDING;
        let points: Vec<(usize, Point<f64>)> = [1.0, 1.0 - 0.6 * tolerance, 1.0 - 1.2 * tolerance]
            .into_iter()
            .enumerate()
            .map(|(size, value)| (size, Point::Finite(value)))
            .collect();
        let shape = analyze(&points, 4, &FloatOrder::new(1.0));
        assert_eq!(shape.first_descent_minimum, Some(2));
        assert_eq!(shape.sweet_spot, Some(1));
        assert_eq!(shape.first_descent_degenerate, Some(false));
    }

    #[test]
    fn rise_of_steps_within_tolerance_counts() {
        // Each step from p = 1 on stays within the tolerance (about
        // 5.7e-14 here), but R(3) lies above the lowest value R(1) beyond it.
        let points: Vec<(usize, Point<f64>)> = [1.0, 0.5, 0.5 + 4e-14, 0.5 + 8e-14, 0.5 + 1.2e-13]
            .into_iter()
            .enumerate()
            .map(|(size, value)| (size, Point::Finite(value)))
            .collect();
        let shape = analyze(&points, 4, &FloatOrder::new(1.0));
        assert_eq!(shape.sweet_spot, Some(1));
        assert_eq!(shape.non_monotone_start, Some(2));
    }

    #[test]
    fn missing_values_leave_second_descent_unknown() {
        let points = vec![
            (0, Point::Finite(1)),
            (1, Point::Finite(2)),
            (3, Point::Divergent),
            (6, Point::Missing),
        ];
        let shape = analyze(&points, 3, &ExactOrder);
        assert_eq!(shape.second_descent_end, None);
        assert_eq!(shape.second_descent_present, None);
        assert_eq!(shape.still_falling_at_end, None);
    }
}
