//! The acceptance tests against an environment's CNAME: the deploy's `test-environment` step
//! (the new environment, before the swap) and `klue rollback`'s check of the environment it
//! makes live again.

use std::path::PathBuf;

use crate::acceptance;

use super::names::environment_url;
use super::run::run_tests;
use crate::commands::UserError;

/// Runs the acceptance tests in `testaccept` against `scheme://cname` (a `.localhost` host at
/// 127.0.0.1), waiting up to `ping_timeout` seconds for its /ping; their failure is an error
/// naming `what` was tested. Returns the counts line.
pub async fn test_environment(
    testaccept: PathBuf,
    ping_timeout: u64,
    cname: &str,
    scheme: &str,
    what: &str,
) -> Result<String, UserError> {
    let (_, host, port) = environment_url(cname, scheme);
    let args = acceptance::Args {
        local: false,
        host: Some(host),
        port: Some(port),
        https: scheme == "https",
        image: None,
        live: false,
        ca_file: None,
        timeout: ping_timeout,
        testaccept,
        json: false,
        filters: Vec::new(),
    };
    run_tests(&args, what).await
}
