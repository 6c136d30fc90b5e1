//! Seeded generation of the feature matrix W, quantised to dyadic rationals.
//!
//! The exact and the floating-point engines must see the identical matrix, so
//! each generated entry is rounded to a multiple of 2^-bits. With at most 40
//! fractional bits and entries below 2^12 in magnitude, every such number is
//! also an `f64` exactly.

use num_bigint::BigInt;
use num_rational::BigRational;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::matrix::RationalMatrix;

/// Default number of fractional bits of a generated feature entry.
pub const DEFAULT_FEATURE_BITS: u32 = 20;
/// Largest accepted number of fractional bits; 40 keeps every entry an exact
/// `f64` (|entry| · 2^40 < 2^53 for |entry| < 2^12).
pub const MAX_FEATURE_BITS: u32 = 40;

/// How to generate W ∈ R^{d×P}.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureSpec {
    /// Number of columns P.
    pub columns: usize,
    /// Seed of the ChaCha8 stream.
    pub seed: u64,
    /// Scale each column to unit Euclidean norm before quantising.
    pub unit_norm: bool,
    /// Fractional bits of each entry, 1 ≤ bits ≤ [`MAX_FEATURE_BITS`].
    pub bits: u32,
}

/// The feature matrix W ∈ R^{d×P}, stored exactly.
///
/// Generated matrices keep their dyadic form (integer numerators over 2^bits,
/// column-major), which takes 8 bytes an entry, converts to `f64` without
/// rounding, and keeps d = 50, P = 100,000 at 40 MB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureMatrix {
    storage: Storage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Storage {
    Rational(RationalMatrix),
    Dyadic {
        n_rows: usize,
        n_cols: usize,
        bits: u32,
        numerators: Vec<i64>,
    },
}

impl FeatureMatrix {
    /// Wraps an explicit matrix.
    pub fn from_rational(matrix: RationalMatrix) -> Self {
        Self {
            storage: Storage::Rational(matrix),
        }
    }

    /// Number of rows d.
    pub fn n_rows(&self) -> usize {
        match &self.storage {
            Storage::Rational(matrix) => matrix.n_rows(),
            Storage::Dyadic { n_rows, .. } => *n_rows,
        }
    }

    /// Number of columns P, the largest model size.
    pub fn n_cols(&self) -> usize {
        match &self.storage {
            Storage::Rational(matrix) => matrix.n_cols(),
            Storage::Dyadic { n_cols, .. } => *n_cols,
        }
    }

    /// Entry (row, col) as an exact rational.
    ///
    /// # Panics
    /// When the index is out of range.
    pub fn rational(&self, row: usize, col: usize) -> BigRational {
        match &self.storage {
            Storage::Rational(matrix) => matrix.get(row, col).clone(),
            Storage::Dyadic {
                n_rows,
                bits,
                numerators,
                ..
            } => BigRational::new(
                BigInt::from(numerators[col * n_rows + row]),
                BigInt::from(1u64) << *bits,
            ),
        }
    }

    /// Entry (row, col) as the nearest `f64`; exact for generated matrices.
    ///
    /// # Panics
    /// When the index is out of range.
    pub fn float(&self, row: usize, col: usize) -> f64 {
        match &self.storage {
            Storage::Rational(matrix) => crate::number::to_f64(matrix.get(row, col)),
            Storage::Dyadic {
                n_rows,
                bits,
                numerators,
                ..
            } => numerators[col * n_rows + row] as f64 * f64::from(2u32).powi(-(*bits as i32)),
        }
    }

    /// The first `n_cols` columns W_p as an exact matrix.
    ///
    /// # Panics
    /// When `n_cols` exceeds the number of columns.
    pub fn leading_columns(&self, n_cols: usize) -> RationalMatrix {
        let n_rows = self.n_rows();
        let entries = (0..n_rows)
            .flat_map(|row| (0..n_cols).map(move |col| (row, col)))
            .map(|(row, col)| self.rational(row, col))
            .collect();
        RationalMatrix::from_row_major(n_rows, n_cols, entries)
            .unwrap_or_else(|| RationalMatrix::zeros(n_rows, n_cols))
    }

