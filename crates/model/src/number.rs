//! Exact reading of the numbers written in a parameter file.
//!
//! A decimal such as `0.1` denotes the rational 1/10 exactly, never the
//! nearest binary float. A string such as `"1/3"` or `"-2.5e-3"` is read the
//! same way, which is how a rational that has no finite decimal is written.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

/// Largest absolute decimal exponent accepted, so that `1e999999999` cannot
/// allocate a number with a billion digits.
pub const MAX_DECIMAL_EXPONENT: i64 = 4_000;

/// Reasons a text is not an exact number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NumberTextError {
    NotFinite,
    Invalid(String),
}

/// Parses a decimal or fraction exactly.
///
/// Accepted forms: `12`, `-0.125`, `1.5e-3`, `+2E4`, `1_000.5` (TOML digit
/// separators), `"3/7"`, `"-1.5/2"`. `inf` and `nan` in any case give
/// [`NumberTextError::NotFinite`].
pub(crate) fn parse_exact(text: &str) -> Result<BigRational, NumberTextError> {
    let trimmed = text.trim();
    let lowered = trimmed.to_ascii_lowercase();
    let unsigned = lowered.trim_start_matches(['+', '-']);
    if unsigned == "inf" || unsigned == "nan" || unsigned == "infinity" {
        return Err(NumberTextError::NotFinite);
    }

    if let Some((numerator, denominator)) = trimmed.split_once('/') {
        let numerator = parse_decimal(numerator)?;
        let denominator = parse_decimal(denominator)?;
        if denominator.is_zero() {
            return Err(NumberTextError::Invalid("the denominator is zero".into()));
        }
        return Ok(numerator / denominator);
    }
    parse_decimal(trimmed)
}

fn parse_decimal(text: &str) -> Result<BigRational, NumberTextError> {
    let text = text.trim().replace('_', "");
    if text.is_empty() {
        return Err(NumberTextError::Invalid("empty number".into()));
    }

    let (negative, body) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text.as_str()),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(index) => (&body[..index], Some(&body[index + 1..])),
        None => (body, None),
    };
    let (integer_part, fraction_part) = match mantissa.split_once('.') {
        Some((integer_part, fraction_part)) => (integer_part, fraction_part),
        None => (mantissa, ""),
    };
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if integer_part.is_empty() && fraction_part.is_empty()
        || !all_digits(integer_part)
        || !all_digits(fraction_part)
    {
        return Err(NumberTextError::Invalid(format!(
            "`{text}` is neither a decimal nor a fraction"
        )));
    }

    let exponent: i64 = match exponent {
        None => 0,
        Some(digits) => digits
            .parse()
            .map_err(|_| NumberTextError::Invalid(format!("`{text}` has an invalid exponent")))?,
    };
    if exponent.unsigned_abs() > MAX_DECIMAL_EXPONENT.unsigned_abs() {
        return Err(NumberTextError::Invalid(format!(
            "the exponent {exponent} exceeds ±{MAX_DECIMAL_EXPONENT}"
        )));
    }

    let digits = format!("{integer_part}{fraction_part}");
    let mut numerator: BigInt = digits
        .parse()
        .map_err(|_| NumberTextError::Invalid(format!("`{text}` has no digits")))?;
    if negative {
        numerator = -numerator;
    }
    // The value is digits · 10^(exponent − number of fraction digits).
    let scale = exponent - fraction_part.len() as i64;
    let ten = BigInt::from(10u32);
    let power = num_traits::pow(ten, scale.unsigned_abs() as usize);
    let value = if scale >= 0 {
        BigRational::from_integer(numerator * power)
    } else {
        BigRational::new(numerator, power)
    };
    Ok(value)
}

/// Writes a rational as `p/q` in lowest terms, or `p` when q = 1.
pub fn format_fraction(value: &BigRational) -> String {
    if value.denom().is_one() {
        value.numer().to_string()
    } else {
        format!("{}/{}", value.numer(), value.denom())
    }
}

/// Maximum length of the exact text that [`format_value`] writes. A longer
/// value is written as a decimal with [`VALUE_DIGITS`] significant digits.
/// Every `u64` fits.
pub const MAX_VALUE_CHARS: usize = 24;
/// Significant digits of a value in a message when its exact text is long.
pub const VALUE_DIGITS: usize = 6;

/// Writes a rational for a message, on one short line: as [`format_fraction`]
/// when that has at most [`MAX_VALUE_CHARS`] characters, otherwise as
/// [`format_decimal`] with [`VALUE_DIGITS`] digits, prefixed with `≈` when
/// the decimal is rounded. `1e-300` prints as `1e-300`, not as a fraction
/// with 301 digits.
pub fn format_value(value: &BigRational) -> String {
    let fraction = format_fraction(value);
    if fraction.len() <= MAX_VALUE_CHARS {
        return fraction;
    }
    let decimal = format_decimal(value, VALUE_DIGITS);
    if parse_exact(&decimal).as_ref() == Ok(value) {
        decimal
    } else {
        format!("≈{decimal}")
    }
}

