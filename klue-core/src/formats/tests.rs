use super::{Date, DateTime, Uuid};
use crate::extract::params::FromParam;
use crate::validate::Format;

const DATE_TIMES: &[&str] = &[
    "2024-02-29T12:30:00Z",
    "2024-01-01t00:00:60.123+05:30",
    "1999-12-31T23:59:59-00:00",
    "2016-12-31T23:59:60Z",
    "2024-06-30T23:59:60.999999999z",
    "0000-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59.1234567891234-23:59",
    "2024-02-29T12:30:00.5+01:00",
    "2023-02-29T12:30:00Z",
    "2021-02-30T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T10:00:00",
    "2024-01-01 10:00:00Z",
    "2024-01-01T10:00:00.Z",
    "2024-01-01T10:00:61Z",
    "2024-01-01T10:00:00+24:00",
    "2024-01-01T10:00:00+01",
    "+2024-01-01T10:00:00Z",
    " 2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00Z ",
    "",
];

const DATES: &[&str] = &[
    "2024-02-29",
    "2023-12-31",
    "0000-02-29",
    "2023-02-29",
    "2021-02-30",
    "2023-13-01",
    "2023-1-01",
    "2023-01-01T",
    "20230101",
    "+2023-01-01",
    "",
];

const UUIDS: &[&str] = &[
    "123e4567-e89b-12d3-a456-426614174000",
    "123E4567-E89B-12D3-A456-426614174000",
    "00000000-0000-0000-0000-000000000000",
    "123e4567e89b12d3a456426614174000",
    "{123e4567-e89b-12d3-a456-426614174000}",
    "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
    "123e4567-e89b-12d3-a456-42661417400g",
    "",
];

/// Every text of `cases`, and each with one character dropped, doubled or replaced by one of
/// the characters the grammar turns on: what the validator admits must be what decodes.
fn variants(cases: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for case in cases {
        out.push((*case).to_owned());
        let chars: Vec<char> = case.chars().collect();
        for i in 0..chars.len() {
            let mut dropped = chars.clone();
            dropped.remove(i);
            out.push(dropped.into_iter().collect());
            let mut doubled = chars.clone();
            doubled.insert(i, chars[i]);
            out.push(doubled.into_iter().collect());
            for c in ['0', '9', '6', '-', ':', '+', 'T', 'z', ' ', 'a', 'G', '.'] {
                let mut replaced = chars.clone();
                replaced[i] = c;
                out.push(replaced.into_iter().collect());
            }
        }
    }
    out
}

#[test]
fn a_typed_value_decodes_exactly_what_the_validator_admits() {
    let mut checked = 0;
    for text in variants(DATE_TIMES) {
        let admitted = Format::DateTime.admits(&text);
        assert_eq!(
            DateTime::parse(&text).is_some(),
            admitted,
            "date-time {text:?}"
        );
        let json = serde_json::Value::String(text.clone());
        assert_eq!(serde_json::from_value::<DateTime>(json).is_ok(), admitted);
        checked += 1;
    }
    for text in variants(DATES) {
        assert_eq!(
            Date::parse(&text).is_some(),
            Format::Date.admits(&text),
            "date {text:?}"
        );
        checked += 1;
    }
    for text in variants(UUIDS) {
        assert_eq!(
            Uuid::parse(&text).is_some(),
            Format::Uuid.admits(&text),
            "uuid {text:?}"
        );
        checked += 1;
    }
    assert!(checked > 3000, "{checked}");
}

#[test]
fn written_text_is_admitted_and_reads_back_equal() {
    for text in variants(DATE_TIMES) {
        if let Some(value) = DateTime::parse(&text) {
            let written = value.to_string();
            assert!(Format::DateTime.admits(&written), "{text:?} -> {written:?}");
            let again = DateTime::parse(&written).expect("reads back");
            assert_eq!(again, value, "{text:?} -> {written:?}");
            assert_eq!(again.0.offset(), value.0.offset());
        }
    }
    for text in variants(DATES) {
        if let Some(value) = Date::parse(&text) {
            assert_eq!(value.to_string(), text);
        }
    }
    for text in variants(UUIDS) {
        if let Some(value) = Uuid::parse(&text) {
            assert_eq!(value.to_string(), text.to_ascii_lowercase());
        }
    }
}

#[test]
fn leap_seconds_offsets_and_fractions_are_kept() {
    let leap = DateTime::parse("2016-12-31T23:59:60.5Z").expect("a leap second");
    assert_eq!(leap.to_string(), "2016-12-31T23:59:60.5Z");
    let shifted = DateTime::parse("2024-01-01t10:00:00.123456789123+05:30").expect("valid");
    assert_eq!(shifted.to_string(), "2024-01-01T10:00:00.123456789+05:30");
    let utc = DateTime::parse("2024-01-01T04:30:00.123456789Z").expect("valid");
    assert_eq!(shifted, utc, "equality compares instants");
    assert_eq!(
        serde_json::to_string(&utc).expect("serializes"),
        "\"2024-01-01T04:30:00.123456789Z\""
    );
}

#[test]
fn a_malformed_value_says_what_was_expected() {
    assert_eq!(
        DateTime::from_param("2021-02-30T00:00:00Z"),
        Err("'2021-02-30T00:00:00Z' is not an RFC 3339 date-time (format 'date-time')".to_owned())
    );
    assert_eq!(
        Date::from_param("tomorrow"),
        Err("'tomorrow' is not an RFC 3339 date (format 'date')".to_owned())
    );
    let err = serde_json::from_str::<Uuid>("\"x\"").expect_err("not a UUID");
    assert!(
        err.to_string()
            .contains("'x' is not a UUID (format 'uuid')"),
        "{err}"
    );
    let err = serde_json::from_str::<Uuid>("7").expect_err("not a string");
    assert!(err.to_string().contains("expected a UUID string"), "{err}");
}