    /// Column `col` as exact rationals.
    pub fn column(&self, col: usize) -> Vec<BigRational> {
        (0..self.n_rows())
            .map(|row| self.rational(row, col))
            .collect()
    }

    /// All entries as `f64`, column-major (column j at `j*d .. (j+1)*d`).
    pub fn to_f64_column_major(&self) -> Vec<f64> {
        let (n_rows, n_cols) = (self.n_rows(), self.n_cols());
        let mut out = Vec::with_capacity(n_rows * n_cols);
        for col in 0..n_cols {
            for row in 0..n_rows {
                out.push(self.float(row, col));
            }
        }
        out
    }
}

/// Generates W column by column from one ChaCha8 stream.
///
/// Entries are i.i.d. standard normal (rand_distr's `StandardNormal`, a
/// ziggurat sampler), optionally divided by the column's norm, then rounded to
/// the nearest multiple of 2^-bits. Columns are drawn in order, so the first
/// P₁ columns do not depend on the total P: nested models share features.
/// Unit-norm columns are unit only up to the rounding, |‖w‖ − 1| ≤ √d·2^-(bits+1).
pub fn generate(dim: usize, spec: &FeatureSpec) -> FeatureMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let scale = f64::from(2u32).powi(spec.bits as i32);

    let mut numerators = Vec::with_capacity(dim * spec.columns);
    let mut column = vec![0.0f64; dim];
    for _ in 0..spec.columns {
        for entry in column.iter_mut() {
            *entry = rng.sample(StandardNormal);
        }
        if spec.unit_norm {
            let norm = column.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                column.iter_mut().for_each(|x| *x /= norm);
            }
        }
        for &entry in &column {
            // A standard normal draw exceeds 2^12 in magnitude with
            // probability below 10^-(10^6); the clamp keeps the bound exact.
            let clamped = entry.clamp(-4095.0, 4095.0);
            numerators.push((clamped * scale).round() as i64);
        }
    }

    FeatureMatrix {
        storage: Storage::Dyadic {
            n_rows: dim,
            n_cols: spec.columns,
            bits: spec.bits,
            numerators,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::ToPrimitive;

    fn spec(columns: usize, unit_norm: bool) -> FeatureSpec {
        FeatureSpec {
            columns,
            seed: 7,
            unit_norm,
            bits: 16,
        }
    }

    #[test]
    fn generated_columns_are_nested() {
        let small = generate(3, &spec(5, false));
        let large = generate(3, &spec(9, false));
        assert_eq!(large.leading_columns(5), small.leading_columns(5));
    }

    #[test]
    fn generated_entries_are_dyadic() {
        let w = generate(4, &spec(6, false));
        for entry in w.leading_columns(6).entries() {
            let denominator = entry.denom().to_u64().unwrap_or(0);
            assert!(denominator.is_power_of_two() && denominator <= 1 << 16);
        }
        for row in 0..4 {
            for col in 0..6 {
                let exact = BigRational::from_float(w.float(row, col));
                assert_eq!(exact, Some(w.rational(row, col)));
            }
        }
    }

    #[test]
    fn unit_norm_columns_are_near_unit() {
        let w = generate(5, &spec(8, true));
        for col in 0..8 {
            let norm_squared: f64 = (0..5).map(|row| w.float(row, col).powi(2)).sum();
            assert!(
                (norm_squared - 1.0).abs() < 1e-3,
                "column {col}: {norm_squared}"
            );
        }
    }

    #[test]
    fn seed_changes_matrix() {
        let first = generate(2, &spec(4, false));
        let other = generate(
            2,
            &FeatureSpec {
                seed: 8,
                ..spec(4, false)
            },
        );
        assert_ne!(first, other);
        assert_eq!(first.to_f64_column_major().len(), 8);
    }
}
