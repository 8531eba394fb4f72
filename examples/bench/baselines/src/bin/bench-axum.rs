//! Run with: cargo run --release -p bench-baselines --bin bench-axum -- --port P
//!
//! The benchmark workload as a hand-written axum 0.8 server: a `Router` with two routes, an
//! `Authenticated` extractor checking the Bearer JWT (key and validation built once, in the
//! state), the stock `Json<NewItem>` extractor with its rejections mapped to the klue
//! envelope, and fallbacks answering 404/405 with the same envelope.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use bench_baselines::{ApiError, Item, JwtVerifier, NewItem, Principal, BODY_LIMIT};
use clap::Parser;
use tokio::net::TcpListener;

/// The benchmark workload on axum.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

#[derive(Clone)]
struct AppState {
    verifier: Arc<JwtVerifier>,
}

/// An [`ApiError`] as an axum response.
struct AppError(ApiError);

impl From<ApiError> for AppError {
    fn from(err: ApiError) -> Self {
        AppError(err)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (
            self.0.status,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            self.0.to_json(),
        )
            .into_response()
    }
}

/// A request whose Bearer token verified.
struct Authenticated(#[allow(dead_code)] Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let principal = state.verifier.verify(parts.headers.get(AUTHORIZATION))?;
        Ok(Authenticated(principal))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let state = AppState {
        verifier: Arc::new(JwtVerifier::from_env()),
    };
    let app = Router::new()
        .route("/ping", get(ping))
        .route("/v1/items", post(create_item))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);

    let listener = TcpListener::bind((args.host.as_str(), args.port)).await?;
    eprintln!("bench-axum listening on http://{}", listener.local_addr()?);
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}

async fn ping() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        "{}",
    )
}

async fn create_item(
    _auth: Authenticated,
    body: Result<Json<NewItem>, JsonRejection>,
) -> Result<Json<Item>, AppError> {
    let Json(new_item) = body.map_err(json_rejection)?;
    new_item.check()?;
    Ok(Json(new_item.into_item()))
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::unsupported_media_type(),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
        other => ApiError::invalid(format!("Invalid JSON body: {}", other.body_text())),
    }
}

async fn not_found(method: Method, uri: Uri) -> AppError {
    AppError(ApiError::not_found(&method, uri.path()))
}

/// axum adds the `Allow` header to this response itself.
async fn method_not_allowed(method: Method, uri: Uri) -> AppError {
    AppError(ApiError::method_not_allowed(&method, uri.path()))
}
