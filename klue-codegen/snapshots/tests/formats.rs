//! `date-time`, `date` and `uuid` strings as typed values, over real HTTP: well-formed values
//! (lower-case `t`/`z`, offsets, fractions, a leap second) reach the handler typed, in the body
//! (JSON and form), in path, query, header and cookie parameters and as defaults; malformed
//! ones (`2021-02-30`, a space for `T`, a UUID without hyphens) are a 400 naming each pointer;
//! the typed client sends and reads them back equal.

use klue_core::formats::{chrono, Date, DateTime, Uuid};
use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::formats as api;
use serde_json::json;

struct Echo;

impl api::FormatsApi for Echo {
    async fn put_booking(
        &self,
        request: api::PutBookingRequest,
    ) -> Result<api::PutBookingResponse, ApiError> {
        // Typed values: what the handler can compute with.
        let id: Uuid = request.id;
        let day: Date = request.day;
        let starts: DateTime = request.body.starts;
        let booked_at = DateTime::from(starts.0 + chrono::Duration::days(1));
        Ok(api::PutBookingResponse::Ok(
            api::Receipt {
                id,
                day,
                since: request.since,
                days: request.days,
                sent_at: request.x_sent_at,
                session: request.session,
                ..api::Receipt::new(request.body, id, day)
            },
            api::PutBookingOkHeaders {
                x_booked_at: Some(booked_at),
            },
        ))
    }
}

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";
const SESSION: &str = "00000000-0000-4000-8000-00000000000A";

#[tokio::test]
async fn well_formed_values_reach_the_handler_typed() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let body = json!({
        "id": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
        "starts": "2016-12-31t23:59:60.5z",
        "day": "2024-02-29",
        "ends": null,
        "holidays": ["2024-12-25", "2025-01-01"],
        "guests": {"ann": ID},
        "code": "2024-05-01",
        "when": "1999-12-31T23:59:59.123456789123-00:00"
    });
    let answer = client
        .send(
            http::Method::PUT,
            &format!(
                "/bookings/{ID}?since=2024-01-01T10:00:00.1%2B05:30&days=2024-01-01,2024-01-02"
            ),
            &[
                ("x-sent-at", "2024-06-30T23:59:60Z"),
                ("cookie", &format!("session={SESSION}")),
            ],
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await;
    // Written back as RFC 3339 (upper-case `T`, `Z` for UTC, a fraction's significant digits)
    // and lower-case UUIDs; the offset as sent; absent fields with a default get it.
    // (A day after a leap second: chrono's arithmetic leaves the leap second out.)
    assert_eq!(
        answer
            .headers
            .get("x-booked-at")
            .map(|v| v.to_str().unwrap_or("")),
        Some("2017-01-01T23:59:59.5Z")
    );
    assert_eq!(
        answer.assert_json(200),
        json!({
            "booking": {
                "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                "starts": "2016-12-31T23:59:60.5Z",
                "day": "2024-02-29",
                "ends": null,
                "created": "2016-12-31T23:59:60Z",
                "owner": ID,
                "holidays": ["2024-12-25", "2025-01-01"],
                "guests": {"ann": ID},
                "code": "2024-05-01",
                "when": "1999-12-31T23:59:59.123456789Z"
            },
            "id": ID,
            "since": "2024-01-01T10:00:00.1+05:30",
            "day": "2024-02-29",
            "days": ["2024-01-01", "2024-01-02"],
            "sent_at": "2024-06-30T23:59:60Z",
            "session": SESSION.to_ascii_lowercase()
        })
    );

    // A form body is read into the same typed fields.
    let form = format!("id={ID}&starts=2024-01-01T00%3A00%3A00%2B01%3A00&day=2024-03-01");
    let answer = client
        .send(
            http::Method::PUT,
            &format!("/bookings/{ID}?day=2023-12-31"),
            &[],
            Some(("application/x-www-form-urlencoded", form.into_bytes())),
        )
        .await
        .assert_json(200);
    assert_eq!(answer["booking"]["starts"], "2024-01-01T00:00:00+01:00");
    assert_eq!(answer["booking"]["day"], "2024-03-01");
    assert_eq!(answer["day"], "2023-12-31");
}

