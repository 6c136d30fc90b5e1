//! The eigenvalues of Σ_x with multiplicities and the signal along them,
//! which is all that the deterministic equivalent needs.

/// Eigenvalues ℓ of Σ_x that share one value, and the part of the signal
/// s_p = tr(Θ*ᵀ Σ_x Θ*) that lies in their eigenspace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectralGroup {
    /// Eigenvalue ℓ > 0.
    pub eigenvalue: f64,
    /// Number of eigenvalues equal to ℓ.
    pub multiplicity: usize,
    /// Signal energy e = Σ_i ℓ ‖vᵢᵀ Θ*‖² over the orthonormal eigenvectors
    /// vᵢ of this eigenvalue.
    pub signal_energy: f64,
}

/// The spectrum of Σ_x at one model size p, grouped by eigenvalue.
///
/// Multiplicities add up to p. On the low-rank path the groups are the
/// min(p, d) spike eigenvalues σ_u² + μ_j, each of multiplicity 1, and the
/// bulk σ_u² with multiplicity p − min(p, d) and no signal. A size of
/// 100,000 therefore costs as much as a size of d.
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrum {
    size: usize,
    groups: Vec<SpectralGroup>,
}

impl Spectrum {
    /// Builds a spectrum; `size` is the sum of the multiplicities.
    pub(crate) fn new(groups: Vec<SpectralGroup>) -> Self {
        let size = groups.iter().map(|group| group.multiplicity).sum();
        Self { size, groups }
    }

    /// Model size p, the number of eigenvalues with multiplicity.
    pub fn size(&self) -> usize {
        self.size
    }

    pub fn groups(&self) -> &[SpectralGroup] {
        &self.groups
    }

    /// tr Σ_x = Σ_i ℓ_i.
    pub fn trace(&self) -> f64 {
        self.sum(|group| group.eigenvalue)
    }

    /// Signal s_p = tr(Θ*ᵀ Σ_x Θ*) = Σ e.
    pub fn signal(&self) -> f64 {
        self.groups.iter().map(|group| group.signal_energy).sum()
    }

    /// Condition number ℓ_max / ℓ_min, or 1 for the empty spectrum.
    pub fn condition_number(&self) -> f64 {
        let largest = self
            .groups
            .iter()
            .map(|group| group.eigenvalue)
            .fold(0.0, f64::max);
        let smallest = self
            .groups
            .iter()
            .map(|group| group.eigenvalue)
            .fold(f64::INFINITY, f64::min);
        if self.groups.is_empty() {
            1.0
        } else {
            largest / smallest
        }
    }

    /// df1(κ) = tr(Σ_x (Σ_x + κI)⁻¹) = Σ_i ℓ_i / (ℓ_i + κ), for κ ≥ 0.
    ///
    /// Equals p at κ = 0 and decreases strictly in κ.
    pub fn df1(&self, kappa: f64) -> f64 {
        self.sum(|group| ratio(group.eigenvalue, group.eigenvalue + kappa))
    }

    /// df2(κ) = tr(Σ_x² (Σ_x + κI)⁻²) = Σ_i ℓ_i² / (ℓ_i + κ)², for κ ≥ 0.
    pub fn df2(&self, kappa: f64) -> f64 {
        self.sum(|group| ratio(group.eigenvalue, group.eigenvalue + kappa).powi(2))
    }

    /// p − df1(κ) = Σ_i κ / (ℓ_i + κ), summed without cancellation.
    pub fn df1_complement(&self, kappa: f64) -> f64 {
        self.sum(|group| ratio(kappa, group.eigenvalue + kappa))
    }

    /// df1(κ) − df2(κ) = Σ_i ℓ_i κ / (ℓ_i + κ)², summed without cancellation.
    pub fn df1_minus_df2(&self, kappa: f64) -> f64 {
        self.sum(|group| {
            let shifted = group.eigenvalue + kappa;
            if shifted > 0.0 {
                (group.eigenvalue / shifted) * (kappa / shifted)
            } else {
                0.0
            }
        })
    }

    /// −d df1/dκ = Σ_i ℓ_i / (ℓ_i + κ)².
    pub(crate) fn df1_slope(&self, kappa: f64) -> f64 {
        self.sum(|group| {
            let shifted = group.eigenvalue + kappa;
            if shifted > 0.0 {
                group.eigenvalue / (shifted * shifted)
            } else {
                0.0
            }
        })
    }

    /// Bias numerator κ² tr(Θ*ᵀ Σ_x (Σ_x + κI)⁻² Θ*) = κ² Σ_g e_g / (ℓ_g + κ)².
    pub fn bias_numerator(&self, kappa: f64) -> f64 {
        if kappa == 0.0 {
            return 0.0;
        }
        self.groups
            .iter()
            .map(|group| {
                let shrink = kappa / (group.eigenvalue + kappa);
                group.signal_energy * shrink * shrink
            })
            .sum()
    }

    /// Σ over groups of multiplicity · f(group).
    fn sum(&self, term: impl Fn(&SpectralGroup) -> f64) -> f64 {
        self.groups
            .iter()
            .map(|group| group.multiplicity as f64 * term(group))
            .sum()
    }
}

/// a / b with 0/0 = 0, so that a zero eigenvalue adds nothing at κ = 0.
fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn isotropic(size: usize, signal: f64) -> Spectrum {
        Spectrum::new(vec![SpectralGroup {
            eigenvalue: 1.0,
            multiplicity: size,
            signal_energy: signal,
        }])
    }

    #[test]
    fn degrees_of_freedom_at_zero_count_eigenvalues() {
        let spectrum = isotropic(7, 2.0);
        assert_eq!(spectrum.df1(0.0), 7.0);
        assert_eq!(spectrum.df2(0.0), 7.0);
        assert_eq!(spectrum.bias_numerator(0.0), 0.0);
    }

    #[test]
    fn isotropic_degrees_of_freedom() {
        let spectrum = isotropic(8, 2.0);
        assert_eq!(spectrum.df1(1.0), 4.0);
        assert_eq!(spectrum.df2(1.0), 2.0);
        assert_eq!(spectrum.bias_numerator(1.0), 0.5);
        assert_eq!(spectrum.df1_slope(1.0), 2.0);
    }
}
