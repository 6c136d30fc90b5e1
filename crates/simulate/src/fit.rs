//! Fitting the linear head on a training set (X, Y), X ∈ R^{n×p}, Y ∈ R^{n×k}:
//!
//! - λ = 0: the min-norm least-squares head Θ̂ = X⁺Y;
//! - λ > 0: the ridge head Θ̂ = (XᵀX + nλI_p)⁻¹XᵀY.
//!
//! Every fit is orthogonal-factorisation based, never the normal equations
//! XᵀX, because the interesting sizes sit next to the interpolation threshold
//! p = n where X is worst conditioned. Every fit is checked by a residual test
//! against [`FIT_RESIDUAL_TOLERANCE`].
//!
//! [`fit_head`] fits one size. [`fit_nested_heads`], which the simulator
//! uses, fits a whole grid of nested sizes X_p = first p columns of X_P at
//! once, reusing factorisations across sizes:
//!
//! - p ≤ n: one Householder QR of X_{p₀}, p₀ the largest such size. The first
//!   p Householder reflectors depend only on the first p columns, so the
//!   leading p×p block of R and the first p rows of QᵀY are those of X_p.
//! - p > n: the triangular factor R_p of X_pᵀ = Q_p R_p is updated as columns
//!   are added, by a blocked Householder QR of the stacked
//!   [R_{p'}; X_{p'..p}ᵀ] that exploits the zeros of R_{p'}
//!   (`update_triangle`). That costs 2(p − p')·n² flops, nearly all in
//!   matrix products, instead of O(p·n²) for a fresh factorisation. The
//!   head is then Θ̂ = X_pᵀ R_p⁻¹ R_p⁻ᵀ Y, the seminormal equations for the
//!   min-norm problem. C. C. Paige (1973) showed that this method is numerically
//!   satisfactory for underdetermined systems; N. J. Higham, "Accuracy and
//!   Stability of Numerical Algorithms", 2nd ed., ch. 21, discusses it. Tests
//!   compare it with the explicit-Q method of [`fit_head`] at p = n + 1.
//!
//! For ridge the same factors come from the stacked matrices [√(nλ) I_p; X_p]
//! (p ≤ n) and [√(nλ) I_n; X_pᵀ] (p > n), whose R satisfy RᵀR = XᵀX + nλI
//! and RᵀR = XXᵀ + nλI respectively. The identity block comes first. For
//! large λ its rows are far heavier than those of X, and with them at the
//! top each reflector starts from the heavy diagonal entry √(nλ). With X on
//! top, the first reflector of QᵀY cancels y₁ against itself, and at n = 32,
//! p = 1 and λ = 10³⁰ the fit failed the residual test with 9·10⁻³.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::householder;
use faer::linalg::matmul::dot::inner_prod;
use faer::linalg::matmul::matmul;
use faer::linalg::qr::no_pivoting::factor as qr;
use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::{Accum, ColRef, Conj, Mat, MatMut, MatRef, Par, RowRef};

use crate::error::SimulateError;
use crate::sample::SignalDirection;
use crate::tolerance::FIT_RESIDUAL_TOLERANCE;

/// A Householder QR factorisation A = QR of an m×n matrix, stored in place.
///
/// Computed sequentially (`Par::Seq`): trials run in parallel instead, and
/// a sequential kernel gives the same bits on any thread count.
struct HouseholderQr {
    /// R in the upper triangle, the Householder vectors below it.
    factors: Mat<f64>,
    /// Block Householder coefficients, block size × min(m, n).
    coefficients: Mat<f64>,
    /// Number of Householder steps that found a non-negligible column. The
    /// factorisation is the standard one only when it equals min(m, n).
    rank: usize,
}

impl HouseholderQr {
    fn new(mut a: Mat<f64>) -> Self {
        let (m, n) = a.shape();
        let block_size = qr::recommended_block_size::<f64>(m, n);
        let mut coefficients = Mat::zeros(block_size, m.min(n));
        let par = Par::Seq;
        let mut buffer = MemBuffer::new(qr::qr_in_place_scratch::<f64>(
            m,
            n,
            block_size,
            par,
            Default::default(),
        ));
        let info = qr::qr_in_place(
            a.as_mut(),
            coefficients.as_mut(),
            par,
            MemStack::new(&mut buffer),
            Default::default(),
        );
        Self {
            factors: a,
            coefficients,
            rank: info.rank,
        }
    }

    /// Returns the leading `size`×`size` block of R. Only its upper triangle is
    /// R, because the Householder vectors fill the rest.
    fn r(&self, size: usize) -> MatRef<'_, f64> {
        self.factors.get(..size, ..size)
    }

    /// Overwrites `rhs` with Qᵀ·rhs.
    fn apply_transpose(&self, rhs: MatMut<'_, f64>) {
        let mut buffer = MemBuffer::new(
            householder::apply_block_householder_sequence_transpose_on_the_left_in_place_scratch::<
                f64,
            >(self.factors.nrows(), self.coefficients.nrows(), rhs.ncols()),
        );
        householder::apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj(
            self.factors.as_ref(),
            self.coefficients.as_ref(),
            Conj::No,
            rhs,
            Par::Seq,
            MemStack::new(&mut buffer),
        );
    }

    /// Overwrites `rhs` with Q·rhs.
    fn apply(&self, rhs: MatMut<'_, f64>) {
        let mut buffer = MemBuffer::new(
            householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(
                self.factors.nrows(),
                self.coefficients.nrows(),
                rhs.ncols(),
            ),
        );
        householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
            self.factors.as_ref(),
            self.coefficients.as_ref(),
            Conj::No,
            rhs,
            Par::Seq,
            MemStack::new(&mut buffer),
        );
    }

    fn require_rank(&self, size: usize, expected: usize) -> Result<(), SimulateError> {
        if self.rank < expected {
            return Err(SimulateError::RankDeficientDesign {
                size,
                rank: self.rank,
                expected,
            });
        }
        Ok(())
    }
}

