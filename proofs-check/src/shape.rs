//! The shape of a risk curve: sweet spot, non-monotone region, peak and
//! second descent.
//!
//! Definitions, for a curve R(p) on an increasing size grid with n samples:
//! - sweet spot: the smallest p minimising R over the grid sizes 0 ≤ p ≤ n−2;
//! - non-monotone start: the first grid size after which R rises to the next
//!   grid size;
//! - first descent degenerate: the sweet spot is p = 0;
//! - peak: the divergent sizes (n−1 ≤ p ≤ n+1 for the ridgeless head), or
//!   the largest finite value after the sweet spot when nothing diverges;
//! - second descent: from the peak while R falls; it ends at the minimum over
//!   the grid sizes p ≥ n+2, or at the end of the grid if R still falls there.
//!
//! A comparison that is uncertain (simulation) is passed in as a closure, so
//! the same code serves exact, floating-point and simulated curves. Points
//! whose estimate has infinite variance are skipped by every comparison:
//! a rise is looked for between the neighbours on either side of them.

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
    /// Whether `a < b` for the purpose of locating a minimum.
    fn less(&self, a: &T, b: &T) -> bool;
    /// Whether the step from `a` to `b` is a rise that counts.
    fn rises(&self, a: &T, b: &T) -> bool;
    /// Whether the step from `a` to `b` is a fall that counts.
    fn falls(&self, a: &T, b: &T) -> bool;
}

/// Exact comparison, for exact and deterministic floating-point curves.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExactOrder;

impl<T: PartialOrd> Comparator<T> for ExactOrder {
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

/// The located features of one curve, as grid sizes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shape {
    /// Number of grid sizes with a finite value.
    pub finite_points: usize,
    /// Argmin of R over grid sizes 0 ≤ p ≤ n−2; `None` if none is finite.
    pub sweet_spot: Option<usize>,
    /// First grid size after which R rises; `None` if it never rises.
    pub non_monotone_start: Option<usize>,
    /// Whether the sweet spot is p = 0.
    pub first_descent_degenerate: Option<bool>,
    /// Grid sizes where the risk diverges.
    pub divergent_sizes: Vec<usize>,
    /// Grid sizes left out of every comparison, because the estimate of the
    /// (finite) risk there has infinite variance.
    pub infinite_variance_sizes: Vec<usize>,
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

    let compared: Vec<&(usize, Point<T>)> = points
        .iter()
        .filter(|(_, point)| !matches!(point, Point::InfiniteVariance))
        .collect();
    let non_monotone_start = compared
        .windows(2)
        .find_map(|pair| match (&pair[0].1, &pair[1].1) {
            (Point::Finite(a), Point::Finite(b)) if order.rises(a, b) => Some(pair[0].0),
            (Point::Finite(_), Point::Divergent) => Some(pair[0].0),
            _ => None,
        });

    let sizes_where = |wanted: fn(&Point<T>) -> bool| -> Vec<usize> {
        points
            .iter()
            .filter(|(_, point)| wanted(point))
            .map(|(size, _)| *size)
            .collect()
    };
    let divergent_sizes = sizes_where(|point| matches!(point, Point::Divergent));
    let infinite_variance_sizes = sizes_where(|point| matches!(point, Point::InfiniteVariance));

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
        infinite_variance_sizes,
        finite_peak,
        second_descent_end,
        still_falling_at_end,
        second_descent_present,
    }
}

/// Smallest size attaining the minimum (ties go to the smaller size).
fn argmin<T, C: Comparator<T>>(values: &[(usize, &T)], order: &C) -> Option<usize> {
    let mut best: Option<(usize, &T)> = None;
    for &(size, value) in values {
        if best.is_none_or(|(_, best_value)| order.less(value, best_value)) {
            best = Some((size, value));
        }
    }
    best.map(|(size, _)| size)
}

/// Smallest size attaining the maximum.
fn argmax<T, C: Comparator<T>>(values: &[(usize, &T)], order: &C) -> Option<usize> {
    let mut best: Option<(usize, &T)> = None;
    for &(size, value) in values {
        if best.is_none_or(|(_, best_value)| order.less(best_value, value)) {
            best = Some((size, value));
        }
    }
    best.map(|(size, _)| size)
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
