//! The keywords of every OpenAPI object, per version (Swagger 2.0, OpenAPI 3.0, 3.1), and what
//! each keyword's value is: where the walk goes next, or the set of values it must be one of.
//!
//! A table is the keywords an object has in all three versions it exists in (`base`), plus
//! those of one version only (`extra`), so that the versions' differences are written once.

use super::Version;

/// The OpenAPI object types the walk knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Root,
    Info,
    Contact,
    License,
    Server,
    ServerVariable,
    Components,
    /// `paths`, `webhooks` entries and callbacks: path (or expression) -> path item.
    Paths,
    PathItem,
    Operation,
    ExternalDocs,
    Parameter,
    RequestBody,
    MediaType,
    Encoding,
    /// Status code -> response.
    Responses,
    Response,
    Example,
    Link,
    Header,
    Tag,
    Schema,
    Discriminator,
    Xml,
    SecurityScheme,
    OAuthFlows,
    OAuthFlow,
    /// Swagger 2.0's `items` of a non-body parameter or a header.
    Items,
}

impl Kind {
    /// How messages name an object of this kind.
    pub(super) fn noun(self) -> &'static str {
        match self {
            Kind::Root => "the document root",
            Kind::Info => "`info`",
            Kind::Contact => "`contact`",
            Kind::License => "`license`",
            Kind::Server => "a server",
            Kind::ServerVariable => "a server variable",
            Kind::Components => "`components`",
            Kind::Paths => "`paths`",
            Kind::PathItem => "a path item",
            Kind::Operation => "an operation",
            Kind::ExternalDocs => "`externalDocs`",
            Kind::Parameter => "a parameter",
            Kind::RequestBody => "a request body",
            Kind::MediaType => "a media type",
            Kind::Encoding => "an encoding",
            Kind::Responses => "`responses`",
            Kind::Response => "a response",
            Kind::Example => "an example",
            Kind::Link => "a link",
            Kind::Header => "a header",
            Kind::Tag => "a tag",
            Kind::Schema => "a schema",
            Kind::Discriminator => "a discriminator",
            Kind::Xml => "`xml`",
            Kind::SecurityScheme => "a security scheme",
            Kind::OAuthFlows => "`flows`",
            Kind::OAuthFlow => "an OAuth flow",
            Kind::Items => "`items`",
        }
    }
}

/// What a keyword's value is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Value {
    /// Anything: not walked (a description, an example, a security requirement...).
    Free,
    /// An object of this kind.
    Node(Kind),
    /// A map of names (chosen by the user) to objects of this kind.
    MapOf(Kind),
    /// A list of objects of this kind.
    ListOf(Kind),
    /// An object of this kind or a list of them (`items` in Swagger 2.0 and 3.1 schemas).
    NodeOrList(Kind),
    /// A string (or a list of strings) among these.
    OneOf(&'static [&'static str]),
}

/// A keyword and its value.
pub(super) type Field = (&'static str, Value);

/// The keywords of one object kind in one version.
pub(super) struct Fields {
    pub(super) base: &'static [Field],
    pub(super) extra: &'static [Field],
}

impl Fields {
    pub(super) fn get(&self, key: &str) -> Option<Value> {
        let all = self.base.iter().chain(self.extra);
        all.into_iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    pub(super) fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.base.iter().chain(self.extra).map(|(k, _)| *k)
    }
}

use Kind as K;
use Value::{Free, ListOf, MapOf, Node, NodeOrList, OneOf};

/// JSON Schema's `null` is a type of 3.1 only, but 3.0 specs write it too (as klue reads it: any
/// value); `file` is Swagger 2.0's upload type, also seen in 3.0 specs converted from it.
const TYPES_LENIENT: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null", "file",
];
const SWAGGER2_IN: &[&str] = &["query", "header", "path", "formData", "body"];
const OPENAPI3_IN: &[&str] = &["query", "header", "path", "cookie"];
const STYLES: &[&str] = &[
    "matrix",
    "label",
    "form",
    "simple",
    "spaceDelimited",
    "pipeDelimited",
    "deepObject",
];
const COLLECTION_FORMATS: &[&str] = &["csv", "ssv", "tsv", "pipes", "multi"];

