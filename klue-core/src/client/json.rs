//! JSON bodies of calls: encoding requests, decoding answers and error envelopes, each checked
//! against the spec with the same rules the server applies.

use bytes::Bytes;
use http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::ClientError;
use super::ClientResponse;
use crate::error::ErrorEnvelope;
use crate::validate::{validate_value, Location, Schema, Validate, Violation, Violations};

/// Encodes a request body as JSON; when `validate`, first checks it against `schema` so that a
/// request the server would refuse with a 400 is refused here, before anything is sent.
pub fn encode_json<T: Serialize + Validate>(
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
    match serde_json::to_vec(body) {
        Ok(bytes) => Ok(Bytes::from(bytes)),
        // Generated types always serialize; a hand-written `Serialize` might not.
        Err(err) => Err(ClientError::InvalidRequest(vec![Violation {
            location: Location::Body,
            pointer: String::new(),
            message: format!("cannot be encoded as JSON: {err}"),
        }])),
    }
}

/// Decodes the JSON body of `response` into `T`; when `validate`, checks it against `schema`.
///
/// Any failure is [`ClientError::InvalidResponse`]: a body that is not JSON or does not fit `T`
/// (with serde's message, at its JSON pointer, and every schema violation when `validate`), or
/// a value that breaks the schema's constraints.
pub fn decode_json<T: DeserializeOwned + Validate>(
    response: &ClientResponse,
    schema: &'static Schema,
    validate: bool,
) -> Result<T, ClientError> {
    let status = response.status;
    let value: T = match serde_json::from_slice(&response.body) {
        Ok(value) => value,
        Err(_) => return Err(decode_error::<T>(status, &response.body, schema, validate)),
    };
    if validate {
        let mut violations = Violations::new(Location::Body);
        value.validate(schema, &mut violations);
        if !violations.is_empty() {
            let violations = violations.into_vec();
            return Err(ClientError::InvalidResponse {
                status,
                message: summary(&violations),
                violations,
            });
        }
    }
    Ok(value)
}

/// Explains why `body` does not decode into `T`. Off the fast path: decoding is redone to find
/// serde's error with its path, and the value is checked against the schema to report every
/// violation rather than serde's first.
fn decode_error<T: DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
    schema: &'static Schema,
    validate: bool,
) -> ClientError {
    let message = if body.is_empty() {
        "the body is empty".to_owned()
    } else {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(err) if err.path().iter().next().is_some() => {
                format!("at {}: {}", err.path(), err.inner())
            }
            Err(err) => err.inner().to_string(),
            // Unreachable in practice: the first decode failed on the same input.
            Ok(_) => "the body does not decode".to_owned(),
        }
    };
    let mut violations = Violations::new(Location::Body);
    if validate {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            validate_value(&value, schema, &mut violations);
        }
    }
    ClientError::InvalidResponse {
        status,
        message,
        violations: violations.into_vec(),
    }
}

fn summary(violations: &[Violation]) -> String {
    match violations {
        [one] => one.to_string(),
        many => {
            let list: Vec<String> = many.iter().map(Violation::to_string).collect();
            format!("{} violations: {}", many.len(), list.join("; "))
        }
    }
}

/// The envelope as other implementations may send it: only `error` is required, so that an
/// envelope from a service that omits a field is still reported as [`ClientError::Api`].
#[derive(Deserialize)]
struct LenientEnvelope {
    #[serde(default)]
    status: Option<u16>,
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_id: Option<String>,
    #[serde(default)]
    user_message: Option<String>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
    #[serde(default)]
    errors_total: Option<usize>,
}

/// The error a non-2xx answer the spec does not declare stands for: [`ClientError::Api`] when
/// the body is an error envelope (a JSON object with an `error` string), else
/// [`ClientError::UnexpectedStatus`] with the body as text.
pub fn error_from_response(response: ClientResponse) -> ClientError {
    let status = response.status;
    match serde_json::from_slice::<LenientEnvelope>(&response.body) {
        Ok(envelope) => ClientError::Api {
            status,
            envelope: Box::new(ErrorEnvelope {
                status: envelope.status.unwrap_or(status.as_u16()),
                error: envelope.error,
                error_description: envelope.error_description.unwrap_or_default(),
                error_id: envelope.error_id,
                user_message: envelope.user_message,
                // Violations in another shape than klue's are dropped rather than turning the
                // whole envelope into an UnexpectedStatus.
                errors: envelope
                    .errors
                    .and_then(|errors| serde_json::from_value(errors).ok())
                    .unwrap_or_default(),
                errors_total: envelope.errors_total,
            }),
        },
        Err(_) => ClientError::UnexpectedStatus {
            status,
            body: String::from_utf8_lossy(&response.body).into_owned(),
        },
    }
}
