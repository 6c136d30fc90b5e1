//! The token covariance Σ at the sampling position: Σ_t from the recursion
//! Σ_{t+1} = A Σ_t Aᵀ + Q, or the stationary Σ_∞ from the discrete Lyapunov
//! equation Σ = A Σ Aᵀ + Q.

use headrisk_model::{Hmm, Position};
use num_rational::BigRational;

use crate::error::ExactError;
use crate::matrix::Matrix;

/// Largest position t accepted by [`step_covariance`].
///
/// The entries of Σ_t have Θ(t) digits in general (with A = 7/10·I, the
/// denominator of Σ_t is 10^{2(t−1)}), and BigRational reduces every result
/// with a gcd whose cost is quadratic in the digits. Measured in a release
/// build on a 2-core AMD EPYC with d = 3 and entries of A in tenths:
/// t = 1,000 took 0.2 s and t = 10,000 took 10 s. Σ_t approaches Σ_∞
/// geometrically when ρ(A) < 1, so large positions are better served by
/// `stationary`.
pub const MAX_POSITION_STEP: u64 = 10_000;

/// Largest token dimension accepted by [`stationary_covariance`].
///
/// The Lyapunov system has m = d(d+1)/2 unknowns, and Bareiss elimination
/// costs O(m³) = O(d⁶) integer operations. Measured in a release build on a
/// 2-core AMD EPYC with entries of A over 3d: d = 10 (m = 55) took 22 ms,
/// d = 20 took 0.6 s and d = 30 (m = 465) took 10 s. Entries with more
/// digits take longer.
pub const MAX_LYAPUNOV_DIM: usize = 30;

/// Computes the token covariance Σ at the position of the parameter set.
///
/// # Errors
/// As [`step_covariance`] or [`stationary_covariance`].
pub fn token_covariance(hmm: &Hmm) -> Result<Matrix, ExactError> {
    let transition = Matrix::from(&hmm.transition);
    let noise = Matrix::from(&hmm.noise_covariance);
    match hmm.position {
        Position::Step(step) => step_covariance(
            &transition,
            &noise,
            &Matrix::from(&hmm.initial_covariance),
            step,
        ),
        Position::Stationary => stationary_covariance(&transition, &noise),
    }
}

/// Computes the covariance Σ_t = F^{t−1}(Σ_1) of z_t, with F(Σ) = A Σ Aᵀ + Q.
///
/// Exact for every t ≥ 1 and any A. F^k(Σ) = A^k Σ (A^k)ᵀ + S_k with
/// S_k = Σ_{j<k} A^j Q (A^j)ᵀ, and the pairs compose as
/// (A^a, S_a)∘(A^b, S_b) = (A^{a+b}, A^a S_b (A^a)ᵀ + S_a), so binary
/// powering needs O(log t) matrix products instead of t − 1 steps; the cost
/// is dominated by the last products, whose entries have Θ(t) digits.
/// t = 0 is read as t = 1.
///
/// # Errors
/// [`ExactError::PositionTooLarge`] when t > [`MAX_POSITION_STEP`], and
/// [`ExactError::ShapeMismatch`] or [`ExactError::NotSquare`] when the
/// matrices are not all d×d.
pub fn step_covariance(
    transition: &Matrix,
    noise: &Matrix,
    initial: &Matrix,
    step: u64,
) -> Result<Matrix, ExactError> {
    if step > MAX_POSITION_STEP {
        return Err(ExactError::PositionTooLarge {
            step,
            limit: MAX_POSITION_STEP,
        });
    }
    transition.require_square("covariance recursion")?;
    let dim = transition.n_rows();
    for matrix in [noise, initial] {
        if matrix.shape() != (dim, dim) {
            return Err(ExactError::ShapeMismatch {
                operation: "covariance recursion",
                left: transition.shape(),
                right: matrix.shape(),
            });
        }
    }

    // (power, offset) represents F^k for the binary digits of t − 1 read so
    // far, and (square_power, square_offset) represents F^{2^i} for the
    // current digit i.
    let mut power = Matrix::identity(dim);
    let mut offset = Matrix::zeros(dim, dim);
    let mut square_power = transition.clone();
    let mut square_offset = noise.clone();
    let mut remaining = step.saturating_sub(1);

    while remaining > 0 {
        if remaining & 1 == 1 {
            offset = conjugate(&square_power, &offset)?.sum(&square_offset)?;
            power = square_power.product(&power)?;
        }
        remaining >>= 1;
        if remaining > 0 {
            square_offset = conjugate(&square_power, &square_offset)?.sum(&square_offset)?;
            square_power = square_power.product(&square_power)?;
        }
    }

    conjugate(&power, initial)?.sum(&offset)
}

