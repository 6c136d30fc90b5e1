//! Fraction-free Gaussian elimination (Bareiss) for determinants, linear
//! solves and inverses.
//!
//! Method. Each row of the augmented system [A | B] is multiplied by the
//! least common multiple of its denominators, which turns it into integers
//! without changing the solution. Bareiss elimination then runs on the
//! integers: step k replaces a_ij by (a_ij·a_kk − a_ik·a_kj)/a_{k−1,k−1}, and
//! that division is exact because every intermediate entry is a minor of
//! the scaled matrix. The last pivot is ±det of the scaled matrix, D. Back
//! substitution computes D·x, which is an integer vector by Cramer's rule,
//! again with exact integer divisions, and divides by D once at the end.
//!
//! Cost. For an n×n system with m right-hand sides, O(n²(n + m))
//! multiplications and exact divisions of integers, no gcd inside the loops,
//! and n·m rational normalisations at the end. The integers stay within
//! Hadamard's bound: a minor of order k of a matrix with b-bit entries has
//! at most k(b + log₂ k) bits. Rational elimination would instead reduce a
//! fraction after every operation.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::error::ExactError;
use crate::matrix::Matrix;

/// The rows of [A | B] scaled to integers, and the product of the row
/// scales, which divides det A.
struct IntegerSystem {
    rows: Vec<Vec<BigInt>>,
    scale_product: BigInt,
}

/// An upper-triangular integer system after forward elimination.
struct Echelon {
    rows: Vec<Vec<BigInt>>,
    swaps_odd: bool,
}

fn integer_system(matrix: &Matrix, rhs: Option<&Matrix>) -> IntegerSystem {
    let n = matrix.n_rows();
    let extra = rhs.map_or(0, Matrix::n_cols);
    let mut rows = Vec::with_capacity(n);
    let mut scale_product = BigInt::one();

    for row in 0..n {
        let mut entries: Vec<&BigRational> = (0..matrix.n_cols())
            .map(|col| &matrix[(row, col)])
            .collect();
        if let Some(rhs) = rhs {
            entries.extend((0..extra).map(|col| &rhs[(row, col)]));
        }
        let scale = entries
            .iter()
            .fold(BigInt::one(), |scale, entry| scale.lcm(entry.denom()));
        let integers = entries
            .iter()
            .map(|entry| entry.numer() * (&scale / entry.denom()))
            .collect();
        rows.push(integers);
        scale_product *= scale;
    }
    IntegerSystem {
        rows,
        scale_product,
    }
}

/// Bareiss forward elimination on the first `n` columns of `rows`.
///
/// Chooses as pivot the non-zero entry of fewest bits in the column, which
/// keeps the exact divisions small. Returns the column without a non-zero
/// pivot when the leading n×n block is singular.
fn forward(mut rows: Vec<Vec<BigInt>>, n: usize) -> Result<Echelon, usize> {
    let mut previous_pivot = BigInt::one();
    let mut swaps_odd = false;

    for k in 0..n {
        let pivot_row = (k..n)
            .filter(|&row| !rows[row][k].is_zero())
            .min_by_key(|&row| rows[row][k].bits())
            .ok_or(k)?;
        if pivot_row != k {
            rows.swap(pivot_row, k);
            swaps_odd = !swaps_odd;
        }

        let (upper, lower) = rows.split_at_mut(k + 1);
        let pivot_line = &upper[k];
        let pivot = &pivot_line[k];
        for line in lower.iter_mut() {
            let factor = std::mem::take(&mut line[k]);
            for col in k + 1..line.len() {
                let updated = &line[col] * pivot - &factor * &pivot_line[col];
                line[col] = updated / &previous_pivot;
            }
        }
        previous_pivot = rows[k][k].clone();
    }
    Ok(Echelon { rows, swaps_odd })
}

impl Matrix {
    /// Computes the determinant det A by fraction-free Bareiss elimination.
    ///
    /// Exact. Cost O(n³) integer operations (see [`crate::elimination`]).
    ///
    /// # Errors
    /// [`ExactError::NotSquare`] when A is not square.
    pub fn determinant(&self) -> Result<BigRational, ExactError> {
        self.require_square("determinant")?;
        let n = self.n_rows();
        if n == 0 {
            return Ok(BigRational::one());
        }

        let system = integer_system(self, None);
        let Ok(echelon) = forward(system.rows, n) else {
            return Ok(BigRational::zero());
        };

        let mut scaled_determinant = echelon.rows[n - 1][n - 1].clone();
        if echelon.swaps_odd {
            scaled_determinant = -scaled_determinant;
        }
        Ok(BigRational::new(scaled_determinant, system.scale_product))
    }

