//! The shape of a risk curve: sweet spot, non-monotone region, peak and
//! second descent.
//!
//! Definitions, for a curve R(p) on an increasing size grid with n samples:
//! - sweet spot: the smallest p whose R is within the comparison's tolerance
//!   of the minimum of R over the grid sizes 0 ≤ p ≤ n−2;
//! - non-monotone start: the first grid size after which R rises to the next
//!   grid size;
//! - first descent degenerate: the sweet spot is p = 0;
//! - peak: the divergent sizes (n−1 ≤ p ≤ n+1 for the ridgeless head), or
//!   the largest finite value after the sweet spot when nothing diverges;
//! - second descent: from the peak while R falls; it ends at the minimum over
//!   the grid sizes p ≥ n+2, or at the end of the grid if R still falls there.
//!
//! The comparison is passed in as a [`Comparator`], so the same code serves
//! exact, floating-point and simulated curves.

use std::cmp::Ordering;

use serde::Serialize;

/// One point of a curve as input to the shape analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Point<T> {
    Finite(T),
    Divergent,
    /// No value from this engine at this size (for example, no closed form).
    Missing,
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
    /// over grid sizes 0 ≤ p ≤ n−2; `None` if none is finite.
    pub sweet_spot: Option<usize>,
    /// First grid size after which R rises; `None` if it never rises.
    pub non_monotone_start: Option<usize>,
    /// Whether the sweet spot is p = 0.
    pub first_descent_degenerate: Option<bool>,
    /// Grid sizes where the risk diverges.
    pub divergent_sizes: Vec<usize>,
    /// Size of the largest finite value after the sweet spot, used as the
    /// peak when nothing diverges.
    pub finite_peak: Option<usize>,
    /// Where the second descent ends: the argmin over grid sizes p ≥ n+2.
    pub second_descent_end: Option<usize>,
    /// Whether R still falls at the last grid size (the descent runs past the sweep).
    pub still_falling_at_end: Option<bool>,
    /// Whether R falls from the first finite size p ≥ n+2 towards the end.
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
    let first_region: Vec<(usize, &T)> = points
        .iter()
        .filter(|(size, _)| *size + 2 <= samples)
        .filter_map(|(size, point)| match point {
            Point::Finite(value) => Some((*size, value)),
            _ => None,
        })
        .collect();
    let sweet_spot = argmin(&first_region, order);

    let non_monotone_start = points
        .windows(2)
        .find_map(|pair| match (&pair[0].1, &pair[1].1) {
            (Point::Finite(a), Point::Finite(b)) if order.rises(a, b) => Some(pair[0].0),
            (Point::Finite(_), Point::Divergent) => Some(pair[0].0),
            _ => None,
        });

    let divergent_sizes: Vec<usize> = points
        .iter()
        .filter(|(_, point)| matches!(point, Point::Divergent))
        .map(|(size, _)| *size)
        .collect();

    let after_sweet: Vec<(usize, &T)> = points
        .iter()
        .filter(|(size, _)| sweet_spot.is_some_and(|sweet| *size > sweet))
        .filter_map(|(size, point)| match point {
            Point::Finite(value) => Some((*size, value)),
            _ => None,
        })
        .collect();
    let finite_peak = argmax(&after_sweet, order);

    let second_region: Vec<(usize, &T)> = points
        .iter()
        .filter(|(size, _)| *size >= samples + 2)
        .filter_map(|(size, point)| match point {
            Point::Finite(value) => Some((*size, value)),
            _ => None,
        })
        .collect();
    let second_descent_end = argmin(&second_region, order);
    let still_falling_at_end = match second_region.as_slice() {
        [.., (_, before), (_, last)] => Some(order.falls(before, last)),
        _ => None,
    };
    let second_descent_present = match (second_region.first(), second_descent_end) {
        (Some((first_size, first_value)), Some(end)) if second_region.len() >= 2 => {
            let end_value = second_region
                .iter()
                .find(|(size, _)| *size == end)
                .map(|(_, value)| *value);
            Some(
                end != *first_size
                    && end_value.is_some_and(|value| order.falls(first_value, value)),
            )
        }
        _ => None,
    };

    Shape {
        finite_points: points
            .iter()
            .filter(|(_, point)| matches!(point, Point::Finite(_)))
            .count(),
        sweet_spot,
        non_monotone_start,
        first_descent_degenerate: sweet_spot.map(|sweet| sweet == 0),
        divergent_sizes,
        finite_peak,
        second_descent_end,
        still_falling_at_end,
        second_descent_present,
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
        assert_eq!(shape.finite_peak, Some(3));
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
}
