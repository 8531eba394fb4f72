//! A routed request as generated handlers see it, with typed access to its parameters and body.

use std::borrow::Cow;

use bytes::Bytes;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::auth::Claims;
use crate::extract::body_stream::BodyStream;
use crate::extract::params::FromParam;
use crate::extract::pointer::pointer_of;
use crate::extract::style::decode::{given_times, percent_decoded, Source};
use crate::extract::style::ParamSpec;
use crate::validate::{normalize_integers, validate_value, Location, Schema, Validate, Violations};
use crate::ApiError;

/// A request matched to an operation, authenticated when the operation requires it, with its
/// body read (within the size limit) when the operation takes one.
#[derive(Debug)]
pub struct OperationRequest {
    parts: Parts,
    /// Path parameters as matched: still percent-encoded (styles split before decoding).
    path_params: Vec<(String, String)>,
    /// The query's pairs, decoded; a value that is not UTF-8 once decoded is kept as the
    /// error naming it, answered when an operation reads that parameter.
    query: Vec<(String, Result<String, String>)>,
    body: Bytes,
    /// The body when the operation streams it: taken by the handler.
    stream: std::sync::Mutex<Option<BodyStream>>,
    claims: Option<Claims>,
}

impl OperationRequest {
    pub(crate) fn new(
        parts: Parts,
        path_params: Vec<(String, String)>,
        body: Bytes,
        claims: Option<Claims>,
    ) -> Self {
        let query = match parts.uri.query() {
            Some(query) if !query.is_empty() => query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    let key = percent_decoded(key, true).map_or_else(
                        |_| String::from_utf8_lossy(key.as_bytes()).into_owned(),
                        Cow::into_owned,
                    );
                    (key, percent_decoded(value, true).map(Cow::into_owned))
                })
                .collect(),
            _ => Vec::new(),
        };
        OperationRequest {
            parts,
            path_params,
            query,
            body,
            stream: std::sync::Mutex::new(None),
            claims,
        }
    }

    /// The same request with its body left unread, as `stream`.
    pub(crate) fn with_stream(self, stream: BodyStream) -> Self {
        *self.stream.lock().unwrap_or_else(|e| e.into_inner()) = Some(stream);
        self
    }

    fn content_type(&self) -> &str {
        self.parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    /// Which of an operation's media kinds the body was sent in: the index of the first group
    /// of media types matching its `Content-Type` (0 when it names none; the server already
    /// answered 415 to a type outside all of them).
    pub fn body_kind(&self, groups: &[&[&str]]) -> usize {
        let essence = self.content_type().split(';').next().unwrap_or("").trim();
        groups
            .iter()
            .position(|group| {
                group
                    .iter()
                    .any(|accepted| crate::extract::media::media_matches(accepted, essence))
            })
            .unwrap_or(0)
    }

    /// The body as a stream of chunks (octet-stream, images, `*/*`): the size limit and the
    /// deadline are enforced as the handler reads it.
    pub fn stream_body(&self, v: &mut Violations, required: bool) -> Option<BodyStream> {
        v.set_location(Location::Body);
        let stream = self.stream.lock().unwrap_or_else(|e| e.into_inner()).take();
        if stream.is_some() {
            return stream;
        }
        if self.body.is_empty() {
            if required {
                v.push("the request body is required");
            }
            return None;
        }
        Some(BodyStream::from_bytes(
            self.content_type(),
            self.body.clone(),
        ))
    }

    /// A `multipart/form-data` body decoded into `T` and checked against `schema`: text parts
    /// read by their property's schema, file parts as [`crate::FilePart`]s.
    pub async fn multipart_body<T: crate::extract::multipart::MultipartBody>(
        &self,
        v: &mut Violations,
        required: bool,
        schema: &'static Schema,
    ) -> Option<T> {
        v.set_location(Location::Body);
        if self.body.is_empty() {
            if required {
                v.push("the request body is required");
            }
            return None;
        }
        crate::extract::multipart::decode(self.content_type(), self.body.clone(), schema, v).await
    }

    /// Method, URI, headers and extensions of the request.
    pub fn parts(&self) -> &Parts {
        &self.parts
    }

    /// The request's extensions, where the server leaves what the handler may need.
    pub(crate) fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.parts.extensions
    }

    /// The raw body (empty when the operation takes none).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The verified claims, when the caller sent a valid token.
    pub fn claims(&self) -> Option<&Claims> {
        self.claims.as_ref()
    }

    /// Takes the verified claims; an operation that requires auth always has them.
    pub fn take_claims(&mut self) -> Result<Claims, ApiError> {
        self.claims
            .take()
            .ok_or_else(|| ApiError::internal_msg("operation requires auth but has no claims"))
    }

    /// Takes the claims if the caller sent a valid token (optional auth).
    pub fn take_optional_claims(&mut self) -> Option<Claims> {
        self.claims.take()
    }

    /// A path parameter, parsed and checked against `schema`.
    pub fn path_param<T: FromParam + Validate>(
        &self,
        v: &mut Violations,
        name: &'static str,
        schema: &'static Schema,
    ) -> Option<T> {
        v.set_location(Location::Path);
        let raw = self.path_params.iter().find(|(key, _)| key == name);
        let text = match raw.map(|(_, value)| percent_decoded(value, false)) {
            Some(Ok(text)) => Some(text),
            Some(Err(message)) => {
                v.push_at(name, message);
                return None;
            }
            None => None,
        };
        parse_one(v, name, text.as_deref(), true, schema)
    }

    /// A parameter with a style (OpenAPI `style`/`explode`, Swagger 2.0 `collectionFormat`):
    /// an array, an object or a styled scalar, read as `spec` says, checked against `schema`
    /// (violations point below the parameter's name: `/tags/1`) and decoded into `T`.
    pub fn styled_param<T: DeserializeOwned + Validate>(
        &self,
        v: &mut Violations,
        spec: &ParamSpec,
        schema: &'static Schema,
    ) -> Option<T> {
        v.set_location(spec.location);
        let source = Source {
            path: self
                .path_params
                .iter()
                .find(|(key, _)| key == spec.name)
                .map(|(_, value)| value.as_str()),
            query: self.parts.uri.query(),
            headers: &self.parts.headers,
        };
        let value = crate::extract::style::decode::read(spec, schema, &source, v)?;
        let before = v.len();
        v.field(spec.name, &value, schema);
        if v.len() > before {
            return None;
        }
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(typed) => Some(typed),
            Err(err) => {
                let mut pointer = format!("/{}", spec.name.replace('~', "~0").replace('/', "~1"));
                pointer.push_str(&pointer_of(err.path()));
                v.push_pointer(pointer, err.inner().to_string());
                None
            }
        }
    }

    /// A query parameter, parsed and checked against `schema`; given more than once, it is a
    /// violation (which value was meant is not known).
    pub fn query_param<T: FromParam + Validate>(
        &self,
        v: &mut Violations,
        name: &'static str,
        required: bool,
        schema: &'static Schema,
    ) -> Option<T> {
        v.set_location(Location::Query);
        let mut found = self.query.iter().filter(|(key, _)| key == name);
        let first = found.next();
        let more = found.count();
        if more > 0 {
            v.push_at(name, given_times(name, more + 1));
            return None;
        }
        let raw = match first.map(|(_, value)| value) {
            Some(Ok(text)) => Some(text.as_str()),
            Some(Err(message)) => {
                v.push_at(name, message);
                return None;
            }
            None => None,
        };
        parse_one(v, name, raw, required, schema)
    }

    /// An array query parameter in the default style (`form`, exploded: `?tag=a&tag=b`); a single
    /// comma-separated occurrence (`?tag=a,b`, non-exploded) is accepted too.
    pub fn query_array<T: FromParam + Validate + serde::Serialize>(
        &self,
        v: &mut Violations,
        name: &'static str,
        required: bool,
        schema: &'static Schema,
    ) -> Option<Vec<T>> {
        v.set_location(Location::Query);
        let raw = self
            .query
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_deref())
            .collect::<Result<Vec<&str>, _>>();
        let raw = match raw {
            Ok(raw) => raw,
            Err(message) => {
                v.push_at(name, message);
                return None;
            }
        };
        let items: Vec<&str> = match raw.as_slice() {
            [] => {
                if required {
                    v.push_at(
                        name,
                        format!("required query parameter '{name}' is missing"),
                    );
                }
                return None;
            }
            [_] => {
                let items = comma_separated_items(self.parts.uri.query(), name);
                let items: Vec<&str> = items.iter().map(String::as_str).collect();
                return parse_array(v, name, &items, schema);
            }
            many => many.to_vec(),
        };
        parse_array(v, name, &items, schema)
    }

    /// A header parameter, parsed and checked against `schema`.
    pub fn header_param<T: FromParam + Validate>(
        &self,
        v: &mut Violations,
        name: &'static str,
        required: bool,
        schema: &'static Schema,
    ) -> Option<T> {
        v.set_location(Location::Header);
        let mut lines = self.parts.headers.get_all(name).iter();
        let value = lines.next();
        let more = lines.count();
        if more > 0 {
            v.push_at(name, given_times(name, more + 1));
            return None;
        }
        let raw = match value.map(|value| value.to_str()) {
            Some(Ok(text)) => Some(text),
            Some(Err(_)) => {
                v.push_at(name, "header value is not visible ASCII");
                return None;
            }
            None => None,
        };
        parse_one(v, name, raw, required, schema)
    }

    /// A cookie parameter (from any `Cookie` header), parsed and checked against `schema`.
    pub fn cookie_param<T: FromParam + Validate>(
        &self,
        v: &mut Violations,
        name: &'static str,
        required: bool,
        schema: &'static Schema,
    ) -> Option<T> {
        v.set_location(Location::Cookie);
        let raw = self
            .parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.trim_matches('"'));
        parse_one(v, name, raw, required, schema)
    }

    /// The JSON body decoded into `T` and checked against `schema`.
    ///
    /// On the fast path serde decodes straight into `T`; when that fails the body is checked
    /// as untyped JSON so that every violation is reported, each with its pointer.
    pub fn json_body<T: DeserializeOwned + Validate>(
        &self,
        v: &mut Violations,
        required: bool,
        schema: &'static Schema,
    ) -> Option<T> {
        v.set_location(Location::Body);
        if self.body.is_empty() {
            if required {
                v.push("the request body is required");
            }
            return None;
        }
        match serde_json::from_slice::<T>(&self.body) {
            Ok(value) => {
                value.validate(schema, v);
                Some(value)
            }
            Err(_) => decode_checked::<T>(&self.body, schema, v),
        }
    }
    /// A `text/*` body (it must be UTF-8).
    pub fn text_body(&self, v: &mut Violations, required: bool) -> Option<String> {
        v.set_location(Location::Body);
        if self.body.is_empty() {
            if required {
                v.push("the request body is required");
            }
            return None;
        }
        match std::str::from_utf8(&self.body) {
            Ok(text) => Some(text.to_owned()),
            Err(_) => {
                v.push("the text body is not UTF-8");
                None
            }
        }
    }

    /// An undecoded body (octet-stream, multipart, ...) with its `Content-Type`.
    pub fn raw_body(&self, v: &mut Violations, required: bool) -> Option<crate::RawBody> {
        v.set_location(Location::Body);
        if self.body.is_empty() {
            if required {
                v.push("the request body is required");
            }
            return None;
        }
        let content_type = self
            .parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Some(crate::RawBody::new(content_type, self.body.clone()))
    }

    /// An `application/x-www-form-urlencoded` body decoded into `T` and checked against
    /// `schema`: each pair becomes a property (repeated names an array), its text read as the
    /// number, boolean or JSON the property's schema asks for.
    pub fn form_body<T: DeserializeOwned + Validate>(
        &self,
        v: &mut Violations,
        required: bool,
        schema: &'static Schema,
    ) -> Option<T> {
        v.set_location(Location::Body);
        if self.body.is_empty() {
            if required {
                v.push("the request body is required");
            }
            return None;
        }
        let mut value = crate::extract::form::decode(&self.body, schema);
        let before = v.len();
        validate_value(&value, schema, v);
        if v.len() > before {
            return None;
        }
        normalize_integers(&mut value, schema);
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(typed) => {
                typed.validate(schema, v);
                Some(typed)
            }
            Err(err) => {
                v.push_pointer(pointer_of(err.path()), err.inner().to_string());
                None
            }
        }
    }
}