/// Fits the head Θ̂ (p×k) on one training set and checks its residual.
///
/// `x` is n×p, `y` is n×k, and `ridge` is λ ≥ 0, so that λ > 0 gives
/// Θ̂ = (XᵀX + nλI)⁻¹XᵀY with n = `x.nrows()`. For p ≤ n it solves R Θ̂ = QᵀY
/// from a Householder QR of X, or of [X; √(nλ) I_p] for ridge. For p > n it
/// uses the QR of Xᵀ, or of [Xᵀ; √(nλ) I_n], and applies the explicit
/// orthogonal factor: Θ̂ = Q₁ R⁻ᵀ Y with Q₁ the first p rows of Q.
///
/// # Errors
/// [`SimulateError::ShapeMismatch`] when `y` has a different number of rows,
/// [`SimulateError::InvalidOption`] for a negative or non-finite `ridge`,
/// [`SimulateError::RankDeficientDesign`] when X is numerically rank
/// deficient and λ = 0, and [`SimulateError::ResidualCheckFailed`] when the
/// fit fails its residual check.
pub fn fit_head(
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    ridge: f64,
) -> Result<Mat<f64>, SimulateError> {
    let (n, p) = x.shape();
    let k = y.ncols();
    if y.nrows() != n {
        return Err(SimulateError::ShapeMismatch {
            detail: format!("X has {n} rows but Y has {}", y.nrows()),
        });
    }
    check_ridge(ridge)?;
    if p == 0 {
        return Ok(Mat::zeros(0, k));
    }

    let shift = ridge_root(n, ridge);
    let theta = if p <= n {
        // The identity block comes first, as the module documentation explains.
        let top = if ridge > 0.0 { p } else { 0 };
        let rows = top + n;
        let mut stacked = Mat::zeros(rows, p);
        stacked.get_mut(..top, ..).diagonal_mut().fill(shift);
        stacked.get_mut(top.., ..).copy_from(x);
        let factor = HouseholderQr::new(stacked);
        factor.require_rank(p, p)?;

        let mut rotated = Mat::zeros(rows, k);
        rotated.get_mut(top.., ..).copy_from(y);
        factor.apply_transpose(rotated.as_mut());
        let mut theta = rotated.get(..p, ..).to_owned();
        solve_upper_triangular_in_place(factor.r(p), theta.as_mut(), Par::Seq);
        theta
    } else {
        let top = if ridge > 0.0 { n } else { 0 };
        let rows = top + p;
        let mut stacked = Mat::zeros(rows, n);
        stacked.get_mut(..top, ..).diagonal_mut().fill(shift);
        stacked.get_mut(top.., ..).copy_from(x.transpose());
        let factor = HouseholderQr::new(stacked);
        factor.require_rank(p, n)?;

        // Q₁R⁻ᵀY = A(AᵀA)⁻¹Y for the stacked A, whose rows of X_pᵀ give
        // Θ̂ = X_pᵀ(X_pX_pᵀ + nλI)⁻¹Y.
        let mut expanded = Mat::zeros(rows, k);
        let mut head = expanded.get_mut(..n, ..);
        head.copy_from(y);
        solve_lower_triangular_in_place(factor.r(n).transpose(), head, Par::Seq);
        factor.apply(expanded.as_mut());
        expanded.get(top.., ..).to_owned()
    };

    check_residual(x, y, theta.as_ref(), ridge, x.norm_l2())?;
    Ok(theta)
}

/// Returns √(nλ) as √n·√λ, because the product nλ overflows f64 for λ
/// near its largest value.
fn ridge_root(samples: usize, ridge: f64) -> f64 {
    (samples as f64).sqrt() * ridge.sqrt()
}

fn check_ridge(ridge: f64) -> Result<(), SimulateError> {
    if ridge.is_finite() && ridge >= 0.0 {
        Ok(())
    } else {
        Err(SimulateError::InvalidOption {
            field: "ridge",
            value: ridge.to_string(),
            requirement: "must be a finite number ≥ 0",
        })
    }
}

/// Returns the relative residual of a fitted head, normalised as described
/// at [`FIT_RESIDUAL_TOLERANCE`]. For λ = 0 and p ≥ n the fit interpolates,
/// so the residual Y − XΘ̂ itself is measured. Otherwise it is the residual
/// of the (ridge) normal equations Xᵀ(Y − XΘ̂) − nλΘ̂.
pub(crate) fn relative_residual(
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    theta: MatRef<'_, f64>,
    ridge: f64,
    x_norm: f64,
) -> f64 {
    let (n, p) = x.shape();
    let mut residual = y.to_owned();
    matmul(residual.as_mut(), Accum::Add, x, theta, -1.0, Par::Seq);
    let theta_norm = theta.norm_l2();
    let y_norm = y.norm_l2();

    if ridge == 0.0 && p >= n {
        return ratio(residual.norm_l2(), x_norm * theta_norm + y_norm);
    }
    let root_shift = ridge_root(n, ridge);
    let mut gradient = Mat::zeros(p, y.ncols());
    matmul(
        gradient.as_mut(),
        Accum::Replace,
        x.transpose(),
        residual.as_ref(),
        1.0,
        Par::Seq,
    );
    if root_shift > 0.0 {
        // √(nλ)·(√(nλ)·t) stays finite where nλ itself would overflow.
        gradient
            .as_mut()
            .col_iter_mut()
            .zip(theta.col_iter())
            .for_each(|(g, t)| {
                g.iter_mut()
                    .zip(t.iter())
                    .for_each(|(g, t)| *g -= root_shift * (root_shift * t))
            });
    }
    ratio(
        gradient.norm_l2(),
        x_norm * (x_norm * theta_norm + y_norm) + root_shift * (root_shift * theta_norm),
    )
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if numerator == 0.0 {
        0.0
    } else {
        numerator / denominator
    }
}

fn check_residual(
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    theta: MatRef<'_, f64>,
    ridge: f64,
    x_norm: f64,
) -> Result<(), SimulateError> {
    residual_within_tolerance(relative_residual(x, y, theta, ridge, x_norm), x)
}

