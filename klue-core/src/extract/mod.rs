//! Request extraction: what generated code reads from a request.
//!
//! [`request`] (the [`OperationRequest`] an operation decodes) is the entry point; below it,
//! each module knows one part and none imports `request`: parameters ([`params`] and the
//! OpenAPI styles in [`style`]), `application/x-www-form-urlencoded` bodies ([`form`]),
//! multipart bodies ([`multipart`]), streamed bodies ([`body_stream`]), media-type matching
//! ([`media`]) and the JSON pointers of decoding errors ([`pointer`]).
//!
//! [`OperationRequest`]: request::OperationRequest

pub(crate) mod body_stream;
pub(crate) mod form;
pub(crate) mod media;
pub(crate) mod multipart;
pub(crate) mod params;
pub(crate) mod pointer;
pub(crate) mod request;
pub(crate) mod style;