#[tokio::test]
async fn malformed_values_are_a_400_naming_each_pointer() {
    let (client, _) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let body = json!({
        "id": "123e4567e89b12d3a456426614174000",
        "starts": "2024-01-01 10:00:00Z",
        "day": "2021-02-30",
        "ends": "2024-01-01T10:00:61Z",
        "holidays": ["2024-12-25", "2023-02-29"],
        "guests": {"ann": "{123e4567-e89b-12d3-a456-426614174000}"},
        "code": "2023-05-01",
        "when": "2024-01-01T10:00:00+24:00"
    });
    let bad = client
        .send(
            http::Method::PUT,
            "/bookings/not-a-uuid?since=2021-02-30T00:00:00Z&days=2024-01-01,2024-1-2&day=today",
            &[
                ("x-sent-at", "2024-01-01T10:00:00"),
                ("cookie", "session=urn:uuid:0"),
            ],
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let mut found: Vec<String> = bad
        .errors
        .iter()
        .map(|v| format!("{} {}", v.location, v.pointer))
        .collect();
    found.sort_unstable();
    assert_eq!(
        found,
        [
            "body /code",
            "body /day",
            "body /ends",
            "body /guests/ann",
            "body /holidays/1",
            "body /id",
            "body /starts",
            "body /when",
            "cookie /session",
            "header /x-sent-at",
            "path /id",
            "query /day",
            "query /days/1",
            "query /since",
        ],
        "{:#?}",
        bad.errors
    );
    let message = |pointer: &str| {
        bad.errors
            .iter()
            .find(|v| v.pointer == pointer)
            .map(|v| v.message.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        message("/since"),
        "'2021-02-30T00:00:00Z' is not an RFC 3339 date-time (format 'date-time')"
    );
    assert_eq!(
        message("/starts"),
        "'2024-01-01 10:00:00Z' is not an RFC 3339 date-time (format 'date-time')"
    );

    // One malformed value alone (the fast path's serde error) is the same 400.
    let mut alone = json!({"id": ID, "starts": "2024-01-01T10:00:00Z", "day": "2024-02-29"});
    alone["day"] = json!("2021-02-30");
    let bad = client
        .send(
            http::Method::PUT,
            &format!("/bookings/{ID}"),
            &[],
            Some(("application/json", alone.to_string().into_bytes())),
        )
        .await
        .assert_error(400, "INVALID_PARAMETER");
    assert_eq!(bad.errors.len(), 1, "{:?}", bad.errors);
    assert_eq!(bad.errors[0].pointer, "/day");
}

#[tokio::test]
async fn the_client_sends_and_reads_typed_values() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let typed =
        api::FormatsClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let id: Uuid = ID.parse().expect("a UUID");
    let starts: DateTime = "2024-01-01T10:00:00.25+05:30".parse().expect("a date-time");
    let body = api::Booking {
        holidays: Some(vec!["2024-12-25".parse().expect("a date")]),
        ..api::Booking::new(id, starts, "2024-02-29".parse().expect("a date"))
    };
    let params = api::PutBookingParams {
        since: Some(starts),
        days: Some(vec!["2024-01-01".parse().expect("a date")]),
        x_sent_at: Some("2016-12-31T23:59:60Z".parse().expect("a leap second")),
        session: Some(id),
        ..api::PutBookingParams::new(id, body.clone())
    };
    let api::PutBookingResponse::Ok(receipt, headers) =
        typed.put_booking(params).await.expect("put_booking");
    assert_eq!(receipt.booking, body);
    assert_eq!(receipt.booking.starts.0.offset().local_minus_utc(), 19_800);
    assert_eq!(receipt.since, Some(starts));
    assert_eq!(
        receipt.day.to_string(),
        "2024-02-29",
        "the parameter's default"
    );
    assert_eq!(
        receipt.sent_at.map(|at| at.to_string()).as_deref(),
        Some("2016-12-31T23:59:60Z")
    );
    assert_eq!(receipt.session, Some(id));
    assert_eq!(
        headers.x_booked_at.map(|at| at.to_string()).as_deref(),
        Some("2024-01-02T10:00:00.25+05:30")
    );

    // The served spec is the spec: formats are still strings there.
    let served = client.get("/openapi.json").await.assert_json(200);
    assert_eq!(
        served["components"]["schemas"]["Stamp"],
        json!({"type": "string", "format": "date-time"})
    );
}

#[test]
fn untyped_generation_keeps_strings() {
    let booking = klue_snapshots::formats_untyped::Booking::new(
        "not checked here".to_owned(),
        "nor here".to_owned(),
        String::new(),
    );
    assert_eq!(booking.created, "2016-12-31T23:59:60Z");
}