fn residual_within_tolerance(residual: f64, x: MatRef<'_, f64>) -> Result<(), SimulateError> {
    // Written so that a NaN residual fails too.
    if residual <= FIT_RESIDUAL_TOLERANCE {
        Ok(())
    } else {
        Err(SimulateError::ResidualCheckFailed {
            size: x.ncols(),
            samples: x.nrows(),
            residual,
            tolerance: FIT_RESIDUAL_TOLERANCE,
        })
    }
}

/// Fits the min-norm (λ = 0) or ridge (λ > 0) heads of the nested designs
/// X_p = `x`[.., ..p] for every p of `sizes` against one target matrix `y`,
/// and calls `visit(size, Θ̂)` for each size in increasing order. Sizes
/// share factorisations, as the module documentation describes, so a whole
/// grid costs little more than its widest fit.
///
/// # Errors
/// [`SimulateError::ShapeMismatch`] when `y` has a different number of rows
/// or `sizes` is not strictly increasing within `x.ncols()`,
/// [`SimulateError::InvalidOption`] for a negative or non-finite `ridge`,
/// the fitting errors of [`fit_head`], and any error that `visit` returns.
pub fn fit_nested_heads(
    x: MatRef<'_, f64>,
    y: MatRef<'_, f64>,
    sizes: &[usize],
    ridge: f64,
    mut visit: impl FnMut(usize, MatRef<'_, f64>) -> Result<(), SimulateError>,
) -> Result<(), SimulateError> {
    if y.nrows() != x.nrows() {
        return Err(SimulateError::ShapeMismatch {
            detail: format!("X has {} rows but Y has {}", x.nrows(), y.nrows()),
        });
    }
    if let Some(pair) = sizes.windows(2).find(|pair| pair[0] >= pair[1]) {
        return Err(SimulateError::ShapeMismatch {
            detail: format!(
                "sizes must increase strictly, but {} is followed by {}",
                pair[0], pair[1]
            ),
        });
    }
    if let Some(&widest) = sizes.last().filter(|&&widest| widest > x.ncols()) {
        return Err(SimulateError::ShapeMismatch {
            detail: format!("size {widest} exceeds the {} columns of X", x.ncols()),
        });
    }
    check_ridge(ridge)?;
    fit_nested(x, sizes, ridge, Targets::Shared(y), |_, size, theta| {
        visit(size, theta)
    })
}

/// The regression targets of one training set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Targets<'a> {
    /// One Y for every size, as in the HMM, where y = C z_{t+1} does not
    /// depend on the representation.
    Shared(MatRef<'a, f64>),
    /// Y_p = X_p B_p + E, as in the isotropic family, where B_p is rescaled
    /// for every size p.
    Linear {
        direction: &'a SignalDirection,
        noise: MatRef<'a, f64>,
    },
}

impl Targets<'_> {
    fn for_size(&self, x: MatRef<'_, f64>, size: usize) -> Result<Mat<f64>, SimulateError> {
        match *self {
            Targets::Shared(y) => Ok(y.to_owned()),
            Targets::Linear { direction, noise } => {
                let mut y = noise.to_owned();
                let coefficients = direction.coefficients(size)?;
                matmul(
                    y.as_mut(),
                    Accum::Add,
                    x.get(.., ..size),
                    coefficients.as_ref(),
                    1.0,
                    Par::Seq,
                );
                Ok(y)
            }
        }
    }
}

