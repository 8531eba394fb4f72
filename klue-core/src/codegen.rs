//! What generated code uses. Not a stable API: generated code names everything through this
//! module so that a service depends on `klue-core` alone.

pub use std::future::Future;
pub use std::sync::Arc;

pub use http::{Method, Response, StatusCode};
pub use serde;
pub use serde_json;

pub use crate::auth::{BasicCredentials, BearerToken, Claims};
pub use crate::body_stream::BodyStream;
pub use crate::error::ApiError;
pub use crate::formats::{Date, DateTime, Uuid};
pub use crate::generated_glue::{required, status};
pub use crate::multipart::{
    encode_multipart, multipart_schema, FileField, FilePart, FileParts, MultipartBody,
};
pub use crate::params::{FromParam, ToParam};
pub use crate::request::OperationRequest;
pub use crate::response::{empty_response, json_response, Body, IntoResponse};
pub use crate::router::{ApiInfo, ApiRouter, AuthMode, BodySpec, OperationSpec};
pub use crate::serde_object::{deserialize_non_null, ObjectOnly};
pub use crate::style::headers::{decode_headers, with_headers};
pub use crate::style::{ParamSpec, Style};
pub use crate::url::{add_cookie, add_styled_cookie, set_header, set_styled_header, UrlBuilder};
pub use crate::validate::{
    any_of, decode, one_of, tagged, ArrayRules, Format, IntegerFormat, Location, NumberRules,
    ObjectRules, Pattern, Property, Schema, StringRules, Tag, TaggedRules, Validate, Violations,
};

// Generated clients.
pub use crate::client::{
    decode_json, encode_json, error_from_response, ClientConfig, ClientError, ClientRequest,
    ClientResponse, HttpClient,
};

/// Deserializes a required, nullable field: it must be present, and may be `null` (`None`).
/// (A plain `Option` field would also accept its absence.)
pub fn deserialize_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer)
}

/// Deserializes an optional, nullable field so that absent (`None`, through `#[serde(default)]`),
/// `null` (`Some(None)`) and a value (`Some(Some(v))`) stay distinct.
pub fn deserialize_present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

pub use bytes::Bytes;

use crate::validate::Violation;

/// A body klue passes through undecoded (octet-stream, multipart, images, ...): its media type
/// and its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawBody {
    /// The `Content-Type` it was sent with (empty: the first type the spec declares).
    pub content_type: String,
    /// The bytes.
    pub bytes: Bytes,
}

impl RawBody {
    /// A body of `content_type` holding `bytes`.
    pub fn new(content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        RawBody {
            content_type: content_type.into(),
            bytes: bytes.into(),
        }
    }
}

/// A `text/*` response.
pub fn text_response(
    status: StatusCode,
    content_type: &'static str,
    body: String,
) -> Response<Body> {
    media_response(status, content_type, Bytes::from(body))
}

/// A response with undecoded bytes; `default_type` when the body names no type.
pub fn raw_response(
    status: StatusCode,
    default_type: &'static str,
    body: RawBody,
) -> Response<Body> {
    let content_type = if body.content_type.is_empty() {
        default_type
    } else {
        &body.content_type
    };
    media_response(status, content_type, body.bytes)
}

fn media_response(status: StatusCode, content_type: &str, bytes: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::new(bytes));
    *response.status_mut() = status;
    if let Ok(value) = http::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, value);
    }
    response
}

/// Sets the request's `Content-Type`: `sent` (what a raw body names), else `default` (the
/// spec's type for the body's kind).
pub fn set_body_type(
    headers: &mut http::HeaderMap,
    sent: &str,
    default: &'static str,
) -> Result<(), ClientError> {
    let content_type = if sent.is_empty() { default } else { sent };
    crate::url::set_header(headers, "content-type", content_type)
        .map_err(|violation| ClientError::InvalidRequest(vec![violation]))
}

