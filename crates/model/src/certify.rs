//! Exact checks that a parameter set needs and that no float can decide:
//! positive semidefiniteness, the rank of W, and the stability of A.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{FromPrimitive, One, Signed, Zero};

use crate::matrix::RationalMatrix;

/// The first failing pivot of a symmetric matrix that is not positive
/// semidefinite, with its value.
///
/// Symmetric Gaussian elimination without pivoting decides it exactly: a
/// negative pivot, or a zero pivot whose row is not zero (a 2×2 principal
/// minor is then negative), proves indefiniteness; otherwise M = L D Lᵀ with
/// D ≥ 0. The caller checks symmetry first.
pub(crate) fn first_negative_pivot(matrix: &RationalMatrix) -> Option<(usize, BigRational)> {
    symmetric_pivot_failure(matrix, false)
}

/// The first pivot of symmetric Gaussian elimination that rules out
/// semidefiniteness or, with `strict`, definiteness: a negative pivot, a
/// zero pivot with a non-zero row, or with `strict` any zero pivot.
fn symmetric_pivot_failure(matrix: &RationalMatrix, strict: bool) -> Option<(usize, BigRational)> {
    let n = matrix.n_rows();
    let mut work: Vec<BigRational> = matrix.entries().to_vec();

    for k in 0..n {
        let pivot = work[k * n + k].clone();
        if pivot.is_negative() || (strict && pivot.is_zero()) {
            return Some((k, pivot));
        }
        if pivot.is_zero() {
            if (k + 1..n).any(|j| !work[k * n + j].is_zero()) {
                return Some((k, pivot));
            }
            continue;
        }
        for i in k + 1..n {
            let factor = &work[i * n + k] / &pivot;
            if factor.is_zero() {
                continue;
            }
            for j in k + 1..n {
                let update = &factor * &work[k * n + j];
                work[i * n + j] -= update;
            }
        }
    }
    None
}

/// Number of leading columns of `matrix` that are linearly independent, and
/// the rank of the first `through` columns.
///
/// Returns `(independent_prefix, rank_through)`: columns 0..independent_prefix
/// are independent and column `independent_prefix` (if any) depends on them.
pub(crate) fn leading_column_rank(matrix: &RationalMatrix, through: usize) -> (usize, usize) {
    let n_rows = matrix.n_rows();
    // Reduced basis: each stored vector has a pivot row where every later
    // vector is zero.
    let mut basis: Vec<(usize, Vec<BigRational>)> = Vec::new();
    let mut independent_prefix = None;

    for col in 0..through.min(matrix.n_cols()) {
        let mut vector: Vec<BigRational> = (0..n_rows)
            .map(|row| matrix.get(row, col).clone())
            .collect();
        for (pivot_row, basis_vector) in &basis {
            if vector[*pivot_row].is_zero() {
                continue;
            }
            let factor = &vector[*pivot_row] / &basis_vector[*pivot_row];
            for (entry, basis_entry) in vector.iter_mut().zip(basis_vector) {
                *entry -= &factor * basis_entry;
            }
        }
        match vector.iter().position(|entry| !entry.is_zero()) {
            Some(pivot_row) => basis.push((pivot_row, vector)),
            None => {
                independent_prefix.get_or_insert(col);
            }
        }
        if basis.len() == n_rows && independent_prefix.is_some() {
            break;
        }
    }
    let rank = basis.len();
    (
        independent_prefix.unwrap_or(through.min(matrix.n_cols())),
        rank,
    )
}

/// Largest d for which the exact Schur–Cohn test runs; its rational
/// coefficients grow quickly with the degree (d = 20 takes seconds).
pub(crate) const SCHUR_COHN_MAX_DIM: usize = 16;
/// Largest d for which a Lyapunov certificate is tried; the exact check
/// costs O(d³) big-integer operations.
pub(crate) const LYAPUNOV_CERTIFICATE_MAX_DIM: usize = 100;
/// Fractional bits of the rounded candidate P of the Lyapunov certificate.
const CERTIFICATE_BITS: u32 = 24;

