//! The runtime side of generated code's glue: what every generated operation would otherwise
//! spell out itself (binding a handler to the shared service, a status code outside the
//! standard table, a required value the decoder produced). Kept here so that the generated
//! file reads like a hand-written service and a GitHub-sized spec compiles less code.

use std::future::Future;
use std::sync::Arc;

use http::{Response, StatusCode};

use crate::error::ApiError;
use crate::extract::request::OperationRequest;
use crate::registry::{ApiRouter, OperationSpec};
use crate::response::Body;
use crate::validate::{Schema, Validate, Violations};

impl ApiRouter {
    /// Binds `handler` to the operation `spec`, called with a clone of the shared `service`
    /// per request: generated `router()` functions are one `bind` per operation.
    pub fn bind<S, F, Fut>(&mut self, spec: &'static OperationSpec, service: &Arc<S>, handler: F)
    where
        S: Send + Sync + 'static,
        F: Fn(Arc<S>, OperationRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Body>, ApiError>> + Send + 'static,
    {
        let service = Arc::clone(service);
        self.operation(spec, move |request| handler(Arc::clone(&service), request));
    }
}

impl Violations {
    /// Checks a struct's fields, in the order of the properties of its object `schema`: the
    /// generated `Validate` impl lists its fields once and the names and rules come from the
    /// schema static, so a struct is described in one place.
    pub fn fields(&mut self, schema: &'static Schema, values: &[&dyn Validate]) {
        let Schema::Object(rules) = schema else {
            debug_assert!(false, "fields() of a schema that is not an object");
            return;
        };
        debug_assert_eq!(rules.properties.len(), values.len());
        for (property, value) in rules.properties.iter().zip(values) {
            self.field(property.name, *value, property.schema);
        }
    }
}

/// The status `code` a spec declares where `http` has no named constant for it (generated
/// code names the standard ones); a code `http` refuses cannot reach here, the reader checks
/// 100-599, so the fallback is never taken.
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A required value the decoder produced: `None` only if decoding reported a violation, and
/// the generated handler returns those before calling this, so a `None` here is klue's bug.
pub fn required<T>(value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::internal_msg("a required value was not decoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_without_a_constant_keeps_its_value() {
        assert_eq!(status(299).as_u16(), 299);
        assert_eq!(status(200), StatusCode::OK);
    }

    #[test]
    fn a_missing_required_value_is_an_internal_error() {
        assert_eq!(required(Some(3)).unwrap(), 3);
        let err = required::<u8>(None).unwrap_err();
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
