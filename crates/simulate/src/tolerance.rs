//! Named tolerances of the simulator, each with the reason for its size.

/// Largest accepted relative residual of a fitted head.
///
/// The residual is normalised as a backward error: ‖Y − XΘ̂‖_F over
/// ‖X‖_F‖Θ̂‖_F + ‖Y‖_F for an interpolating fit, and the normal-equation
/// residual ‖Xᵀ(Y − XΘ̂) − nλΘ̂‖_F over ‖X‖_F(‖X‖_F‖Θ̂‖_F + ‖Y‖_F) + nλ‖Θ̂‖_F
/// otherwise. A Householder QR solve gives about (n + p)·ε ≈ 10⁻¹³ at the
/// sizes simulated here. The nested min-norm path solves the seminormal
/// equations, whose residual grows like κ(X)·ε, and Gaussian designs next to
/// p = n have κ(X) of order n. 10⁻⁸ leaves room for κ(X) up to about 10⁶
/// while a wrong solve, whose relative residual is of order one, still fails.
pub const FIT_RESIDUAL_TOLERANCE: f64 = 1e-8;

/// Relative size below which a negative eigenvalue of a covariance counts as
/// rounding and is clamped to zero.
///
/// A symmetric eigensolver perturbs eigenvalues by about d·ε·‖S‖₂, which is
/// below 10⁻¹² for d ≤ 2,000. Σ_t and Σ_∞ also carry the rounding of their
/// recursions. Anything more negative than 10⁻¹⁰·‖S‖₂ is a real indefinite
/// input and is rejected.
pub const NEGATIVE_EIGENVALUE_TOLERANCE: f64 = 1e-10;

/// Stopping bound of the Lyapunov doubling iteration for Σ_∞.
///
/// After m steps the iterate S_m misses Σ_∞ − S_m = A^m Σ_∞ (A^m)ᵀ, whose
/// norm is at most ‖A^m‖²_F·‖Σ_∞‖₂. Stopping at ‖A^m‖²_F ≤ 10⁻¹⁷ makes that
/// truncation smaller than one rounding of Σ_∞.
pub const LYAPUNOV_TOLERANCE: f64 = 1e-17;

/// Largest number of doublings of the Lyapunov iteration, which covers
/// m = 2⁶⁴ steps of the recursion. A chain that needs more has a spectral
/// radius within about 10⁻¹⁸ of 1, beyond what f64 resolves.
pub const LYAPUNOV_MAX_DOUBLINGS: usize = 64;