const ROOT: &[Field] = &[
    ("info", Node(K::Info)),
    ("paths", Node(K::Paths)),
    ("security", Free),
    ("tags", ListOf(K::Tag)),
    ("externalDocs", Node(K::ExternalDocs)),
];
const ROOT_2: &[Field] = &[
    ("swagger", Free),
    ("host", Free),
    ("basePath", Free),
    ("schemes", OneOf(&["http", "https", "ws", "wss"])),
    ("consumes", Free),
    ("produces", Free),
    ("definitions", MapOf(K::Schema)),
    ("parameters", MapOf(K::Parameter)),
    ("responses", MapOf(K::Response)),
    ("securityDefinitions", MapOf(K::SecurityScheme)),
];
const ROOT_30: &[Field] = &[
    ("openapi", Free),
    ("servers", ListOf(K::Server)),
    ("components", Node(K::Components)),
];
const ROOT_31: &[Field] = &[
    ("openapi", Free),
    ("servers", ListOf(K::Server)),
    ("components", Node(K::Components)),
    ("jsonSchemaDialect", Free),
    ("webhooks", Node(K::Paths)),
];

const INFO: &[Field] = &[
    ("title", Free),
    ("description", Free),
    ("termsOfService", Free),
    ("contact", Node(K::Contact)),
    ("license", Node(K::License)),
    ("version", Free),
];
const CONTACT: &[Field] = &[("name", Free), ("url", Free), ("email", Free)];
const LICENSE: &[Field] = &[("name", Free), ("url", Free)];
const SERVER: &[Field] = &[
    ("url", Free),
    ("description", Free),
    ("variables", MapOf(K::ServerVariable)),
];
const SERVER_VARIABLE: &[Field] = &[("enum", Free), ("default", Free), ("description", Free)];
const COMPONENTS: &[Field] = &[
    ("schemas", MapOf(K::Schema)),
    ("responses", MapOf(K::Response)),
    ("parameters", MapOf(K::Parameter)),
    ("examples", MapOf(K::Example)),
    ("requestBodies", MapOf(K::RequestBody)),
    ("headers", MapOf(K::Header)),
    ("securitySchemes", MapOf(K::SecurityScheme)),
    ("links", MapOf(K::Link)),
    ("callbacks", MapOf(K::Paths)),
];

const PATH_ITEM: &[Field] = &[
    ("$ref", Free),
    ("get", Node(K::Operation)),
    ("put", Node(K::Operation)),
    ("post", Node(K::Operation)),
    ("delete", Node(K::Operation)),
    ("options", Node(K::Operation)),
    ("head", Node(K::Operation)),
    ("patch", Node(K::Operation)),
    ("parameters", ListOf(K::Parameter)),
];
const PATH_ITEM_3: &[Field] = &[
    ("summary", Free),
    ("description", Free),
    ("trace", Node(K::Operation)),
    ("servers", ListOf(K::Server)),
];

const OPERATION: &[Field] = &[
    ("tags", Free),
    ("summary", Free),
    ("description", Free),
    ("externalDocs", Node(K::ExternalDocs)),
    ("operationId", Free),
    ("parameters", ListOf(K::Parameter)),
    ("responses", Node(K::Responses)),
    ("deprecated", Free),
    ("security", Free),
];
const OPERATION_2: &[Field] = &[("consumes", Free), ("produces", Free), ("schemes", Free)];
const OPERATION_3: &[Field] = &[
    ("requestBody", Node(K::RequestBody)),
    ("callbacks", MapOf(K::Paths)),
    ("servers", ListOf(K::Server)),
];

const EXTERNAL_DOCS: &[Field] = &[("description", Free), ("url", Free)];
const TAG: &[Field] = &[
    ("name", Free),
    ("description", Free),
    ("externalDocs", Node(K::ExternalDocs)),
];

