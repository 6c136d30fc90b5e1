//! Tolerances and iteration limits of the floating-point engine.
//!
//! Each constant states why it has its size. `ε` is `f64::EPSILON` = 2^-52,
//! the spacing of `f64` numbers at 1.

/// Relative width at which the κ solver stops: |κ_hi − κ_lo| ≤ this · κ_hi.
///
/// The computed df1(κ) is a sum of at most d + 1 positive terms, so it
/// carries a relative error of about (d + 1)·ε. κ is therefore determined
/// only to that accuracy, and 8ε lets safeguarded Newton reach it in a few
/// steps. The risk depends smoothly on κ away from λ = 0, p = n (the
/// logarithmic derivative ∂log R/∂log κ is of order 1), so an 8ε error in κ
/// adds about 8ε to the relative error of the risk.
pub const KAPPA_RELATIVE_TOLERANCE: f64 = 8.0 * f64::EPSILON;

/// Maximum iterations of the κ solver.
///
/// Every iteration at least halves the bracket or takes a Newton step
/// inside it. Bisection alone needs about 52 halvings for each factor of
/// 2^52 between the initial bracket width and the tolerance, and the
/// initial bracket [0, λ + tr Σ_x / n] may exceed κ by up to 2^1074 when κ
/// is subnormal, so 2,000 iterations cover every `f64` input.
pub const KAPPA_MAX_ITERATIONS: usize = 2_000;

/// Relative size of the last doubling increment at which the Lyapunov
/// iteration stops: ‖A_k Σ_k A_kᵀ‖_F ≤ this · ‖Σ_k‖_F.
///
/// An increment below ε·‖Σ_k‖_F changes no entry of Σ_k by more than one
/// rounding unit of its norm, and the increments shrink like ‖A^(2^k)‖²,
/// so the next one would be below ε².
pub const LYAPUNOV_INCREMENT_TOLERANCE: f64 = f64::EPSILON;

/// Maximum number of doublings of the Lyapunov iteration.
///
/// After k doublings the iterate sums 2^k terms of the series
/// Σ = Σ_j A^j Q A^jᵀ. The tail is below ε once ρ(A)^(2^k) < ε, which for
/// k = 64 holds whenever 1 − ρ(A) > 37 / 2^64 ≈ 2·10^-18, that is for every
/// ρ(A) < 1 that differs from 1 in `f64`.
pub const LYAPUNOV_MAX_DOUBLINGS: usize = 64;

/// Largest accepted relative residual ‖Σ − AΣAᵀ − Q‖_F / ‖Σ‖_F of the
/// stationary covariance.
///
/// The doubling iteration adds a rounding error of about d·ε·‖A_k‖²_F per
/// matrix product, so for a well-conditioned A at d = 500 its residual is
/// near 10^-12. A residual above 10^-8 means that more than half of the
/// sixteen significant digits are lost, and the result is rejected.
pub const LYAPUNOV_RESIDUAL_MAX: f64 = 1e-8;

/// Largest accepted ratio ‖Σ_∞‖_F / ‖Q‖_F of the stationary covariance.
///
/// The ratio estimates the condition number of the Lyapunov operator
/// S ↦ S − A S Aᵀ, about 1/(1 − ρ(A)²), so the forward error of Σ_∞ can
/// reach ε times it. At 10^10 that is 2·10^-6. A larger ratio means that
/// ρ(A) is within about 10^-10 of 1, where rounding alone can turn a
/// rotation (ρ = 1) into a contraction, and the solver reports the matrix
/// as unstable.
pub const STATIONARY_AMPLIFICATION_MAX: f64 = 1e10;

/// Number of steps up to which Σ_t is computed by the plain recursion
/// Σ_{s+1} = A Σ_s Aᵀ + Q; beyond it the engine uses doubling.
///
/// The recursion is the definition and costs 4d³ flops a step, so 64 steps
/// stay within the cost of 32 doublings while later positions, up to
/// t = 2^64, need at most 128 doubling products.
pub const STEP_RECURSION_MAX: u64 = 64;

/// Factor of the numerical rank threshold when σ_u² = 0.
///
/// With σ_u² = 0, Σ_x = W_pᵀ Σ W_p and its eigenvalues are the p largest
/// μ_j of the d×d matrix H = Lᵀ G_p L. A symmetric eigensolver returns
/// them with an absolute error of about d·ε·‖H‖₂, so an eigenvalue below
/// `RANK_TOLERANCE_FACTOR · d · ε · μ_max` cannot be told apart from zero
/// and Σ_x is reported singular.
pub const RANK_TOLERANCE_FACTOR: f64 = 8.0;

/// Largest size p that the dense path accepts.
///
/// The dense path stores p×p matrices (128 MiB each at p = 4,096) and its
/// eigendecomposition costs about 9p³ flops, roughly a minute at p = 4,096
/// on one core. It exists to cross-check the low-rank path, which has no
/// such limit.
pub const DENSE_SIZE_LIMIT: usize = 4_096;

/// Safety factor of [`float_exact_tolerance`].
///
/// Rounding-error bounds for sums and matrix products carry constants of
/// order 1 to 10 in front of n·ε, and the engine chains a few of them
/// (Gram matrix, d×d products, eigendecomposition, the κ solve).
pub const AGREEMENT_SAFETY_FACTOR: f64 = 64.0;

/// Expected relative agreement between a float quantity and its exact value
/// at model size p.
///
/// # Formula
/// `tol = AGREEMENT_SAFETY_FACTOR · ε · (p + d + 1) · max(1, condition_estimate)`
///
/// where d is the token dimension and `condition_estimate` the estimate of
/// [`crate::Population::condition_estimate`]: the condition number of Σ_x
/// times the amplification ‖Σ‖_F / ‖Q‖_F of the covariance recursion.
///
/// # Accuracy
/// A worst-case bound, not an estimate of the typical error: the Gram
/// matrix G_p sums p outer products (error at most p·ε·Σ_i ‖w_i‖²), the d×d
/// products and the eigendecomposition add O(d·ε), and a relative
/// perturbation δ of Σ_x moves σ²_p and s_p by at most cond(Σ_x)·δ. Rounding
/// errors usually grow like √p, so the bound is loose by √p for large p.
pub fn float_exact_tolerance(size: usize, dim: usize, condition_estimate: f64) -> f64 {
    let condition = if condition_estimate.is_finite() {
        condition_estimate.max(1.0)
    } else {
        f64::INFINITY
    };
    AGREEMENT_SAFETY_FACTOR * f64::EPSILON * (size as f64 + dim as f64 + 1.0) * condition
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_tolerance_grows_with_size() {
        let small = float_exact_tolerance(10, 3, 1.0);
        let large = float_exact_tolerance(100_000, 3, 1.0);
        assert!(large > small);
        assert!(large < 1e-8);
    }

    #[test]
    fn agreement_tolerance_floors_condition_at_one() {
        assert_eq!(
            float_exact_tolerance(4, 2, 0.5),
            float_exact_tolerance(4, 2, 1.0)
        );
        assert!(float_exact_tolerance(4, 2, f64::NAN).is_infinite());
    }
}
