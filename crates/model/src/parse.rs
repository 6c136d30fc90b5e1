//! Reading a parameter file: TOML syntax, key names, types and exact numbers.
//!
//! Semantic checks that need the whole set (dimensions agreeing, stability,
//! ranks) live in `validate`.

use std::ops::Range;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};
use toml_edit::{Item, TableLike, Value};

use crate::error::ParamError;
use crate::matrix::RationalMatrix;
use crate::number::{NumberTextError, format_value, parse_exact};

/// A parsed TOML document together with its source, for raw number text and
/// line numbers.
pub(crate) struct Source<'a> {
    pub text: &'a str,
}

impl Source<'_> {
    fn raw(&self, span: Option<Range<usize>>) -> Option<&str> {
        span.and_then(|span| self.text.get(span))
    }
}

/// One TOML table, with its dotted path for messages and the keys it accepts.
pub(crate) struct Table<'a> {
    pub path: String,
    pub inner: &'a dyn TableLike,
    pub source: &'a Source<'a>,
}

impl<'a> Table<'a> {
    /// Rejects a key that `valid` does not list.
    pub fn check_keys(&self, valid: &[&'static str]) -> Result<(), ParamError> {
        for (key, _) in self.inner.iter() {
            if !valid.contains(&key) {
                return Err(ParamError::UnknownKey {
                    table: if self.path.is_empty() {
                        "the top level".into()
                    } else {
                        format!("[{}]", self.path)
                    },
                    key: key.to_string(),
                    valid: valid.to_vec(),
                });
            }
        }
        Ok(())
    }

    pub fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.inner.get(key).is_some()
    }

    fn value(&self, key: &str) -> Result<Option<&'a Value>, ParamError> {
        match self.inner.get(key) {
            None => Ok(None),
            Some(Item::Value(value)) => Ok(Some(value)),
            Some(item) => Err(ParamError::WrongType {
                field: self.field(key),
                expected: "a value",
                found: item.type_name().into(),
            }),
        }
    }

    /// A sub-table, written either as `[path.key]` or as an inline table.
    pub fn table(&self, key: &str) -> Result<Option<Table<'a>>, ParamError> {
        match self.inner.get(key) {
            None => Ok(None),
            Some(item) => match item.as_table_like() {
                Some(inner) => Ok(Some(Table {
                    path: self.field(key),
                    inner,
                    source: self.source,
                })),
                None => Err(ParamError::WrongType {
                    field: self.field(key),
                    expected: "a table",
                    found: item.type_name().into(),
                }),
            },
        }
    }

    pub fn required<T>(
        &self,
        key: &str,
        hint: &str,
        read: impl FnOnce(&Self, &str) -> Result<Option<T>, ParamError>,
    ) -> Result<T, ParamError> {
        read(self, key)?.ok_or_else(|| ParamError::MissingKey {
            field: self.field(key),
            hint: hint.into(),
        })
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, ParamError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.value().clone())),
            Some(other) => Err(wrong_type(self.field(key), "a string", other)),
        }
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>, ParamError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Boolean(flag)) => Ok(Some(*flag.value())),
            Some(other) => Err(wrong_type(self.field(key), "true or false", other)),
        }
    }

    /// A non-negative integer that fits in u64.
    pub fn integer(&self, key: &str) -> Result<Option<u64>, ParamError> {
        self.integer_in(key, NON_NEGATIVE)
    }

    /// Reads a non-negative integer that fits in u64. A negative value is
    /// rejected with `requirement`, the valid range of the field.
    pub fn integer_in(&self, key: &str, requirement: &str) -> Result<Option<u64>, ParamError> {
        match self.value(key)? {
            None => Ok(None),
            Some(value) => {
                integer_value(&self.field(key), value, self.source, requirement).map(Some)
            }
        }
    }

    /// A non-negative integer that fits in usize.
    pub fn size(&self, key: &str) -> Result<Option<usize>, ParamError> {
        self.size_in(key, NON_NEGATIVE)
    }

    /// Reads a size whose valid range starts above 0. A negative value is
    /// rejected with `requirement`, which states that range, so that the
    /// message does not suggest 0.
    pub fn size_in(&self, key: &str, requirement: &str) -> Result<Option<usize>, ParamError> {
        match self.integer_in(key, requirement)? {
            None => Ok(None),
            Some(value) => usize::try_from(value).map(Some).map_err(|_| {
                ParamError::out_of_range(self.field(key), value, "must fit in a machine word")
            }),
        }
    }

    /// Reads a size with an upper bound. A negative value is rejected with
    /// `requirement`, and a value above `max`, however large, with
    /// `too_large`, so that the message names the bound of the field rather
    /// than the range of a machine integer.
    pub fn size_at_most(
        &self,
        key: &str,
        requirement: &str,
        max: usize,
        too_large: &str,
    ) -> Result<Option<usize>, ParamError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let field = self.field(key);
        let exact = exact_integer(&field, value, self.source, requirement)?;
        match exact.to_integer().to_usize() {
            Some(size) if size <= max => Ok(Some(size)),
            _ => Err(ParamError::out_of_range(
                field,
                format_value(&exact),
                too_large,
            )),
        }
    }

    pub fn number(&self, key: &str) -> Result<Option<BigRational>, ParamError> {
        match self.value(key)? {
            None => Ok(None),
            Some(value) => number_value(&self.field(key), value, self.source).map(Some),
        }
    }

    /// A matrix written as an array of rows, each an array of numbers.
    pub fn matrix(&self, key: &str) -> Result<Option<RationalMatrix>, ParamError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let field = self.field(key);
        let Value::Array(rows) = value else {
            return Err(wrong_type(field, "an array of rows", value));
        };
        let mut entries = Vec::new();
        let mut n_cols = None;
        for (row_index, row) in rows.iter().enumerate() {
            let row_field = format!("{field}[{row_index}]");
            let Value::Array(row) = row else {
                return Err(wrong_type(
                    row_field,
                    "an array of numbers (one matrix row)",
                    row,
                ));
            };
            match n_cols {
                None => n_cols = Some(row.len()),
                Some(expected) if expected != row.len() => {
                    return Err(ParamError::dimension(
                        row_field,
                        format!("{expected} entries like row 0"),
                        format!("{} entries", row.len()),
                    ));
                }
                Some(_) => {}
            }
            for (col_index, entry) in row.iter().enumerate() {
                entries.push(number_value(
                    &format!("{row_field}[{col_index}]"),
                    entry,
                    self.source,
                )?);
            }
        }
        let n_rows = rows.len();
        let n_cols = n_cols.unwrap_or(0);
        if n_rows == 0 || n_cols == 0 {
            return Err(ParamError::dimension(
                field,
                "at least one row and one column",
                format!("{n_rows}×{n_cols}"),
            ));
        }
        Ok(RationalMatrix::from_row_major(n_rows, n_cols, entries))
    }

    /// An array of non-negative integers.
    pub fn integer_list(&self, key: &str) -> Result<Option<Vec<u64>>, ParamError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let field = self.field(key);
        let Value::Array(items) = value else {
            return Err(wrong_type(field, "an array of integers", value));
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                integer_value(
                    &format!("{field}[{index}]"),
                    item,
                    self.source,
                    NON_NEGATIVE,
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// Either an integer or a word; used by `hmm.position`. A negative
    /// integer is rejected with `requirement`, the valid values of the field.
    pub fn integer_or_word(
        &self,
        key: &str,
        requirement: &str,
    ) -> Result<Option<Result<u64, String>>, ParamError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(word)) => Ok(Some(Err(word.value().clone()))),
            Some(value) => integer_value(&self.field(key), value, self.source, requirement)
                .map(|n| Some(Ok(n))),
        }
    }
}

