//! Array query parameters (`form`, exploded) as the spec defines them: an encoded comma is part
//! of an item, a literal one (the non-exploded form, accepted too) separates items. Found by
//! schemathesis: `?categories=ab%2C` was split into `ab` and an empty item, a 400.

use std::path::PathBuf;

use events::{api, Db, Events};
use klue_core::ServerConfig;
use serde_json::json;

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

#[tokio::test]
async fn an_encoded_comma_is_part_of_an_item() {
    let db = TempDb(std::env::temp_dir().join(format!("klue-arrays-{}.db", uuid::Uuid::new_v4())));
    let events = Events::new(Db::open(&db.0).expect("database opens"));
    let (client, _) = testaccept::serve([api::router(events)], ServerConfig::default()).await;
    for category in ["a,b", "a", "b"] {
        let event = json!({
            "timestamp": "2026-01-31T13:00:00Z", "client": 1, "client_group": 2,
            "device_type": "phone", "category": category, "valid": true, "value": 1.0
        });
        client
            .post_json("/v1/events", &event, None)
            .await
            .assert_json(201);
    }
    let categories = |path: &str| {
        let client = &client;
        let path = path.to_owned();
        async move {
            let page = client.get(&path).await.assert_json(200);
            let mut found: Vec<String> = page["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|event| event["category"].as_str().expect("category").to_owned())
                .collect();
            found.sort();
            found
        }
    };
    // One item, `a,b`, once or repeated.
    assert_eq!(categories("/v1/events?categories=a%2Cb").await, ["a,b"]);
    assert_eq!(
        categories("/v1/events?categories=a%2Cb&categories=a%2cb").await,
        ["a,b"]
    );
    // A trailing encoded comma is no empty item: no event has `ab,`, and no 400.
    assert!(categories("/v1/events?categories=ab%2C").await.is_empty());
    // Literal commas separate items; exploded items hold their commas.
    assert_eq!(categories("/v1/events?categories=a,b").await, ["a", "b"]);
    assert_eq!(
        categories("/v1/events?categories=a&categories=a%2Cb").await,
        ["a", "a,b"]
    );
}