/// Swagger 2.0's validation keywords of parameters, headers and `items`.
const SIMPLE_2: &[Field] = &[
    ("format", Free),
    ("items", Node(K::Items)),
    ("collectionFormat", OneOf(COLLECTION_FORMATS)),
    ("default", Free),
    ("maximum", Free),
    ("exclusiveMaximum", Free),
    ("minimum", Free),
    ("exclusiveMinimum", Free),
    ("maxLength", Free),
    ("minLength", Free),
    ("pattern", Free),
    ("maxItems", Free),
    ("minItems", Free),
    ("uniqueItems", Free),
    ("enum", Free),
    ("multipleOf", Free),
];
const ITEMS_2: &[Field] = &[("type", OneOf(TYPES_LENIENT))];
const HEADER_2: &[Field] = &[("type", OneOf(TYPES_LENIENT)), ("description", Free)];
const PARAMETER_2: &[Field] = &[
    ("name", Free),
    ("in", OneOf(SWAGGER2_IN)),
    ("description", Free),
    ("required", Free),
    ("schema", Node(K::Schema)),
    ("type", OneOf(TYPES_LENIENT)),
    ("allowEmptyValue", Free),
];
/// What OpenAPI 3's parameters and headers share.
const PARAMETER_3: &[Field] = &[
    ("description", Free),
    ("required", Free),
    ("deprecated", Free),
    ("allowEmptyValue", Free),
    ("style", OneOf(STYLES)),
    ("explode", Free),
    ("allowReserved", Free),
    ("schema", Node(K::Schema)),
    ("example", Free),
    ("examples", MapOf(K::Example)),
    ("content", MapOf(K::MediaType)),
];
const PARAMETER_3_NAMED: &[Field] = &[("name", Free), ("in", OneOf(OPENAPI3_IN))];

const REQUEST_BODY: &[Field] = &[
    ("description", Free),
    ("content", MapOf(K::MediaType)),
    ("required", Free),
];
const MEDIA_TYPE: &[Field] = &[
    ("schema", Node(K::Schema)),
    ("example", Free),
    ("examples", MapOf(K::Example)),
    ("encoding", MapOf(K::Encoding)),
];
const ENCODING: &[Field] = &[
    ("contentType", Free),
    ("headers", MapOf(K::Header)),
    ("style", OneOf(STYLES)),
    ("explode", Free),
    ("allowReserved", Free),
];
const RESPONSE: &[Field] = &[("description", Free)];
const RESPONSE_2: &[Field] = &[
    ("schema", Node(K::Schema)),
    ("headers", MapOf(K::Header)),
    ("examples", Free),
];
const RESPONSE_3: &[Field] = &[
    ("headers", MapOf(K::Header)),
    ("content", MapOf(K::MediaType)),
    ("links", MapOf(K::Link)),
];
const EXAMPLE: &[Field] = &[
    ("summary", Free),
    ("description", Free),
    ("value", Free),
    ("externalValue", Free),
];
const LINK: &[Field] = &[
    ("operationRef", Free),
    ("operationId", Free),
    ("parameters", Free),
    ("requestBody", Free),
    ("description", Free),
    ("server", Node(K::Server)),
];

