//! A small HTTP/1 client for the services (moto, /ping, the registry): async for the emulator,
//! blocking for the setup code.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// A response: status code and body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The whole body.
    pub body: Bytes,
}

impl HttpResponse {
    /// The body as (lossy) UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request on a fresh connection (no pooling: a CNAME swap must be seen at once).
pub async fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<HttpResponse, String> {
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build_http::<Full<Bytes>>();
    let mut builder = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(body.into()))
        .map_err(|err| format!("{method} {url}: {err}"))?;
    let call = async {
        let response = client
            .request(request)
            .await
            .map_err(|err| format!("{method} {url}: {err}"))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|err| format!("{method} {url}: reading the body: {err}"))?
            .to_bytes();
        Ok(HttpResponse { status, body })
    };
    tokio::time::timeout(Duration::from_secs(30), call)
        .await
        .map_err(|_| format!("{method} {url}: no answer within 30 s"))?
}

/// [`request`] from synchronous code, also when called inside an async test: it runs on a
/// thread and runtime of its own.
pub fn blocking_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<HttpResponse, String> {
    let body = body.into();
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|err| format!("tokio runtime: {err}"))?;
                runtime.block_on(request(method, url, headers, body))
            })
            .join()
            .unwrap_or_else(|_| Err(format!("{method} {url}: the request thread panicked")))
    })
}

/// `GET http://127.0.0.1:port/path` from synchronous code: the body when the status is 200.
pub fn get_text(url: &str) -> Result<String, String> {
    let response = blocking_request("GET", url, &[], Bytes::new())?;
    if response.status == 200 {
        Ok(response.text())
    } else {
        Err(format!(
            "GET {url}: {} {}",
            response.status,
            response.text()
        ))
    }
}
