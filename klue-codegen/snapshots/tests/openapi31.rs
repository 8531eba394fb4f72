//! An OpenAPI 3.1 spec (`apis/fixtures/openapi31/oas31_served.yaml`) served over HTTP: the
//! 3.1 constructs converted to 3.0 validate as 3.1 says. `type: [string, "null"]` accepts
//! `null` and still checks strings, `const` accepts only its value, and numeric
//! `exclusiveMinimum`/`exclusiveMaximum` exclude the bound, constraints beside a `$ref` apply
//! with the target's own; violations carry their pointer.

use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::oas31_served::{
    self as served, Measurement, MeasurementKind, Oas31ServedApi, RecordMeasurementParams,
    RecordMeasurementRequest, RecordMeasurementResponse,
};
use serde_json::json;

struct Echo;

impl Oas31ServedApi for Echo {
    async fn record_measurement(
        &self,
        request: RecordMeasurementRequest,
    ) -> Result<RecordMeasurementResponse, ApiError> {
        Ok(request.body.into())
    }
}

#[tokio::test]
async fn openapi31_constructs_validate_over_http() {
    let (client, addr) = testaccept::serve([served::router(Echo)], ServerConfig::default()).await;

    // Valid: a positive value, the const, a count below the exclusive maximum, a null label.
    let body = json!({"kind": "reading", "value": 0.5, "count": 9, "label": null});
    let echoed = client
        .post_json("/measurements", &body, None)
        .await
        .assert_json(201);
    assert_eq!(echoed["kind"], "reading");
    assert_eq!(echoed["value"], 0.5);
    assert_eq!(echoed["count"], 9);
    let with_label =
        json!({"kind": "reading", "value": 1, "label": "a", "unit": "m", "precision": 6});
    let echoed = client
        .post_json("/measurements", &with_label, None)
        .await
        .assert_json(201);
    assert_eq!(echoed["label"], "a");

    // Each violation is refused with its pointer.
    let refused = [
        (json!({"kind": "reading", "value": 0}), "/value"), // exclusiveMinimum: 0
        (json!({"kind": "reading", "value": -2.5}), "/value"),
        (
            json!({"kind": "reading", "value": 1, "count": 10}),
            "/count",
        ), // exclusiveMaximum
        (json!({"kind": "other", "value": 1}), "/kind"), // const
        (
            json!({"kind": "reading", "value": 1, "label": ""}),
            "/label",
        ), // minLength, non-null
        (json!({"kind": "reading", "value": 1, "label": 5}), "/label"), // neither string nor null
        (
            json!({"kind": "reading", "value": 1, "unit": "abcd"}),
            "/unit",
        ), // maxLength beside $ref
        (json!({"kind": "reading", "value": 1, "unit": ""}), "/unit"), // the target's minLength
        (
            json!({"kind": "reading", "value": 1, "precision": 7}),
            "/precision",
        ), // maximum beside $ref
        (
            json!({"kind": "reading", "value": 1, "precision": -1}),
            "/precision",
        ), // the target's minimum
    ];
    for (body, pointer) in refused {
        let envelope = client
            .post_json("/measurements", &body, None)
            .await
            .assert_error(400, "INVALID_PARAMETER");
        let pointers: Vec<&str> = envelope.errors.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(pointers, [pointer], "{body}");
    }
    let both = json!({"kind": "reading", "value": 0, "count": 10});
    let envelope = client
        .post_json("/measurements", &both, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let pointers: Vec<&str> = envelope.errors.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/value", "/count"]);

    // The generated client round-trips the nullable label, null included.
    let typed = served::Oas31ServedClient::new(ClientConfig::new(format!("http://{addr}")))
        .expect("client");
    for label in [None, Some(None), Some(Some("b".to_owned()))] {
        let measurement = Measurement {
            kind: MeasurementKind::Reading,
            value: 2.0,
            count: Some(-3),
            label: label.clone(),
            unit: Some("kg".to_owned()),
            precision: Some(2),
        };
        let back = typed
            .record_measurement(RecordMeasurementParams {
                body: measurement.clone(),
            })
            .await
            .expect("record_measurement");
        assert_eq!(
            back,
            RecordMeasurementResponse::Created(measurement),
            "{label:?}"
        );
    }
}