/// Writes a rational as a decimal rounded to `digits` significant digits,
/// exactly (by integer arithmetic, not through a float), so that values far
/// outside the range of `f64` still print.
pub fn format_decimal(value: &BigRational, digits: usize) -> String {
    if value.is_zero() {
        return "0".into();
    }
    let digits = digits.max(1);
    let sign = if value.is_negative() { "-" } else { "" };
    let magnitude = value.abs();

    // Find e with 10^e ≤ |x| < 10^(e+1), starting from the digit counts.
    let numerator_digits = magnitude.numer().to_string().len() as i64;
    let denominator_digits = magnitude.denom().to_string().len() as i64;
    let mut exponent = numerator_digits - denominator_digits;
    let ten = BigRational::from_integer(BigInt::from(10u32));
    let power_of_ten = |e: i64| -> BigRational {
        let p = num_traits::pow(ten.clone(), e.unsigned_abs() as usize);
        if e >= 0 { p } else { p.recip() }
    };
    while power_of_ten(exponent) > magnitude {
        exponent -= 1;
    }
    while power_of_ten(exponent + 1) <= magnitude {
        exponent += 1;
    }

    // Round |x| / 10^(e − digits + 1) to an integer with `digits` digits.
    let shift = exponent - digits as i64 + 1;
    let scaled = &magnitude / power_of_ten(shift);
    let mut mantissa = scaled.round().to_integer();
    if mantissa.to_string().len() > digits {
        mantissa /= BigInt::from(10u32);
        exponent += 1;
    }
    let mantissa_text = mantissa.to_string();

    if (-5..=15).contains(&exponent) {
        // Positional notation.
        let shift = exponent - digits as i64 + 1;
        let text = if shift >= 0 {
            format!("{mantissa_text}{}", "0".repeat(shift as usize))
        } else {
            let point = mantissa_text.len() as i64 + shift;
            if point > 0 {
                let (head, tail) = mantissa_text.split_at(point as usize);
                format!("{head}.{tail}")
            } else {
                format!("0.{}{mantissa_text}", "0".repeat((-point) as usize))
            }
        };
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        };
        format!("{sign}{text}")
    } else {
        let (head, tail) = mantissa_text.split_at(1);
        let tail = tail.trim_end_matches('0');
        if tail.is_empty() {
            format!("{sign}{head}e{exponent}")
        } else {
            format!("{sign}{head}.{tail}e{exponent}")
        }
    }
}

/// Converts a rational to the nearest `f64` or, outside its range, to ±∞ or 0.
///
/// Used only by floating-point consumers of a parameter set; no exact result
/// passes through it.
pub fn to_f64(value: &BigRational) -> f64 {
    use num_traits::ToPrimitive;
    value.to_f64().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(numerator.into(), denominator.into())
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_exact("0.1"), Ok(ratio(1, 10)));
        assert_eq!(parse_exact("-2.50"), Ok(ratio(-5, 2)));
        assert_eq!(parse_exact("1e-3"), Ok(ratio(1, 1000)));
        assert_eq!(parse_exact("+1.5E2"), Ok(ratio(150, 1)));
        assert_eq!(parse_exact("1_000.5"), Ok(ratio(2001, 2)));
        assert_eq!(parse_exact(".5"), Ok(ratio(1, 2)));
    }

    #[test]
    fn fractions_are_exact() {
        assert_eq!(parse_exact("1/3"), Ok(ratio(1, 3)));
        assert_eq!(parse_exact(" -4 / 6 "), Ok(ratio(-2, 3)));
        assert_eq!(parse_exact("0.5/3"), Ok(ratio(1, 6)));
    }

    #[test]
    fn non_numbers_are_rejected() {
        assert_eq!(parse_exact("nan"), Err(NumberTextError::NotFinite));
        assert_eq!(parse_exact("-inf"), Err(NumberTextError::NotFinite));
        assert!(parse_exact("1/0").is_err());
        assert!(parse_exact("abc").is_err());
        assert!(parse_exact("1e99999").is_err());
        assert!(parse_exact("1e-9223372036854775808").is_err());
        assert!(parse_exact("1e9223372036854775807").is_err());
        assert!(parse_exact("").is_err());
        assert!(parse_exact(".").is_err());
    }

    #[test]
    fn decimal_formatting() {
        assert_eq!(format_decimal(&ratio(1, 3), 6), "0.333333");
        assert_eq!(format_decimal(&ratio(2, 3), 3), "0.667");
        assert_eq!(format_decimal(&ratio(-39, 37), 5), "-1.0541");
        assert_eq!(format_decimal(&ratio(12345, 1), 3), "12300");
        assert_eq!(format_decimal(&ratio(1, 1_000_000_000), 3), "1e-9");
        assert_eq!(format_decimal(&ratio(999_999, 1_000_000), 3), "1");
        assert_eq!(format_fraction(&ratio(6, 4)), "3/2");
        assert_eq!(format_fraction(&ratio(4, 2)), "2");
    }

    #[test]
    fn value_formatting_is_short() {
        let exact = |text: &str| parse_exact(text).unwrap();
        assert_eq!(format_value(&ratio(1, 3)), "1/3");
        assert_eq!(format_value(&ratio(-39, 37)), "-39/37");
        assert_eq!(
            format_value(&exact("18446744073709551615")),
            "18446744073709551615"
        );
        assert_eq!(format_value(&exact("1e300")), "1e300");
        assert_eq!(format_value(&exact("-1e-300")), "-1e-300");
        assert_eq!(format_value(&exact("-1.25e-300")), "-1.25e-300");
        assert_eq!(format_value(&exact("1e30")), "1e30");
        assert_eq!(format_value(&exact("1e-30/3")), "≈3.33333e-31");
        let power = BigRational::from_integer(num_traits::pow(BigInt::from(2u32), 1000));
        assert_eq!(format_value(&power), "≈1.07151e301");
        assert!(format_value(&exact("1.234567891234567891234567e300")).len() < 16);
    }
}
