//! Typed values of the string formats `date-time`, `date` and `uuid`, the field types the code
//! generator emits for them (`Builder::typed_formats`, on by default).
//!
//! Each wraps the usual crate's type ([`chrono`], [`uuid`], re-exported here) and reads text
//! with the same parser klue's validator checks it with, so that a value the validator admits
//! always decodes and one it refuses never does (the wrapped crates' own parsers are more
//! lenient: a space for `T`, a UUID without hyphens or in braces). Writing gives RFC 3339 /
//! hyphenated text, which reads back to an equal value. (chrono is used without its default
//! features: no clock, no time zone database, no formatting code.)
//!
//! ```
//! use klue_core::formats::{Date, DateTime, Uuid};
//!
//! let at: DateTime = "2024-02-29T12:30:00.5+01:00".parse().unwrap();
//! assert_eq!(at.to_string(), "2024-02-29T12:30:00.5+01:00");
//! assert_eq!(at.0.timestamp(), 1_709_206_200);
//! let day: Date = "2024-02-29".parse().unwrap();
//! assert_eq!(day.0, klue_core::formats::chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
//! assert!("2021-02-30".parse::<Date>().is_err());
//! let id: Uuid = "123E4567-E89B-12D3-A456-426614174000".parse().unwrap();
//! assert_eq!(id.to_string(), "123e4567-e89b-12d3-a456-426614174000");
//! ```

use std::fmt;
use std::str::FromStr;

pub use chrono;
pub use uuid;

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike};

use crate::extract::params::{FromParam, ToParam};
use crate::validate::format::{is_uuid, parse_date, parse_date_time, Parts};
use crate::validate::{Format, Schema, Shown, Validate, Violations};

/// An RFC 3339 `date-time` (`format: date-time`): an instant with the offset it was written
/// with. A leap second (`23:59:60`) is kept as chrono keeps one; fraction digits past the
/// ninth are dropped. Equality and order compare instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct DateTime(pub chrono::DateTime<FixedOffset>);

/// An RFC 3339 `full-date` (`format: date`), `2024-02-29`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Date(pub NaiveDate);

/// A hyphenated RFC 4122 UUID (`format: uuid`); either case is read, lower case written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid(pub uuid::Uuid);

fn date_time_of(parts: Parts) -> Option<chrono::DateTime<FixedOffset>> {
    let date = NaiveDate::from_ymd_opt(i32::try_from(parts.year).ok()?, parts.month, parts.day)?;
    // chrono writes a leap second as second 59 with a nanosecond count past one second.
    let (second, nanosecond) = match parts.second {
        60 => (59, 1_000_000_000 + parts.nanosecond),
        second => (second, parts.nanosecond),
    };
    let time = NaiveTime::from_hms_nano_opt(parts.hour, parts.minute, second, nanosecond)?;
    let offset = FixedOffset::east_opt(parts.offset_seconds)?;
    date.and_time(time).and_local_timezone(offset).single()
}

impl DateTime {
    /// Reads the RFC 3339 text `text` (what the validator admits as a `date-time`).
    pub fn parse(text: &str) -> Option<Self> {
        parse_date_time(text).and_then(date_time_of).map(DateTime)
    }
}

impl Date {
    /// Reads the RFC 3339 `full-date` `text`.
    pub fn parse(text: &str) -> Option<Self> {
        let parts = parse_date(text)?;
        NaiveDate::from_ymd_opt(i32::try_from(parts.year).ok()?, parts.month, parts.day).map(Date)
    }
}

impl Uuid {
    /// Reads the hyphenated UUID `text`.
    pub fn parse(text: &str) -> Option<Self> {
        if !is_uuid(text) {
            return None;
        }
        uuid::Uuid::parse_str(text).ok().map(Uuid)
    }

    /// The UUID of `value`'s 128 bits (big-endian), as generated code writes a spec default.
    pub const fn from_u128(value: u128) -> Self {
        Uuid(uuid::Uuid::from_u128(value))
    }
}

/// RFC 3339 with the fraction's significant digits only (`.5`, not `.500`), so that the text a
/// client sent is written back as sent, but for `T`/`Z` in upper case and `Z` for `-00:00`.
/// An offset is written in whole minutes (RFC 3339 has no seconds there).
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.0.naive_local();
        let (date, time) = (local.date(), local.time());
        // chrono keeps a leap second as second 59 with a nanosecond count past one second.
        let (second, nanosecond) = match time.nanosecond() {
            n if n >= 1_000_000_000 => (time.second() + 1, n - 1_000_000_000),
            n => (time.second(), n),
        };
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{second:02}",
            date.year(),
            date.month(),
            date.day(),
            time.hour(),
            time.minute()
        )?;
        if nanosecond > 0 {
            let digits = format!("{nanosecond:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        match self.0.offset().local_minus_utc() {
            0 => f.write_str("Z"),
            offset => {
                let sign = if offset < 0 { '-' } else { '+' };
                let minutes = offset.unsigned_abs() / 60;
                write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
            }
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

/// What one typed format shares with the others: its parser and the format it checks.
macro_rules! typed_format {
    ($ty:ident, $inner:ty, $format:expr, $expecting:literal) => {
        impl $ty {
            /// The value of a spec's `default`, which klue-codegen checked with this parser.
            #[doc(hidden)]
            pub fn from_default(text: &str) -> Self {
                Self::parse(text).expect("klue-codegen emits only defaults it checked")
            }
        }

        impl FromStr for $ty {
            type Err = String;

            /// The error says what was expected, as the validator's message does.
            fn from_str(text: &str) -> Result<Self, String> {
                Self::parse(text).ok_or_else(|| format!("'{}' is not {}", Shown(text), $format))
            }
        }

        impl From<$inner> for $ty {
            fn from(value: $inner) -> Self {
                $ty(value)
            }
        }

        impl From<$ty> for $inner {
            fn from(value: $ty) -> Self {
                value.0
            }
        }

        impl std::ops::Deref for $ty {
            type Target = $inner;

            fn deref(&self) -> &$inner {
                &self.0
            }
        }

        impl FromParam for $ty {
            fn from_param(text: &str) -> Result<Self, String> {
                text.parse()
            }
        }

        impl ToParam for $ty {
            fn to_param(&self) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Owned(self.to_string())
            }
        }

        /// The format was checked when the text was read; the generator types only strings
        /// without other rules (length, pattern), which are checked on their text.
        impl Validate for $ty {
            fn validate(&self, _schema: &'static Schema, _v: &mut Violations) {}
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$ty, E> {
                        text.parse().map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

typed_format!(
    DateTime,
    chrono::DateTime<FixedOffset>,
    Format::DateTime,
    "an RFC 3339 date-time string"
);
typed_format!(Date, NaiveDate, Format::Date, "an RFC 3339 date string");
typed_format!(Uuid, uuid::Uuid, Format::Uuid, "a UUID string");

impl From<chrono::DateTime<chrono::Utc>> for DateTime {
    fn from(value: chrono::DateTime<chrono::Utc>) -> Self {
        DateTime(value.fixed_offset())
    }
}

#[cfg(test)]
mod tests;
