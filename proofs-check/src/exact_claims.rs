//! Claims that need only the exact engine: the population identities and
//! the shape of the exact finite-sample curve.

use headrisk_exact::{CurvePoint, FiniteSampleRisk, HmmPopulation, PopulationPoint, RiskValue};
use headrisk_model::number::format_decimal;
use headrisk_model::{BigRational, Family, ParameterSet};
use num_traits::{Signed, Zero};

use crate::numbers::{DECIMAL_DIGITS, ExactText, counted};
use crate::report::{Claim, ShapeReport, Status};
use crate::shape::{self, ExactOrder, Point};

/// Largest size at which the low-rank population is compared with the
/// direct p×p computation; the direct path costs O(p³) rational operations.
pub const DIRECT_CROSS_CHECK_MAX_SIZE: usize = 12;

/// tr Σ_y and σ²_B, the bounds of every σ²_p.
#[derive(Debug)]
pub struct Bounds {
    pub target_trace: BigRational,
    pub bayes_risk: BigRational,
}

/// The exact curve and what the claims need besides it.
#[derive(Debug)]
pub struct ExactRun<'a> {
    pub params: &'a ParameterSet,
    pub curve: Vec<CurvePoint>,
    pub bounds: Bounds,
    pub population: Option<HmmPopulation<'a>>,
}

impl<'a> ExactRun<'a> {
    pub fn new(params: &'a ParameterSet) -> Result<Self, headrisk_exact::ExactError> {
        let curve = headrisk_exact::finite_sample_curve(params)?;
        let (bounds, population) = match &params.family {
            Family::Hmm(hmm) => {
                let population = HmmPopulation::new(hmm)?;
                let bounds = Bounds {
                    target_trace: population.target_trace().clone(),
                    bayes_risk: population.bayes_risk().clone(),
                };
                (bounds, Some(population))
            }
            Family::Isotropic(family) => (
                Bounds {
                    target_trace: headrisk_exact::isotropic::target_trace(family),
                    bayes_risk: family.noise.clone(),
                },
                None,
            ),
        };
        Ok(Self {
            params,
            curve,
            bounds,
            population,
        })
    }

    /// Returns the exact total risk at each size, for shape analysis.
    pub fn points(&self) -> Vec<(usize, Point<BigRational>)> {
        self.curve
            .iter()
            .map(|point| {
                let value = match point.risk.total() {
                    Some(RiskValue::Finite(total)) => Point::Finite(total),
                    Some(RiskValue::Divergent) => Point::Divergent,
                    None => Point::Missing,
                };
                (point.population.size, value)
            })
            .collect()
    }
}

/// Runs every exact claim.
pub fn claims(run: &ExactRun<'_>) -> Result<Vec<Claim>, headrisk_exact::ExactError> {
    let mut claims = vec![
        empty_head(run)?,
        irreducible_monotone(run),
        irreducible_bounds(run),
        signal_split(run),
    ];
    claims.push(low_rank_matches_direct(run)?);
    claims.push(decomposition(run));
    claims.push(divergence_location(run));
    Ok(claims)
}

fn population<'r>(run: &'r ExactRun<'_>) -> impl Iterator<Item = &'r PopulationPoint> {
    run.curve.iter().map(|point| &point.population)
}

fn empty_head(run: &ExactRun<'_>) -> Result<Claim, headrisk_exact::ExactError> {
    let statement = "the empty head (p = 0) leaves the whole target: σ²_0 = tr Σ_y";
    let at_zero = match run.curve.first() {
        Some(point) if point.population.size == 0 => point.population.irreducible.clone(),
        _ => match (&run.params.family, &run.population) {
            (_, Some(population)) => population.at_size(0)?.irreducible,
            (Family::Isotropic(family), None) => {
                headrisk_exact::isotropic::population_point(family, 0).irreducible
            }
            (Family::Hmm(_), None) => run.bounds.target_trace.clone(),
        },
    };
    let trace = &run.bounds.target_trace;
    Ok(Claim::from_check(
        "population.empty-head",
        statement,
        format!("σ²_0 = tr Σ_y = {}", ExactText::of(trace).for_table()),
        (at_zero != *trace).then(|| {
            format!(
                "σ²_0 = {} but tr Σ_y = {}",
                ExactText::of(&at_zero).for_table(),
                ExactText::of(trace).for_table()
            )
        }),
    ))
}