/// max |a_ii| when A is upper or lower triangular, whose eigenvalues are its
/// diagonal entries; `None` otherwise.
fn triangular_spectral_radius(matrix: &RationalMatrix) -> Option<BigRational> {
    let n = matrix.n_rows();
    let upper = (0..n).all(|row| (0..row).all(|col| matrix.get(row, col).is_zero()));
    let lower = (0..n).all(|row| (row + 1..n).all(|col| matrix.get(row, col).is_zero()));
    (upper || lower).then(|| {
        (0..n)
            .map(|i| matrix.get(i, i).abs())
            .max()
            .unwrap_or_else(BigRational::zero)
    })
}

/// Tries to prove ρ(A) < 1 by a Lyapunov certificate: a symmetric P ≻ 0
/// with P − AᵀPA ≻ 0 exists exactly when ρ(A) < 1 (Lyapunov's theorem for
/// discrete time).
///
/// A candidate P = Σ_k (Aᵀ)^k A^k is computed in f64 by the doubling
/// iteration and rounded to multiples of 2^-24; the two definiteness
/// conditions are then checked exactly, so the float only guides the search
/// and a `true` is a proof. A `false` proves nothing.
fn lyapunov_certificate(matrix: &RationalMatrix) -> bool {
    let n = matrix.n_rows();
    let a = matrix.to_f64_row_major();
    if a.iter().any(|x| !x.is_finite()) {
        return false;
    }
    let multiply = |x: &[f64], y: &[f64], transpose_x: bool| -> Vec<f64> {
        let mut out = vec![0.0; n * n];
        for i in 0..n {
            for k in 0..n {
                let xik = if transpose_x {
                    x[k * n + i]
                } else {
                    x[i * n + k]
                };
                if xik == 0.0 {
                    continue;
                }
                for j in 0..n {
                    out[i * n + j] += xik * y[k * n + j];
                }
            }
        }
        out
    };
    // P_{k+1} = P_k + B_kᵀ P_k B_k, B_{k+1} = B_k², from P_0 = I, B_0 = A.
    let mut p: Vec<f64> = (0..n * n)
        .map(|index| if index % (n + 1) == 0 { 1.0 } else { 0.0 })
        .collect();
    let mut b = a.clone();
    for _ in 0..64 {
        let pb = multiply(&p, &b, false);
        let update = multiply(&b, &pb, true);
        for (entry, delta) in p.iter_mut().zip(&update) {
            *entry += delta;
        }
        b = multiply(&b, &b, false);
        let size: f64 = b.iter().map(|x| x * x).sum();
        if !size.is_finite() || p.iter().any(|x| !x.is_finite()) {
            return false;
        }
        if size < 1e-40 {
            break;
        }
    }

    // Rounded, symmetric candidate as exact rationals.
    let scale = f64::from(2u32).powi(CERTIFICATE_BITS as i32);
    let denominator = BigInt::from(1u64) << CERTIFICATE_BITS;
    let mut candidate = vec![BigRational::zero(); n * n];
    for i in 0..n {
        for j in i..n {
            let value = (0.5 * (p[i * n + j] + p[j * n + i]) * scale).round();
            if !value.is_finite() || value.abs() > 1e300 {
                return false;
            }
            let Some(numerator) = BigInt::from_f64(value) else {
                return false;
            };
            let entry = BigRational::new(numerator, denominator.clone());
            candidate[i * n + j] = entry.clone();
            candidate[j * n + i] = entry;
        }
    }
    let Some(candidate) = RationalMatrix::from_row_major(n, n, candidate) else {
        return false;
    };
    if !is_positive_definite(&candidate) {
        return false;
    }

    // P − AᵀPA, exactly.
    let entries = matrix.entries();
    let mut pa = vec![BigRational::zero(); n * n];
    for i in 0..n {
        for k in 0..n {
            let pik = candidate.get(i, k);
            if pik.is_zero() {
                continue;
            }
            for j in 0..n {
                if !entries[k * n + j].is_zero() {
                    pa[i * n + j] += pik * &entries[k * n + j];
                }
            }
        }
    }
    let mut difference = candidate.entries().to_vec();
    for k in 0..n {
        for i in 0..n {
            let aki = &entries[k * n + i];
            if aki.is_zero() {
                continue;
            }
            for j in 0..n {
                if !pa[k * n + j].is_zero() {
                    difference[i * n + j] -= aki * &pa[k * n + j];
                }
            }
        }
    }
    RationalMatrix::from_row_major(n, n, difference)
        .is_some_and(|matrix| is_positive_definite(&matrix))
}

