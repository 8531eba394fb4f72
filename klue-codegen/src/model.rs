//! The format-independent model of an API that every spec format is read into and that the
//! emitters turn into Rust.

/// One API: the content of one spec file.
#[derive(Debug, Clone)]
pub struct Api {
    /// The spec's file stem; names the trait (`HelloworldApi`) and `/version`'s `name`.
    pub name: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Named schemas (`components/schemas`), by name, in spec order.
    pub schemas: Vec<(String, Schema)>,
    /// Operations, in spec order.
    pub operations: Vec<Operation>,
    /// The spec as compact JSON, embedded into the generated code.
    pub spec_json: String,
    /// What the reader worked around (a skipped pattern, an unknown security scheme, ...):
    /// generation goes on, and `build.rs` prints these as cargo warnings.
    pub warnings: Vec<crate::diagnostics::Diagnostic>,
}

/// A schema node.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// What kind of value and its constraints.
    pub kind: SchemaKind,
    /// `description`.
    pub description: Option<String>,
    /// Where the node is in the spec (JSON pointer), for messages.
    pub pointer: String,
    /// `nullable: true` (3.0) or a `null` type (3.1): `null` is a value distinct from absence.
    pub nullable: bool,
}

impl Schema {
    /// A schema admitting any JSON value, defined at `pointer`.
    pub fn any(pointer: impl Into<String>) -> Self {
        Schema {
            kind: SchemaKind::Any,
            description: None,
            pointer: pointer.into(),
            nullable: false,
        }
    }
}

/// Integer width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntFormat {
    /// `int32` -> `i32`.
    Int32,
    /// `int64` or none -> `i64`.
    Int64,
}

/// Float width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatFormat {
    /// `float` -> `f32`.
    Float,
    /// `double` or none -> `f64`.
    Double,
}

/// Numeric constraints, normalised (3.0's boolean exclusive bounds become bounds).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumberRules {
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// Exclusive lower bound.
    pub exclusive_minimum: Option<f64>,
    /// Exclusive upper bound.
    pub exclusive_maximum: Option<f64>,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
}

/// String constraints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StringRules {
    /// `minLength`.
    pub min_length: Option<usize>,
    /// `maxLength`.
    pub max_length: Option<usize>,
    /// `pattern`.
    pub pattern: Option<String>,
    /// `format`, kept for documentation.
    pub format: Option<String>,
}

/// A property of an object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The JSON name.
    pub name: String,
    /// Whether it is in `required`.
    pub required: bool,
    /// Its schema.
    pub schema: Schema,
}

/// The kinds of schema klue generates types for.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaKind {
    /// Any JSON value (`{}` or an untyped schema).
    Any,
    /// `boolean`.
    Boolean,
    /// `integer`.
    Integer(IntFormat, NumberRules),
    /// `number`.
    Number(FloatFormat, NumberRules),
    /// `string` without `enum`.
    String(StringRules),
    /// `string` with `enum`: a Rust enum.
    StringEnum(Vec<String>),
    /// `array`.
    Array {
        /// Item schema.
        items: Box<Schema>,
        /// `minItems`.
        min_items: Option<usize>,
        /// `maxItems`.
        max_items: Option<usize>,
        /// `uniqueItems`.
        unique_items: bool,
    },
    /// `object` with declared properties: a Rust struct.
    Object {
        /// Properties in spec order.
        properties: Vec<Property>,
    },
    /// `oneOf` / `anyOf`: an untagged Rust enum, one variant per alternative, the first that
    /// fits wins.
    Union(Vec<Schema>),
    /// `object` without properties whose values follow a schema: a map.
    Map(Box<Schema>),
    /// A reference to a named schema.
    Ref(String),
}

/// Where a parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A header.
    Header,
    /// A cookie (`Cookie: name=value; ...`).
    Cookie,
}

/// A parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The name on the wire.
    pub name: String,
    /// Where it is read from.
    pub location: ParamLocation,
    /// Whether it must be present.
    pub required: bool,
    /// Its schema.
    pub schema: Schema,
    /// `description`.
    pub description: Option<String>,
    /// A credential of a security scheme (API key, basic auth): missing is a 401.
    pub credential: bool,
}

/// How a body is encoded on the wire, chosen from the media types an operation offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// JSON (`application/json`, `+json`): decoded into the schema's type.
    Json,
    /// `application/x-www-form-urlencoded`: decoded into the schema's type.
    Form,
    /// `multipart/form-data` with an object schema: decoded into a struct whose binary
    /// properties are file parts (request bodies only).
    Multipart,
    /// `text/*`: a UTF-8 `String`.
    Text,
    /// Anything else (octet-stream, images, `*/*`): raw bytes and their type; a request body
    /// of this kind is streamed to the handler.
    Bytes,
}

/// The request body of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// Accepted media types.
    pub content_types: Vec<String>,
    /// How it is decoded.
    pub media: Media,
    /// Whether it must be sent.
    pub required: bool,
    /// The schema of the JSON body.
    pub schema: Schema,
    /// Further media kinds the operation accepts besides `media` (JSON and a form, JSON and
    /// octet-stream, ...): the server dispatches on `Content-Type`.
    pub alternatives: Vec<BodyAlternative>,
}

/// One more media kind a request body may be sent in.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyAlternative {
    /// The media types of this kind.
    pub content_types: Vec<String>,
    /// How it is decoded.
    pub media: Media,
    /// Its schema (JSON, form and multipart kinds).
    pub schema: Schema,
}

/// The status a response is declared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResponseStatus {
    /// An exact status code.
    Code(u16),
    /// `default`: any other status.
    Default,
}

/// A declared response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Its status.
    pub status: ResponseStatus,
    /// `description`.
    pub description: Option<String>,
    /// The schema of its body; `None` when it has no body.
    pub body: Option<Schema>,
    /// How the body is encoded, and its media type.
    pub media: Media,
    /// The media type sent (`application/json` for JSON).
    pub content_type: String,
    /// Declared response headers: name and whether required (set by the handler as strings).
    pub headers: Vec<(String, bool)>,
}

/// Security requirement of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Public.
    None,
    /// A bearer JWT is required.
    Required,
    /// A bearer JWT is verified when sent.
    Optional,
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId` (or what stands for it); names the trait method.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Parameters, path ones first.
    pub parameters: Vec<Parameter>,
    /// Request body.
    pub body: Option<RequestBody>,
    /// Declared responses, in status order.
    pub responses: Vec<Response>,
    /// Security: bearer JWT.
    pub auth: Auth,
    /// API keys and other credentials the operation takes (also listed in `parameters`):
    /// when several alternatives are allowed, the server requires at least one of them.
    pub credentials: Vec<String>,
    /// Where the operation is in the spec (JSON pointer).
    pub pointer: String,
}
