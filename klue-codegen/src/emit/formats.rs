//! Typed values for strings of format `date-time`, `date` and `uuid` (`Builder::typed_formats`):
//! `klue::DateTime`, `klue::Date` and `klue::Uuid` rather than `String`. Only a string that
//! nothing but its format constrains is typed: a length or a pattern is checked on the text
//! as sent, which a typed value no longer holds, so such a string stays a `String` (checked as
//! before).

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{rt, TypeEmitter};
use crate::model::{Schema, SchemaKind, StringRules};

/// A format with a typed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Typed {
    DateTime,
    Date,
    Uuid,
}

impl Typed {
    /// The name of a union variant holding it.
    pub(super) fn variant(self) -> &'static str {
        match self {
            Typed::DateTime => "DateTime",
            Typed::Date => "Date",
            Typed::Uuid => "Uuid",
        }
    }
}

impl TypeEmitter {
    /// The typed value of a string with `rules`, if it gets one.
    pub(super) fn typed_format(&self, rules: &StringRules) -> Option<Typed> {
        if !self.typed_formats
            || rules.min_length.is_some()
            || rules.max_length.is_some()
            || rules.pattern.is_some()
        {
            return None;
        }
        match rules.format.as_deref()? {
            "date-time" => Some(Typed::DateTime),
            "date" => Some(Typed::Date),
            "uuid" => Some(Typed::Uuid),
            _ => None,
        }
    }

    /// The typed value of `schema` (through a reference to a named schema), if it gets one.
    pub(super) fn typed_format_of(&self, schema: &Schema) -> Option<Typed> {
        let kind = match &schema.kind {
            SchemaKind::Ref(name) => &self.named_kind(name)?.kind,
            kind => kind,
        };
        match kind {
            SchemaKind::String(rules) => self.typed_format(rules),
            _ => None,
        }
    }

    /// The Rust type of a string with `rules`.
    pub(super) fn string_type(&self, rules: &StringRules) -> TokenStream {
        let rt = rt();
        match self.typed_format(rules) {
            Some(Typed::DateTime) => quote!(#rt::DateTime),
            Some(Typed::Date) => quote!(#rt::Date),
            Some(Typed::Uuid) => quote!(#rt::Uuid),
            None => quote!(String),
        }
    }
}

/// The expression of the spec default `text` as a `typed` value; `None` (the default is not
/// applied, the field stays an `Option`) when the validator would refuse it. The checks are
/// klue-core's (`klue::Format::admits`), repeated here since the generator does not link the
/// runtime.
pub(super) fn default_value(typed: Typed, text: &str) -> Option<TokenStream> {
    let rt = rt();
    match typed {
        Typed::Uuid => {
            // Its hex digits as a literal, grouped as the UUID's: `0x123e4567_e89b_...`.
            let bits: proc_macro2::Literal = is_uuid(text)
                .then(|| format!("0x{}", text.to_ascii_lowercase().replace('-', "_")))?
                .parse()
                .ok()?;
            Some(quote!(#rt::Uuid::from_u128(#bits)))
        }
        Typed::Date => is_date(text).then(|| quote!(#rt::Date::from_default(#text))),
        Typed::DateTime => is_date_time(text).then(|| quote!(#rt::DateTime::from_default(#text))),
    }
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The number of the `n` ASCII digits at `at` in `text`.
fn digits(text: &[u8], at: usize, n: usize) -> Option<u32> {
    let run = text.get(at..at + n)?;
    run.iter().try_fold(0, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// `YYYY-MM-DD` at the start of `text`, with a day the month has.
fn date_prefix(text: &[u8]) -> bool {
    let (Some(year), Some(month), Some(day)) =
        (digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2))
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    text[4] == b'-' && text[7] == b'-' && (1..=days).contains(&day)
}

fn is_date(text: &str) -> bool {
    text.len() == 10 && date_prefix(text.as_bytes())
}

/// RFC 3339 `date-time`: a date, `T`, `HH:MM:SS` (a leap second allowed), an optional
/// fraction, then `Z` or `+HH:MM`/`-HH:MM` (`T` and `Z` in either case).
fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let time = |at: usize, sep: u8| {
        let (h, m, s) = (digits(b, at, 2), digits(b, at + 3, 2), digits(b, at + 6, 2));
        h.is_some_and(|h| h < 24)
            && m.is_some_and(|m| m < 60)
            && s.is_some_and(|s| s <= 60)
            && b[at + 2] == sep
            && b[at + 5] == sep
    };
    if b.len() < 20 || !date_prefix(b) || !matches!(b[10], b'T' | b't') || !time(11, b':') {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        b"Z" | b"z" => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            digits(&[*h1, *h2], 0, 2).is_some_and(|h| h < 24)
                && digits(&[*m1, *m2], 0, 2).is_some_and(|m| m < 60)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    /// klue-core's cases (`validate/format.rs`, `formats/tests.rs`): the generator applies a
    /// default exactly when the runtime would admit it.
    #[test]
    fn defaults_are_checked_as_the_validator_checks_them() {
        let date_times = [
            ("2024-02-29T12:30:00Z", true),
            ("2024-01-01t00:00:60.123+05:30", true),
            ("1999-12-31T23:59:59-00:00", true),
            ("0000-01-01T00:00:00+23:59", true),
            ("2016-12-31T23:59:60.999999999z", true),
            ("2023-02-29T12:30:00Z", false),
            ("2021-02-30T00:00:00Z", false),
            ("2024-01-01T24:00:00Z", false),
            ("2024-01-01T10:00:00", false),
            ("2024-01-01 10:00:00Z", false),
            ("2024-01-01T10:00:00.Z", false),
            ("2024-01-01T10:00:61Z", false),
            ("2024-01-01T10:00:00+24:00", false),
            ("2024-01-01T10:00:00+01", false),
            ("2024-01-01T10-00-00Z", false),
            ("now", false),
        ];
        for (text, valid) in date_times {
            assert_eq!(super::is_date_time(text), valid, "{text}");
        }
        let dates = [
            ("2024-02-29", true),
            ("0000-02-29", true),
            ("2023-02-29", false),
            ("2023-13-01", false),
            ("2023-1-01", false),
            ("2023-01-01T", false),
            ("+2023-01-01", false),
        ];
        for (text, valid) in dates {
            assert_eq!(super::is_date(text), valid, "{text}");
        }
        assert!(super::is_uuid("123E4567-e89b-12d3-a456-426614174000"));
        assert!(!super::is_uuid("123e4567e89b12d3a456426614174000"));
        assert!(!super::is_uuid("{123e4567-e89b-12d3-a456-42661417400}"));
    }
}