/// Whether a symmetric matrix is positive definite: every pivot of
/// symmetric Gaussian elimination is positive.
fn is_positive_definite(matrix: &RationalMatrix) -> bool {
    symmetric_pivot_failure(matrix, true).is_none()
}

/// Outcome of the exact stability test of a square matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stability {
    /// ρ(A) < 1.
    Stable,
    /// ρ(A) ≥ 1, with the reason in words.
    Unstable(String),
    /// Neither proved, with the reason in words.
    Undecided(String),
}

/// Decides ρ(A) < 1 exactly.
///
/// First the cheap sufficient test: an induced norm (max absolute row or
/// column sum) below 1 bounds ρ(A). Otherwise the characteristic polynomial
/// is computed exactly through a Hessenberg similarity and tested with the
/// Schur–Cohn recursion, which decides whether every root lies strictly
/// inside the unit disc.
pub(crate) fn stability(matrix: &RationalMatrix) -> Stability {
    let n = matrix.n_rows();
    let row_norm = (0..n)
        .map(|row| {
            (0..n)
                .map(|col| matrix.get(row, col).abs())
                .sum::<BigRational>()
        })
        .max()
        .unwrap_or_else(BigRational::zero);
    let col_norm = (0..n)
        .map(|col| {
            (0..n)
                .map(|row| matrix.get(row, col).abs())
                .sum::<BigRational>()
        })
        .max()
        .unwrap_or_else(BigRational::zero);
    if row_norm < BigRational::one() || col_norm < BigRational::one() {
        return Stability::Stable;
    }
    if let Some(radius) = triangular_spectral_radius(matrix) {
        return if radius < BigRational::one() {
            Stability::Stable
        } else {
            Stability::Unstable(format!(
                "is triangular with a diagonal entry of modulus {} ≥ 1",
                crate::number::format_value(&radius)
            ))
        };
    }
    if n <= LYAPUNOV_CERTIFICATE_MAX_DIM && lyapunov_certificate(matrix) {
        return Stability::Stable;
    }
    if n > SCHUR_COHN_MAX_DIM {
        return Stability::Undecided(format!(
            "could not be certified stable: it has norms ≥ 1, is not triangular, no Lyapunov certificate was found, \
             and d = {n} exceeds {SCHUR_COHN_MAX_DIM}, the largest dimension for the exact Schur–Cohn test"
        ));
    }

    let polynomial = characteristic_polynomial(matrix);
    match schur_cohn_failure(polynomial) {
        None => Stability::Stable,
        Some(degree) => Stability::Unstable(format!(
            "has spectral radius ≥ 1 (exact Schur–Cohn test on its characteristic polynomial fails at degree {degree})"
        )),
    }
}