fn irreducible_monotone(run: &ExactRun<'_>) -> Claim {
    let statement = "nested features: σ²_p is non-increasing in p over the grid";
    let points: Vec<&PopulationPoint> = population(run).collect();
    if points.len() < 2 {
        return Claim::skip(
            "population.monotone",
            statement,
            "the grid has fewer than two sizes",
        );
    }
    let failure = points
        .windows(2)
        .find(|pair| pair[1].irreducible > pair[0].irreducible)
        .map(|pair| {
            format!(
                "σ²_{} = {} rises to σ²_{} = {}",
                pair[0].size,
                ExactText::of(&pair[0].irreducible).for_table(),
                pair[1].size,
                ExactText::of(&pair[1].irreducible).for_table()
            )
        });
    Claim::from_check(
        "population.monotone",
        statement,
        format!(
            "checked exactly at {} consecutive pairs",
            points.len().saturating_sub(1)
        ),
        failure,
    )
}

fn irreducible_bounds(run: &ExactRun<'_>) -> Claim {
    let statement = "σ²_B ≤ σ²_p ≤ tr Σ_y at every size (σ²_B: Bayes risk given z_t)";
    let Bounds {
        target_trace,
        bayes_risk,
    } = &run.bounds;
    let failure = population(run)
        .find(|point| {
            point.size > 0 && (point.irreducible < *bayes_risk || point.irreducible > *target_trace)
        })
        .map(|point| {
            format!(
                "σ²_{} = {} outside [{}, {}]",
                point.size,
                ExactText::of(&point.irreducible).for_table(),
                ExactText::of(bayes_risk).for_table(),
                ExactText::of(target_trace).for_table()
            )
        });
    Claim::from_check(
        "population.bounds",
        statement,
        format!(
            "σ²_B = {}, tr Σ_y = {}",
            ExactText::of(bayes_risk).for_table(),
            ExactText::of(target_trace).for_table()
        ),
        failure,
    )
}

fn signal_split(run: &ExactRun<'_>) -> Claim {
    let statement = "the signal splits the target: s_p + σ²_p = tr Σ_y, with s_p ≥ 0";
    let trace = &run.bounds.target_trace;
    let failure = population(run)
        .find(|point| &point.signal + &point.irreducible != *trace || point.signal.is_negative())
        .map(|point| {
            format!(
                "at p = {}: s_p = {}, σ²_p = {}, tr Σ_y = {}",
                point.size,
                ExactText::of(&point.signal).for_table(),
                ExactText::of(&point.irreducible).for_table(),
                ExactText::of(trace).for_table()
            )
        });
    Claim::from_check(
        "population.signal-split",
        statement,
        "exact at every size",
        failure,
    )
}

fn low_rank_matches_direct(run: &ExactRun<'_>) -> Result<Claim, headrisk_exact::ExactError> {
    let id = "population.low-rank";
    let statement = format!(
        "the d×d low-rank path equals the direct p×p computation exactly (sizes ≤ {DIRECT_CROSS_CHECK_MAX_SIZE})"
    );
    let Some(hmm_population) = &run.population else {
        return Ok(Claim::skip(
            id,
            statement,
            "the isotropic family has Σ_x = I_p: nothing to reduce",
        ));
    };
    let mut checked = 0;
    for point in population(run).filter(|point| point.size <= DIRECT_CROSS_CHECK_MAX_SIZE) {
        let (direct, _) = hmm_population.direct_at_size(point.size)?;
        if direct.irreducible != point.irreducible || direct.signal != point.signal {
            return Ok(Claim::new(
                id,
                statement,
                Status::Fail,
                format!(
                    "at p = {}: low-rank σ²_p = {}, direct σ²_p = {}",
                    point.size,
                    ExactText::of(&point.irreducible).for_table(),
                    ExactText::of(&direct.irreducible).for_table()
                ),
            ));
        }
        checked += 1;
    }
    if checked == 0 {
        return Ok(Claim::skip(id, statement, "no grid size is small enough"));
    }
    Ok(Claim::new(
        id,
        statement,
        Status::Pass,
        format!("equal at {}", counted(checked, "size", "sizes")),
    ))
}

