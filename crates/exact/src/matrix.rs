//! Dense matrices of exact rationals and their arithmetic.
//!
//! [`Matrix`] stores its entries row-major like
//! [`headrisk_model::RationalMatrix`], the container of the parameter set,
//! and adds the arithmetic. Elimination (determinant, solve, inverse) lives in
//! [`crate::elimination`].

use std::ops::Index;

use headrisk_model::RationalMatrix;
use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::error::ExactError;

/// Dense row-major matrix with exact rational entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    n_rows: usize,
    n_cols: usize,
    entries: Vec<BigRational>,
}

impl Matrix {
    /// Builds a matrix from its entries in row-major order.
    ///
    /// # Errors
    /// [`ExactError::EntryCount`] when `entries.len() != n_rows * n_cols`.
    pub fn from_row_major(
        n_rows: usize,
        n_cols: usize,
        entries: Vec<BigRational>,
    ) -> Result<Self, ExactError> {
        if entries.len() != n_rows * n_cols {
            return Err(ExactError::EntryCount {
                n_rows,
                n_cols,
                found: entries.len(),
            });
        }
        Ok(Self {
            n_rows,
            n_cols,
            entries,
        })
    }

    /// Builds a matrix whose entry (row, col) is `entry(row, col)`.
    pub fn from_fn(
        n_rows: usize,
        n_cols: usize,
        mut entry: impl FnMut(usize, usize) -> BigRational,
    ) -> Self {
        let mut entries = Vec::with_capacity(n_rows * n_cols);
        for row in 0..n_rows {
            for col in 0..n_cols {
                entries.push(entry(row, col));
            }
        }
        Self {
            n_rows,
            n_cols,
            entries,
        }
    }

    /// Builds the n_rows×n_cols zero matrix.
    pub fn zeros(n_rows: usize, n_cols: usize) -> Self {
        Self {
            n_rows,
            n_cols,
            entries: vec![BigRational::zero(); n_rows * n_cols],
        }
    }

    /// Builds the n×n identity.
    pub fn identity(n: usize) -> Self {
        Self::scaled_identity(n, &BigRational::one())
    }