/// Fits the heads of all `sizes` (increasing) on the nested designs
/// X_p = `x`[.., ..p], calling `visit(index, size, Θ̂)` in increasing size
/// order. Size 0 is visited with an empty 0×k head. See the module
/// documentation for the factorisations reused across sizes.
///
/// # Errors
/// [`SimulateError::RankDeficientDesign`] and
/// [`SimulateError::ResidualCheckFailed`] as in [`fit_head`], and any error
/// that `visit` returns.
pub(crate) fn fit_nested(
    x: MatRef<'_, f64>,
    sizes: &[usize],
    ridge: f64,
    targets: Targets<'_>,
    mut visit: impl FnMut(usize, usize, MatRef<'_, f64>) -> Result<(), SimulateError>,
) -> Result<(), SimulateError> {
    let n = x.nrows();
    let k = match targets {
        Targets::Shared(y) => y.ncols(),
        Targets::Linear { noise, .. } => noise.ncols(),
    };
    let column_norms = prefix_squared_column_norms(x);
    let split = sizes.partition_point(|&size| size <= n);
    let (primal_sizes, dual_sizes) = sizes.split_at(split);

    let mut index = 0;
    for &size in primal_sizes.iter().take_while(|&&size| size == 0) {
        visit(index, size, Mat::<f64>::zeros(0, k).as_ref())?;
        index += 1;
    }
    let primal_sizes = &primal_sizes[index..];
    if !primal_sizes.is_empty() {
        fit_primal_nested(
            x,
            primal_sizes,
            ridge,
            targets,
            &column_norms,
            |size, theta| {
                let result = visit(index, size, theta);
                index += 1;
                result
            },
        )?;
    }
    if !dual_sizes.is_empty() {
        fit_dual_nested(
            x,
            dual_sizes,
            ridge,
            targets,
            &column_norms,
            |size, theta| {
                let result = visit(index, size, theta);
                index += 1;
                result
            },
        )?;
    }
    Ok(())
}

/// Entry p is Σ_{j<p} ‖x_j‖², so that ‖X_p‖_F = √(entry p).
fn prefix_squared_column_norms(x: MatRef<'_, f64>) -> Vec<f64> {
    let mut prefix = Vec::with_capacity(x.ncols() + 1);
    let mut total = 0.0;
    prefix.push(total);
    for column in x.col_iter() {
        total += column.squared_norm_l2();
        prefix.push(total);
    }
    prefix
}

/// Sizes 1 ≤ p ≤ n from one QR of X_{p₀} (or of [X_{p₀}; √(nλ) I_{p₀}]).
fn fit_primal_nested(
    x: MatRef<'_, f64>,
    sizes: &[usize],
    ridge: f64,
    targets: Targets<'_>,
    column_norms: &[f64],
    mut visit: impl FnMut(usize, MatRef<'_, f64>) -> Result<(), SimulateError>,
) -> Result<(), SimulateError> {
    let n = x.nrows();
    let Some(&widest) = sizes.last() else {
        return Ok(());
    };

    // Column j < p of [√(nλ) I_{p₀}; X_{p₀}] is zero in rows p..p₀, so every
    // leading column block is [√(nλ) I_p; X_p] with zero rows inserted,
    // which changes no reflector, and the nesting argument of the module
    // holds for ridge too.
    let top = if ridge > 0.0 { widest } else { 0 };
    let rows = top + n;
    let mut stacked = Mat::zeros(rows, widest);
    stacked
        .get_mut(..top, ..)
        .diagonal_mut()
        .fill(ridge_root(n, ridge));
    stacked.get_mut(top.., ..).copy_from(x.get(.., ..widest));
    // NOTE: a rank-deficient X_{p₀} rejects every size up to n, even sizes
    // whose leading columns are independent. Only a singular Σ with σ_u² = 0
    // produces one.
    let factor = HouseholderQr::new(stacked);
    factor.require_rank(widest, widest)?;

    let rotate = |y: MatRef<'_, f64>| {
        let mut rotated = Mat::zeros(rows, y.ncols());
        rotated.get_mut(top.., ..).copy_from(y);
        factor.apply_transpose(rotated.as_mut());
        rotated
    };
    let shared = match targets {
        Targets::Shared(y) => Some((y, rotate(y))),
        Targets::Linear { .. } => None,
    };

    for &size in sizes {
        let design = x.get(.., ..size);
        let owned_target;
        let owned_rotated;
        let (y, rotated) = match &shared {
            Some((y, rotated)) => (*y, rotated.as_ref()),
            None => {
                owned_target = targets.for_size(x, size)?;
                owned_rotated = rotate(owned_target.as_ref());
                (owned_target.as_ref(), owned_rotated.as_ref())
            }
        };

        let mut theta = rotated.get(..size, ..).to_owned();
        solve_upper_triangular_in_place(factor.r(size), theta.as_mut(), Par::Seq);
        check_residual(design, y, theta.as_ref(), ridge, column_norms[size].sqrt())?;
        visit(size, theta.as_ref())?;
    }
    Ok(())
}

/// Sizes p > n from the updated triangular factor R_p, with
/// R_pᵀR_p = X_pX_pᵀ (+ nλI for ridge), solving the seminormal equations
/// R_pᵀR_p α = Y and returning Θ̂ = X_pᵀ α.
fn fit_dual_nested(
    x: MatRef<'_, f64>,
    sizes: &[usize],
    ridge: f64,
    targets: Targets<'_>,
    column_norms: &[f64],
    mut visit: impl FnMut(usize, MatRef<'_, f64>) -> Result<(), SimulateError>,
) -> Result<(), SimulateError> {
    let n = x.nrows();

    // For ridge the factor starts from √(nλ) I_n: row order does not change
    // RᵀR, so the identity block may come before the rows of X_pᵀ.
    let mut triangle = (ridge > 0.0).then(|| {
        let mut start = Mat::zeros(n, n);
        start.diagonal_mut().fill(ridge_root(n, ridge));
        start
    });
    let mut added = 0;

    for &size in sizes {
        let new_rows = x.get(.., added..size).transpose();
        match triangle.as_mut() {
            Some(triangle) => update_triangle(triangle, new_rows, size, column_norms[size].sqrt())?,
            None => {
                let factor = HouseholderQr::new(new_rows.to_owned());
                factor.require_rank(size, n)?;
                triangle = Some(upper_triangle(factor.r(n)));
            }
        }
        let Some(triangle) = triangle.as_ref() else {
            continue;
        };
        added = size;

        let design = x.get(.., ..size);
        let y = targets.for_size(x, size)?;
        let x_norm = column_norms[size].sqrt();
        let mut alpha = y.clone();
        solve_seminormal(triangle.as_ref(), alpha.as_mut());
        let mut theta = head_from_dual(design, alpha.as_ref());

        // The seminormal equations lose accuracy like κ(X)² where a QR
        // solve loses it like κ(X). Refinement on the dual system, known as
        // the corrected seminormal equations, cuts the error by a factor of
        // roughly κ(X)²ε per step (an estimate). It runs while the fit fails
        // its residual test and each step at least halves the residual.
        let mut residual = relative_residual(design, y.as_ref(), theta.as_ref(), ridge, x_norm);
        let mut refinements = 0;
        while residual > FIT_RESIDUAL_TOLERANCE && refinements < SEMINORMAL_REFINEMENTS {
            // Dual residual Y − (X_pX_pᵀ + nλI)α = Y − X_pΘ̂ − nλα.
            let mut correction = y.clone();
            matmul(
                correction.as_mut(),
                Accum::Add,
                design,
                theta.as_ref(),
                -1.0,
                Par::Seq,
            );
            let root_shift = ridge_root(n, ridge);
            if root_shift > 0.0 {
                correction
                    .as_mut()
                    .col_iter_mut()
                    .zip(alpha.col_iter())
                    .for_each(|(c, a)| {
                        c.iter_mut()
                            .zip(a.iter())
                            .for_each(|(c, a)| *c -= root_shift * (root_shift * a))
                    });
            }
            solve_seminormal(triangle.as_ref(), correction.as_mut());
            let refined_alpha = &alpha + &correction;
            let refined = head_from_dual(design, refined_alpha.as_ref());
            let refined_residual =
                relative_residual(design, y.as_ref(), refined.as_ref(), ridge, x_norm);
            // A NaN residual stops the refinement too.
            let halved = refined_residual <= residual / 2.0;
            if !halved {
                break;
            }
            (alpha, theta, residual) = (refined_alpha, refined, refined_residual);
            refinements += 1;
        }

        residual_within_tolerance(residual, design)?;
        visit(size, theta.as_ref())?;
    }
    Ok(())
}

/// Largest number of refinement steps of a seminormal solve. Each step
/// costs two triangular solves and two products with X_p, paid only by fits
/// that fail the residual test without it.
const SEMINORMAL_REFINEMENTS: usize = 10;

/// Overwrites `rhs` with (RᵀR)⁻¹·rhs by two triangular solves.
fn solve_seminormal(triangle: MatRef<'_, f64>, mut rhs: MatMut<'_, f64>) {
    solve_lower_triangular_in_place(triangle.transpose(), rhs.as_mut(), Par::Seq);
    solve_upper_triangular_in_place(triangle, rhs, Par::Seq);
}

/// Returns the head Θ̂ = X_pᵀα of the dual solution α.
fn head_from_dual(design: MatRef<'_, f64>, alpha: MatRef<'_, f64>) -> Mat<f64> {
    // Θ̂ᵀ = αᵀX_p reads X_p by columns, as stored. The same product written
    // as X_pᵀα ran at about half the rate in faer 0.24.
    let mut theta_t = Mat::zeros(alpha.ncols(), design.ncols());
    matmul(
        theta_t.as_mut(),
        Accum::Replace,
        alpha.transpose(),
        design,
        1.0,
        Par::Seq,
    );
    theta_t.transpose().to_owned()
}

/// Returns the upper triangle of a square matrix, with zeros below.
fn upper_triangle(a: MatRef<'_, f64>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |row, col| {
        if row <= col { a[(row, col)] } else { 0.0 }
    })
}

