//! The exact decision whether the irreducible risk σ²_p is zero.
//!
//! For the HMM family the residual of a head Θ is
//! y − Θᵀx = (CA − Θᵀ W_pᵀ) z_t + C ε_{t+1} − Θᵀ u, three independent terms, so
//!
//! ```text
//! σ²_p = tr(C Q Cᵀ) + min over Θ of [ tr((CA − Θᵀ W_pᵀ) Σ (CA − Θᵀ W_pᵀ)ᵀ) + σ_u² ‖Θ‖²_F ]
//! ```
//!
//! is a sum of non-negative terms, and σ²_p = 0 exactly when C Q Cᵀ = 0 and
//!
//! - with σ_u² > 0: C A Σ = 0, so y = 0 almost surely and σ²_p = 0 at every
//!   size, p = 0 included (the minimising head is Θ = 0);
//! - with σ_u² = 0: every row of C A Σ lies in the row space of W_pᵀ Σ, so
//!   that y is a linear function of x. The row space grows with p, so this
//!   is true from some size on.
//!
//! A product M Σ with Σ ⪰ 0 vanishes exactly when M R = 0 for a basis R of
//! range(Σ), so both tests need only that range, which follows from the
//! inputs without forming Σ:
//!
//! - range(A Σ Aᵀ + Q) = A·range(Σ) + range(Q) for Σ, Q ⪰ 0, so
//!   range(Σ_1) is given and range(Σ_{t+1}) = A·range(Σ_t) + range(Q);
//! - range(Σ_∞) = Σ_j A^j·range(Q), the smallest A-invariant subspace that
//!   contains range(Q), because Σ_∞ = Σ_j A^j Q (A^j)ᵀ.
//!
//! For the isotropic family σ²_p = σ² for p ≥ 1 and σ²_0 = σ² + r².

use num_rational::BigRational;
use num_traits::Zero;

use crate::error::ParamError;
use crate::matrix::RationalMatrix;
use crate::params::{Family, Hmm, ParameterSet, Position};

/// Largest token dimension d for which the range of Σ is computed when
/// C Q Cᵀ = 0. Each step of the range recursion eliminates d vectors of
/// length d in exact rationals. Measured in an optimised build on a 2-core
/// AMD EPYC, position t = 5 with a dense A of entries j/(10d): d = 30 took
/// 0.1 s, d = 60 took 0.8 s and d = 100 took 3.3 s.
pub const MAX_NOISELESS_DIM: usize = 30;

/// Largest number of steps of range(Σ_{t+1}) = A·range(Σ_t) + range(Q)
/// taken for a position t when the range does not settle earlier. With a
/// full-rank Σ_1 it settles after at most d + 1 steps, because range(A^j)
/// shrinks and the span of the A^j·range(Q) grows, each at most d times.
/// A range that rotates forever costs more per step as its entries grow:
/// for a 2×2 rotation by the angle with cosine 3/5, 500 steps took 0.4 s
/// and 1,000 steps 1.3 s on the machine above.
pub const MAX_NOISELESS_STEPS: u64 = 500;

/// The model sizes at which σ²_p = 0 exactly.
///
/// σ²_p is non-increasing in p (the representations are nested) and
/// non-negative, so these sizes are every p from the first one on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoiselessSizes {
    first: Option<usize>,
}

impl NoiselessSizes {
    /// No size is noiseless: σ²_p > 0 at every size.
    pub const NONE: Self = Self { first: None };

    /// Returns the sizes from `first` on.
    pub fn from_size(first: usize) -> Self {
        Self { first: Some(first) }
    }

    /// Returns the smallest size with σ²_p = 0, if any.
    pub fn first(&self) -> Option<usize> {
        self.first
    }

    /// Returns whether σ²_p = 0 at `size`.
    pub fn contains(&self, size: usize) -> bool {
        self.first.is_some_and(|first| size >= first)
    }
}