/// The schema keywords of every version.
const SCHEMA: &[Field] = &[
    ("$ref", Free),
    ("title", Free),
    ("description", Free),
    ("default", Free),
    ("format", Free),
    ("multipleOf", Free),
    ("maximum", Free),
    ("exclusiveMaximum", Free),
    ("minimum", Free),
    ("exclusiveMinimum", Free),
    ("maxLength", Free),
    ("minLength", Free),
    ("pattern", Free),
    ("maxItems", Free),
    ("minItems", Free),
    ("uniqueItems", Free),
    ("maxProperties", Free),
    ("minProperties", Free),
    ("required", Free),
    ("enum", Free),
    ("allOf", ListOf(K::Schema)),
    ("properties", MapOf(K::Schema)),
    ("additionalProperties", Node(K::Schema)),
    ("readOnly", Free),
    ("xml", Node(K::Xml)),
    ("externalDocs", Node(K::ExternalDocs)),
    ("example", Free),
];
const SCHEMA_2: &[Field] = &[
    ("type", OneOf(TYPES_LENIENT)),
    ("items", NodeOrList(K::Schema)),
    ("discriminator", Free),
];
const SCHEMA_30: &[Field] = &[
    ("type", OneOf(TYPES_LENIENT)),
    ("items", Node(K::Schema)),
    ("oneOf", ListOf(K::Schema)),
    ("anyOf", ListOf(K::Schema)),
    ("not", Node(K::Schema)),
    ("nullable", Free),
    ("discriminator", Node(K::Discriminator)),
    ("writeOnly", Free),
    ("deprecated", Free),
];
/// JSON Schema 2020-12 (core, applicator, unevaluated, validation, format, content and
/// meta-data vocabularies) and OpenAPI 3.1's own schema keywords.
const SCHEMA_31: &[Field] = &[
    ("type", OneOf(TYPES_LENIENT)),
    ("items", NodeOrList(K::Schema)),
    ("oneOf", ListOf(K::Schema)),
    ("anyOf", ListOf(K::Schema)),
    ("not", Node(K::Schema)),
    ("discriminator", Node(K::Discriminator)),
    ("writeOnly", Free),
    ("deprecated", Free),
    ("$schema", Free),
    ("$id", Free),
    ("$anchor", Free),
    ("$dynamicRef", Free),
    ("$dynamicAnchor", Free),
    ("$vocabulary", Free),
    ("$comment", Free),
    ("$defs", MapOf(K::Schema)),
    // Draft 7's name for `$defs`, which klue reads too (hoisted like `$defs`).
    ("definitions", MapOf(K::Schema)),
    ("if", Node(K::Schema)),
    ("then", Node(K::Schema)),
    ("else", Node(K::Schema)),
    ("dependentSchemas", MapOf(K::Schema)),
    ("prefixItems", ListOf(K::Schema)),
    ("contains", Node(K::Schema)),
    ("patternProperties", MapOf(K::Schema)),
    ("propertyNames", Node(K::Schema)),
    ("unevaluatedItems", Node(K::Schema)),
    ("unevaluatedProperties", Node(K::Schema)),
    ("const", Free),
    ("maxContains", Free),
    ("minContains", Free),
    ("dependentRequired", Free),
    ("contentEncoding", Free),
    ("contentMediaType", Free),
    ("contentSchema", Node(K::Schema)),
    ("examples", Free),
];
const DISCRIMINATOR: &[Field] = &[("propertyName", Free), ("mapping", Free)];
const XML: &[Field] = &[
    ("name", Free),
    ("namespace", Free),
    ("prefix", Free),
    ("attribute", Free),
    ("wrapped", Free),
];

const SECURITY_SCHEME: &[Field] = &[("description", Free), ("name", Free)];
const SECURITY_SCHEME_2: &[Field] = &[
    ("type", OneOf(&["basic", "apiKey", "oauth2"])),
    ("in", OneOf(&["query", "header"])),
    (
        "flow",
        OneOf(&["implicit", "password", "application", "accessCode"]),
    ),
    ("authorizationUrl", Free),
    ("tokenUrl", Free),
    ("scopes", Free),
];
const SECURITY_SCHEME_30: &[Field] = &[
    (
        "type",
        OneOf(&["apiKey", "http", "oauth2", "openIdConnect"]),
    ),
    ("in", OneOf(&["query", "header", "cookie"])),
    ("scheme", Free),
    ("bearerFormat", Free),
    ("flows", Node(K::OAuthFlows)),
    ("openIdConnectUrl", Free),
];
const SECURITY_SCHEME_31: &[Field] = &[
    (
        "type",
        OneOf(&["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"]),
    ),
    ("in", OneOf(&["query", "header", "cookie"])),
    ("scheme", Free),
    ("bearerFormat", Free),
    ("flows", Node(K::OAuthFlows)),
    ("openIdConnectUrl", Free),
];
const OAUTH_FLOWS: &[Field] = &[
    ("implicit", Node(K::OAuthFlow)),
    ("password", Node(K::OAuthFlow)),
    ("clientCredentials", Node(K::OAuthFlow)),
    ("authorizationCode", Node(K::OAuthFlow)),
];
const OAUTH_FLOW: &[Field] = &[
    ("authorizationUrl", Free),
    ("tokenUrl", Free),
    ("refreshUrl", Free),
    ("scopes", Free),
];

