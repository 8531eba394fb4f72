//! Declared response headers: written by the server from a generated headers struct, read by
//! the client into one. Values are in `simple` style (arrays comma-separated).

use http::{HeaderName, HeaderValue, Response};
use serde::Serialize;
use serde_json::Value;

use super::{encode, ParamSpec, Style};
use crate::response::Body;
use crate::validate::Location;
use crate::ApiError;

fn spec(name: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        location: Location::Header,
        style: Style::Simple,
        explode: false,
        required: false,
    }
}

/// `response` with the members of `headers` (a generated struct whose fields are named after
/// the headers) as headers; `None` members are not sent. A value a header cannot carry is a
/// 500 envelope: the handler built it.
pub fn with_headers<T: Serialize>(mut response: Response<Body>, headers: &T) -> Response<Body> {
    let members = match serde_json::to_value(headers) {
        Ok(Value::Object(members)) => members,
        Ok(_) => return response,
        Err(err) => return ApiError::internal(err).into_response(),
    };
    for (name, value) in &members {
        let Some(flat) = encode::flatten(value) else {
            continue;
        };
        let spec = spec("");
        let text = match encode::header(&spec, &flat) {
            Ok(text) => text,
            Err(message) => {
                return ApiError::internal_msg(format!("response header '{name}': {message}"))
                    .into_response()
            }
        };
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&text),
        ) {
            (Ok(name), Ok(value)) => {
                response.headers_mut().append(name, value);
            }
            _ => {
                return ApiError::internal_msg(format!(
                    "response header '{name}' cannot carry '{text}'"
                ))
                .into_response()
            }
        }
    }
    response
}

#[cfg(feature = "client")]
pub use reading::decode_headers;

/// Reading declared headers into a struct: the client's side (the `client` feature).
#[cfg(feature = "client")]
mod reading {
    use http::HeaderMap;
    use serde::de::DeserializeOwned;
    use serde_json::{Map, Value};

    use super::super::decode::{read, Source};
    use super::super::resolve;
    use super::spec;
    use crate::client::{ClientError, ClientResponse};
    use crate::validate::{validate_value, Location, Schema, Violations};

    /// The declared headers of `response` (their object schema is `schema`) decoded into `T`;
    /// when `validate`, checked against `schema`. A missing required header or a malformed one is
    /// [`ClientError::InvalidResponse`].
    pub fn decode_headers<T: DeserializeOwned>(
        response: &ClientResponse,
        schema: &'static Schema,
        validate: bool,
    ) -> Result<T, ClientError> {
        let mut v = Violations::new(Location::Header);
        let value = read_headers(&response.headers, schema, &mut v);
        if validate {
            validate_value(&value, schema, &mut v);
        }
        let invalid = |violations: Vec<crate::validate::Violation>, message: String| {
            ClientError::InvalidResponse {
                status: response.status,
                message,
                violations,
            }
        };
        if !v.is_empty() {
            let violations = v.into_vec();
            let message = violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            return Err(invalid(violations, message));
        }
        serde_json::from_value(value)
            .map_err(|err| invalid(Vec::new(), format!("response headers: {err}")))
    }

    fn read_headers(headers: &HeaderMap, schema: &'static Schema, v: &mut Violations) -> Value {
        let mut object = Map::new();
        if let Schema::Object(rules) = resolve(schema) {
            let source = Source {
                path: None,
                query: None,
                headers,
            };
            for property in rules.properties {
                if let Some(value) = read(&spec(property.name), property.schema, &source, v) {
                    object.insert(property.name.to_owned(), value);
                }
            }
        }
        Value::Object(object)
    }
}
