//! The endpoints klue serves besides the spec's, as routes.

/// One of klue's built-in endpoints (all are `GET`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// What it is, for messages.
    pub name: &'static str,
    /// Where it is served, without the built-ins' prefix.
    pub path: &'static str,
    /// The setting that switches it off, when it can be.
    pub switch: Option<&'static str>,
}

const fn builtin(name: &'static str, path: &'static str, switch: Option<&'static str>) -> Builtin {
    Builtin { name, path, switch }
}

/// Every built-in klue serves for one API with the default settings (with several APIs it
/// also serves each one's spec at `/openapi/<name>.json`). klue-core's tests check that this
/// list is what a server mounts.
pub const BUILTINS: [Builtin; 12] = [
    builtin("ping (liveness)", "/ping", None),
    builtin("version", "/version", None),
    builtin("auth/version (token check)", "/auth/version", None),
    builtin("health (readiness)", "/health", Some("KLUE_HEALTH")),
    builtin("metrics", "/metrics", Some("KLUE_METRICS")),
    builtin("served spec (JSON)", "/openapi.json", Some("KLUE_DOCS")),
    builtin("served spec (YAML)", "/openapi.yaml", Some("KLUE_DOCS")),
    builtin("docs (Swagger UI)", "/docs", Some("KLUE_DOCS")),
    builtin(
        "docs asset",
        "/docs/swagger-ui-bundle.js",
        Some("KLUE_DOCS"),
    ),
    builtin("docs asset", "/docs/swagger-ui.css", Some("KLUE_DOCS")),
    builtin(
        "docs asset",
        "/docs/swagger-initializer.js",
        Some("KLUE_DOCS"),
    ),
    builtin("docs asset", "/docs/LICENSE", Some("KLUE_DOCS")),
];
