//! Errors in the spec's own shape: a service that declares its error responses (svix's `422
//! HTTPValidationError {detail: [...]}`, `401 HttpError {code, detail}`) registers, per API and
//! per status klue answers, a function that turns klue's error into that body
//! ([`crate::ApiRouter::map_error`]).
//!
//! The function sees an [`ErrorReport`]: the status and code klue would answer, the
//! description, the violations with their locations and JSON pointers, the operation and the
//! `error_id`. It returns the body to send with the status it was registered with, or `None`
//! to send klue's envelope. The error's `Allow` and `WWW-Authenticate` headers are kept, the
//! access log and the reporters still see klue's code and `error_id`, and `/openapi.json`
//! documents the mapped status as the spec declares it.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use uuid::Uuid;

use crate::api_spec::OperationSpec;
use crate::error::ErrorDetails;
use crate::response::Body;
use crate::validate::Violation;

/// What a service's error mapper sees of an error klue (or a handler) answers.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ErrorReport<'a> {
    /// The status klue would answer (400 for a request that breaks the spec, 401, 404, ...).
    pub status: StatusCode,
    /// klue's UPPER_SNAKE code (`INVALID_PARAMETER`, `CREDENTIAL_MISSING`, ...; see
    /// [`crate::codes`]), or a handler's own.
    pub code: &'a str,
    /// The developer-facing description.
    pub description: &'a str,
    /// The request's violations (400 `INVALID_PARAMETER`): location, JSON pointer, message.
    pub violations: &'a [Violation],
    /// The operation the request was routed to; `None` when no operation matched (404, 405).
    pub operation_id: Option<&'a str>,
    /// The error's id, also in the server log.
    pub error_id: Uuid,
}

/// A registered mapper: the body it makes, encoded, or `None` for klue's envelope.
pub(crate) type MapFn = Arc<dyn Fn(&ErrorReport<'_>) -> Option<Bytes> + Send + Sync>;

/// One mapping: errors klue answers with `from` are answered with `answer` and `map`'s body.
#[derive(Clone)]
pub(crate) struct ErrorMap {
    pub(crate) from: StatusCode,
    pub(crate) answer: StatusCode,
    pub(crate) map: MapFn,
}

/// The mappings of every mounted API, found by operation, or by mount prefix for errors no
/// operation was routed to.
#[derive(Default)]
pub(crate) struct ErrorMaps {
    /// By the address of the operation's static spec: unique per bound operation.
    by_operation: HashMap<usize, Arc<[ErrorMap]>>,
    /// Mount prefix and mappings, in mounting order.
    by_prefix: Vec<(String, Arc<[ErrorMap]>)>,
}

fn key(spec: &'static OperationSpec) -> usize {
    std::ptr::from_ref(spec) as usize
}

impl ErrorMaps {
    /// Registers the mappings of the API mounted at `prefix` with `operations`.
    pub(crate) fn add_api(
        &mut self,
        prefix: &str,
        operations: impl IntoIterator<Item = &'static OperationSpec>,
        maps: &[ErrorMap],
    ) {
        if maps.is_empty() {
            return;
        }
        let maps: Arc<[ErrorMap]> = maps.into();
        for spec in operations {
            self.by_operation.insert(key(spec), maps.clone());
        }
        self.by_prefix.push((prefix.to_owned(), maps));
    }

    /// Reshapes `response`, klue's envelope for the error `details`, when the API of
    /// `operation` (or, without one, the API whose mount prefix `path` starts with) maps its
    /// status.
    pub(crate) fn apply(
        &self,
        response: &mut Response<Body>,
        details: &ErrorDetails,
        operation: Option<&'static OperationSpec>,
        path: Option<&str>,
    ) {
        if self.by_prefix.is_empty() {
            return;
        }
        let maps = match (operation, path) {
            (Some(spec), _) => self.by_operation.get(&key(spec)),
            (None, Some(path)) => self
                .by_prefix
                .iter()
                .find(|(prefix, _)| path.starts_with(prefix.as_str()))
                .map(|(_, maps)| maps),
            (None, None) => None,
        };
        let Some(maps) = maps else { return };
        let report = ErrorReport {
            status: response.status(),
            code: &details.code,
            description: &details.description,
            violations: &details.violations,
            operation_id: operation.map(|spec| spec.id),
            error_id: details.error_id,
        };
        let mapped = maps
            .iter()
            .filter(|map| map.from == report.status)
            .find_map(|map| Some((map.answer, (map.map)(&report)?)));
        if let Some((status, body)) = mapped {
            *response.body_mut() = Body::new(body);
            *response.status_mut() = status;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
    }
}

/// The statuses an API's mappings take over, as (klue's status, the status answered).
pub(crate) fn mapped_statuses(maps: &[ErrorMap]) -> Vec<(u16, u16)> {
    maps.iter()
        .map(|map| (map.from.as_u16(), map.answer.as_u16()))
        .collect()
}
