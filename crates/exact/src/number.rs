//! Small helpers for exact rationals: conversions and dyadic bounds.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed};

/// Converts a count to an exact rational.
pub(crate) fn from_count(count: usize) -> BigRational {
    BigRational::from_integer(BigInt::from(count))
}

/// Formats a rational for messages: `p/q` in lowest terms (`p` when q = 1)
/// when that is short, otherwise a decimal with a few significant digits.
pub(crate) fn format_value(value: &BigRational) -> String {
    headrisk_model::number::format_value(value)
}

/// Computes 2^exponent as an exact rational, for any sign of the exponent.
pub(crate) fn power_of_two(exponent: i64) -> BigRational {
    let magnitude = BigInt::one() << exponent.unsigned_abs();
    if exponent >= 0 {
        BigRational::from_integer(magnitude)
    } else {
        BigRational::new(BigInt::one(), magnitude)
    }
}

/// Finds the exponent e with 2^e ≤ x < 2^{e+1} for x > 0, and returns `None` for x ≤ 0.
pub(crate) fn floor_log2(value: &BigRational) -> Option<i64> {
    if !value.is_positive() {
        return None;
    }
    // numer/denom lies in [2^(bits_n − bits_d − 1), 2^(bits_n − bits_d + 1)),
    // so at most one correction step in each direction is needed.
    let mut exponent = value.numer().bits() as i64 - value.denom().bits() as i64;
    while power_of_two(exponent) > *value {
        exponent -= 1;
    }
    while power_of_two(exponent + 1) <= *value {
        exponent += 1;
    }
    Some(exponent)
}

/// Rounds x > 0 down to a power of two.
pub(crate) fn floor_power_of_two(value: &BigRational) -> Option<BigRational> {
    floor_log2(value).map(power_of_two)
}

/// Rounds x > 0 up to a power of two.
pub(crate) fn ceil_power_of_two(value: &BigRational) -> Option<BigRational> {
    let exponent = floor_log2(value)?;
    let floor = power_of_two(exponent);
    Some(if floor == *value {
        floor
    } else {
        power_of_two(exponent + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(numerator.into(), denominator.into())
    }

    #[test]
    fn powers_of_two_bracket_values() {
        assert_eq!(floor_power_of_two(&ratio(3, 1)), Some(ratio(2, 1)));
        assert_eq!(ceil_power_of_two(&ratio(3, 1)), Some(ratio(4, 1)));
        assert_eq!(floor_power_of_two(&ratio(1, 3)), Some(ratio(1, 4)));
        assert_eq!(ceil_power_of_two(&ratio(1, 3)), Some(ratio(1, 2)));
        assert_eq!(floor_power_of_two(&ratio(1, 8)), Some(ratio(1, 8)));
        assert_eq!(ceil_power_of_two(&ratio(1, 8)), Some(ratio(1, 8)));
        assert_eq!(floor_power_of_two(&ratio(0, 1)), None);
        assert_eq!(ceil_power_of_two(&ratio(-1, 1)), None);
    }
}