fn decomposition(run: &ExactRun<'_>) -> Claim {
    let id = "exact.decomposition";
    let statement = "where finite, R = σ²_p + B + V with B ≥ 0 and V ≥ 0, so R ≥ σ²_p";
    let finite: Vec<_> = run
        .curve
        .iter()
        .filter_map(|point| match &point.risk {
            FiniteSampleRisk::Closed(RiskValue::Finite(decomposition)) => {
                Some((point.population.size, decomposition))
            }
            _ => None,
        })
        .collect();
    if finite.is_empty() {
        return Claim::skip(id, statement, "no size has a closed-form finite risk");
    }
    let failure = finite.iter().find_map(|(size, risk)| {
        let sum = &risk.irreducible + &risk.bias + &risk.variance;
        (sum != risk.total || risk.bias.is_negative() || risk.variance.is_negative()).then(|| {
            format!(
                "at p = {size}: R = {}, σ²_p + B + V = {}, B = {}, V = {}",
                ExactText::of(&risk.total).for_table(),
                ExactText::of(&sum).for_table(),
                ExactText::of(&risk.bias).for_table(),
                ExactText::of(&risk.variance).for_table()
            )
        })
    });
    Claim::from_check(
        id,
        statement,
        format!("exact at {}", counted(finite.len(), "size", "sizes")),
        failure,
    )
}

fn divergence_location(run: &ExactRun<'_>) -> Claim {
    let id = "exact.divergence";
    let n = run.params.samples;
    let statement = format!(
        "the ridgeless risk diverges exactly at n − 1 ≤ p ≤ n + 1 = {}..{} (where σ²_p > 0)",
        n - 1,
        n + 1
    );
    if !run.params.ridge.is_zero() {
        return Claim::skip(
            id,
            statement,
            "λ > 0: the ridge risk is finite at every size",
        );
    }
    let divergent: Vec<usize> = run
        .curve
        .iter()
        .filter(|point| matches!(point.risk, FiniteSampleRisk::Closed(RiskValue::Divergent)))
        .map(|point| point.population.size)
        .collect();
    // With σ²_p = 0 nothing diverges: the divergent term is σ²_p times an
    // infinite moment.
    let expected: Vec<usize> = run
        .curve
        .iter()
        .filter(|point| !point.population.irreducible.is_zero())
        .map(|point| point.population.size)
        .filter(|&p| p + 1 >= n && p <= n + 1)
        .filter(|&p| p > 0)
        .filter(|_| run.params.sampling == headrisk_model::Sampling::Independent)
        .collect();
    if run.params.sampling != headrisk_model::Sampling::Independent {
        return Claim::skip(
            id,
            statement,
            "trajectory sampling has no exact finite-sample risk",
        );
    }
    let in_window = run.curve.iter().any(|point| {
        point.population.size > 0
            && point.population.size + 1 >= n
            && point.population.size <= n + 1
    });
    if !in_window {
        return Claim::skip(id, statement, "the grid has no size in n − 1 ≤ p ≤ n + 1");
    }
    Claim::from_check(
        id,
        statement,
        format!("divergent at {}", list(&divergent)),
        (divergent != expected).then(|| {
            format!(
                "divergent at {}, expected {}",
                list(&divergent),
                list(&expected)
            )
        }),
    )
}

fn list(sizes: &[usize]) -> String {
    if sizes.is_empty() {
        return "no size".into();
    }
    sizes
        .iter()
        .map(|p| format!("p = {p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds the shape claims and the shape section of the exact curve.
pub fn shape_claims(run: &ExactRun<'_>) -> (Vec<Claim>, ShapeReport) {
    let points = run.points();
    let n = run.params.samples;
    let found = shape::analyze(&points, n, &ExactOrder);
    let value_at = |size: Option<usize>| {
        size.and_then(|size| {
            points
                .iter()
                .find(|(p, _)| *p == size)
                .and_then(|(_, point)| match point {
                    Point::Finite(value) => Some(ExactText::of(value).for_table()),
                    _ => None,
                })
        })
    };
    let finite_at = |size: usize| {
        points.iter().find_map(|(p, point)| match point {
            Point::Finite(value) if *p == size => Some(value),
            _ => None,
        })
    };
    let empty_head_excess = found
        .first_descent_minimum
        .and_then(finite_at)
        .zip(finite_at(0))
        .map(|(minimum, empty)| format_decimal(&(empty - minimum), DECIMAL_DIGITS));
    let report = ShapeReport {
        engine: "exact",
        sweet_spot_risk: value_at(found.sweet_spot),
        empty_head_risk: value_at(Some(0)),
        empty_head_excess,
        shape: found.clone(),
    };
    (
        crate::shape_claims::claims("exact", &found, n, &report),
        report,
    )
}