/// Coefficients c_0, …, c_n (lowest degree first, c_n = 1) of det(x I − A).
///
/// Reduces A to upper Hessenberg form H by exact elementary similarity
/// transforms, then uses the recurrence on the leading principal submatrices
/// of H (H. Cohen, A Course in Computational Algebraic Number Theory,
/// Algorithms 2.2.9 and 2.2.10).
pub(crate) fn characteristic_polynomial(matrix: &RationalMatrix) -> Vec<BigRational> {
    let n = matrix.n_rows();
    let mut h: Vec<BigRational> = matrix.entries().to_vec();
    let at = |row: usize, col: usize| row * n + col;

    for m in 1..n.saturating_sub(1) {
        let Some(i) = (m..n).find(|&i| !h[at(i, m - 1)].is_zero()) else {
            continue;
        };
        if i != m {
            for col in 0..n {
                h.swap(at(i, col), at(m, col));
            }
            for row in 0..n {
                h.swap(at(row, i), at(row, m));
            }
        }
        let pivot = h[at(m, m - 1)].clone();
        for j in m + 1..n {
            let factor = &h[at(j, m - 1)] / &pivot;
            if factor.is_zero() {
                continue;
            }
            for col in 0..n {
                let update = &factor * &h[at(m, col)];
                h[at(j, col)] -= update;
            }
            for row in 0..n {
                let update = &factor * &h[at(row, j)];
                h[at(row, m)] += update;
            }
        }
    }

    // p_0 = 1; p_m = (x − h_mm) p_{m−1} − Σ_{i<m} h_im (Π_{j=i+1}^{m} h_{j,j−1}) p_{i−1}, 1-indexed.
    let mut polynomials: Vec<Vec<BigRational>> = vec![vec![BigRational::one()]];
    for m in 0..n {
        let previous = &polynomials[m];
        let mut next = vec![BigRational::zero(); m + 2];
        for (degree, coefficient) in previous.iter().enumerate() {
            next[degree + 1] += coefficient;
            next[degree] -= &h[at(m, m)] * coefficient;
        }
        let mut product = BigRational::one();
        for i in (0..m).rev() {
            product *= &h[at(i + 1, i)];
            if product.is_zero() {
                break;
            }
            let factor = &h[at(i, m)] * &product;
            for (degree, coefficient) in polynomials[i].iter().enumerate() {
                next[degree] -= &factor * coefficient;
            }
        }
        polynomials.push(next);
    }
    polynomials
        .pop()
        .unwrap_or_else(|| vec![BigRational::one()])
}

