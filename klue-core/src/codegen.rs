//! What generated code uses. Not a stable API: generated code names everything through this
//! module so that a service depends on `klue-core` alone.
//!
//! Only re-exports: what is defined for generated code lives in the module of its concern
//! (user-facing types at the crate root too), so that the crate's own code and tests never
//! import from here.

pub use std::future::Future;
pub use std::sync::Arc;

pub use bytes::Bytes;
pub use http::{Method, Response, StatusCode};
pub use serde;
pub use serde_json;

pub use crate::auth::{BasicCredentials, BearerToken, Claims};
pub use crate::error::{credential_missing, not_implemented, ApiError};
pub use crate::extract::body_stream::BodyStream;
#[cfg(feature = "client")]
pub use crate::extract::multipart::encode_multipart;
pub use crate::extract::multipart::{
    multipart_schema, FileField, FilePart, FileParts, MultipartBody,
};
pub use crate::extract::params::{FromParam, ToParam};
pub use crate::extract::request::OperationRequest;
#[cfg(feature = "client")]
pub use crate::extract::style::headers::decode_headers;
pub use crate::extract::style::headers::with_headers;
pub use crate::extract::style::{ParamSpec, Style};
pub use crate::formats::{Date, DateTime, Uuid};
pub use crate::generated_glue::{required, status};
pub use crate::raw_body::RawBody;
pub use crate::registry::{ApiInfo, ApiRouter, AuthMode, BodySpec, OperationSpec};
pub use crate::response::{
    empty_response, json_response, raw_response, text_response, Body, IntoResponse,
};
pub use crate::serde_object::{
    deserialize_non_null, deserialize_nullable, deserialize_present, ObjectOnly,
};
pub use crate::url::{add_cookie, add_styled_cookie, set_header, set_styled_header, UrlBuilder};
pub use crate::validate::plain;
pub use crate::validate::{
    any_of, decode, one_of, tagged, ArrayRules, Format, IntegerFormat, Location, NumberRules,
    ObjectRules, Pattern, Property, Schema, StringRules, Tag, TaggedRules, Validate, Violations,
};

// Generated clients: absent without the `client` feature (such a service's code is generated
// with `Builder::build_client(false)`).
#[cfg(feature = "client")]
pub use crate::client::{
    decode_json, decode_raw, decode_text, encode_form, encode_json, error_from_response,
    set_body_type, ClientConfig, ClientError, ClientRequest, ClientResponse, HttpClient,
};
