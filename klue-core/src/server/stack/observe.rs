//! What every request goes through, routed or not: its request id (taken from the request or
//! made, and sent back), its metrics, its access log line, the mapping of its error to the
//! spec's error shapes, and the report of a server error or a slow call.

use std::time::{Duration, Instant, SystemTime};

use http::{Request, Response};
use hyper::body::Incoming;

use crate::access::{request_id, Access, REQUEST_ID_HEADER};
use crate::error::ErrorDetails;
use crate::report::{Report, ReportKind};
use crate::response::Body;
use crate::server::service::Seen;
use crate::server::KlueService;
use crate::ApiError;

impl KlueService {
    /// Answers one request. Never fails: every error is an envelope response.
    pub async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        let inner = &*self.inner;
        let start = Instant::now();
        let _in_flight = inner.metrics.in_flight();
        let request_id = request_id(request.headers());
        let method = request.method().clone();
        let mut seen = Seen::default();
        let deadline = inner.request_timeout.map(|timeout| start + timeout);
        let dispatch = self.dispatch(request, deadline, &mut seen);
        let result = super::timeout::within(inner.request_timeout, dispatch).await;
        let mut response = result.unwrap_or_else(ApiError::into_response);
        let error = response.extensions_mut().remove::<ErrorDetails>();
        if let Some(details) = &error {
            let spec = seen.operation.map(|(_, op)| op.spec);
            let path = seen.unmatched_path.as_deref();
            inner.error_maps.apply(&mut response, details, spec, path);
        }
        let elapsed = start.elapsed();
        let status = response.status();
        let (route, operation) = seen.operation.unzip();
        inner
            .metrics
            .record(operation.map_or(0, |op| op.slot), status, elapsed);
        let access = Access {
            method: &method,
            route: route.unwrap_or("-"),
            operation: operation.map_or("", |op| op.spec.id),
            unmatched_path: seen.unmatched_path.as_deref(),
            status,
            elapsed,
            request_id: &request_id,
            user_id: seen.user_id.as_deref(),
            error: error.as_ref(),
        };
        if inner.access_log {
            access.log();
        }
        let threshold = operation.map(|op| op.slow_threshold);
        let slow = threshold.is_some_and(|threshold| elapsed > threshold);
        if status.is_server_error() || slow {
            inner
                .reports
                .send(report(&access, &inner.service_name, threshold, slow));
        }
        response.headers_mut().insert(REQUEST_ID_HEADER, request_id);
        response
    }
}

fn report(access: &Access<'_>, service: &str, threshold: Option<Duration>, slow: bool) -> Report {
    let error = access.error;
    Report {
        kind: if access.status.is_server_error() {
            ReportKind::ServerError
        } else {
            ReportKind::SlowCall
        },
        service: service.to_owned(),
        error_id: error.map(|e| e.error_id.to_string()),
        error_code: error.map(|e| e.code.to_string()),
        error_chain: error.and_then(|e| e.chain.clone()),
        request_id: access.request_id.to_str().unwrap_or("-").to_owned(),
        method: access.method.to_string(),
        route: access.route.to_owned(),
        operation: access.operation.to_owned(),
        status: access.status.as_u16(),
        user_id: access.user_id.map(str::to_owned),
        duration_ms: access.elapsed.as_secs_f64() * 1e3,
        threshold_ms: threshold.filter(|_| slow).map(|t| t.as_secs_f64() * 1e3),
        timestamp: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
    }
}
