//! Acceptance tests of the events service (`examples/events`), against a running server.
//!
//! Start the service, then run them with
//! `run_acceptance_tests --port 8080 --testaccept examples/events/testaccept`, which waits for
//! the server and sets `KLUE_SERVER_HOST` / `KLUE_SERVER_PORT` / `KLUE_SERVER_SCHEME`. A plain
//! `cargo test` has no server to talk to, so they are `#[ignore]`d there. They only touch the
//! events they create (fresh client ids) and delete them afterwards.

use testaccept::{assert_has_ping, assert_has_version, TestClient};

fn client() -> TestClient {
    TestClient::from_env()
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn has_ping() {
    assert_has_ping(&client()).await;
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn has_version() {
    assert_has_version(&client(), "events", "1.0.0").await;
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn create_get_list_delete() {
    events_testaccept::check_crud(&client()).await;
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn bad_input_is_a_400_naming_it() {
    events_testaccept::check_validation(&client()).await;
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn spec_edges_are_answered_as_the_spec_says() {
    events_testaccept::check_spec_edges(&client()).await;
}

#[tokio::test]
#[ignore = "acceptance test: run with run_acceptance_tests"]
async fn report_matches_the_reference() {
    let compared = events_testaccept::check_report(&client(), 6, 300).await;
    assert!(compared > 50, "only {compared} rows compared");
}
