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
    /// `uint64`, or no format with `minimum >= 0` and a `maximum` above `i64`'s -> `u64`.
    Uint64,
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
    /// `default`: the value an absent property stands for.
    pub default: Option<serde_json::Value>,
    /// `readOnly`: sent by the server only, so not required (a required one is read as optional,
    /// since one Rust type serves requests and responses).
    pub read_only: bool,
    /// `writeOnly`: sent by clients only, so not required either (same reason).
    pub write_only: bool,
}

/// What an object with declared properties says of the other ones.
#[derive(Debug, Clone, PartialEq)]
pub enum Additional {
    /// Nothing: undeclared properties are accepted and dropped.
    Unspecified,
    /// `additionalProperties: true` or `{}`: kept, as JSON values.
    Any,
    /// `additionalProperties: {schema}`: kept and validated.
    Schema(Box<Schema>),
    /// `additionalProperties: false`: an undeclared property is an error.
    Forbidden,
}

/// A `discriminator`: the property whose value names the alternative of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct Discriminator {
    /// `propertyName`.
    pub property: String,
    /// Each value of the property, with the index of the alternative it selects (from
    /// `mapping`, and the schema names of the alternatives that `mapping` does not name).
    pub tags: Vec<(String, usize)>,
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
        /// `additionalProperties`.
        additional: Additional,
    },
    /// `oneOf` / `anyOf`: a Rust enum, one variant per alternative.
    Union {
        /// The alternatives.
        alternatives: Vec<Schema>,
        /// `oneOf` (exactly one must match) rather than `anyOf` (the first that fits wins).
        one_of: bool,
        /// The discriminator, when the alternatives are chosen by a property.
        discriminator: Option<Discriminator>,
    },
    /// `object` without properties whose values follow a schema: a map.
    Map {
        /// The values' schema.
        values: Box<Schema>,
        /// `minProperties`.
        min_properties: Option<usize>,
        /// `maxProperties`.
        max_properties: Option<usize>,
    },
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

/// How a parameter is serialized (OpenAPI `style`; Swagger 2.0 `collectionFormat` maps onto it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// `form` (query, cookie default).
    Form,
    /// `simple` (path, header default).
    Simple,
    /// `label` (path).
    Label,
    /// `matrix` (path).
    Matrix,
    /// `spaceDelimited` (query; 2.0 `ssv`).
    SpaceDelimited,
    /// `pipeDelimited` (query; 2.0 `pipes`).
    PipeDelimited,
    /// Tab-separated (query; 2.0 `tsv`).
    TabDelimited,
    /// `deepObject` (query, objects).
    DeepObject,
}

impl ParamStyle {
    /// The style a parameter at `location` has when the spec names none.
    pub fn default_for(location: ParamLocation) -> Self {
        match location {
            ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
            ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
        }
    }
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
    /// The `Authorization` header of an `http` scheme klue decodes for the handler.
    pub http_auth: Option<HttpAuth>,
    /// `style`.
    pub style: ParamStyle,
    /// `explode` (default: true for `form`, false otherwise).
    pub explode: bool,
    /// Read and written by the shared style runtime (`klue::ParamSpec`): arrays (but exploded
    /// `form` query ones), objects, and scalars in a style other than their location's
    /// default. Plain scalars use the faster scalar functions.
    pub styled: bool,
    /// The schema's `default`: the value an absent optional parameter stands for.
    pub default: Option<serde_json::Value>,
}

impl Parameter {
    /// A parameter in the default style of its location.
    pub fn plain(name: String, location: ParamLocation, required: bool, schema: Schema) -> Self {
        let style = ParamStyle::default_for(location);
        Parameter {
            name,
            location,
            required,
            schema,
            description: None,
            credential: false,
            http_auth: None,
            style,
            explode: style == ParamStyle::Form,
            styled: false,
            default: None,
        }
    }
}

/// An `http` security scheme whose `Authorization` header the handler receives decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpAuth {
    /// `basic`: `klue::BasicCredentials`, a malformed header refused with 401.
    Basic {
        /// The security scheme's name (the `WWW-Authenticate` realm).
        scheme: String,
    },
    /// `bearer` not verified as klue's JWT (a non-JWT `bearerFormat`, or named opaque in the
    /// generator's options): `klue::BearerToken`, checked by the verifier the service
    /// registers for the scheme, if any.
    OpaqueBearer {
        /// The security scheme's name (what a verifier is registered for).
        scheme: String,
    },
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
    /// Declared response headers (`Content-Type` aside), as the properties of an object: a
    /// handler sets them through a generated struct, the client reads them into it.
    pub headers: Vec<Property>,
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
