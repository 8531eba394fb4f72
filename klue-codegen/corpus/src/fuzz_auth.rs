//! The credentials schemathesis sends to a stub server. One global `Authorization` header
//! cannot serve every spec: a spec may take `Basic` credentials on some operations and
//! bearer tokens on others (klue adds its own bearer scheme for the built-ins), or an API key
//! in a query parameter. So each security scheme of the served spec gets its own entry in
//! schemathesis' `[auth.openapi.<scheme>]` configuration, and schemathesis picks the one an
//! operation asks for.

use std::fmt::Write as _;

use serde_json::Value;

/// The user name and password sent for `http: basic` schemes (a stub accepts any
/// well-formed credentials).
pub const BASIC_CREDENTIALS: (&str, &str) = ("corpus", "stub");

/// How schemathesis authenticates against a stub server of `served` (its spec as it serves
/// it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FuzzAuth {
    /// `[auth.openapi."<scheme>"]` tables to append to schemathesis' configuration file.
    pub config: String,
    /// A header for every request (`Authorization: Bearer <token>`), when a scheme takes
    /// tokens schemathesis' per-scheme configuration does not know (`oauth2`,
    /// `openIdConnect`: klue verifies them as bearer JWTs).
    pub header: Option<String>,
}

/// The credentials for every security scheme of `served`: `token` (a klue JWT the stubs
/// accept) for bearer schemes and API keys, [`BASIC_CREDENTIALS`] for `http: basic`.
/// Schemes schemathesis cannot fill (`http` schemes other than basic and bearer) are left
/// out: their operations are refused with 401, which the report shows.
pub fn fuzz_auth(served: &Value, token: &str) -> FuzzAuth {
    let mut auth = FuzzAuth::default();
    let Some(schemes) = served["components"]["securitySchemes"].as_object() else {
        return auth;
    };
    for (name, scheme) in schemes {
        let http_scheme = scheme["scheme"].as_str().unwrap_or("").to_ascii_lowercase();
        let entries: Vec<(&str, &str)> = match (scheme["type"].as_str(), http_scheme.as_str()) {
            (Some("http"), "bearer") => vec![("bearer", token)],
            (Some("http"), "basic") => vec![
                ("username", BASIC_CREDENTIALS.0),
                ("password", BASIC_CREDENTIALS.1),
            ],
            (Some("apiKey"), _) => vec![("api_key", token)],
            (Some("oauth2" | "openIdConnect"), _) => {
                auth.header = Some(format!("Authorization: Bearer {token}"));
                continue;
            }
            _ => continue,
        };
        let _ = writeln!(auth.config, "\n[auth.openapi.{}]", toml_string(name));
        for (key, value) in entries {
            let _ = writeln!(auth.config, "{key} = {}", toml_string(value));
        }
    }
    auth
}

/// `text` as a TOML basic string (a scheme's name may hold spaces, dots or quotes).
fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(quoted, "\\u{:04X}", u32::from(c));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(schemes: Value) -> Value {
        json!({"components": {"securitySchemes": schemes}})
    }

    #[test]
    fn each_scheme_gets_the_credentials_of_its_kind() {
        let auth = fuzz_auth(
            &spec(json!({
                "UserSecurity": {"type": "http", "scheme": "Basic"},
                "KlueBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "key in query": {"type": "apiKey", "in": "query", "name": "key"},
                "digest": {"type": "http", "scheme": "digest"},
            })),
            "t",
        );
        assert_eq!(
            auth.config,
            "\n[auth.openapi.\"UserSecurity\"]\nusername = \"corpus\"\npassword = \"stub\"\n\
             \n[auth.openapi.\"KlueBearer\"]\nbearer = \"t\"\n\
             \n[auth.openapi.\"key in query\"]\napi_key = \"t\"\n"
        );
        assert_eq!(auth.header, None);
    }

    #[test]
    fn oauth2_and_openid_connect_take_the_token_as_a_header() {
        let auth = fuzz_auth(
            &spec(
                json!({"o": {"type": "oauth2", "flows": {}}, "b": {"type": "http", "scheme": "basic"}}),
            ),
            "t",
        );
        assert_eq!(auth.header.as_deref(), Some("Authorization: Bearer t"));
        assert!(
            auth.config.contains("[auth.openapi.\"b\"]"),
            "{}",
            auth.config
        );
        assert!(!auth.config.contains("\"o\""), "{}", auth.config);
    }

    #[test]
    fn a_spec_without_schemes_needs_no_credentials() {
        assert_eq!(fuzz_auth(&json!({}), "t"), FuzzAuth::default());
    }

    #[test]
    fn scheme_names_are_quoted_for_toml() {
        assert_eq!(toml_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(toml_string("x\ny"), "\"x\\u000Ay\"");
    }
}