fn parse_one<T: FromParam + Validate>(
    v: &mut Violations,
    name: &'static str,
    raw: Option<&str>,
    required: bool,
    schema: &'static Schema,
) -> Option<T> {
    let Some(raw) = raw else {
        if required {
            v.push_at(name, format!("required parameter '{name}' is missing"));
        }
        return None;
    };
    match T::from_param(raw) {
        Ok(value) => {
            v.field(name, &value, schema);
            Some(value)
        }
        Err(message) => {
            v.push_at(name, message);
            None
        }
    }
}

/// The items of the array query parameter `name` given once, split at the literal commas of
/// its raw value (`?tag=a,b`, non-exploded `form`) and then decoded: an encoded comma
/// (`?tag=a%2Cb`) is part of an item, as the client meant it.
fn comma_separated_items(query: Option<&str>, name: &str) -> Vec<String> {
    let form_decoded = |text: &str| -> String {
        let text = text.replace('+', " ");
        percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decoded(key) == name).then_some(value)
        })
        .map(|value| value.split(',').map(form_decoded).collect())
        .unwrap_or_default()
}

fn parse_array<T: FromParam + Validate + serde::Serialize>(
    v: &mut Violations,
    name: &'static str,
    items: &[&str],
    schema: &'static Schema,
) -> Option<Vec<T>> {
    let mut values = Vec::with_capacity(items.len());
    let mut failed = false;
    for (index, item) in items.iter().enumerate() {
        match T::from_param(item) {
            Ok(value) => values.push(value),
            Err(message) => {
                failed = true;
                v.push_at(name, format_args!("item {index}: {message}"));
            }
        }
    }
    if failed {
        return None;
    }
    v.field(name, &values, schema);
    Some(values)
}

/// The slow path of a JSON body serde could not decode into `T` directly: malformed JSON, or
/// every schema violation, or (when the schema admits the value) the value decoded from its
/// JSON tree, where integers spelled as decimals (`19802.0`) become integers first; failing
/// that, serde's error at its pointer.
fn decode_checked<T: DeserializeOwned>(
    body: &[u8],
    schema: &'static Schema,
    v: &mut Violations,
) -> Option<T> {
    let mut value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(err) => {
            v.push(format_args!("malformed JSON: {err}"));
            return None;
        }
    };
    let before = v.len();
    validate_value(&value, schema, v);
    if v.len() > before {
        return None;
    }
    normalize_integers(&mut value, schema);
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(typed) => Some(typed),
        Err(err) => {
            v.push_pointer(pointer_of(err.path()), err.inner());
            None
        }
    }
}
