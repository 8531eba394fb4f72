//! The EB query protocol's XML: the response envelope, errors, and small element writers.

use std::time::{SystemTime, UNIX_EPOCH};

const NAMESPACE: &str = "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/";

/// `<{action}Response><{action}Result>{result}</..Result><ResponseMetadata>..</..Response>`.
pub fn response(action: &str, result: &str, request_id: &str) -> String {
    let result = if result.is_empty() {
        String::new()
    } else {
        format!("<{action}Result>{result}</{action}Result>")
    };
    format!(
        "<{action}Response xmlns=\"{NAMESPACE}\">{result}<ResponseMetadata><RequestId>{request_id}\
         </RequestId></ResponseMetadata></{action}Response>"
    )
}

/// The query protocol's error document.
pub fn error(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"{NAMESPACE}\"><Error><Type>Sender</Type><Code>{}</Code>\
         <Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        escape(code),
        escape(message)
    )
}

/// `<name>text</name>` with the text escaped.
pub fn element(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

/// `<name><member>..</member>...</name>` from already rendered members.
pub fn members(name: &str, items: impl IntoIterator<Item = String>) -> String {
    let inner: String = items
        .into_iter()
        .map(|item| format!("<member>{item}</member>"))
        .collect();
    format!("<{name}>{inner}</{name}>")
}

/// XML text escaping.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A point in time as the EB API writes it: `2026-11-23T01:02:03.456Z`.
pub fn timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// Parses an ISO 8601 UTC time as the SDK sends it: `2026-11-23T01:02:03Z`, with optional
/// fractional seconds (`.456Z`) or a `+00:00` offset. None when it is not one.
pub fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let text = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.splitn(3, '-').map(|n| n.parse::<i64>().ok());
    let (year, month, day) = (date.next()??, date.next()??, date.next()??);
    let (time, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut time = time.splitn(3, ':').map(|n| n.parse::<u64>().ok());
    let (hour, minute, second) = (time.next()??, time.next()??, time.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let nanos = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction
            .chars()
            .chain("000000000".chars())
            .take(9)
            .collect();
        digits.parse::<u32>().ok()?
    };
    let days = u64::try_from(days_from_civil(year, month as u32, day as u32)).ok()?;
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + std::time::Duration::new(secs, nanos))
}

/// (year, month, day) to days since 1970-01-01: the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's civil-from-days algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_iso_8601_utc() {
        let time = UNIX_EPOCH + Duration::from_millis(1_795_395_723_456);
        assert_eq!(timestamp(time), "2026-11-23T01:02:03.456Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        // A leap day.
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn timestamps_parse_back() {
        for millis in [0, 951_782_400_000, 1_795_395_723_456] {
            let time = UNIX_EPOCH + Duration::from_millis(millis);
            assert_eq!(parse_timestamp(&timestamp(time)), Some(time));
        }
        assert_eq!(
            parse_timestamp("2026-11-23T01:02:03Z"),
            Some(UNIX_EPOCH + Duration::from_secs(1_795_395_723))
        );
        assert_eq!(
            parse_timestamp("2026-11-23T01:02:03.4+00:00"),
            Some(UNIX_EPOCH + Duration::from_millis(1_795_395_723_400))
        );
        assert_eq!(parse_timestamp("2026-11-23 01:02:03"), None);
        assert_eq!(parse_timestamp("2026-13-23T01:02:03Z"), None);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            element("M", "a<b & 'c'"),
            "<M>a&lt;b &amp; &apos;c&apos;</M>"
        );
        assert!(error("X", "<", "r").contains("<Message>&lt;</Message>"));
    }
}
