//! Text forms of exact and floating-point values for reports.

use headrisk_model::BigRational;
use headrisk_model::number::{format_decimal, format_fraction};
use serde::Serialize;

/// Significant digits of decimals in reports.
pub const DECIMAL_DIGITS: usize = 12;
/// Longest fraction shown in the human table; longer ones are elided there
/// and kept whole in CSV and JSON.
pub const TABLE_FRACTION_CHARS: usize = 40;

/// Returns "1 size", "3 sizes": a count with its noun in the right number.
pub fn counted(count: usize, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

/// An exact value as a fraction in lowest terms and as a rounded decimal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExactText {
    pub exact: String,
    pub decimal: String,
}

impl ExactText {
    pub fn of(value: &BigRational) -> Self {
        Self {
            exact: format_fraction(value),
            decimal: format_decimal(value, DECIMAL_DIGITS),
        }
    }

    /// `decimal (= fraction)` when the fraction is short, else the decimal
    /// with the fraction's length.
    pub fn for_table(&self) -> String {
        if self.exact == self.decimal {
            self.exact.clone()
        } else if self.exact.chars().count() <= TABLE_FRACTION_CHARS {
            format!("{} (= {})", self.decimal, self.exact)
        } else {
            format!(
                "{} (fraction of {} chars)",
                self.decimal,
                self.exact.chars().count()
            )
        }
    }
}

/// A float at a fixed number of significant digits, for stable snapshots.
pub fn float_text(value: f64) -> String {
    match BigRational::from_float(value) {
        Some(exact) => format_decimal(&exact, DECIMAL_DIGITS),
        None => value.to_string(),
    }
}
