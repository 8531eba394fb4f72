//! Run with: cargo run --release -p bench-baselines --bin bench-raw-hyper -- --port P
//!
//! The benchmark workload written by hand on raw hyper 1, the way one would without a
//! framework: a tokio multi-thread runtime, one task per connection serving HTTP/1.1 with
//! `service_fn`, a `match` on method and path, the JWT checked with jsonwebtoken (key and
//! validation built once), the body read with a size limit and parsed with serde_json.
//!
//! - `GET /ping` -> 200 `{}`
//! - `POST /v1/items` (Bearer JWT, JSON `NewItem`) -> 200 JSON `Item`
//! - errors -> the klue envelope (401, 400, 404, 405, 413, 415)

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bench_baselines::{is_json_content_type, ApiError, JwtVerifier, NewItem, BODY_LIMIT};
use bytes::Bytes;
use clap::Parser;
use http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The benchmark workload on raw hyper.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let verifier = Arc::new(JwtVerifier::from_env());
    let listener = TcpListener::bind((args.host.as_str(), args.port)).await?;
    eprintln!(
        "bench-raw-hyper listening on http://{}",
        listener.local_addr()?
    );

    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(err) => {
                // Typically EMFILE: back off instead of spinning.
                eprintln!("accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let verifier = Arc::clone(&verifier);
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let verifier = Arc::clone(&verifier);
                async move { Ok::<_, Infallible>(route(req, &verifier).await) }
            });
            // Errors here are clients going away mid-request; nothing to answer.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn route(req: Request<Incoming>, verifier: &JwtVerifier) -> Response<Full<Bytes>> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/ping") => json_response(StatusCode::OK, Bytes::from_static(b"{}")),
        (&Method::POST, "/v1/items") => create_item(req, verifier)
            .await
            .unwrap_or_else(|err| error_response(&err)),
        (method, path @ "/ping") => method_not_allowed(method, path, "GET"),
        (method, path @ "/v1/items") => method_not_allowed(method, path, "POST"),
        (method, path) => error_response(&ApiError::not_found(method, path)),
    }
}

async fn create_item(
    req: Request<Incoming>,
    verifier: &JwtVerifier,
) -> Result<Response<Full<Bytes>>, ApiError> {
    let _principal = verifier.verify(req.headers().get(AUTHORIZATION))?;
    if !is_json_content_type(req.headers().get(CONTENT_TYPE)) {
        return Err(ApiError::unsupported_media_type());
    }
    let body = Limited::new(req.into_body(), BODY_LIMIT)
        .collect()
        .await
        .map_err(|err| {
            if err.downcast_ref::<LengthLimitError>().is_some() {
                ApiError::payload_too_large()
            } else {
                ApiError::invalid(format!("Could not read the request body: {err}"))
            }
        })?
        .to_bytes();
    let new_item: NewItem = serde_json::from_slice(&body)
        .map_err(|err| ApiError::invalid(format!("Invalid JSON body: {err}")))?;
    new_item.check()?;
    let item = new_item.into_item();
    let json = serde_json::to_vec(&item).map_err(|err| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SERVER_ERROR",
            format!("Could not serialize the item: {err}"),
        )
    })?;
    Ok(json_response(StatusCode::OK, Bytes::from(json)))
}

fn json_response(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn error_response(err: &ApiError) -> Response<Full<Bytes>> {
    json_response(err.status, Bytes::from(err.to_json()))
}

fn method_not_allowed(method: &Method, path: &str, allow: &'static str) -> Response<Full<Bytes>> {
    let mut response = error_response(&ApiError::method_not_allowed(method, path));
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}
