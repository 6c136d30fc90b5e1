//! The value type of a risk that may diverge.

/// A prediction risk: a finite value, or +∞ where the expectation diverges
/// (the ridgeless risk at n − 1 ≤ p ≤ n + 1).
///
/// Divergence is a variant of its own so that no engine has to encode it as
/// a float infinity or NaN; reports write it as the word `divergent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RiskValue<T> {
    Finite(T),
    Divergent,
}

impl<T> RiskValue<T> {
    /// The finite value, or `None` when divergent.
    pub fn finite(&self) -> Option<&T> {
        match self {
            RiskValue::Finite(value) => Some(value),
            RiskValue::Divergent => None,
        }
    }

    pub fn is_divergent(&self) -> bool {
        matches!(self, RiskValue::Divergent)
    }

    /// Applies `f` to a finite value and keeps divergence.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> RiskValue<U> {
        match self {
            RiskValue::Finite(value) => RiskValue::Finite(f(value)),
            RiskValue::Divergent => RiskValue::Divergent,
        }
    }
}

impl<T: PartialOrd> PartialOrd for RiskValue<T> {
    /// Orders finite values as `T` does and places divergence above all of them.
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        use std::cmp::Ordering;
        match (self, other) {
            (RiskValue::Finite(a), RiskValue::Finite(b)) => a.partial_cmp(b),
            (RiskValue::Finite(_), RiskValue::Divergent) => Some(Ordering::Less),
            (RiskValue::Divergent, RiskValue::Finite(_)) => Some(Ordering::Greater),
            (RiskValue::Divergent, RiskValue::Divergent) => Some(Ordering::Equal),
        }
    }
}