/// Decides exactly at which model sizes σ²_p = 0.
///
/// Without noise in the target (C Q Cᵀ = 0) the decision computes the range
/// of Σ by exact elimination. With σ_u² = 0 it is decided for sizes up to
/// min(P, d), which covers every size a valid parameter set can use, because
/// Σ_x = W_pᵀ Σ W_p is singular for p > d.
///
/// # Errors
/// When C Q Cᵀ = 0 and the range of Σ is too costly to compute:
/// [`ParamError::NoiselessUndecided`] naming `hmm.dim` when
/// d > [`MAX_NOISELESS_DIM`], or `hmm.position` when the range recursion
/// for Σ_t neither settles nor reaches t within [`MAX_NOISELESS_STEPS`]
/// steps.
pub fn noiseless_sizes(params: &ParameterSet) -> Result<NoiselessSizes, ParamError> {
    match &params.family {
        Family::Isotropic(isotropic) => Ok(if !isotropic.noise.is_zero() {
            NoiselessSizes::NONE
        } else if isotropic.signal.is_zero() {
            NoiselessSizes::from_size(0)
        } else {
            NoiselessSizes::from_size(1)
        }),
        Family::Hmm(hmm) => hmm_noiseless_sizes(hmm),
    }
}

fn hmm_noiseless_sizes(hmm: &Hmm) -> Result<NoiselessSizes, ParamError> {
    let readout = &hmm.readout;
    let target_noise = product(
        &product(readout, &hmm.noise_covariance),
        &transpose(readout),
    );
    if target_noise.entries().iter().any(|entry| !entry.is_zero()) {
        return Ok(NoiselessSizes::NONE);
    }
    let noise_free = hmm.noise_covariance.entries().iter().all(Zero::is_zero);
    if noise_free && hmm.position == Position::Stationary {
        // Σ_∞ = Σ_j A^j Q (A^j)ᵀ = 0, so z_t = 0 and y = 0 almost surely.
        return Ok(NoiselessSizes::from_size(0));
    }
    if hmm.dim > MAX_NOISELESS_DIM {
        return Err(ParamError::NoiselessUndecided {
            field: "hmm.dim".into(),
            value: hmm.dim.to_string(),
            reason: format!(
                "C Q Cᵀ = 0 and the exact range of Σ is computed only for d ≤ {MAX_NOISELESS_DIM}"
            ),
            fix: format!(
                "add innovation noise that reaches the target (C Q Cᵀ ≠ 0), or use d ≤ {MAX_NOISELESS_DIM}"
            ),
        });
    }

    let range = covariance_range(hmm)?;
    // Rows of C A R, the coordinates of the target's dependence on z_t.
    let readout_transition = product(readout, &hmm.transition);
    let targets: Vec<Vec<BigRational>> = (0..readout.n_rows())
        .map(|row| {
            let coefficients: Vec<BigRational> = (0..hmm.dim)
                .map(|col| readout_transition.get(row, col).clone())
                .collect();
            range
                .vectors()
                .map(|basis| dot(&coefficients, basis))
                .collect()
        })
        .collect();
    if targets.iter().flatten().all(Zero::is_zero) {
        return Ok(NoiselessSizes::from_size(0));
    }
    if !hmm.representation_noise.is_zero() {
        return Ok(NoiselessSizes::NONE);
    }

    // σ_u² = 0: find the first p where the rows Rᵀ w_i, i < p, span every
    // row of C A R.
    let mut feature_rows = Subspace::default();
    for col in 0..hmm.features.n_cols().min(hmm.dim) {
        let column = hmm.features.column(col);
        let row: Vec<BigRational> = range.vectors().map(|basis| dot(&column, basis)).collect();
        feature_rows.insert(row);
        if targets.iter().all(|target| feature_rows.contains(target)) {
            return Ok(NoiselessSizes::from_size(col + 1));
        }
    }
    Ok(NoiselessSizes::NONE)
}

/// Computes a basis of range(Σ) at the sampling position, as derived in the
/// module documentation.
fn covariance_range(hmm: &Hmm) -> Result<Subspace, ParamError> {
    let noise_range = Subspace::column_space(&hmm.noise_covariance);
    match hmm.position {
        Position::Stationary => {
            let mut range = noise_range;
            let mut next = 0;
            while next < range.dim() {
                let image = apply(&hmm.transition, &range.basis[next].1);
                range.insert(image);
                next += 1;
            }
            Ok(range)
        }
        Position::Step(step) => {
            let mut range = Subspace::column_space(&hmm.initial_covariance);
            let steps = step.saturating_sub(1);
            for taken in 0..steps {
                if taken == MAX_NOISELESS_STEPS {
                    return Err(ParamError::NoiselessUndecided {
                        field: "hmm.position".into(),
                        value: step.to_string(),
                        reason: format!(
                            "C Q Cᵀ = 0 and the range of Σ_t does not settle within {MAX_NOISELESS_STEPS} steps of Σ_(t+1) = A Σ_t Aᵀ + Q"
                        ),
                        fix: format!(
                            "use a position ≤ {}, a full-rank `hmm.initial_covariance`, or innovation noise that reaches the target (C Q Cᵀ ≠ 0)",
                            MAX_NOISELESS_STEPS + 1
                        ),
                    });
                }
                let mut next = noise_range.clone();
                for vector in range.vectors() {
                    next.insert(apply(&hmm.transition, vector));
                }
                if next == range {
                    break;
                }
                range = next;
            }
            Ok(range)
        }
    }
}

