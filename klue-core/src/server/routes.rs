//! The routing table and what answers each operation.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt;
use http::{HeaderValue, Request, Response};
use hyper::body::{Body as _, Incoming};

use super::body::{
    check_content_type, check_declared_length, panic_message, read_body, streamed_type,
};
use crate::auth::Claims;
#[cfg(feature = "client")]
use crate::client::CallContext;
use crate::extract::body_stream::BodyStream;
use crate::extract::request::OperationRequest;
use crate::health::HealthChecks;
use crate::hooks::OperationService;
use crate::metrics::Metrics;
use crate::registry::{Handler, OperationSpec};
use crate::response::Body;
use crate::ApiError;

/// What answers an operation.
#[derive(Clone)]
pub(super) enum Action {
    /// A fixed body (the built-ins): answered without a handler future.
    Static {
        body: Bytes,
        content_type: HeaderValue,
    },
    /// A generated handler.
    Handler(Handler),
    /// `/health`.
    Health(Arc<HealthChecks>),
    /// `/metrics`.
    Metrics(Arc<Metrics>),
}

pub(super) struct Operation {
    pub(super) spec: &'static OperationSpec,
    /// Its path template (with any mount prefix), for the access log and messages.
    pub(super) template: String,
    /// Its path parameters' names, by position in the template (set by the routing table):
    /// operations sharing a route each read the values by their own names.
    pub(super) params: Box<[String]>,
    /// What chooses it among the operations of its method on its path (set by the routing
    /// table from the template's `#`/`?` part): `None` for an ordinary template.
    pub(super) selector: Option<klue_route::Selector>,
    /// The metrics slot.
    pub(super) slot: usize,
    pub(super) action: Action,
    /// The action wrapped in its layers, when it has any.
    pub(super) layered: Option<OperationService>,
    pub(super) slow_threshold: Duration,
}

/// What routing found, handed to an operation (through request extensions when layers run).
#[derive(Clone, Debug)]
pub(super) struct Routed {
    pub(super) params: Vec<(String, String)>,
    pub(super) deadline: Option<Instant>,
}

/// Answers one routed, authenticated request.
pub(super) async fn run_action(
    spec: &'static OperationSpec,
    action: &Action,
    request: Request<Incoming>,
    routed: Routed,
    claims: Option<Claims>,
    body_limit: usize,
) -> Result<Response<Body>, ApiError> {
    let handler = match action {
        Action::Static { body, content_type } => {
            let mut response = Response::new(Body::new(body.clone()));
            response
                .headers_mut()
                .insert(http::header::CONTENT_TYPE, content_type.clone());
            return Ok(response);
        }
        Action::Health(checks) => return Ok(checks.respond().await),
        Action::Metrics(metrics) => {
            let mut response = Response::new(Body::new(Bytes::from(metrics.render())));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            return Ok(response);
        }
        Action::Handler(handler) => handler,
    };

    let (parts, body) = request.into_parts();
    let mut stream = None;
    let body = match &spec.body {
        None => Bytes::new(),
        Some(body_spec) => {
            let empty = body.size_hint().exact() == Some(0);
            if !empty {
                check_content_type(&parts.headers, body_spec.content_types)?;
            }
            match streamed_type(&parts.headers, body_spec) {
                Some(content_type) if !empty => {
                    check_declared_length(&parts.headers, body_limit)?;
                    stream = Some(BodyStream::incoming(
                        content_type,
                        body,
                        body_limit,
                        routed.deadline,
                    ));
                    Bytes::new()
                }
                _ => read_body(&parts.headers, body, body_limit, routed.deadline).await?,
            }
        }
    };

    // Taken before `parts` moves into the request: calls the handler makes to other
    // services forward the caller's auth, call id and call path (refcount bumps only).
    // Without the client there are no such calls.
    #[cfg(feature = "client")]
    let context = CallContext::from_headers(&parts.headers);
    let mut request = OperationRequest::new(parts, routed.params, body, claims);
    if let Some(stream) = stream {
        request = request.with_stream(stream);
    }
    let handled = AssertUnwindSafe(handler(request)).catch_unwind();
    #[cfg(feature = "client")]
    let handled = context.scope(handled);
    match handled.await {
        Ok(result) => result,
        Err(panic) => Err(ApiError::internal_msg(format!(
            "handler of operation '{}' panicked: {}",
            spec.id,
            panic_message(&*panic)
        ))),
    }
}

/// An operation's action as a tower service: the innermost service of its layers.
#[derive(Clone)]
pub(super) struct ActionService {
    pub(super) spec: &'static OperationSpec,
    pub(super) action: Action,
    pub(super) body_limit: usize,
}

impl tower::Service<Request<Incoming>> for ActionService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<Incoming>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let routed = request
                .extensions_mut()
                .remove::<Routed>()
                .unwrap_or(Routed {
                    params: Vec::new(),
                    deadline: None,
                });
            let claims = request.extensions_mut().remove::<Claims>();
            let result = run_action(
                this.spec,
                &this.action,
                request,
                routed,
                claims,
                this.body_limit,
            )
            .await;
            Ok(result.unwrap_or_else(ApiError::into_response))
        })
    }
}