/// Column width of the panels of [`update_triangle`]. It sets only the
/// speed. For n = 200 and 50 added rows on an AMD EPYC core (faer 0.24,
/// AVX-512), the 35 updates of a 2,000-column grid took 5.9 ms with width
/// 16, 6.1 ms with 8, 7.1 ms with 32 and 8.8 ms with 64. Nesting 16-wide
/// panels in 32- or 64-wide blocks was slower too (6.4 and 7.1 ms).
const UPDATE_PANEL_WIDTH: usize = 16;

/// Replaces the n×n upper-triangular `triangle` R by the triangular factor
/// R' of the stacked [R; V], so that R'ᵀR' = RᵀR + VᵀV, where V = `rows`
/// (m×n) contains the rows added at size p = `size`.
///
/// The reflector that clears column j of [R; V] has the form
/// H_j = I − τ_j y_j y_jᵀ with y_j = [e_j; v_j]: R is zero below its
/// diagonal, so H_j touches only row j of R and the m rows of V. Columns
/// are cleared one at a time inside panels of [`UPDATE_PANEL_WIDTH`], and
/// the reflectors of a panel are applied to all later columns as one block
/// reflector (`apply_reflectors`). So nearly all of the 2m·n² flops run in
/// matrix products, where a QR of the whole stacked matrix would cost
/// 2(n + m)·n² − ⅔n³.
///
/// A diagonal entry of R' at or below 16(m + 1)·ε·`norm`, where `norm` is
/// ‖X_p‖_F = ‖[R; V]‖_F, counts as a rank deficiency.
fn update_triangle(
    triangle: &mut Mat<f64>,
    rows: MatRef<'_, f64>,
    size: usize,
    norm: f64,
) -> Result<(), SimulateError> {
    let n = triangle.ncols();
    let m = rows.nrows();
    if m == 0 {
        return Ok(());
    }
    let threshold = 16.0 * (m + 1) as f64 * f64::EPSILON * norm;

    // V in column-major order with stride m; its column j becomes v_j once
    // column j is cleared.
    let mut bottom = vec![0.0; m * n];
    for (column, source) in bottom.chunks_exact_mut(m).zip(rows.col_iter()) {
        column
            .iter_mut()
            .zip(source.iter())
            .for_each(|(dst, src)| *dst = *src);
    }
    let mut taus = vec![0.0; n];
    let mut scratch = BlockScratch::new(UPDATE_PANEL_WIDTH.min(n), n);
    let mut rank = n;

    for start in (0..n).step_by(UPDATE_PANEL_WIDTH) {
        let end = (start + UPDATE_PANEL_WIDTH).min(n);
        let panel = &mut bottom[start * m..end * m];
        for j in start..end {
            let (before, after) = panel.split_at_mut((j + 1 - start) * m);
            let v = &mut before[(j - start) * m..];
            let tau = make_reflector(&mut triangle[(j, j)], v);
            taus[j] = tau;
            if triangle[(j, j)].abs() <= threshold {
                rank -= 1;
            }
            for (c, column) in (j + 1..).zip(after.chunks_exact_mut(m)) {
                let step = tau * (triangle[(j, c)] + dot_product(v, column));
                triangle[(j, c)] -= step;
                column
                    .iter_mut()
                    .zip(v.iter())
                    .for_each(|(dst, src)| *dst -= step * src);
            }
        }
        apply_reflectors(triangle, &mut bottom, m, start..end, &taus, &mut scratch);
    }

    if rank < n {
        return Err(SimulateError::RankDeficientDesign {
            size,
            rank,
            expected: n,
        });
    }
    Ok(())
}

/// Work matrices of [`apply_reflectors`], allocated once per update.
struct BlockScratch {
    gram: Mat<f64>,
    scaled: Mat<f64>,
}

impl BlockScratch {
    fn new(width: usize, columns: usize) -> Self {
        Self {
            gram: Mat::zeros(width, width),
            scaled: Mat::zeros(width, columns),
        }
    }
}

