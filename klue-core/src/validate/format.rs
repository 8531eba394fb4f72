//! The string formats klue checks at run time. Fields of `date-time`, `date` and `uuid` are
//! typed values ([`crate::formats`]) when the code generator's `typed_formats` is on (the
//! default), built from what these checks read; other fields stay `String`: a service gets
//! the text as sent, known to be well-formed.

use std::fmt;

/// A string `format` with a runtime check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `uuid`: the hyphenated RFC 4122 form (`8-4-4-4-12` hex digits).
    Uuid,
    /// `date-time`: an RFC 3339 timestamp with an offset (`2024-02-29T12:30:00Z`).
    DateTime,
    /// `date`: an RFC 3339 full date (`2024-02-29`).
    Date,
    /// `time`: an RFC 3339 full time, with an offset (`12:30:00Z`, `23:59:60.5+01:00`).
    Time,
    /// `email`: `local@domain`, without spaces.
    Email,
    /// `uri`: an absolute URI (RFC 3986 scheme, no spaces, valid percent escapes).
    Uri,
    /// `byte`: base64 (standard alphabet, padded).
    Byte,
}

impl Format {
    /// The format named `name` in a spec, if klue checks it.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "uuid" => Format::Uuid,
            "date-time" => Format::DateTime,
            "date" => Format::Date,
            "time" => Format::Time,
            "email" => Format::Email,
            "uri" => Format::Uri,
            "byte" => Format::Byte,
            _ => return None,
        })
    }

    /// The name a spec gives it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Uuid => "uuid",
            Format::DateTime => "date-time",
            Format::Date => "date",
            Format::Time => "time",
            Format::Email => "email",
            Format::Uri => "uri",
            Format::Byte => "byte",
        }
    }

    /// Whether `text` is well-formed.
    pub fn admits(self, text: &str) -> bool {
        match self {
            Format::Uuid => is_uuid(text),
            Format::DateTime => is_date_time(text),
            Format::Date => is_date(text),
            Format::Time => is_full_time(text),
            Format::Email => is_email(text),
            Format::Uri => is_uri(text),
            Format::Byte => is_base64(text),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (format '{}')", self.description(), self.name())
    }
}

impl Format {
    fn description(self) -> &'static str {
        match self {
            Format::Uuid => "a UUID",
            Format::DateTime => "an RFC 3339 date-time",
            Format::Date => "an RFC 3339 date",
            Format::Time => "an RFC 3339 time",
            Format::Email => "an email address",
            Format::Uri => "an absolute URI",
            Format::Byte => "base64",
        }
    }
}

pub(crate) fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// `digits` ASCII digits at the start of `text`, as a number, and the rest.
fn number(text: &str, digits: usize) -> Option<(u32, &str)> {
    let head = text.get(..digits)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &text[digits..]))
}

/// The fields of an RFC 3339 `date-time`, `date` or `full-time` as the checks read them: the
/// typed values ([`crate::formats`]) are built from these, so that they admit exactly what the
/// checks admit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Parts {
    pub(crate) year: u32,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    /// 0 to 60 (a leap second).
    pub(crate) second: u32,
    /// The fraction's first nine digits (further digits are dropped).
    pub(crate) nanosecond: u32,
    /// East of UTC.
    pub(crate) offset_seconds: i32,
}

fn is_date(text: &str) -> bool {
    parse_date(text).is_some()
}

/// The fields of the RFC 3339 `full-date` `text` (`YYYY-MM-DD`).
pub(crate) fn parse_date(text: &str) -> Option<Parts> {
    let (parts, rest) = date_prefix(text)?;
    rest.is_empty().then_some(parts)
}

/// Parses `YYYY-MM-DD` at the start of `text`; its fields and the rest.
fn date_prefix(text: &str) -> Option<(Parts, &str)> {
    let (year, rest) = number(text, 4)?;
    let (month, rest) = number(rest.strip_prefix('-')?, 2)?;
    let (day, rest) = number(rest.strip_prefix('-')?, 2)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    let parts = Parts {
        year,
        month,
        day,
        ..Parts::default()
    };
    (1..=days).contains(&day).then_some((parts, rest))
}

fn is_date_time(text: &str) -> bool {
    parse_date_time(text).is_some()
}

/// The fields of the RFC 3339 `date-time` `text` (`T` and `Z` in either case).
pub(crate) fn parse_date_time(text: &str) -> Option<Parts> {
    let (date, rest) = date_prefix(text)?;
    let time = full_time(rest.strip_prefix(['T', 't'])?)?;
    Some(Parts {
        year: date.year,
        month: date.month,
        day: date.day,
        ..time
    })
}

