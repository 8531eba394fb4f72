//! OpenAPI 3.1 unions served (`apis/fixtures/openapi31/oas31_unions.yaml`): a discriminator
//! whose alternatives pin their tag with `const`, `additionalProperties: false` and a schema
//! beside properties, a default, a format; and a round trip through the generated client.

use klue_core::ClientConfig;
use klue_core::{ApiError, ServerConfig};
use klue_snapshots::oas31_unions::{
    self as api, Click, ClickType, Event, Oas31UnionsApi, Scroll, ScrollType, SendEventParams,
    SendEventRequest, SendEventResponse,
};
use serde_json::{json, Value};

struct Echo;

impl Oas31UnionsApi for Echo {
    async fn send_event(&self, request: SendEventRequest) -> Result<SendEventResponse, ApiError> {
        Ok(request.body.into())
    }
}

async fn pointers(client: &testaccept::TestClient, body: Value) -> Vec<(String, String)> {
    let envelope = client
        .post_json("/events", &body, None)
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let mut found: Vec<(String, String)> = envelope
        .errors
        .iter()
        .map(|v| (v.pointer.clone(), v.message.clone()))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn discriminated_events_validate_over_http() {
    let (client, addr) = testaccept::serve([api::router(Echo)], ServerConfig::default()).await;
    let click = json!({"type": "click", "at": "2024-05-01T10:00:00Z", "button": null});
    assert_eq!(
        client
            .post_json("/events", &click, None)
            .await
            .assert_json(200),
        click
    );
    // The default of `smooth` is filled in.
    let scroll = json!({"type": "scroll", "offset": 3, "extra": {"source": "x", "by": "a@b.io"}});
    let echoed = client
        .post_json("/events", &scroll, None)
        .await
        .assert_json(200);
    assert_eq!(
        echoed,
        json!({"type": "scroll", "offset": 3, "smooth": true, "extra": {"source": "x", "by": "a@b.io"}})
    );

    assert_eq!(
        pointers(&client, json!({"type": "drag", "offset": 1})).await,
        [(
            "/type".to_owned(),
            "'drag' is not one of ['click', 'scroll'] (discriminator)".to_owned()
        )]
    );
    // Click is closed (additionalProperties: false) and its `at` is a date-time.
    assert_eq!(
        pointers(
            &client,
            json!({"type": "click", "at": "yesterday", "offset": 1})
        )
        .await,
        [
            (
                "/at".to_owned(),
                "'yesterday' is not an RFC 3339 date-time (format 'date-time')".to_owned()
            ),
            (
                "/offset".to_owned(),
                "unknown property 'offset' is not allowed (additionalProperties: false)".to_owned()
            ),
        ]
    );
    // Scroll's extra keys must be emails; its offset is not negative.
    let found = pointers(
        &client,
        json!({"type": "scroll", "offset": -1, "extra": {"by": "nobody"}}),
    )
    .await;
    let found: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(found, ["/extra/by", "/offset"]);

    // The generated client sends each variant and decodes the echo into the same variant.
    let typed =
        api::Oas31UnionsClient::new(ClientConfig::new(format!("http://{addr}"))).expect("client");
    let events = [
        Event::Click(Click {
            r#type: ClickType::Click,
            at: "2024-05-01T10:00:00+02:00".parse().expect("a date-time"),
            button: Some(Some(2)),
        }),
        Event::Scroll(Scroll {
            r#type: ScrollType::Scroll,
            offset: 7,
            smooth: false,
            extra: None,
        }),
    ];
    for event in events {
        let back = typed
            .send_event(SendEventParams {
                body: event.clone(),
            })
            .await
            .expect("round trip");
        let SendEventResponse::Ok(back) = back;
        assert_eq!(back, event);
    }
}
