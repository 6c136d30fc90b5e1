//! Population quantities of the isotropic baseline x ~ N(0, I_p),
//! y = Bᵀx + e, e ~ N(0, (σ²/k) I_k), ‖B‖²_F = r² for every p ≥ 1.

use headrisk_model::Isotropic;
use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::matrix::Matrix;
use crate::population::PopulationPoint;

/// Computes the population quantities of the isotropic family at size p.
///
/// Exact. For p ≥ 1: Σ_x = I_p (so c = 1), Θ* = B, σ²_p = σ², s_p = r²,
/// ‖Θ*‖²_F = r² and Σ_ξ = (σ²/k) I_k. For p = 0 the empty head leaves the
/// whole target: σ²_0 = σ² + r², s_0 = 0, and Σ_ξ = Σ_y is not recorded
/// because it depends on the direction of B.
pub fn population_point(family: &Isotropic, size: usize) -> PopulationPoint {
    if size == 0 {
        return PopulationPoint {
            size,
            irreducible: &family.noise + &family.signal,
            signal: BigRational::zero(),
            head_norm_squared: BigRational::zero(),
            isotropic_scale: None,
            residual_covariance: None,
        };
    }

    // `outputs` ≥ 1 is a validated invariant of the parameter set; the
    // `max(1)` keeps a hand-built value from dividing by zero.
    let outputs = BigRational::from_integer(family.outputs.max(1).into());
    PopulationPoint {
        size,
        irreducible: family.noise.clone(),
        signal: family.signal.clone(),
        head_norm_squared: family.signal.clone(),
        isotropic_scale: Some(BigRational::one()),
        residual_covariance: Some(Matrix::scaled_identity(
            family.outputs,
            &(&family.noise / outputs),
        )),
    }
}

/// Computes tr Σ_y = σ² + r², the risk of the empty head.
pub fn target_trace(family: &Isotropic) -> BigRational {
    &family.noise + &family.signal
}