    /// Solves A·X = B for a square non-singular A.
    ///
    /// Exact, by Bareiss elimination with fraction-free back substitution.
    /// Cost O(n²(n + m)) integer operations for m right-hand sides.
    ///
    /// # Errors
    /// [`ExactError::NotSquare`] when A is not square,
    /// [`ExactError::ShapeMismatch`] when B has not as many rows as A, and
    /// [`ExactError::Singular`] with the first column without a pivot when
    /// A is singular.
    pub fn solve(&self, rhs: &Matrix) -> Result<Matrix, ExactError> {
        self.require_square("linear solve")?;
        if rhs.n_rows() != self.n_rows() {
            return Err(ExactError::ShapeMismatch {
                operation: "linear solve",
                left: self.shape(),
                right: rhs.shape(),
            });
        }
        let n = self.n_rows();
        let m = rhs.n_cols();
        if n == 0 {
            return Ok(Matrix::zeros(0, m));
        }

        let system = integer_system(self, Some(rhs));
        let echelon = forward(system.rows, n).map_err(|pivot| ExactError::Singular {
            matrix: "matrix".into(),
            pivot,
        })?;
        let rows = echelon.rows;
        let determinant = rows[n - 1][n - 1].clone();

        // y_i = D·x_i is an integer (Cramer's rule), and
        // a_ii·y_i = D·b_i − Σ_{j>i} a_ij·y_j, so each division is exact.
        let mut scaled_solution = vec![vec![BigInt::zero(); m]; n];
        for col in 0..m {
            for i in (0..n).rev() {
                let mut numerator = &determinant * &rows[i][n + col];
                for j in i + 1..n {
                    numerator -= &rows[i][j] * &scaled_solution[j][col];
                }
                scaled_solution[i][col] = numerator / &rows[i][i];
            }
        }

        Ok(Matrix::from_fn(n, m, |row, col| {
            BigRational::new(scaled_solution[row][col].clone(), determinant.clone())
        }))
    }

    /// Computes the inverse A⁻¹ as the solution of A·X = I.
    ///
    /// Exact. Cost O(n³) integer operations.
    ///
    /// # Errors
    /// As [`Matrix::solve`].
    pub fn inverse(&self) -> Result<Matrix, ExactError> {
        self.require_square("inverse")?;
        self.solve(&Matrix::identity(self.n_rows()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(numerator.into(), denominator.into())
    }

    /// Builds a deterministic dense matrix with entries of mixed denominators.
    fn dense(n: usize, seed: i64) -> Matrix {
        Matrix::from_fn(n, n, |row, col| {
            let numerator = ((row as i64 * 7 + col as i64 * 13 + seed) % 11) - 5;
            let denominator = ((row as i64 + 2 * col as i64 + seed) % 5) + 1;
            let diagonal = if row == col {
                ratio(n as i64, 1)
            } else {
                ratio(0, 1)
            };
            ratio(numerator, denominator) + diagonal
        })
    }

    #[test]
    fn determinant_by_hand() {
        // det [1/2 1; 3 4] = 1/2·4 − 1·3 = −1
        let a = Matrix::from_row_major(
            2,
            2,
            vec![ratio(1, 2), ratio(1, 1), ratio(3, 1), ratio(4, 1)],
        )
        .unwrap();
        assert_eq!(a.determinant().unwrap(), ratio(-1, 1));
    }

    #[test]
    fn determinant_with_row_swap() {
        // det [0 2; 3 1/3] = 0·1/3 − 2·3 = −6; elimination must swap rows.
        let a = Matrix::from_row_major(
            2,
            2,
            vec![ratio(0, 1), ratio(2, 1), ratio(3, 1), ratio(1, 3)],
        )
        .unwrap();
        assert_eq!(a.determinant().unwrap(), ratio(-6, 1));
    }

    #[test]
    fn determinant_is_multiplicative() {
        let a = dense(5, 1);
        let b = dense(5, 4);
        let product = a.product(&b).unwrap();
        assert_eq!(
            product.determinant().unwrap(),
            a.determinant().unwrap() * b.determinant().unwrap()
        );
    }

    #[test]
    fn inverse_times_matrix_is_identity() {
        for n in 1..=7 {
            let a = dense(n, n as i64);
            let inverse = a.inverse().unwrap();
            assert_eq!(inverse.product(&a).unwrap(), Matrix::identity(n), "n = {n}");
            assert_eq!(a.product(&inverse).unwrap(), Matrix::identity(n), "n = {n}");
        }
    }

    #[test]
    fn solve_residual_is_zero() {
        let a = dense(6, 3);
        let b = Matrix::from_fn(6, 2, |row, col| ratio(row as i64 - 2 * col as i64, 3));
        let x = a.solve(&b).unwrap();
        assert_eq!(a.product(&x).unwrap(), b);
    }

    #[test]
    fn singular_matrix_names_pivot() {
        // The second row is twice the first, so column 1 has no pivot.
        let a = Matrix::from_row_major(
            3,
            3,
            vec![
                ratio(1, 1),
                ratio(2, 1),
                ratio(3, 1),
                ratio(2, 1),
                ratio(4, 1),
                ratio(6, 1),
                ratio(0, 1),
                ratio(1, 1),
                ratio(1, 1),
            ],
        )
        .unwrap();
        assert_eq!(a.determinant().unwrap(), ratio(0, 1));
        let error = a.inverse().unwrap_err();
        assert_eq!(
            error,
            ExactError::Singular {
                matrix: "matrix".into(),
                pivot: 2,
            }
        );
    }

    #[test]
    fn empty_matrix() {
        let empty = Matrix::zeros(0, 0);
        assert_eq!(empty.determinant().unwrap(), ratio(1, 1));
        assert_eq!(empty.inverse().unwrap(), empty);
    }
}
