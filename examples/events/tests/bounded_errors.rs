//! A request with thousands of invalid parameter values gets a bounded 400 that counts them
//! all, over real HTTP on 127.0.0.1.

use std::path::PathBuf;

use events::{api, Db, Events};
use klue_core::ServerConfig;

/// A database file in the temp directory, removed (with its WAL files) on drop.
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
async fn thousands_of_invalid_parameter_values_get_a_bounded_answer() {
    let db = TempDb(std::env::temp_dir().join(format!("klue-events-{}.db", uuid::Uuid::new_v4())));
    let events = Events::new(Db::open(&db.0).expect("database opens"));
    let (client, _) = testaccept::serve([api::router(events)], ServerConfig::default()).await;

    let query = vec!["group_by=x"; 5400].join("&");
    let response = client.get(&format!("/v1/report?{query}")).await;
    let size = response.body.len();
    let envelope = response.assert_error(400, "INVALID_PARAMETER");
    assert!(size <= 64 * 1024, "the 400 is {size} bytes");
    assert_eq!(envelope.errors_total, Some(5400));
    assert_eq!(envelope.errors.len(), 100);
    assert!(
        envelope
            .error_description
            .starts_with("5400 errors in the request (first 100 listed): query /group_by: "),
        "{}",
        envelope.error_description
    );
}
