//! The snapshots of generated code (`src/generated/*.rs`, written by
//! `klue-codegen/tests/snapshots.rs`), compiled here so that CI proves they build, and served
//! by this crate's tests.

/// `apis/helloworld.yaml`.
pub mod helloworld {
    include!("generated/helloworld.rs");
}

/// `apis/fixtures/openapi30/stubs.yaml`, generated with default stubs: every trait method
/// answers 501 until implemented.
pub mod stubs {
    include!("generated/stubs.rs");
}

/// `apis/fixtures/openapi30/defaults.yaml`: parameter defaults applied, and the constructors
/// of structs with optional fields.
pub mod defaults {
    include!("generated/defaults.rs");
}

/// `apis/fixtures/openapi30/formats.yaml`: `date-time`, `date` and `uuid` strings as typed
/// values.
pub mod formats {
    include!("generated/formats.rs");
}

/// The same spec generated with `typed_formats(false)`: plain `String`s.
pub mod formats_untyped {
    include!("generated/formats_untyped.rs");
}

/// `apis/bench.yaml`.
pub mod bench {
    include!("generated/bench.rs");
}

/// `apis/ping.yaml`: the built-in endpoints, as a spec.
pub mod ping {
    include!("generated/ping.rs");
}

/// `apis/fixtures/openapi30/nullable.yaml`: absent vs null vs value.
pub mod nullable {
    include!("generated/nullable.rs");
}

/// `apis/fixtures/swagger2/ping.yaml`: the built-in ping API as klue-microservice wrote it
/// (Swagger 2.0).
pub mod swagger2_ping {
    include!("generated/swagger2_ping.rs");
}

/// `apis/fixtures/swagger2/helloworld.yaml`: a klue-microservice-style Swagger 2.0 API.
pub mod swagger2_helloworld {
    include!("generated/swagger2_helloworld.rs");
}

/// `apis/fixtures/openapi31/oas31_schemas.yaml`: OpenAPI 3.1 schema constructs.
pub mod oas31_schemas {
    include!("generated/oas31_schemas.rs");
}

/// `apis/fixtures/openapi31/oas31_webhooks.yaml`: OpenAPI 3.1 without `paths`.
pub mod oas31_webhooks {
    include!("generated/oas31_webhooks.rs");
}

/// `apis/fixtures/openapi31/oas31_served.yaml`: OpenAPI 3.1 validation, served.
pub mod oas31_served {
    include!("generated/oas31_served.rs");
}

/// `apis/fixtures/openapi30/routing.yaml`: paths real specs have (same shapes, several
/// parameters in one segment, the built-ins' paths).
pub mod routing {
    include!("generated/routing.rs");
}

/// `apis/fixtures/openapi30/cookies.yaml`: cookie parameters.
pub mod cookies {
    include!("generated/cookies.rs");
}

/// `apis/fixtures/openapi30/names.yaml`: colliding names, keywords, a large response body.
pub mod names {
    include!("generated/names.rs");
}

/// `apis/fixtures/openapi30/no_operations.yaml`: types only.
pub mod no_operations {
    include!("generated/no_operations.rs");
}

/// `apis/fixtures/openapi30/security.yaml`: API keys, OAuth2 / OpenID Connect, basic auth.
pub mod security {
    include!("generated/security.rs");
}

/// `apis/fixtures/openapi30/auth_schemes.yaml`: opaque bearer tokens, basic credentials, error
/// responses of the spec's shape.
pub mod auth_schemes {
    include!("generated/auth_schemes.rs");
}

/// `apis/fixtures/openapi30/media.yaml`: text, bytes, forms, multipart, several media types.
pub mod media {
    include!("generated/media.rs");
}

/// `apis/fixtures/openapi30/recursive.yaml`: recursive types, foreign regex dialects.
pub mod recursive {
    include!("generated/recursive.rs");
}

/// `apis/fixtures/openapi30/composition.yaml`: allOf, oneOf, anyOf.
pub mod composition {
    include!("generated/composition.rs");
}

/// `apis/fixtures/openapi30/unions.yaml`: oneOf/anyOf with and without a discriminator.
pub mod unions {
    include!("generated/unions.rs");
}

/// `apis/fixtures/openapi30/objects.yaml`: additionalProperties, defaults, readOnly/writeOnly, formats.
pub mod objects {
    include!("generated/objects.rs");
}

/// `apis/fixtures/openapi31/oas31_unions.yaml`: OpenAPI 3.1 discriminated unions and closed objects.
pub mod oas31_unions {
    include!("generated/oas31_unions.rs");
}

/// `apis/fixtures/swagger2/inheritance.yaml`: a discriminator on `allOf` inheritance.
pub mod inheritance {
    include!("generated/inheritance.rs");
}

/// `apis/fixtures/swagger2/accounts.yaml`: Swagger 2.0 additionalProperties, defaults, formats.
pub mod accounts {
    include!("generated/accounts.rs");
}

/// `apis/fixtures/openapi30/params_styles.yaml`: parameter styles and typed response headers.
pub mod params_styles {
    include!("generated/params_styles.rs");
}

/// `apis/fixtures/swagger2/params_collection_format.yaml`: Swagger 2.0 `collectionFormat`.
pub mod params_collection_format {
    include!("generated/params_collection_format.rs");
}

/// `apis/fixtures/openapi30/multifile/multifile.yaml`: `$ref`s to other files.
pub mod multifile {
    include!("generated/multifile.rs");
}

/// `apis/fixtures/swagger2/multifile/swagger2_multifile.yaml`: `$ref`s to other files, Swagger 2.0.
pub mod swagger2_multifile {
    include!("generated/swagger2_multifile.rs");
}

/// `apis/fixtures/openapi31/multifile/oas31_multifile.yaml`: `$ref`s to other files, OpenAPI 3.1.
pub mod oas31_multifile {
    include!("generated/oas31_multifile.rs");
}

/// `apis/fixtures/openapi30/bodies.yaml`: multipart with files, streamed bodies, several media
/// types on one operation.
pub mod bodies {
    include!("generated/bodies.rs");
}

/// `apis/fixtures/swagger2/form_data.yaml`: Swagger 2.0 formData with a file.
pub mod swagger2_form_data {
    include!("generated/swagger2_form_data.rs");
}

/// `apis/fixtures/openapi31/oas31_bodies.yaml`: OpenAPI 3.1 multipart and raw bodies.
pub mod oas31_bodies {
    include!("generated/oas31_bodies.rs");
}

/// `apis/fixtures/openapi31/strict_values.yaml`: integers, null, times and parameters checked
/// exactly as the spec says.
pub mod strict_values {
    include!("generated/strict_values.rs");
}

/// `apis/fixtures/openapi30/combined.yaml`: `type`/`properties` beside `allOf`/`oneOf`/`anyOf`.
pub mod combined {
    include!("generated/combined.rs");
}
