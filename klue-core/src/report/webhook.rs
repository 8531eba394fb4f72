//! A reporter that POSTs each report as JSON to a URL: the report's fields plus a `text`
//! summary, which is what a Slack (or Mattermost, Teams, Discord-compatible) incoming webhook
//! shows.

use std::time::Duration;

use bytes::Bytes;
use http::{header, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::{Report, ReportFuture, Reporter};

/// POSTs reports to a webhook URL.
#[derive(Clone)]
pub struct WebhookReporter {
    url: http::Uri,
    client: Client<crate::connector::Connector, Full<Bytes>>,
}

impl std::fmt::Debug for WebhookReporter {
    // The URL's path is the credential of a Slack webhook: only the host is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReporter")
            .field("host", &self.url.host())
            .finish_non_exhaustive()
    }
}

impl WebhookReporter {
    /// A reporter posting to `url` (http, or https with the `tls` feature).
    pub fn new(url: &str) -> Result<Self, String> {
        let url: http::Uri = url
            .parse()
            .map_err(|err| format!("'{url}' is not a URL: {err}"))?;
        if url.scheme_str() == Some("https") && !cfg!(feature = "tls") {
            return Err(format!(
                "'{}' is https, which needs klue-core's `tls` feature",
                url.host().unwrap_or("")
            ));
        }
        let connector = crate::connector::connector(Some(Duration::from_secs(5)))?;
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(WebhookReporter { url, client })
    }

    async fn post(&self, report: &Report) -> Result<(), String> {
        let mut body = serde_json::to_value(report).map_err(|err| err.to_string())?;
        if let Some(object) = body.as_object_mut() {
            object.insert("text".into(), report.summary().into());
        }
        let body = serde_json::to_vec(&body).map_err(|err| err.to_string())?;
        let request = Request::builder()
            .method(Method::POST)
            .uri(self.url.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|err| err.to_string())?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|err| err.to_string())?;
        let status = response.status();
        let _ = response.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the webhook answered {status}"))
        }
    }
}

impl Reporter for WebhookReporter {
    fn report<'a>(&'a self, report: &'a Report) -> ReportFuture<'a> {
        Box::pin(async move {
            if let Err(err) = self.post(report).await {
                tracing::warn!(
                    error = %err,
                    error_id = report.error_id.as_deref(),
                    "the webhook reporter could not deliver a report"
                );
            }
        })
    }
}
