//! Parsing parameter values (path, query, header) from their text form.

use crate::validate::Shown;

/// A value that can be read from the text of a path, query or header parameter.
///
/// Implemented for the scalar types and for every string enum the code generator emits.
pub trait FromParam: Sized {
    /// Parses `text`, or says what it expected.
    fn from_param(text: &str) -> Result<Self, String>;
}

impl FromParam for String {
    fn from_param(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}

impl FromParam for bool {
    fn from_param(text: &str) -> Result<Self, String> {
        match text {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("'{other}' is not a boolean (true or false)")),
        }
    }
}

/// Whether `text` is an integer as JSON writes one: an optional `-`, then `0` or digits not
/// starting with `0` (no `+`, no leading zeros, no spaces).
pub(crate) fn is_json_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    match digits.as_bytes() {
        [b'0'] => true,
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
        [] => false,
    }
}

/// Whether `text` is a number as JSON writes one (`-1.5e3`; no `+`, no leading zeros, no
/// `.5` or `5.`).
fn is_json_number(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    is_json_integer(integer)
        && fraction.is_none_or(all_digits)
        && exponent.is_none_or(|e| all_digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

/// Parses an integer parameter: JSON's integer grammar, then the range of `T`.
fn parse_integer<T: std::str::FromStr>(
    text: &str,
    what: &str,
    out_of_range: &str,
) -> Result<T, String> {
    if !is_json_integer(text) {
        return Err(format!("'{}' is not {what}", Shown(text)));
    }
    text.parse::<T>()
        .map_err(|_| format!("{} {out_of_range}", Shown(text)))
}

impl FromParam for i64 {
    fn from_param(text: &str) -> Result<Self, String> {
        parse_integer(text, "an integer", "is out of range for a 64-bit integer")
    }
}

impl FromParam for i32 {
    fn from_param(text: &str) -> Result<Self, String> {
        parse_integer(text, "an integer", "does not fit format int32")
    }
}

impl FromParam for u64 {
    fn from_param(text: &str) -> Result<Self, String> {
        match text {
            "-0" => Ok(0),
            _ if text.starts_with('-') => {
                Err(format!("'{}' is not a non-negative integer", Shown(text)))
            }
            _ => parse_integer(
                text,
                "a non-negative integer",
                "is out of range for a 64-bit integer",
            ),
        }
    }
}

impl FromParam for u32 {
    fn from_param(text: &str) -> Result<Self, String> {
        let wide = u64::from_param(text)?;
        u32::try_from(wide).map_err(|_| format!("{text} does not fit format int32"))
    }
}

// JSON has no NaN or infinity, so neither does a number parameter; its grammar is JSON's.
macro_rules! from_param_float {
    ($($t:ty),*) => {$(
        impl FromParam for $t {
            fn from_param(text: &str) -> Result<Self, String> {
                Some(text)
                    .filter(|text| is_json_number(text))
                    .and_then(|text| text.parse::<$t>().ok())
                    .filter(|value| value.is_finite())
                    .ok_or_else(|| format!("'{}' is not a number", Shown(text)))
            }
        }
    )*};
}

from_param_float!(f32, f64);

/// A value that can be written as the text of a path, query or header parameter: the inverse of
/// [`FromParam`], used by generated clients.
pub trait ToParam {
    /// The parameter text (not yet percent-encoded).
    fn to_param(&self) -> std::borrow::Cow<'_, str>;
}

impl ToParam for String {
    fn to_param(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self)
    }
}

impl ToParam for str {
    fn to_param(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self)
    }
}

macro_rules! to_param_display {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Owned(self.to_string())
            }
        }
    )*};
}

to_param_display!(bool, i32, i64, u32, u64, f32, f64);

#[cfg(test)]
mod tests {
    use super::{FromParam, ToParam};

    #[test]
    fn to_param_is_the_inverse_of_from_param() {
        for text in ["42", "-7"] {
            assert_eq!(
                i64::from_param(text).map(|v| v.to_param().into_owned()),
                Ok(text.to_owned())
            );
        }
        assert_eq!(1.5f64.to_param(), "1.5");
        assert_eq!(true.to_param(), "true");
        assert_eq!("a b".to_param(), "a b");
    }

    #[test]
    fn parses_scalars_and_says_what_it_expected() {
        assert_eq!(i64::from_param("42"), Ok(42));
        assert_eq!(
            i64::from_param("4x"),
            Err("'4x' is not an integer".to_owned())
        );
        assert!(i32::from_param("3000000000").is_err());
        assert_eq!(f64::from_param("1.5"), Ok(1.5));
        assert!(f64::from_param("NaN").is_err());
        assert!(f64::from_param("inf").is_err());
        assert_eq!(bool::from_param("true"), Ok(true));
        assert!(bool::from_param("yes").is_err());
        assert_eq!(String::from_param("a b"), Ok("a b".to_owned()));
    }

    #[test]
    fn integers_and_numbers_follow_the_json_grammar() {
        assert_eq!(i64::from_param("-0"), Ok(0));
        assert_eq!(i64::from_param("0"), Ok(0));
        assert_eq!(i64::from_param("-42"), Ok(-42));
        for bad in [
            "+5", "05", "-05", "", "-", " 5", "5 ", "1e3", "19802.0", "0x10",
        ] {
            assert_eq!(
                i64::from_param(bad),
                Err(format!("'{bad}' is not an integer")),
                "{bad:?}"
            );
        }
        assert_eq!(
            i64::from_param("9223372036854775808"),
            Err("9223372036854775808 is out of range for a 64-bit integer".to_owned())
        );
        assert_eq!(i64::from_param("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            i32::from_param("3000000000"),
            Err("3000000000 does not fit format int32".to_owned())
        );
        assert_eq!(u64::from_param("-0"), Ok(0));
        assert!(u64::from_param("-1").is_err());
        assert_eq!(
            u32::from_param("4294967296"),
            Err("4294967296 does not fit format int32".to_owned())
        );
        for good in ["0", "-1.5", "2.5e-3", "1E+2", "19802.0"] {
            assert!(f64::from_param(good).is_ok(), "{good}");
        }
        for bad in [
            "+5", "05", ".5", "5.", "1e", "1e+", "NaN", "inf", "1e400", "--1",
        ] {
            assert!(f64::from_param(bad).is_err(), "{bad}");
        }
    }
}