const NONE: &[Field] = &[];

/// The keywords of `kind` in `version`; `None` for an object of a kind the version does not
/// have (it is not checked) and for the patterned objects ([`Kind::Paths`],
/// [`Kind::Responses`]), whose keys are names.
pub(super) fn fields(kind: Kind, version: Version) -> Option<Fields> {
    use Version::{OpenApi30 as V30, OpenApi31 as V31, Swagger2 as V2};
    let (base, extra) = match (kind, version) {
        (K::Root, V2) => (ROOT, ROOT_2),
        (K::Root, V30) => (ROOT, ROOT_30),
        (K::Root, V31) => (ROOT, ROOT_31),
        (K::Info, V31) => (INFO, &[("summary", Free)][..]),
        (K::Info, _) => (INFO, NONE),
        (K::Contact, _) => (CONTACT, NONE),
        (K::License, V31) => (LICENSE, &[("identifier", Free)][..]),
        (K::License, _) => (LICENSE, NONE),
        (K::PathItem, V2) => (PATH_ITEM, NONE),
        (K::PathItem, _) => (PATH_ITEM, PATH_ITEM_3),
        (K::Operation, V2) => (OPERATION, OPERATION_2),
        (K::Operation, _) => (OPERATION, OPERATION_3),
        (K::ExternalDocs, _) => (EXTERNAL_DOCS, NONE),
        (K::Tag, _) => (TAG, NONE),
        (K::Parameter, V2) => (PARAMETER_2, SIMPLE_2),
        (K::Parameter, _) => (PARAMETER_3, PARAMETER_3_NAMED),
        (K::Header, V2) => (HEADER_2, SIMPLE_2),
        (K::Header, _) => (PARAMETER_3, NONE),
        (K::Items, V2) => (ITEMS_2, SIMPLE_2),
        (K::Response, V2) => (RESPONSE, RESPONSE_2),
        (K::Response, _) => (RESPONSE, RESPONSE_3),
        (K::Schema, V2) => (SCHEMA, SCHEMA_2),
        (K::Schema, V30) => (SCHEMA, SCHEMA_30),
        (K::Schema, V31) => (SCHEMA, SCHEMA_31),
        (K::Discriminator, _) => (DISCRIMINATOR, NONE),
        (K::Xml, _) => (XML, NONE),
        (K::SecurityScheme, V2) => (SECURITY_SCHEME, SECURITY_SCHEME_2),
        (K::SecurityScheme, V30) => (SECURITY_SCHEME, SECURITY_SCHEME_30),
        (K::SecurityScheme, V31) => (SECURITY_SCHEME, SECURITY_SCHEME_31),
        (_, V2) => return None,
        (K::Server, _) => (SERVER, NONE),
        (K::ServerVariable, _) => (SERVER_VARIABLE, NONE),
        (K::Components, V31) => (COMPONENTS, &[("pathItems", MapOf(K::PathItem))][..]),
        (K::Components, _) => (COMPONENTS, NONE),
        (K::RequestBody, _) => (REQUEST_BODY, NONE),
        (K::MediaType, _) => (MEDIA_TYPE, NONE),
        (K::Encoding, _) => (ENCODING, NONE),
        (K::Example, _) => (EXAMPLE, NONE),
        (K::Link, _) => (LINK, NONE),
        (K::OAuthFlows, _) => (OAUTH_FLOWS, NONE),
        (K::OAuthFlow, _) => (OAUTH_FLOW, NONE),
        (K::Paths | K::Responses | K::Items, _) => return None,
    };
    Some(Fields { base, extra })
}

#[cfg(test)]
mod tests;