/// Applies Qᵀ = H_{e−1} ⋯ H_s, the transposed product of the reflectors of
/// `reflectors` = s..e, to the columns e..n of the stacked [R; V]
/// (R = `triangle`, V = `bottom` in column-major order with stride m).
///
/// The product H_s ⋯ H_{e−1} is I − Y T Yᵀ with Y = [y_s … y_{e−1}], so
/// Qᵀ C = C − Y Tᵀ YᵀC. Here T⁻¹ = striu(YᵀY) + diag(1/τ), the UT
/// transform of Joffrain, Low, Quintana-Ortí, van de Geijn and Van Zee,
/// "Accumulating Householder transformations, revisited" (ACM TOMS, 2006).
/// The unit parts e_j of Y are orthogonal, so YᵀY equals V_blockᵀV_block
/// off the diagonal, and T⁻ᵀ is the lower triangle of that Gram matrix with
/// 1/τ on the diagonal. With W = YᵀC = C_top + V_blockᵀ C_bottom, the
/// update is W ← T⁻ᵀ \ W (a triangular solve), C_top −= W and
/// C_bottom −= V_block W.
fn apply_reflectors(
    triangle: &mut Mat<f64>,
    bottom: &mut [f64],
    m: usize,
    reflectors: std::ops::Range<usize>,
    taus: &[f64],
    scratch: &mut BlockScratch,
) {
    let (start, end) = (reflectors.start, reflectors.end);
    let stop = triangle.ncols();
    if end >= stop {
        return;
    }
    let width = end - start;
    let columns = stop - end;
    let (done, rest) = bottom.split_at_mut(end * m);
    let v_block = MatRef::from_column_major_slice(&done[start * m..], m, width);
    let mut v_trailing = MatMut::from_column_major_slice_mut(&mut rest[..columns * m], m, columns);

    let mut gram = scratch.gram.get_mut(..width, ..width);
    matmul(
        gram.as_mut(),
        Accum::Replace,
        v_block.transpose(),
        v_block,
        1.0,
        Par::Seq,
    );
    gram.as_mut()
        .diagonal_mut()
        .column_vector_mut()
        .iter_mut()
        .zip(&taus[start..end])
        .for_each(|(entry, tau)| *entry = tau.recip());

    let mut scaled = scratch.scaled.get_mut(..width, ..columns);
    scaled.copy_from(triangle.get(start..end, end..stop));
    matmul(
        scaled.as_mut(),
        Accum::Add,
        v_block.transpose(),
        v_trailing.as_ref(),
        1.0,
        Par::Seq,
    );
    solve_lower_triangular_in_place(gram.as_ref(), scaled.as_mut(), Par::Seq);
    triangle
        .get_mut(start..end, end..stop)
        .col_iter_mut()
        .zip(scaled.as_ref().col_iter())
        .for_each(|(dst, src)| {
            dst.iter_mut()
                .zip(src.iter())
                .for_each(|(dst, src)| *dst -= src)
        });
    matmul(
        v_trailing.as_mut(),
        Accum::Add,
        v_block,
        scaled.as_ref(),
        -1.0,
        Par::Seq,
    );
}

/// Computes the Householder reflector I − τ[1; v][1; v]ᵀ that maps
/// [head; tail] to [β; 0]. Overwrites `head` with β and `tail` with v, and
/// returns τ, which lies in [1, 2].
fn make_reflector(head: &mut f64, tail: &mut [f64]) -> f64 {
    let squares = dot_product(tail, tail);
    // The plain sum of squares is accurate unless it overflowed or
    // underflowed. Only then is the slower scaled sum of `hypot` needed.
    let tail_norm = if squares.is_finite() && squares > f64::MIN_POSITIVE {
        squares.sqrt()
    } else {
        tail.iter().fold(0.0_f64, |norm, &value| norm.hypot(value))
    };
    let alpha = *head;
    if tail_norm == 0.0 {
        // H = I − 2e₁e₁ᵀ only flips the sign of the head. It keeps τ away
        // from 0, because `apply_reflectors` divides by τ.
        *head = -alpha;
        return 2.0;
    }
    let norm = alpha.hypot(tail_norm);
    let beta = if alpha >= 0.0 { -norm } else { norm };
    let scale = 1.0 / (alpha - beta);
    tail.iter_mut().for_each(|value| *value *= scale);
    *head = beta;
    (beta - alpha) / beta
}

