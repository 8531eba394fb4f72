//! Docs built-ins: the spec at `/openapi.json` and `/openapi.yaml` (and, with several APIs,
//! each at `/openapi/<name>.json`), as [`crate::served_spec`] completes it, and Swagger UI at `/docs`, served from swagger-ui-dist
//! files compiled into the binary (`klue-core/assets/swagger-ui`, Apache-2.0): no CDN, no
//! network at build or run time. Swagger UI only with the `docs` feature: without it `/docs`
//! is not served (404), the spec still is (the served spec never lists the docs routes).

use bytes::Bytes;
use http::{HeaderValue, Method};

use crate::registry::{ApiInfo, AuthMode, OperationSpec};
use crate::served_spec::ServedSpec;

#[cfg(feature = "docs")]
const SWAGGER_UI_JS: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js");
#[cfg(feature = "docs")]
const SWAGGER_UI_CSS: &[u8] = include_bytes!("../assets/swagger-ui/swagger-ui.css");
#[cfg(feature = "docs")]
const SWAGGER_UI_LICENSE: &[u8] = include_bytes!("../assets/swagger-ui/LICENSE");

macro_rules! get_spec {
    ($name:ident, $id:literal, $path:literal) => {
        pub(crate) static $name: OperationSpec = OperationSpec {
            id: $id,
            method: Method::GET,
            path: $path,
            auth: AuthMode::None,
            body: None,
        };
    };
}

get_spec!(OPENAPI_JSON, "openapi_json", "/openapi.json");
get_spec!(OPENAPI_YAML, "openapi_yaml", "/openapi.yaml");
get_spec!(OPENAPI_API_JSON, "openapi_api_json", "/openapi/{api}.json");
#[cfg(feature = "docs")]
get_spec!(DOCS, "docs", "/docs");
#[cfg(feature = "docs")]
get_spec!(DOCS_JS, "docs_asset", "/docs/swagger-ui-bundle.js");
#[cfg(feature = "docs")]
get_spec!(DOCS_CSS, "docs_asset", "/docs/swagger-ui.css");
#[cfg(feature = "docs")]
get_spec!(DOCS_INIT, "docs_asset", "/docs/swagger-initializer.js");
#[cfg(feature = "docs")]
get_spec!(DOCS_LICENSE, "docs_asset", "/docs/LICENSE");

/// One fixed response of the docs built-ins.
pub(crate) struct StaticRoute {
    pub(crate) spec: &'static OperationSpec,
    /// The path served (equal to the spec's, except per-API spec paths).
    pub(crate) path: String,
    pub(crate) content_type: HeaderValue,
    pub(crate) body: Bytes,
}

fn route(spec: &'static OperationSpec, content_type: &'static str, body: Bytes) -> StaticRoute {
    StaticRoute {
        spec,
        path: spec.path.to_owned(),
        content_type: HeaderValue::from_static(content_type),
        body,
    }
}

/// The docs routes for `apis`, each with the document served for it (the first one is the
/// default). Their paths are without `prefix`, where the built-ins are served; the page and
/// its script refer to each other under it.
#[cfg_attr(not(feature = "docs"), allow(unused_variables))] // `prefix`: the page's.
pub(crate) fn routes(apis: &[(&'static ApiInfo, ServedSpec)], prefix: &str) -> Vec<StaticRoute> {
    let Some((_, first)) = apis.first() else {
        return Vec::new();
    };
    let mut routes = vec![
        route(&OPENAPI_JSON, "application/json", first.json.clone()),
        route(&OPENAPI_YAML, "application/yaml", first.yaml.clone()),
    ];
    #[cfg(feature = "docs")]
    routes.extend(swagger_ui(apis, prefix));
    if apis.len() > 1 {
        let mut seen = std::collections::HashSet::new();
        for (info, served) in apis {
            if seen.insert(info.name) {
                routes.push(StaticRoute {
                    spec: &OPENAPI_API_JSON,
                    path: format!("/openapi/{}.json", info.name),
                    content_type: HeaderValue::from_static("application/json"),
                    body: served.json.clone(),
                });
            }
        }
    }
    routes
}

#[cfg(feature = "docs")]
/// Swagger UI's page, its script and style, the initializer and the license (the `docs`
/// feature: the assets are 1.9 MB of the binary).
fn swagger_ui(apis: &[(&'static ApiInfo, ServedSpec)], prefix: &str) -> Vec<StaticRoute> {
    let infos: Vec<&ApiInfo> = apis.iter().map(|(info, _)| *info).collect();
    vec![
        route(
            &DOCS,
            "text/html; charset=utf-8",
            Bytes::from(page(&infos, prefix)),
        ),
        route(
            &DOCS_JS,
            "text/javascript; charset=utf-8",
            Bytes::from_static(SWAGGER_UI_JS),
        ),
        route(
            &DOCS_CSS,
            "text/css; charset=utf-8",
            Bytes::from_static(SWAGGER_UI_CSS),
        ),
        route(
            &DOCS_INIT,
            "text/javascript; charset=utf-8",
            Bytes::from(INITIALIZER.replace("{prefix}", prefix)),
        ),
        route(
            &DOCS_LICENSE,
            "text/plain; charset=utf-8",
            Bytes::from_static(SWAGGER_UI_LICENSE),
        ),
    ]
}

#[cfg(feature = "docs")]
/// Loads the spec named by `?api=` (several APIs) or `/openapi.json`. A file, not an inline
/// script, so a strict Content-Security-Policy can allow it.
const INITIALIZER: &str = r##"window.onload = function () {
  var api = new URLSearchParams(window.location.search).get("api");
  var url = api ? "{prefix}/openapi/" + encodeURIComponent(api) + ".json" : "{prefix}/openapi.json";
  window.ui = SwaggerUIBundle({
    url: url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
};
"##;

#[cfg(feature = "docs")]
fn page(apis: &[&ApiInfo], prefix: &str) -> String {
    let title = html_escape(apis.first().map_or("API", |api| api.title));
    let mut nav = String::new();
    if apis.len() > 1 {
        nav.push_str("<nav style=\"padding: 8px 20px; font-family: sans-serif\">APIs:");
        for api in apis {
            let name = html_escape(api.name);
            nav.push_str(&format!(
                " <a href=\"{prefix}/docs?api={name}\">{name} {}</a>",
                html_escape(api.version)
            ));
        }
        nav.push_str("</nav>");
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title} - docs</title>\n\
         <link rel=\"stylesheet\" href=\"{prefix}/docs/swagger-ui.css\">\n</head>\n<body>\n{nav}\n\
         <div id=\"swagger-ui\"></div>\n\
         <script src=\"{prefix}/docs/swagger-ui-bundle.js\"></script>\n\
         <script src=\"{prefix}/docs/swagger-initializer.js\"></script>\n</body>\n</html>\n"
    )
}

#[cfg(feature = "docs")]
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