/// The 401 of an operation whose security scheme's credential (API key, basic credentials)
/// was not sent.
pub fn credential_missing(names: &[&str]) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        crate::error::codes::CREDENTIAL_MISSING,
        format!(
            "the operation requires a credential: send {}",
            names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    )
}

/// The 501 `NOT_IMPLEMENTED` a trait method generated with default stubs answers until the
/// service implements `operation`.
pub fn not_implemented(operation: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "NOT_IMPLEMENTED",
        format!("operation '{operation}' is not implemented yet"),
    )
}

/// The `text/*` body of a 2xx answer (it must be UTF-8).
pub fn decode_text(response: &ClientResponse) -> Result<String, ClientError> {
    String::from_utf8(response.body.to_vec()).map_err(|_| ClientError::InvalidResponse {
        status: response.status,
        message: "the text body is not UTF-8".to_owned(),
        violations: Vec::new(),
    })
}

/// The undecoded body of a 2xx answer, with its `Content-Type`.
pub fn decode_raw(response: &ClientResponse) -> RawBody {
    let content_type = response
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    RawBody::new(content_type, response.body.clone())
}

/// Encodes `body` (a struct) as `application/x-www-form-urlencoded`: one pair per field, an
/// array as repeated pairs, a nested object as JSON text; when `validate`, checks it first.
pub fn encode_form<T: serde::Serialize + Validate>(
    body: &T,
    schema: &'static Schema,
    validate: bool,
) -> Result<Bytes, ClientError> {
    if validate {
        let mut violations = Violations::new(Location::Body);
        body.validate(schema, &mut violations);
        if !violations.is_empty() {
            return Err(ClientError::InvalidRequest(violations.into_vec()));
        }
    }
    let value = serde_json::to_value(body).map_err(|err| {
        ClientError::InvalidRequest(vec![Violation {
            location: Location::Body,
            pointer: String::new(),
            message: format!("cannot be encoded as a form: {err}"),
        }])
    })?;
    Ok(Bytes::from(crate::params::form::encode(&value)))
}

/// Schema nodes of unconstrained values, shared so that generated code needs no static of its
/// own for the many plain fields of large APIs.
pub mod plain {
    use crate::validate::{Format, IntegerFormat, NumberRules, Schema, StringRules};

    const NO_BOUNDS: NumberRules = NumberRules {
        minimum: None,
        maximum: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        multiple_of: None,
    };

    /// Any JSON value.
    pub static ANY: Schema = Schema::Any;
    /// A boolean.
    pub static BOOLEAN: Schema = Schema::Boolean;
    /// A string without rules.
    pub static STRING: Schema = Schema::String(StringRules {
        min_length: None,
        max_length: None,
        pattern: None,
        enum_values: &[],
        format: None,
    });
    /// No value (`additionalProperties: false`).
    pub static NEVER: Schema = Schema::Never;

    const fn formatted(format: Format) -> Schema {
        Schema::String(StringRules {
            min_length: None,
            max_length: None,
            pattern: None,
            enum_values: &[],
            format: Some(format),
        })
    }

    /// A `uuid` string.
    pub static UUID: Schema = formatted(Format::Uuid);
    /// A `date-time` string.
    pub static DATE_TIME: Schema = formatted(Format::DateTime);
    /// A `date` string.
    pub static DATE: Schema = formatted(Format::Date);
    /// A `time` string.
    pub static TIME: Schema = formatted(Format::Time);
    /// An `email` string.
    pub static EMAIL: Schema = formatted(Format::Email);
    /// A `uri` string.
    pub static URI: Schema = formatted(Format::Uri);
    /// A `byte` (base64) string.
    pub static BYTE: Schema = formatted(Format::Byte);
    /// An `int32` without bounds.
    pub static INT32: Schema = Schema::Integer(IntegerFormat::Int32, NO_BOUNDS);
    /// An `int64` without bounds.
    pub static INT64: Schema = Schema::Integer(IntegerFormat::Int64, NO_BOUNDS);
    /// A number without bounds.
    pub static NUMBER: Schema = Schema::Number(NO_BOUNDS);
}