/// Returns aᵀb with faer's vectorised kernel.
fn dot_product(a: &[f64], b: &[f64]) -> f64 {
    inner_prod(
        RowRef::from_slice(a),
        Conj::No,
        ColRef::from_slice(b),
        Conj::No,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::linalg::solvers::Solve;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    const SEED: u64 = 20_241_001;

    fn gaussian(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> Mat<f64> {
        Mat::from_fn(rows, cols, |_, _| rng.sample(StandardNormal))
    }

    fn relative_distance(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> f64 {
        let mut difference = a.to_owned();
        difference
            .as_mut()
            .col_iter_mut()
            .zip(b.col_iter())
            .for_each(|(d, b)| d.iter_mut().zip(b.iter()).for_each(|(d, b)| *d -= b));
        difference.norm_l2() / b.norm_l2()
    }

    /// Fits every size of `sizes` with [`fit_nested`] and collects the heads.
    fn nested_heads(
        x: MatRef<'_, f64>,
        y: MatRef<'_, f64>,
        sizes: &[usize],
        ridge: f64,
    ) -> Vec<Mat<f64>> {
        let mut heads = Vec::new();
        fit_nested(x, sizes, ridge, Targets::Shared(y), |index, size, theta| {
            assert_eq!(index, heads.len());
            assert_eq!(theta.nrows(), size);
            heads.push(theta.to_owned());
            Ok(())
        })
        .unwrap();
        heads
    }

    #[test]
    fn residual_check_passes_near_threshold() {
        let n = 40;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        let x = gaussian(n, n + 1, &mut rng);
        let y = gaussian(n, 3, &mut rng);
        for size in [n - 1, n, n + 1] {
            let design = x.get(.., ..size);
            let theta = fit_head(design, y.as_ref(), 0.0).unwrap();
            let residual =
                relative_residual(design, y.as_ref(), theta.as_ref(), 0.0, design.norm_l2());
            assert!(
                residual <= 1e-12,
                "p = {size}, n = {n}, seed {SEED}: residual {residual:e}"
            );
        }
    }

    #[test]
    fn interpolating_fit_reproduces_targets() {
        let n = 30;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 1);
        let y = gaussian(n, 2, &mut rng);
        for size in [n, n + 1, 2 * n] {
            let x = gaussian(n, size, &mut rng);
            let theta = fit_head(x.as_ref(), y.as_ref(), 0.0).unwrap();
            let fitted = crate::population::product(x.as_ref(), theta.as_ref());
            let distance = relative_distance(fitted.as_ref(), y.as_ref());
            assert!(distance < 1e-11, "p = {size}: ‖XΘ̂ − Y‖/‖Y‖ = {distance:e}");
        }
    }

    #[test]
    fn min_norm_head_is_orthogonal_to_null_space() {
        // Θ̂ = X⁺Y lies in the row space of X, so Θ̂ = Xᵀα for some α.
        let (n, p) = (12, 20);
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 2);
        let x = gaussian(n, p, &mut rng);
        let y = gaussian(n, 1, &mut rng);
        let theta = fit_head(x.as_ref(), y.as_ref(), 0.0).unwrap();
        let gram = crate::population::product(x.as_ref(), x.transpose());
        let alpha = gram.as_ref().partial_piv_lu().solve(&y);
        let expected = crate::population::product(x.transpose(), alpha.as_ref());
        let distance = relative_distance(theta.as_ref(), expected.as_ref());
        assert!(distance < 1e-10, "distance {distance:e}");
    }

    #[test]
    fn ridge_head_solves_ridge_equations() {
        let n = 25;
        let ridge = 0.3;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 3);
        let y = gaussian(n, 2, &mut rng);
        for size in [5, n, 3 * n] {
            let x = gaussian(n, size, &mut rng);
            let theta = fit_head(x.as_ref(), y.as_ref(), ridge).unwrap();
            // (XᵀX + nλI)Θ̂ = XᵀY, solved here through the normal equations.
            let mut normal = crate::population::product(x.transpose(), x.as_ref());
            normal
                .diagonal_mut()
                .column_vector_mut()
                .iter_mut()
                .for_each(|v| *v += n as f64 * ridge);
            let rhs = crate::population::product(x.transpose(), y.as_ref());
            let expected = normal.as_ref().llt(faer::Side::Lower).unwrap().solve(&rhs);
            let distance = relative_distance(theta.as_ref(), expected.as_ref());
            assert!(distance < 1e-10, "p = {size}: distance {distance:e}");
        }
    }

    #[test]
    fn huge_ridge_heads_are_accurate() {
        // As λ grows, Θ̂ = (XᵀX + nλI)⁻¹XᵀY tends to XᵀY/(nλ) and then to 0.
        let n = 32;
        let sizes = [1, 5, n, n + 1, 2 * n];
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 12);
        let x = gaussian(n, 2 * n, &mut rng);
        let y = gaussian(n, 2, &mut rng);
        for ridge in [1e17, 1e30, 1e300, f64::MAX] {
            let heads = nested_heads(x.as_ref(), y.as_ref(), &sizes, ridge);
            for (&size, nested) in sizes.iter().zip(&heads) {
                let design = x.get(.., ..size);
                let single = fit_head(design, y.as_ref(), ridge).unwrap();
                // From λ = 10¹⁷ on, XᵀX/(nλ) is below 10⁻¹⁶ here, so XᵀY/(nλ)
                // is Θ̂ to rounding. It is divided in two steps, because nλ
                // overflows at λ = f64::MAX.
                let mut expected = crate::population::product(design.transpose(), y.as_ref());
                expected
                    .col_iter_mut()
                    .for_each(|column| column.iter_mut().for_each(|v| *v = *v / n as f64 / ridge));
                for (method, theta) in [("nested", nested), ("single", &single)] {
                    let distance = relative_distance(theta.as_ref(), expected.as_ref());
                    assert!(
                        distance < 1e-12,
                        "{method}, λ = {ridge:e}, p = {size}: distance {distance:e}"
                    );
                    let residual = relative_residual(
                        design,
                        y.as_ref(),
                        theta.as_ref(),
                        ridge,
                        design.norm_l2(),
                    );
                    assert!(
                        residual <= 1e-12,
                        "{method}, λ = {ridge:e}, p = {size}: residual {residual:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn nested_fit_matches_single_fits() {
        let n = 30;
        let sizes = [0, 1, 7, n - 1, n, n + 1, n + 2, 45, 80];
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 4);
        let x = gaussian(n, 80, &mut rng);
        let y = gaussian(n, 3, &mut rng);
        for ridge in [0.0, 0.05] {
            let heads = nested_heads(x.as_ref(), y.as_ref(), &sizes, ridge);
            assert_eq!(heads.len(), sizes.len());
            for (&size, nested) in sizes.iter().zip(&heads).skip(1) {
                let single = fit_head(x.get(.., ..size), y.as_ref(), ridge).unwrap();
                let distance = relative_distance(nested.as_ref(), single.as_ref());
                assert!(
                    distance < 1e-9,
                    "λ = {ridge}, p = {size}, n = {n}: distance {distance:e}"
                );
            }
        }
    }

    #[test]
    fn one_column_updates_match_single_fits() {
        // Sizes n + 1, n + 2, … add one row to the triangle at a time, right
        // where X_p is worst conditioned.
        let n = 60;
        let sizes: Vec<usize> = (n + 1..=n + 40).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 10);
        let x = gaussian(n, n + 40, &mut rng);
        let y = gaussian(n, 2, &mut rng);
        let heads = nested_heads(x.as_ref(), y.as_ref(), &sizes, 0.0);
        let mut worst: f64 = 0.0;
        for (&size, nested) in sizes.iter().zip(&heads) {
            let single = fit_head(x.get(.., ..size), y.as_ref(), 0.0).unwrap();
            worst = worst.max(relative_distance(nested.as_ref(), single.as_ref()));
        }
        // Measured: 2e-14 with faer 0.24.
        assert!(worst < 1e-11, "largest distance {worst:e}");
    }

    #[test]
    fn refinement_rescues_ill_conditioned_fits() {
        // X = Z Wᵀ + 10⁻⁶U has two singular values near 1 and the rest near
        // 10⁻⁶, like a representation with σ_u² = 10⁻¹². Plain seminormal
        // equations fail the residual test on some of these draws.
        let (n, widest, dim) = (6, 12, 2);
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 11);
        for draw in 0..200 {
            let latent = gaussian(n, dim, &mut rng);
            let loadings = gaussian(widest, dim, &mut rng);
            let mut x = crate::population::product(latent.as_ref(), loadings.transpose());
            let noise = gaussian(n, widest, &mut rng);
            x.as_mut()
                .col_iter_mut()
                .zip(noise.col_iter())
                .for_each(|(x, u)| x.iter_mut().zip(u.iter()).for_each(|(x, u)| *x += 1e-6 * u));
            let y = gaussian(n, 2, &mut rng);
            let result = fit_nested_heads(
                x.as_ref(),
                y.as_ref(),
                &[n + 1, n + 3, widest],
                0.0,
                |_, _| Ok(()),
            );
            assert!(result.is_ok(), "draw {draw}: {result:?}");
        }
    }

    #[test]
    fn triangle_update_matches_gram_matrix() {
        let n = 37;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 6);
        let x = gaussian(n, 120, &mut rng);
        let first = HouseholderQr::new(x.get(.., ..50).transpose().to_owned());
        let mut triangle = upper_triangle(first.r(n));
        let mut added = 50;
        for size in [51, 90, 120] {
            let design = x.get(.., ..size);
            update_triangle(
                &mut triangle,
                x.get(.., added..size).transpose(),
                size,
                design.norm_l2(),
            )
            .unwrap();
            added = size;
            let design = x.get(.., ..size);
            let gram = crate::population::product(design, design.transpose());
            let rebuilt = crate::population::product(triangle.transpose(), triangle.as_ref());
            let distance = relative_distance(rebuilt.as_ref(), gram.as_ref());
            assert!(
                distance < 1e-14,
                "p = {size}: ‖RᵀR − XXᵀ‖/‖XXᵀ‖ = {distance:e}"
            );
            for col in 0..n {
                for row in col + 1..n {
                    assert_eq!(
                        triangle[(row, col)],
                        0.0,
                        "entry ({row}, {col}) below the diagonal"
                    );
                }
            }
        }
    }

    /// Returns an n×n upper-triangular matrix with entries of size about 1
    /// and a diagonal bounded away from zero.
    fn random_triangle(n: usize, rng: &mut ChaCha8Rng) -> Mat<f64> {
        let mut triangle = upper_triangle(gaussian(n, n, rng).as_ref());
        for j in 0..n {
            triangle[(j, j)] = 2.0 + triangle[(j, j)].abs();
        }
        triangle
    }

    #[test]
    fn zero_rows_keep_gram_matrix() {
        // Zero added rows give reflectors with v = 0, which only flip signs.
        let n = 21;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 7);
        let start = random_triangle(n, &mut rng);
        let mut triangle = start.clone();
        update_triangle(
            &mut triangle,
            Mat::zeros(3, n).as_ref(),
            n + 3,
            start.norm_l2(),
        )
        .unwrap();
        let before = crate::population::product(start.transpose(), start.as_ref());
        let after = crate::population::product(triangle.transpose(), triangle.as_ref());
        let distance = relative_distance(after.as_ref(), before.as_ref());
        assert!(distance < 1e-15, "‖R'ᵀR' − RᵀR‖/‖RᵀR‖ = {distance:e}");
    }

    #[test]
    fn update_reports_rank_deficiency() {
        // Columns 4 and 5 of the stacked [R; V] are equal, so it has rank
        // n − 1 and the updated factor a zero on its diagonal.
        let n = 20;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 8);
        let mut triangle = random_triangle(n, &mut rng);
        let mut rows = gaussian(5, n, &mut rng);
        for row in 0..n {
            triangle[(row, 5)] = triangle[(row, 4)];
        }
        let column = rows.col(4).to_owned();
        rows.col_mut(5).copy_from(&column);
        let norm = (triangle.squared_norm_l2() + rows.squared_norm_l2()).sqrt();
        let error = update_triangle(&mut triangle, rows.as_ref(), 77, norm).unwrap_err();
        assert!(
            matches!(
                error,
                SimulateError::RankDeficientDesign {
                    size: 77,
                    rank: 19,
                    expected: 20
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn rank_deficient_design_is_rejected() {
        let n = 10;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 5);
        let mut x = gaussian(n, 4, &mut rng);
        let first = x.col(0).to_owned();
        x.col_mut(3).copy_from(&first);
        let y = gaussian(n, 1, &mut rng);
        let error = fit_head(x.as_ref(), y.as_ref(), 0.0).unwrap_err();
        assert!(
            matches!(
                error,
                SimulateError::RankDeficientDesign {
                    size: 4,
                    rank: 3,
                    expected: 4
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn nested_heads_reject_bad_sizes() {
        let x = Mat::<f64>::zeros(4, 6);
        let y = Mat::<f64>::zeros(4, 1);
        for sizes in [&[2, 2][..], &[3, 1], &[2, 7]] {
            let error = fit_nested_heads(x.as_ref(), y.as_ref(), sizes, 0.0, |_, _| Ok(()));
            assert!(
                matches!(error, Err(SimulateError::ShapeMismatch { .. })),
                "sizes {sizes:?}: {error:?}"
            );
        }
        let error = fit_nested_heads(x.as_ref(), y.as_ref(), &[1], -1.0, |_, _| Ok(()));
        assert!(
            matches!(
                error,
                Err(SimulateError::InvalidOption { field: "ridge", .. })
            ),
            "{error:?}"
        );
    }

    #[test]
    fn nested_heads_visit_sizes_in_order() {
        let n = 12;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED + 9);
        let x = gaussian(n, 30, &mut rng);
        let y = gaussian(n, 2, &mut rng);
        let sizes = [0, 5, n, 13, 30];
        let mut visited = Vec::new();
        fit_nested_heads(x.as_ref(), y.as_ref(), &sizes, 0.0, |size, theta| {
            assert_eq!(theta.shape(), (size, 2));
            visited.push(size);
            Ok(())
        })
        .unwrap();
        assert_eq!(visited, sizes);
    }

    #[test]
    fn mismatched_rows_are_rejected() {
        let x = Mat::<f64>::zeros(4, 2);
        let y = Mat::<f64>::zeros(5, 1);
        let error = fit_head(x.as_ref(), y.as_ref(), 0.0).unwrap_err();
        assert!(
            matches!(error, SimulateError::ShapeMismatch { .. }),
            "{error}"
        );
    }
}