fn is_full_time(text: &str) -> bool {
    full_time(text).is_some()
}

/// RFC 3339 `full-time`: `HH:MM:SS`, an optional fraction, then `Z` or `+HH:MM`/`-HH:MM`.
fn full_time(text: &str) -> Option<Parts> {
    let (mut parts, rest) = time(text)?;
    let rest = match rest.strip_prefix('.') {
        Some(fraction) => {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            // Nine digits are nanoseconds: pad a shorter fraction, drop what is finer.
            let kept = &fraction[..digits.min(9)];
            let scale = 10u32.pow(9 - u32::try_from(kept.len()).ok()?);
            parts.nanosecond = kept.parse::<u32>().ok()? * scale;
            &fraction[digits..]
        }
        None => rest,
    };
    parts.offset_seconds = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (hour, offset) = number(&rest[1..], 2)?;
            let (minute, offset) = number(offset.strip_prefix(':')?, 2)?;
            if hour >= 24 || minute >= 60 || !offset.is_empty() {
                return None;
            }
            sign * i32::try_from(hour * 3600 + minute * 60).ok()?
        }
    };
    Some(parts)
}

/// Parses `HH:MM:SS` (a leap second allowed) at the start of `text`; its fields and the rest.
fn time(text: &str) -> Option<(Parts, &str)> {
    let (hour, rest) = number(text, 2)?;
    let (minute, rest) = number(rest.strip_prefix(':')?, 2)?;
    let (second, rest) = number(rest.strip_prefix(':')?, 2)?;
    let parts = Parts {
        hour,
        minute,
        second,
        ..Parts::default()
    };
    (hour < 24 && minute < 60 && second <= 60).then_some((parts, rest))
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && !local.contains('@')
        && domain.split('.').all(|label| !label.is_empty())
}

fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    let scheme_ok = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return false;
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let escaped = bytes.get(i + 1..i + 3);
                if !escaped.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                    return false;
                }
                i += 3;
            }
            b if b.is_ascii_whitespace() || b.is_ascii_control() || b"\"<>\\^`{|}".contains(&b) => {
                return false
            }
            _ => i += 1,
        }
    }
    true
}

fn is_base64(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return false;
    }
    let padding = bytes.iter().rev().take_while(|b| **b == b'=').count();
    padding <= 2
        && bytes[..bytes.len() - padding]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn each_format_admits_well_formed_text_only() {
        let cases: &[(Format, &[&str], &[&str])] = &[
            (
                Format::Uuid,
                &["123e4567-e89b-12d3-a456-426614174000"],
                &[
                    "123e4567e89b12d3a456426614174000",
                    "123e4567-e89b-12d3-a456-42661417400g",
                    "",
                ],
            ),
            (
                Format::Time,
                &[
                    "12:30:00Z",
                    "23:59:60.123+05:30",
                    "00:00:00-00:00",
                    "08:15:00z",
                ],
                &[
                    "12:30:00",
                    "24:00:00Z",
                    "12:60:00Z",
                    "12:30Z",
                    "12:30:00.Z",
                    "12:30:00+5:30",
                    "2024-01-01T12:30:00Z",
                    "",
                ],
            ),
            (
                Format::DateTime,
                &[
                    "2024-02-29T12:30:00Z",
                    "2024-01-01t00:00:60.123+05:30",
                    "1999-12-31T23:59:59-00:00",
                ],
                &[
                    "2023-02-29T12:30:00Z",
                    "2024-01-01T24:00:00Z",
                    "2024-01-01T10:00:00",
                    "2024-01-01 10:00:00Z",
                    "2024-01-01T10:00:00.Z",
                ],
            ),
            (
                Format::Date,
                &["2024-02-29", "2023-12-31"],
                &["2023-02-29", "2023-13-01", "2023-1-01", "2023-01-01T"],
            ),
            (
                Format::Email,
                &["a@b.io", "first.last+tag@example.com"],
                &["a@", "@b", "a b@c.d", "a@b..c"],
            ),
            (
                Format::Uri,
                &["https://example.com/a?b=c%20d", "urn:isbn:0451450523"],
                &["example.com", "http://a b", "http://a/%zz", "1http://a"],
            ),
            (
                Format::Byte,
                &["", "aGk=", "aGVsbG8h"],
                &["aGk", "a===", "a*b="],
            ),
        ];
        for (format, good, bad) in cases {
            for text in *good {
                assert!(format.admits(text), "{format}: {text} should pass");
            }
            for text in *bad {
                assert!(!format.admits(text), "{format}: {text} should fail");
            }
        }
    }
}
