//! Axis ticks and the text of axis and legend numbers.

/// Ticks of a log axis: 1, 2 and 5 times the powers of ten in the range, or
/// every digit times a power of ten when that gives fewer than four ticks.
/// Plotters' own log ticks crowd and repeat labels on short ranges.
pub(crate) fn log_key_points(low: f64, high: f64) -> Vec<f64> {
    let ticks = |mantissas: &[f64]| -> Vec<f64> {
        let mut ticks = Vec::new();
        let mut power = 10_f64.powi(low.log10().floor() as i32);
        while power <= high {
            for mantissa in mantissas {
                let tick = mantissa * power;
                if low <= tick && tick <= high {
                    ticks.push(tick);
                }
            }
            power *= 10.0;
        }
        ticks
    };
    let coarse = ticks(&[1.0, 2.0, 5.0]);
    if coarse.len() >= 4 {
        coarse
    } else {
        ticks(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    }
}

/// Formats an axis or legend number compactly: integers without a fraction,
/// others as [`short_number`] does.
pub(crate) fn axis_number(value: f64) -> String {
    if value == value.round() && value.abs() < 1e9 {
        return format!("{value:.0}");
    }
    short_number(value)
}

/// Formats a number with 4 significant digits, without trailing zeros.
pub(crate) fn short_number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let digits = (3 - value.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_one_two_five() {
        assert_eq!(
            log_key_points(0.9, 132.0),
            vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        );
        assert_eq!(log_key_points(3.0, 12.0).len(), 8);
    }

    #[test]
    fn short_number_trims_zeros() {
        assert_eq!(short_number(2.5), "2.5");
        assert_eq!(short_number(19.2345), "19.23");
        assert_eq!(axis_number(20.0), "20");
    }
}
