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
/// Every iteration takes a Newton step inside the bracket or bisects it.
/// From a lower end of 0, arithmetic bisection reaches even a subnormal κ
/// within about 1,100 halvings, and bisection becomes geometric once the
/// lower end is positive. Newton from the starting end moves monotonically
/// towards the root and at worst doubles its distance from 0 each step.
/// 2,000 iterations bound both with margin.
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
/// k = 64 is true whenever 1 − ρ(A) > 37 / 2^64 ≈ 2·10^-18, that is for every
/// ρ(A) < 1 that differs from 1 in `f64`.
pub const LYAPUNOV_MAX_DOUBLINGS: usize = 64;

/// Largest accepted relative residual ‖Σ − AΣAᵀ − Q‖_F / ‖Σ‖_F of the
/// stationary covariance.
///
/// The doubling iteration adds a rounding error of about d·ε·‖A_k‖²_F per
/// matrix product. On the random stable and non-normal matrices of the
/// tests (d up to 100, ρ up to 0.999) the residual stays below
/// 16·d·ε per doubling. A residual above 10^-8 means that more than half
/// of the sixteen significant digits are lost, and the result is rejected.
pub const LYAPUNOV_RESIDUAL_MAX: f64 = 1e-8;

/// Factor of the margin below 1 that the estimate of ρ(A) must keep for
/// the stationary covariance to be accepted: 1 − ρ̂ > this · d · ε.
///
/// Rounding A to `f64` and each product of the doubling iteration perturb
/// the eigenvalues of A by about d·ε·‖A‖, so a radius within a few d·ε of 1
/// may be 1 or above in exact arithmetic. A rotation (ρ = 1) is an example:
/// rounding makes its powers decay after about 2^57 steps. At convergence
/// ρ̂ ≤ 2^(−1/2^k), so the rule rejects only iterations that needed about
/// 2^45/d steps or more to decay.
pub const UNIT_RADIUS_MARGIN_FACTOR: f64 = 64.0;

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
/// `RANK_TOLERANCE_FACTOR · d · ε · μ_max` is indistinguishable from zero,
/// and Σ_x is reported singular.
pub const RANK_TOLERANCE_FACTOR: f64 = 8.0;

/// Largest size p that the dense path accepts.
///
/// The dense path stores p×p matrices (128 MiB each at p = 4,096), and its
/// eigendecomposition costs about 9p³ flops (6·10^11 at p = 4,096). It
/// exists to cross-check the low-rank path, which has no such limit.
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
/// A worst-case bound, not an estimate of the typical error. The Gram
/// matrix G_p sums p outer products, with an error of at most
/// p·ε·Σ_i ‖w_i‖². The d×d products and the eigendecomposition add O(d·ε).
/// A relative perturbation δ of Σ_x moves σ²_p and s_p by at most
/// cond(Σ_x)·δ. Rounding errors usually grow like √p, so the bound is loose
/// by about √p for large p.
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