/// A linear subspace of Qᵈ held as an echelon basis: each basis vector has a
/// pivot coordinate at which every vector inserted after it is zero.
#[derive(Debug, Clone, Default)]
struct Subspace {
    basis: Vec<(usize, Vec<BigRational>)>,
}

impl Subspace {
    /// Returns the column space of a matrix.
    fn column_space(matrix: &RationalMatrix) -> Self {
        let mut space = Self::default();
        for col in 0..matrix.n_cols() {
            space.insert(
                (0..matrix.n_rows())
                    .map(|row| matrix.get(row, col).clone())
                    .collect(),
            );
        }
        space
    }

    fn dim(&self) -> usize {
        self.basis.len()
    }

    fn vectors(&self) -> impl Iterator<Item = &Vec<BigRational>> {
        self.basis.iter().map(|(_, vector)| vector)
    }

    /// Subtracts the basis components at their pivots. The result is zero
    /// exactly when `vector` lies in the subspace.
    fn reduce(&self, mut vector: Vec<BigRational>) -> Vec<BigRational> {
        for (pivot, basis) in &self.basis {
            if vector[*pivot].is_zero() {
                continue;
            }
            let factor = &vector[*pivot] / &basis[*pivot];
            for (entry, basis_entry) in vector.iter_mut().zip(basis) {
                *entry -= &factor * basis_entry;
            }
        }
        vector
    }

    fn contains(&self, vector: &[BigRational]) -> bool {
        self.reduce(vector.to_vec()).iter().all(Zero::is_zero)
    }

    /// Adds `vector` to the span.
    fn insert(&mut self, vector: Vec<BigRational>) {
        let reduced = self.reduce(vector);
        if let Some(pivot) = reduced.iter().position(|entry| !entry.is_zero()) {
            self.basis.push((pivot, reduced));
        }
    }
}

impl PartialEq for Subspace {
    fn eq(&self, other: &Self) -> bool {
        self.dim() == other.dim() && other.vectors().all(|vector| self.contains(vector))
    }
}

/// Multiplies two matrices whose inner dimensions match.
fn product(left: &RationalMatrix, right: &RationalMatrix) -> RationalMatrix {
    let entries = (0..left.n_rows())
        .flat_map(|row| {
            (0..right.n_cols()).map(move |col| {
                (0..left.n_cols())
                    .map(|inner| left.get(row, inner) * right.get(inner, col))
                    .fold(BigRational::zero(), |sum, term| sum + term)
            })
        })
        .collect();
    from_entries(left.n_rows(), right.n_cols(), entries)
}

fn transpose(matrix: &RationalMatrix) -> RationalMatrix {
    let entries = (0..matrix.n_cols())
        .flat_map(|col| (0..matrix.n_rows()).map(move |row| matrix.get(row, col).clone()))
        .collect();
    from_entries(matrix.n_cols(), matrix.n_rows(), entries)
}

/// Builds a matrix from entries whose count the callers above always match.
fn from_entries(n_rows: usize, n_cols: usize, entries: Vec<BigRational>) -> RationalMatrix {
    RationalMatrix::from_row_major(n_rows, n_cols, entries)
        .unwrap_or_else(|| RationalMatrix::zeros(n_rows, n_cols))
}

/// M v.
fn apply(matrix: &RationalMatrix, vector: &[BigRational]) -> Vec<BigRational> {
    (0..matrix.n_rows())
        .map(|row| {
            (0..matrix.n_cols())
                .map(|col| matrix.get(row, col) * &vector[col])
                .fold(BigRational::zero(), |sum, term| sum + term)
        })
        .collect()
}

fn dot(left: &[BigRational], right: &[BigRational]) -> BigRational {
    left.iter()
        .zip(right)
        .map(|(a, b)| a * b)
        .fold(BigRational::zero(), |sum, term| sum + term)
}