/// B·M·Bᵀ.
fn conjugate(outer: &Matrix, inner: &Matrix) -> Result<Matrix, ExactError> {
    outer.product(inner)?.product(&outer.transpose())
}

/// Solves Σ = A Σ Aᵀ + Q for the stationary covariance Σ_∞.
///
/// Exact. The equation is linear in the m = d(d+1)/2 entries σ_ab, a ≤ b, of
/// the symmetric Σ: for each i ≤ j,
///
///   σ_ij − Σ_{a≤b} c_ab σ_ab = Q_ij,  c_aa = A_ia A_ja,  c_ab = A_ia A_jb + A_ib A_ja (a < b),
///
/// solved by Bareiss elimination in O(m³) = O(d⁶) integer operations. The
/// system is non-singular exactly when no two eigenvalues of A multiply to 1,
/// which ρ(A) < 1 guarantees.
///
/// # Errors
/// [`ExactError::DimensionTooLarge`] when d > [`MAX_LYAPUNOV_DIM`],
/// [`ExactError::Singular`] naming the Lyapunov system when it is singular,
/// and shape errors when Q is not d×d.
pub fn stationary_covariance(transition: &Matrix, noise: &Matrix) -> Result<Matrix, ExactError> {
    transition.require_square("Lyapunov solve")?;
    let dim = transition.n_rows();
    if noise.shape() != (dim, dim) {
        return Err(ExactError::ShapeMismatch {
            operation: "Lyapunov solve",
            left: transition.shape(),
            right: noise.shape(),
        });
    }
    if dim > MAX_LYAPUNOV_DIM {
        return Err(ExactError::DimensionTooLarge {
            dim,
            limit: MAX_LYAPUNOV_DIM,
        });
    }

    let pairs: Vec<(usize, usize)> = (0..dim)
        .flat_map(|a| (a..dim).map(move |b| (a, b)))
        .collect();
    let a = transition;
    let system = Matrix::from_fn(pairs.len(), pairs.len(), |equation, unknown| {
        let (i, j) = pairs[equation];
        let (k, l) = pairs[unknown];
        let mut coefficient = -(&a[(i, k)] * &a[(j, l)]);
        if k != l {
            coefficient -= &a[(i, l)] * &a[(j, k)];
        }
        if equation == unknown {
            coefficient += BigRational::from_integer(1.into());
        }
        coefficient
    });
    let rhs = Matrix::from_fn(pairs.len(), 1, |equation, _| {
        let (i, j) = pairs[equation];
        noise[(i, j)].clone()
    });

    let solution = system
        .solve(&rhs)
        .map_err(|error| error.naming_matrix("the Lyapunov system Σ − A Σ Aᵀ = Q"))?;

    let mut sigma = Matrix::zeros(dim, dim);
    for (unknown, &(k, l)) in pairs.iter().enumerate() {
        let value = solution[(unknown, 0)].clone();
        *sigma.entry_mut(l, k) = value.clone();
        *sigma.entry_mut(k, l) = value;
    }
    Ok(sigma)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(numerator.into(), denominator.into())
    }

    fn matrix(n: usize, values: &[(i64, i64)]) -> Matrix {
        let entries = values
            .iter()
            .map(|&(numerator, denominator)| ratio(numerator, denominator))
            .collect();
        Matrix::from_row_major(n, n, entries).unwrap()
    }

    fn lyapunov_residual(a: &Matrix, q: &Matrix, sigma: &Matrix) -> Matrix {
        conjugate(a, sigma)
            .unwrap()
            .sum(q)
            .unwrap()
            .difference(sigma)
            .unwrap()
    }

    #[test]
    fn scalar_stationary_variance() {
        // d = 1: σ = a²σ + q gives σ = q/(1 − a²) = (1/2)/(1 − 9/16) = 8/7.
        let a = matrix(1, &[(3, 4)]);
        let q = matrix(1, &[(1, 2)]);
        assert_eq!(stationary_covariance(&a, &q).unwrap(), matrix(1, &[(8, 7)]));
    }

    #[test]
    fn lyapunov_residual_is_zero() {
        // ρ(A) < 1: eigenvalues 0.6 and 0.5 ± 0.3i.
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
        let q = matrix(
            3,
            &[
                (1, 1),
                (1, 5),
                (0, 1),
                (1, 5),
                (1, 2),
                (0, 1),
                (0, 1),
                (0, 1),
                (1, 4),
            ],
        );
        let sigma = stationary_covariance(&a, &q).unwrap();
        assert!(sigma.is_symmetric());
        assert!(lyapunov_residual(&a, &q, &sigma).is_zero());
    }

    #[test]
    fn lyapunov_with_unit_product_eigenvalues_is_singular() {
        // A = diag(2, 1/2) has eigenvalues multiplying to 1, so the operator
        // Σ ↦ Σ − A Σ Aᵀ annihilates the off-diagonal entry.
        let a = matrix(2, &[(2, 1), (0, 1), (0, 1), (1, 2)]);
        let q = Matrix::identity(2);
        let error = stationary_covariance(&a, &q).unwrap_err();
        assert!(
            matches!(error, ExactError::Singular { pivot: 1, .. }),
            "{error}"
        );
    }

    #[test]
    fn doubling_matches_plain_recursion() {
        let a = matrix(2, &[(7, 10), (1, 5), (-1, 10), (2, 5)]);
        let q = matrix(2, &[(1, 1), (1, 4), (1, 4), (1, 2)]);
        let initial = matrix(2, &[(2, 1), (1, 2), (1, 2), (1, 1)]);
        let mut expected = initial.clone();
        for step in 1..=20u64 {
            assert_eq!(
                step_covariance(&a, &q, &initial, step).unwrap(),
                expected,
                "t = {step}"
            );
            expected = conjugate(&a, &expected).unwrap().sum(&q).unwrap();
        }
    }

    #[test]
    fn position_beyond_limit_is_rejected() {
        let identity = Matrix::identity(1);
        assert_eq!(
            step_covariance(&identity, &identity, &identity, MAX_POSITION_STEP + 1),
            Err(ExactError::PositionTooLarge {
                step: MAX_POSITION_STEP + 1,
                limit: MAX_POSITION_STEP,
            })
        );
    }

    #[test]
    fn largest_position_is_exact() {
        // With A = 1/2 and Q = 3/4 in d = 1, Σ_t = 1 + (Σ_1 − 1)/4^{t−1}.
        let a = matrix(1, &[(1, 2)]);
        let q = matrix(1, &[(3, 4)]);
        let initial = matrix(1, &[(2, 1)]);
        let sigma = step_covariance(&a, &q, &initial, MAX_POSITION_STEP).unwrap();
        let four_power = num_traits::pow(
            num_bigint::BigInt::from(4),
            (MAX_POSITION_STEP - 1) as usize,
        );
        let expected = ratio(1, 1) + BigRational::new(1.into(), four_power);
        assert_eq!(sigma[(0, 0)], expected);
    }
}
