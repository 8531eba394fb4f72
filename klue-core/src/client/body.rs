//! Request and response bodies of generated clients other than JSON (see [`super::json`]):
//! text, undecoded bytes, forms.

use bytes::Bytes;
use http::header::CONTENT_TYPE;

use super::{ClientError, ClientResponse};
use crate::validate::{Location, Schema, Validate, Violation, Violations};
use crate::RawBody;

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
        .get(CONTENT_TYPE)
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
    Ok(Bytes::from(crate::extract::form::encode(&value)))
}
