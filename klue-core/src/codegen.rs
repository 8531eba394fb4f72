//! What generated code uses. Not a stable API: generated code names everything through this
//! module so that a service depends on `klue-core` alone.

pub use std::future::Future;
pub use std::sync::Arc;

pub use http::{Method, Response, StatusCode};
pub use serde;
pub use serde_json;

pub use crate::auth::Claims;
pub use crate::error::ApiError;
pub use crate::params::{FromParam, ToParam};
pub use crate::request::OperationRequest;
pub use crate::response::{empty_response, json_response, Body, IntoResponse};
pub use crate::router::{ApiInfo, ApiRouter, AuthMode, BodySpec, OperationSpec};
pub use crate::url::{add_cookie, set_header, UrlBuilder};
pub use crate::validate::{
    ArrayRules, IntegerFormat, Location, NumberRules, ObjectRules, Pattern, Property, Schema,
    StringRules, Validate, Violations,
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
