//! The OpenAPI links of the served spec lead where they say: what schemathesis' stateful phase
//! follows (create an event, then get or delete it by the id answered, then find it gone).

use std::path::PathBuf;

use events::{api, Db, Events};
use klue_core::ServerConfig;
use serde_json::{json, Value};
use testaccept::TestClient;

struct TempDb(PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The method and path template of `operation_id` in `doc`.
fn operation(doc: &Value, operation_id: &str) -> (String, String) {
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if op["operationId"] == operation_id {
                return (method.to_ascii_uppercase(), path.clone());
            }
        }
    }
    panic!("no operation {operation_id}");
}

/// The request `link` makes after `response` to a request whose path parameters were `path`:
/// its method and path, each parameter taken from where its runtime expression points.
fn follow(doc: &Value, link: &Value, response: &Value, path: &[(&str, &str)]) -> (String, String) {
    let (method, mut target) = operation(doc, link["operationId"].as_str().expect("an id"));
    for (name, expression) in link["parameters"].as_object().expect("parameters") {
        let expression = expression.as_str().expect("a runtime expression");
        let value = if let Some(pointer) = expression.strip_prefix("$response.body#") {
            response
                .pointer(pointer)
                .and_then(Value::as_str)
                .expect("the pointer finds a string")
                .to_owned()
        } else if let Some(parameter) = expression.strip_prefix("$request.path.") {
            let (_, value) = path
                .iter()
                .find(|(name, _)| *name == parameter)
                .expect("a path parameter of the request");
            (*value).to_owned()
        } else {
            panic!("unexpected expression {expression}");
        };
        target = target.replace(&format!("{{{name}}}"), &value);
    }
    (method, target)
}

async fn send(client: &TestClient, method: &str, path: &str) -> testaccept::TestResponse {
    let method = http::Method::from_bytes(method.as_bytes()).expect("a method");
    client.send(method, path, &[], None).await
}

#[tokio::test]
async fn the_links_of_create_and_delete_lead_to_the_event() {
    let db = TempDb(std::env::temp_dir().join(format!("klue-links-{}.db", uuid::Uuid::new_v4())));
    let events = Events::new(Db::open(&db.0).expect("database opens"));
    let (client, _) = testaccept::serve([api::router(events)], ServerConfig::default()).await;
    let doc = client.get("/openapi.json").await.assert_json(200);
    let links = &doc["paths"]["/v1/events"]["post"]["responses"]["201"]["links"];

    let event = json!({
        "timestamp": "2026-01-31T13:00:00Z", "client": 1, "client_group": 2,
        "device_type": "phone", "category": "click", "valid": true, "value": 1.5
    });
    let created = client
        .post_json("/v1/events", &event, None)
        .await
        .assert_json(201);
    let (method, path) = follow(&doc, &links["GetEventById"], &created, &[]);
    assert_eq!(method, "GET");
    assert_eq!(
        send(&client, &method, &path).await.assert_json(200),
        created
    );

    let (method, path) = follow(&doc, &links["DeleteEventById"], &created, &[]);
    assert_eq!(method, "DELETE");
    assert_eq!(send(&client, &method, &path).await.status, 204);

    let id = created["id"].as_str().expect("an id");
    let deleted = &doc["paths"]["/v1/events/{event_id}"]["delete"]["responses"]["204"]["links"];
    let (method, path) = follow(
        &doc,
        &deleted["GetDeletedEvent"],
        &Value::Null,
        &[("event_id", id)],
    );
    send(&client, &method, &path)
        .await
        .assert_error(404, "EVENT_NOT_FOUND");
}