fn wrong_type(field: String, expected: &'static str, found: &Value) -> ParamError {
    ParamError::WrongType {
        field,
        expected,
        found: format!("{} {}", found.type_name(), found.to_string().trim()),
    }
}

/// The requirement stated for a negative integer where 0 is valid.
const NON_NEGATIVE: &str = "must be ≥ 0";

/// Reads a non-negative integer that fits in u64. A negative value is
/// rejected with `negative`, and a larger one with the range of u64.
fn integer_value(
    field: &str,
    value: &Value,
    source: &Source<'_>,
    negative: &str,
) -> Result<u64, ParamError> {
    let exact = exact_integer(field, value, source, negative)?;
    exact
        .to_integer()
        .to_u64()
        .ok_or_else(|| ParamError::out_of_range(field, format_value(&exact), "must be below 2^64"))
}

/// Reads a non-negative integer exactly, of any size. A negative value is
/// rejected with `negative`.
fn exact_integer(
    field: &str,
    value: &Value,
    source: &Source<'_>,
    negative: &str,
) -> Result<BigRational, ParamError> {
    let exact = match value {
        Value::Integer(integer) => BigRational::from_integer(BigInt::from(*integer.value())),
        Value::Float(_) | Value::String(_) => number_value(field, value, source)?,
        other => return Err(wrong_type(field.into(), "an integer", other)),
    };
    if !exact.is_integer() {
        return Err(ParamError::out_of_range(
            field,
            format_value(&exact),
            "must be an integer",
        ));
    }
    if exact.is_negative() {
        return Err(ParamError::out_of_range(
            field,
            format_value(&exact),
            negative,
        ));
    }
    Ok(exact)
}

/// Reads a number exactly: integers as they are, floats from their source
/// text (never through `f64`), strings as decimals or fractions.
fn number_value(
    field: &str,
    value: &Value,
    source: &Source<'_>,
) -> Result<BigRational, ParamError> {
    let text = match value {
        Value::Integer(integer) => {
            return Ok(BigRational::from_integer(BigInt::from(*integer.value())));
        }
        Value::Float(float) => {
            if !float.value().is_finite() {
                return Err(ParamError::NotFinite {
                    field: field.into(),
                    value: source
                        .raw(float.span())
                        .unwrap_or("inf/nan")
                        .trim()
                        .to_string(),
                });
            }
            match source.raw(float.span()) {
                Some(text) => text.trim().to_string(),
                // A float without source text cannot occur for a parsed file;
                // its shortest round-trip decimal is the best exact reading.
                None => float.value().to_string(),
            }
        }
        Value::String(text) => text.value().clone(),
        other => return Err(wrong_type(field.into(), "a number", other)),
    };
    parse_exact(&text).map_err(|error| match error {
        NumberTextError::NotFinite => ParamError::NotFinite {
            field: field.into(),
            value: text.clone(),
        },
        NumberTextError::Invalid(reason) => ParamError::InvalidNumber {
            field: field.into(),
            value: text.clone(),
            reason,
        },
    })
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    (line, column)
}

/// Requires a rational ≥ 0.
pub(crate) fn non_negative(field: &str, value: &BigRational, fix: &str) -> Result<(), ParamError> {
    if value.is_negative() {
        return Err(ParamError::out_of_range(
            field,
            format_value(value),
            format!("must be ≥ 0; {fix}"),
        ));
    }
    Ok(())
}
