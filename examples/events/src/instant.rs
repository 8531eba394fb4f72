//! Timestamps: RFC 3339 in, one fixed-width UTC form stored and answered.
//!
//! Every timestamp is kept as `YYYY-MM-DDTHH:MM:SS.mmmZ`. Fixed width and UTC make the text
//! order the time order, so range filters are plain string comparisons in SQL and the date
//! buckets of the report are prefixes (see [`bucket_sql`]).

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::api::Granularity;

/// `text` (RFC 3339, any offset) as the stored UTC form, or why it is not a date-time.
pub fn normalize(text: &str) -> Result<String, String> {
    let parsed = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|err| format!("'{text}' is not an RFC 3339 date-time ({err})"))?;
    let utc = parsed.to_offset(UtcOffset::UTC);
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .map_err(|err| format!("'{text}' cannot be written in UTC ({err})"))
}

/// The SQL expression bucketing the stored `timestamp` column by `granularity`: a prefix of
/// the fixed-width form (the hour completed to a full instant).
pub fn bucket_sql(granularity: Granularity) -> &'static str {
    match granularity {
        Granularity::Hour => "substr(timestamp, 1, 13) || ':00:00Z'",
        Granularity::Day => "substr(timestamp, 1, 10)",
        Granularity::Month => "substr(timestamp, 1, 7)",
        Granularity::Year => "substr(timestamp, 1, 4)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_utc_to_the_millisecond() {
        assert_eq!(
            normalize("2026-01-31T23:30:00.123456+02:00").as_deref(),
            Ok("2026-01-31T21:30:00.123Z")
        );
        assert_eq!(
            normalize("2026-01-31T23:30:00-01:00").as_deref(),
            Ok("2026-02-01T00:30:00.000Z")
        );
        assert_eq!(
            normalize("2026-01-31t23:30:00z").as_deref(),
            Ok("2026-01-31T23:30:00.000Z")
        );
    }

    #[test]
    fn non_dates_are_named() {
        let err = normalize("yesterday").unwrap_err();
        assert!(
            err.starts_with("'yesterday' is not an RFC 3339 date-time"),
            "{err}"
        );
        assert!(normalize("2026-02-30T00:00:00Z").is_err());
        assert!(normalize("2026-01-31").is_err());
    }
}