/// Runs the Schur–Cohn recursion on a polynomial with positive leading
/// coefficient; returns `None` when every root satisfies |z| < 1, otherwise
/// the degree at which the test fails.
///
/// Step: if |a_0| ≥ |a_n| the product of the roots has modulus ≥ 1, so some
/// root is outside the open disc. Otherwise the Schur transform
/// q(z) = (a_n p(z) − a_0 p*(z)) / z, with p* the reversed polynomial, has
/// degree n − 1 and is stable exactly when p is.
pub(crate) fn schur_cohn_failure(mut coefficients: Vec<BigRational>) -> Option<usize> {
    while coefficients.len() > 1 {
        let n = coefficients.len() - 1;
        let leading = coefficients[n].clone();
        let constant = coefficients[0].clone();
        if constant.abs() >= leading.abs() {
            return Some(n);
        }
        let mut reduced: Vec<BigRational> = (0..n)
            .map(|i| &leading * &coefficients[i + 1] - &constant * &coefficients[n - 1 - i])
            .collect();
        let new_leading = reduced[n - 1].clone();
        for coefficient in reduced.iter_mut() {
            *coefficient /= &new_leading;
        }
        coefficients = reduced;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(n: usize, entries: &[(i64, i64)]) -> RationalMatrix {
        let entries = entries
            .iter()
            .map(|&(p, q)| BigRational::new(p.into(), q.into()))
            .collect();
        RationalMatrix::from_row_major(n, n, entries).unwrap_or_else(|| RationalMatrix::zeros(n, n))
    }

    #[test]
    fn characteristic_polynomial_of_2x2() {
        // det(xI − [[1,2],[3,4]]) = x² − 5x − 2.
        let a = matrix(2, &[(1, 1), (2, 1), (3, 1), (4, 1)]);
        let expected: Vec<BigRational> = [-2, -5, 1]
            .iter()
            .map(|&c| BigRational::from_integer(c.into()))
            .collect();
        assert_eq!(characteristic_polynomial(&a), expected);
    }

    #[test]
    fn characteristic_polynomial_needs_row_swap() {
        // A companion-like matrix whose first subdiagonal entry is zero:
        // [[0,0,1],[0,0,0],[1,0,0]] has det(xI − A) = x³ − x.
        let a = matrix(
            3,
            &[
                (0, 1),
                (0, 1),
                (1, 1),
                (0, 1),
                (0, 1),
                (0, 1),
                (1, 1),
                (0, 1),
                (0, 1),
            ],
        );
        let expected: Vec<BigRational> = [0, -1, 0, 1]
            .iter()
            .map(|&c| BigRational::from_integer(c.into()))
            .collect();
        assert_eq!(characteristic_polynomial(&a), expected);
    }

    #[test]
    fn stability_beyond_norm_test() {
        // [[1/2, 1],[0, 1/2]] has both induced norms 3/2 but ρ = 1/2.
        let stable = matrix(2, &[(1, 2), (1, 1), (0, 1), (1, 2)]);
        assert_eq!(stability(&stable), Stability::Stable);
        // A rotation by 90° scaled by 1 has ρ = 1 exactly: unstable.
        let rotation = matrix(2, &[(0, 1), (-1, 1), (1, 1), (0, 1)]);
        assert!(matches!(stability(&rotation), Stability::Unstable(_)));
        // [[0.9, 0.5],[0.5, 0.9]] has eigenvalues 1.4 and 0.4.
        let symmetric = matrix(2, &[(9, 10), (1, 2), (1, 2), (9, 10)]);
        assert!(matches!(stability(&symmetric), Stability::Unstable(_)));
        // [[0.5, 0.6],[-0.6, 0.5]] has |eigenvalue|² = 0.25 + 0.36 = 0.61.
        let spiral = matrix(2, &[(1, 2), (3, 5), (-3, 5), (1, 2)]);
        assert_eq!(stability(&spiral), Stability::Stable);
    }

    #[test]
    fn stability_of_larger_matrices_is_fast() {
        // 0.5·I + 0.6 on the superdiagonal, d = 200: norms 1.1, triangular, ρ = 0.5.
        let n = 200;
        let entries = (0..n * n)
            .map(|index| {
                let (row, col) = (index / n, index % n);
                match col {
                    c if c == row => BigRational::new(1.into(), 2.into()),
                    c if c == row + 1 => BigRational::new(3.into(), 5.into()),
                    _ => BigRational::zero(),
                }
            })
            .collect();
        let bidiagonal = RationalMatrix::from_row_major(n, n, entries).unwrap();
        assert_eq!(stability(&bidiagonal), Stability::Stable);
        // A dense 3×3 with norms above 1 and ρ < 1 is proved by the
        // Lyapunov certificate: eigenvalues 0.6 and 0.5 ± 0.3i.
        let a = matrix(
            3,
            &[
                (3, 5),
                (4, 5),
                (0, 1),
                (0, 1),
                (1, 2),
                (3, 10),
                (0, 1),
                (-3, 10),
                (1, 2),
            ],
        );
        assert!(lyapunov_certificate(&a));
        // No certificate exists for an unstable matrix.
        let unstable = matrix(2, &[(9, 10), (1, 2), (1, 2), (9, 10)]);
        assert!(!lyapunov_certificate(&unstable));
    }

    #[test]
    fn psd_pivots() {
        let psd = matrix(2, &[(1, 1), (1, 1), (1, 1), (1, 1)]);
        assert_eq!(first_negative_pivot(&psd), None);
        let indefinite = matrix(2, &[(1, 1), (2, 1), (2, 1), (1, 1)]);
        assert_eq!(first_negative_pivot(&indefinite).map(|(k, _)| k), Some(1));
        let zero_pivot = matrix(2, &[(0, 1), (1, 1), (1, 1), (1, 1)]);
        assert_eq!(first_negative_pivot(&zero_pivot).map(|(k, _)| k), Some(0));
    }

    #[test]
    fn leading_rank() {
        // Columns (1,0), (2,0), (0,1): the second depends on the first.
        let w = RationalMatrix::from_row_major(
            2,
            3,
            [1, 2, 0, 0, 0, 1]
                .iter()
                .map(|&c| BigRational::from_integer(c.into()))
                .collect(),
        )
        .unwrap_or_else(|| RationalMatrix::zeros(2, 3));
        assert_eq!(leading_column_rank(&w, 3), (1, 2));
        assert_eq!(leading_column_rank(&w, 1), (1, 1));
    }
}
