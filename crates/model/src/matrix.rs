//! A dense row-major matrix of exact rationals, the container of matrix inputs.
//!
//! It only stores and converts: arithmetic on it belongs to the engines.

use num_rational::BigRational;
use num_traits::{One, Zero};

/// Dense row-major matrix with exact rational entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RationalMatrix {
    n_rows: usize,
    n_cols: usize,
    entries: Vec<BigRational>,
}

impl RationalMatrix {
    /// Builds a matrix from its entries in row-major order.
    ///
    /// Returns `None` when `entries.len() != n_rows * n_cols`.
    pub fn from_row_major(n_rows: usize, n_cols: usize, entries: Vec<BigRational>) -> Option<Self> {
        (entries.len() == n_rows * n_cols).then_some(Self {
            n_rows,
            n_cols,
            entries,
        })
    }

    /// The n×n identity.
    pub fn identity(n: usize) -> Self {
        let mut matrix = Self::zeros(n, n);
        for i in 0..n {
            matrix.entries[i * n + i] = BigRational::one();
        }
        matrix
    }

    /// The n_rows×n_cols zero matrix.
    pub fn zeros(n_rows: usize, n_cols: usize) -> Self {
        Self {
            n_rows,
            n_cols,
            entries: vec![BigRational::zero(); n_rows * n_cols],
        }
    }

    /// `value · I_n`.
    pub fn scaled_identity(n: usize, value: &BigRational) -> Self {
        let mut matrix = Self::zeros(n, n);
        for i in 0..n {
            matrix.entries[i * n + i] = value.clone();
        }
        matrix
    }

    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Entry (row, col). Out-of-range indices are a caller bug.
    ///
    /// # Panics
    /// When `row >= n_rows` or `col >= n_cols`.
    pub fn get(&self, row: usize, col: usize) -> &BigRational {
        assert!(row < self.n_rows && col < self.n_cols, "index out of range");
        &self.entries[row * self.n_cols + col]
    }

    /// Entries in row-major order.
    pub fn entries(&self) -> &[BigRational] {
        &self.entries
    }

    /// Consumes the matrix into its row-major entries.
    pub fn into_entries(self) -> Vec<BigRational> {
        self.entries
    }

    /// The first `n_cols` columns, as a new matrix.
    ///
    /// # Panics
    /// When `n_cols` exceeds the number of columns.
    pub fn leading_columns(&self, n_cols: usize) -> Self {
        assert!(n_cols <= self.n_cols, "more columns requested than stored");
        let mut entries = Vec::with_capacity(self.n_rows * n_cols);
        for row in 0..self.n_rows {
            let start = row * self.n_cols;
            entries.extend_from_slice(&self.entries[start..start + n_cols]);
        }
        Self {
            n_rows: self.n_rows,
            n_cols,
            entries,
        }
    }

    /// Entries converted to the nearest `f64`, row-major.
    pub fn to_f64_row_major(&self) -> Vec<f64> {
        self.entries.iter().map(crate::number::to_f64).collect()
    }

    /// Whether the matrix is square and equals its transpose exactly.
    pub fn is_symmetric(&self) -> bool {
        self.first_asymmetry().is_none()
    }

    pub(crate) fn first_asymmetry(&self) -> Option<(usize, usize)> {
        if self.n_rows != self.n_cols {
            return Some((0, 0));
        }
        for row in 0..self.n_rows {
            for col in row + 1..self.n_cols {
                if self.get(row, col) != self.get(col, row) {
                    return Some((row, col));
                }
            }
        }
        None
    }
}