    /// Builds `value · I_n`.
    pub fn scaled_identity(n: usize, value: &BigRational) -> Self {
        Self::from_fn(n, n, |row, col| {
            if row == col {
                value.clone()
            } else {
                BigRational::zero()
            }
        })
    }

    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Shape `(n_rows, n_cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.n_rows, self.n_cols)
    }

    /// Entry (row, col), or `None` outside the matrix.
    pub fn get(&self, row: usize, col: usize) -> Option<&BigRational> {
        (row < self.n_rows && col < self.n_cols).then(|| &self.entries[row * self.n_cols + col])
    }

    /// Entries in row-major order.
    pub fn entries(&self) -> &[BigRational] {
        &self.entries
    }

    /// Copies the matrix into the parameter-set container type.
    pub fn to_rational_matrix(&self) -> RationalMatrix {
        // The entry count matches the shape by the invariant of `Matrix`, so
        // the fallback is never taken.
        RationalMatrix::from_row_major(self.n_rows, self.n_cols, self.entries.clone())
            .unwrap_or_else(|| RationalMatrix::zeros(self.n_rows, self.n_cols))
    }

    pub(crate) fn entry_mut(&mut self, row: usize, col: usize) -> &mut BigRational {
        &mut self.entries[row * self.n_cols + col]
    }

    /// Computes the transpose Aᵀ.
    pub fn transpose(&self) -> Matrix {
        Matrix::from_fn(self.n_cols, self.n_rows, |row, col| {
            self[(col, row)].clone()
        })
    }

    /// Computes the product A·B with n_rows·n_cols·inner rational multiplications.
    ///
    /// # Errors
    /// [`ExactError::ShapeMismatch`] when A has not as many columns as B has rows.
    pub fn product(&self, other: &Matrix) -> Result<Matrix, ExactError> {
        if self.n_cols != other.n_rows {
            return Err(ExactError::ShapeMismatch {
                operation: "matrix product",
                left: self.shape(),
                right: other.shape(),
            });
        }
        let mut result = Matrix::zeros(self.n_rows, other.n_cols);
        for row in 0..self.n_rows {
            for inner in 0..self.n_cols {
                let left = &self[(row, inner)];
                if left.is_zero() {
                    continue;
                }
                for col in 0..other.n_cols {
                    let right = &other[(inner, col)];
                    if !right.is_zero() {
                        *result.entry_mut(row, col) += left * right;
                    }
                }
            }
        }
        Ok(result)
    }

    /// Computes the entrywise sum A + B.
    ///
    /// # Errors
    /// [`ExactError::ShapeMismatch`] when the shapes differ.
    pub fn sum(&self, other: &Matrix) -> Result<Matrix, ExactError> {
        self.entrywise(other, "matrix sum", |left, right| left + right)
    }

    /// Computes the entrywise difference A − B.
    ///
    /// # Errors
    /// [`ExactError::ShapeMismatch`] when the shapes differ.
    pub fn difference(&self, other: &Matrix) -> Result<Matrix, ExactError> {
        self.entrywise(other, "matrix difference", |left, right| left - right)
    }

    fn entrywise(
        &self,
        other: &Matrix,
        operation: &'static str,
        combine: impl Fn(&BigRational, &BigRational) -> BigRational,
    ) -> Result<Matrix, ExactError> {
        if self.shape() != other.shape() {
            return Err(ExactError::ShapeMismatch {
                operation,
                left: self.shape(),
                right: other.shape(),
            });
        }
        let entries = self
            .entries
            .iter()
            .zip(&other.entries)
            .map(|(left, right)| combine(left, right))
            .collect();
        Ok(Matrix {
            n_rows: self.n_rows,
            n_cols: self.n_cols,
            entries,
        })
    }

    /// Computes the multiple c·A.
    pub fn scale(&self, factor: &BigRational) -> Matrix {
        Matrix {
            n_rows: self.n_rows,
            n_cols: self.n_cols,
            entries: self.entries.iter().map(|entry| entry * factor).collect(),
        }
    }

    /// Computes A + c·I for a square A.
    ///
    /// # Errors
    /// [`ExactError::NotSquare`] when A is not square.
    pub fn shift_diagonal(&self, shift: &BigRational) -> Result<Matrix, ExactError> {
        self.require_square("diagonal shift")?;
        let mut result = self.clone();
        for i in 0..self.n_rows {
            *result.entry_mut(i, i) += shift;
        }
        Ok(result)
    }

    /// Computes the trace tr A = Σ_i A_ii.
    ///
    /// # Errors
    /// [`ExactError::NotSquare`] when A is not square.
    pub fn trace(&self) -> Result<BigRational, ExactError> {
        self.require_square("trace")?;
        Ok((0..self.n_rows).map(|i| self[(i, i)].clone()).sum())
    }

    /// Computes the Frobenius inner product ⟨A, B⟩ = Σ_ij A_ij B_ij = tr(Aᵀ B)
    /// without forming the product.
    ///
    /// # Errors
    /// [`ExactError::ShapeMismatch`] when the shapes differ.
    pub fn frobenius_inner(&self, other: &Matrix) -> Result<BigRational, ExactError> {
        if self.shape() != other.shape() {
            return Err(ExactError::ShapeMismatch {
                operation: "Frobenius inner product",
                left: self.shape(),
                right: other.shape(),
            });
        }
        Ok(self
            .entries
            .iter()
            .zip(&other.entries)
            .map(|(left, right)| left * right)
            .sum())
    }

    /// Computes the squared Frobenius norm ‖A‖²_F = Σ_ij A_ij².
    pub fn frobenius_norm_squared(&self) -> BigRational {
        self.entries.iter().map(|entry| entry * entry).sum()
    }

    /// Tests whether every entry is zero.
    pub fn is_zero(&self) -> bool {
        self.entries.iter().all(Zero::is_zero)
    }

    /// Finds the scalar c with A = c·I exactly. Returns `None` when there is
    /// none, and for a non-square or empty matrix.
    pub fn scaled_identity_factor(&self) -> Option<BigRational> {
        if self.n_rows != self.n_cols || self.n_rows == 0 {
            return None;
        }
        let factor = self[(0, 0)].clone();
        for row in 0..self.n_rows {
            for col in 0..self.n_cols {
                let expected_zero = row != col;
                let entry = &self[(row, col)];
                if (expected_zero && !entry.is_zero()) || (!expected_zero && *entry != factor) {
                    return None;
                }
            }
        }
        Some(factor)
    }

    /// Tests whether the matrix is square and equals its transpose exactly.
    pub fn is_symmetric(&self) -> bool {
        self.n_rows == self.n_cols
            && (0..self.n_rows)
                .all(|row| (row + 1..self.n_cols).all(|col| self[(row, col)] == self[(col, row)]))
    }

    pub(crate) fn require_square(&self, operation: &'static str) -> Result<(), ExactError> {
        if self.n_rows != self.n_cols {
            return Err(ExactError::NotSquare {
                operation,
                shape: self.shape(),
            });
        }
        Ok(())
    }
}

impl From<&RationalMatrix> for Matrix {
    fn from(matrix: &RationalMatrix) -> Self {
        Matrix {
            n_rows: matrix.n_rows(),
            n_cols: matrix.n_cols(),
            entries: matrix.entries().to_vec(),
        }
    }
}

impl Index<(usize, usize)> for Matrix {
    type Output = BigRational;

    /// Entry (row, col).
    ///
    /// # Panics
    /// When the index is outside the matrix; [`Matrix::get`] returns `None` instead.
    fn index(&self, (row, col): (usize, usize)) -> &BigRational {
        assert!(
            row < self.n_rows && col < self.n_cols,
            "index ({row}, {col}) outside a {}×{} matrix",
            self.n_rows,
            self.n_cols
        );
        &self.entries[row * self.n_cols + col]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(numerator.into(), denominator.into())
    }

    fn matrix(n_rows: usize, n_cols: usize, values: &[(i64, i64)]) -> Matrix {
        let entries = values
            .iter()
            .map(|&(numerator, denominator)| ratio(numerator, denominator))
            .collect();
        Matrix::from_row_major(n_rows, n_cols, entries).unwrap()
    }

    #[test]
    fn product_by_hand() {
        // [1 1/2; 0 2] · [2; 4] = [1·2 + 1/2·4; 2·4] = [4; 8]
        let a = matrix(2, 2, &[(1, 1), (1, 2), (0, 1), (2, 1)]);
        let b = matrix(2, 1, &[(2, 1), (4, 1)]);
        assert_eq!(a.product(&b).unwrap(), matrix(2, 1, &[(4, 1), (8, 1)]));
    }

    #[test]
    fn product_rejects_shapes() {
        let a = Matrix::zeros(2, 3);
        let error = a.product(&a).unwrap_err();
        assert_eq!(
            error,
            ExactError::ShapeMismatch {
                operation: "matrix product",
                left: (2, 3),
                right: (2, 3),
            }
        );
    }

    #[test]
    fn transpose_trace_and_sum() {
        let a = matrix(2, 2, &[(1, 3), (2, 1), (5, 1), (-1, 6)]);
        assert_eq!(a.transpose()[(0, 1)], ratio(5, 1));
        assert_eq!(a.trace().unwrap(), ratio(1, 6));
        assert_eq!(a.sum(&a).unwrap(), a.scale(&ratio(2, 1)));
        assert!(a.difference(&a).unwrap().is_zero());
        assert_eq!(a.frobenius_inner(&a).unwrap(), a.frobenius_norm_squared());
        assert_eq!(
            a.frobenius_norm_squared(),
            ratio(1, 9) + ratio(4, 1) + ratio(25, 1) + ratio(1, 36)
        );
    }

    #[test]
    fn trace_rejects_rectangle() {
        assert_eq!(
            Matrix::zeros(2, 3).trace(),
            Err(ExactError::NotSquare {
                operation: "trace",
                shape: (2, 3),
            })
        );
    }

    #[test]
    fn scaled_identity_detection() {
        let c = ratio(3, 7);
        assert_eq!(
            Matrix::scaled_identity(3, &c).scaled_identity_factor(),
            Some(c)
        );
        let mut almost = Matrix::identity(2);
        *almost.entry_mut(0, 1) = ratio(1, 100);
        assert_eq!(almost.scaled_identity_factor(), None);
        assert_eq!(Matrix::zeros(0, 0).scaled_identity_factor(), None);
    }

    #[test]
    fn entry_count_is_checked() {
        assert_eq!(
            Matrix::from_row_major(2, 2, vec![BigRational::zero(); 3]),
            Err(ExactError::EntryCount {
                n_rows: 2,
                n_cols: 2,
                found: 3,
            })
        );
    }

    #[test]
    fn round_trip_through_container() {
        let a = matrix(1, 2, &[(1, 2), (-3, 4)]);
        assert_eq!(Matrix::from(&a.to_rational_matrix()), a);
    }
}
