#![doc = include_str!("../README.md")]
//!
//! ## The rules
//!
//! - Templates with the same shape (the same literal text, parameters in the same places,
//!   whatever their names) are one route: `/orgs/{org}/attestations/{subject_digest}` and
//!   `/orgs/{org}/attestations/{attestation_id}` share it, and each operation reads its
//!   parameters by its own names (values are taken by position). The same method twice on
//!   one shape is a true conflict ([`Finding::Conflict`]).
//! - A segment may mix literal text and parameters (`{base}...{head}`, `{name}.json`,
//!   `v{version}`); [`Pattern::split`] states how its raw text is split. Two parameters with no
//!   literal text between them (`{a}{b}`) cannot be split ([`Finding::Unroutable`]).
//! - Among templates that match the same path, a literal segment beats a parameter segment
//!   (left to right), and among parameter segments the one with more literal text wins
//!   ([`Template::precedence`]): `/a/{x}.json` before `/a/{y}`. A path that the chosen
//!   template's method does not have is a 405, not a fall-through to a less specific one.
//! - What follows `#` or `?` in a template is a [`Selector`]: the header or query values
//!   that choose among several operations of one method on one path (AWS'
//!   `/#X-Amz-Target=...`, openSUSE's `/request/{id}?cmd=diff`); the path before it is routed.
//! - A path and method the spec declares itself that one of klue's built-ins also serves is
//!   the spec's ([`Finding::ShadowsBuiltin`]); the built-in is not served there.

mod builtins;
mod check;
mod selector;
mod template;

pub use builtins::{Builtin, BUILTINS};
pub use check::{check, Finding, Route};
pub use selector::{Item, Selector};
pub use template::{Pattern, Template, TemplateError};

#[cfg(test)]
mod tests;
