//! Waiting for the server: `GET /ping` until it answers 200 `{}`.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::time::{sleep, timeout, Instant};

use super::target::{Target, TargetKind};
use super::Error;

/// Time between two attempts: short, since a local server is up within milliseconds.
const RETRY_EVERY: Duration = Duration::from_millis(200);
/// Longest wait for one answer, so that a hung attempt cannot eat the whole timeout alone.
const ATTEMPT_LIMIT: Duration = Duration::from_secs(5);

/// Polls `GET /ping` until it answers 200 `{}`; fails after `limit`, naming the URL and the last
/// attempt's problem.
pub(super) async fn wait(
    target: &Target,
    limit: Duration,
    extra_ca_pem: Option<&[u8]>,
) -> Result<(), Error> {
    let url = format!("{}/ping", target.url());
    let connector = klue_core::client::https_connector(None, extra_ca_pem).map_err(|err| {
        Error::new(
            format!("TLS setup failed: {err}"),
            "check the --ca-file / KLUE_SERVER_CA_FILE certificate",
        )
    })?;
    let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(connector);
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        // At least one real try, even with `--timeout 0`.
        let budget = left.clamp(Duration::from_millis(500), ATTEMPT_LIMIT);
        let problem = match timeout(budget, ping_once(&client, &url)).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(problem)) => problem,
            Err(_) => format!("no answer within {} ms", budget.as_millis()),
        };
        if Instant::now() >= deadline {
            return Err(Error::new(
                format!(
                    "no answer from {url} within {} s (last attempt: {problem})",
                    limit.as_secs()
                ),
                hint(target),
            ));
        }
        sleep(RETRY_EVERY.min(deadline.saturating_duration_since(Instant::now()))).await;
    }
}

async fn ping_once<C>(client: &Client<C, Empty<Bytes>>, url: &str) -> Result<(), String>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let request = Request::get(url)
        .body(Empty::new())
        .map_err(|err| format!("bad URL: {err}"))?;
    let response = client.request(request).await.map_err(|err| chain(&err))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|err| chain(&err))?
        .to_bytes();
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    if status == StatusCode::OK && json == Some(serde_json::json!({})) {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(&body);
        let text: String = text.chars().take(200).collect();
        Err(format!("answered {status} {text:?}, not 200 {{}}"))
    }
}

/// The error and its causes, as `connect failed: connection refused`.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // hyper's errors often repeat their cause's text; say each thing once.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn hint(target: &Target) -> String {
    match &target.kind {
        TargetKind::Local | TargetKind::Host => format!(
            "start the service first (e.g. `cargo run -p SERVICE -- --port {}`), check --host \
             and --port, or wait longer with --timeout SECS",
            target.port
        ),
        TargetKind::Image { .. } => "the container did not become ready: its logs (if any) are \
             above; check that the image runs the service with `--port PORT`, or wait longer \
             with --timeout SECS"
            .to_owned(),
        TargetKind::Live => "check live_url in klue.yaml and that the service is up, or wait \
             longer with --timeout SECS"
            .to_owned(),
    }
}
