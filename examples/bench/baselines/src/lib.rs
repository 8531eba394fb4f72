//! The benchmark workload's domain, shared by the hand-written baseline servers
//! (`bench-raw-hyper`, `bench-axum`) and the runner (`bench-report`).
//!
//! Only the domain lives here: the JSON types, their constraint checks, the JWT verification
//! and the error envelope. Each server does its own HTTP plumbing (routing, body reading,
//! responses), which is what the benchmark compares with the klue-generated server.
//! The workload itself is described in `examples/bench/bench.yaml` and
//! `/work/shared/bench/README.md`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderValue, StatusCode};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The HS256 secret used when `KLUE_JWT_SECRET` is not set.
pub const DEFAULT_SECRET: &str = "benchsecretbenchsecretbenchsecret";
/// The audience used when `KLUE_JWT_AUDIENCE` is not set.
pub const DEFAULT_AUDIENCE: &str = "bench";
/// Clock skew tolerated on `exp`/`nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 300;
/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 1 << 20;

/// The body of `POST /v1/items`.
#[derive(Debug, Deserialize)]
pub struct NewItem {
    /// 1..=64 characters.
    pub name: String,
    /// `>= 0`.
    pub price: f64,
    /// At most 10 tags of at most 32 characters each.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// The answer of `POST /v1/items`.
#[derive(Debug, Serialize)]
pub struct Item {
    /// A fresh uuid4.
    pub id: Uuid,
    /// As received.
    pub name: String,
    /// As received.
    pub price: f64,
    /// As received; omitted when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

impl NewItem {
    /// Checks the schema constraints the JSON types do not carry, reporting every violation.
    pub fn check(&self) -> Result<(), ApiError> {
        let mut violations = Vec::new();
        let name_len = self.name.chars().count();
        if name_len < 1 {
            violations.push("name: must not be empty".to_owned());
        } else if name_len > 64 {
            violations.push(format!("name: {name_len} characters, at most 64 allowed"));
        }
        if self.price.is_nan() || self.price < 0.0 {
            violations.push(format!("price: {} is less than the minimum 0", self.price));
        }
        if let Some(tags) = &self.tags {
            if tags.len() > 10 {
                violations.push(format!("tags: {} items, at most 10 allowed", tags.len()));
            }
            for (i, tag) in tags.iter().enumerate() {
                let len = tag.chars().count();
                if len > 32 {
                    violations.push(format!("tags/{i}: {len} characters, at most 32 allowed"));
                }
            }
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(format!(
                "Invalid request body: {}",
                violations.join("; ")
            )))
        }
    }

    /// The created item, with a fresh id.
    pub fn into_item(self) -> Item {
        Item {
            id: Uuid::new_v4(),
            name: self.name,
            price: self.price,
            tags: self.tags,
        }
    }
}

/// An error answered as the klue envelope
/// `{"status":N,"error":"CODE","error_description":"...","error_id":"<uuid4>"}`.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// UPPER_SNAKE code.
    pub code: &'static str,
    /// Developer-facing description.
    pub description: Cow<'static, str>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    status: u16,
    error: &'a str,
    error_description: &'a str,
    error_id: Uuid,
}

impl ApiError {
    /// Any error.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        ApiError {
            status,
            code,
            description: description.into(),
        }
    }

    /// 400 `INVALID_PARAMETER`.
    pub fn invalid(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER", description)
    }

    /// 401 `TOKEN_INVALID`.
    pub fn token_invalid(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "TOKEN_INVALID", description)
    }

    /// 404 `ROUTE_NOT_FOUND`.
    pub fn not_found(method: &http::Method, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ROUTE_NOT_FOUND",
            format!("No route matches {method} {path}"),
        )
    }

    /// 405 `METHOD_NOT_ALLOWED` (the caller adds the `Allow` header).
    pub fn method_not_allowed(method: &http::Method, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("{method} is not allowed on {path}"),
        )
    }

    /// 413 `PAYLOAD_TOO_LARGE`.
    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("The request body exceeds the limit of {BODY_LIMIT} bytes"),
        )
    }

    /// 415 `UNSUPPORTED_MEDIA_TYPE`.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Expected a request body with Content-Type: application/json",
        )
    }

    /// The envelope serialized, with a fresh `error_id`.
    pub fn to_json(&self) -> Vec<u8> {
        let envelope = Envelope {
            status: self.status.as_u16(),
            error: self.code,
            error_description: &self.description,
            error_id: Uuid::new_v4(),
        };
        serde_json::to_vec(&envelope).unwrap_or_else(|_| b"{}".to_vec())
    }
}

/// Whether a `Content-Type` header announces JSON (`application/json` or `application/*+json`).
pub fn is_json_content_type(value: Option<&HeaderValue>) -> bool {
    let Some(Ok(value)) = value.map(HeaderValue::to_str) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || subtype.len() > 5 && subtype[subtype.len() - 5..].eq_ignore_ascii_case("+json"))
}

/// The claims of a verified token that the handlers use.
#[derive(Debug, Deserialize)]
pub struct Principal {
    /// The `sub` claim, if any.
    #[serde(default)]
    pub sub: Option<String>,
}

/// The claims of a token minted by the runner.
#[derive(Debug, Serialize)]
pub struct MintClaims<'a> {
    /// Subject.
    pub sub: &'a str,
    /// Audience.
    pub aud: &'a str,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
}

/// Verifies `Authorization: Bearer <HS256 JWT>` headers; key and validation are built once.
#[derive(Debug)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl JwtVerifier {
    /// A verifier for `secret` and `audience`, requiring `exp`, with [`LEEWAY_SECS`] of leeway.
    pub fn new(secret: &[u8], audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.required_spec_claims = HashSet::from(["exp".to_owned()]);
        validation.set_audience(&[audience]);
        JwtVerifier {
            key: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// A verifier configured from `KLUE_JWT_SECRET` and `KLUE_JWT_AUDIENCE`, defaulting to the
    /// benchmark's secret and audience.
    pub fn from_env() -> Self {
        let secret = std::env::var("KLUE_JWT_SECRET").unwrap_or_else(|_| DEFAULT_SECRET.into());
        let audience =
            std::env::var("KLUE_JWT_AUDIENCE").unwrap_or_else(|_| DEFAULT_AUDIENCE.into());
        Self::new(secret.as_bytes(), &audience)
    }

    /// Checks the `Authorization` header of a request.
    pub fn verify(&self, authorization: Option<&HeaderValue>) -> Result<Principal, ApiError> {
        let Some(value) = authorization else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "AUTHORIZATION_HEADER_MISSING",
                "There is no Authorization header in the HTTP request",
            ));
        };
        let value = value
            .to_str()
            .map_err(|_| ApiError::token_invalid("The Authorization header is not ASCII"))?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => {
                return Err(ApiError::token_invalid(
                    "The Authorization header is not of the form 'Bearer <token>'",
                ))
            }
        };
        if token.is_empty() {
            return Err(ApiError::token_invalid("The bearer token is empty"));
        }
        match jsonwebtoken::decode::<Principal>(token, &self.key, &self.validation) {
            Ok(data) => Ok(data.claims),
            Err(err) => Err(match err.kind() {
                ErrorKind::ExpiredSignature => ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "TOKEN_EXPIRED",
                    "Auth token is expired",
                ),
                _ => ApiError::token_invalid(format!("Invalid auth token: {err}")),
            }),
        }
    }
}

/// Mints an HS256 token for `sub`/`aud` valid for `ttl_secs`.
pub fn mint_token(
    secret: &[u8],
    sub: &str,
    aud: &str,
    ttl_secs: u64,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let claims = MintClaims {
        sub,
        aud,
        exp: now + ttl_secs,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_minted_token() {
        let verifier = JwtVerifier::new(DEFAULT_SECRET.as_bytes(), DEFAULT_AUDIENCE);
        let token = mint_token(DEFAULT_SECRET.as_bytes(), "u", DEFAULT_AUDIENCE, 60).unwrap();
        let header = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        assert_eq!(
            verifier.verify(Some(&header)).unwrap().sub.as_deref(),
            Some("u")
        );

        let other = mint_token(DEFAULT_SECRET.as_bytes(), "u", "other", 60).unwrap();
        let header = HeaderValue::from_str(&format!("Bearer {other}")).unwrap();
        assert_eq!(
            verifier.verify(Some(&header)).unwrap_err().code,
            "TOKEN_INVALID"
        );
        assert_eq!(
            verifier.verify(None).unwrap_err().code,
            "AUTHORIZATION_HEADER_MISSING"
        );
    }

    #[test]
    fn expired_token_beyond_leeway() {
        #[derive(Serialize)]
        struct Old {
            aud: &'static str,
            exp: u64,
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let key = EncodingKey::from_secret(DEFAULT_SECRET.as_bytes());
        let verifier = JwtVerifier::new(DEFAULT_SECRET.as_bytes(), DEFAULT_AUDIENCE);
        let within = jsonwebtoken::encode(
            &Header::default(),
            &Old {
                aud: "bench",
                exp: now - 100,
            },
            &key,
        )
        .unwrap();
        let header = HeaderValue::from_str(&format!("Bearer {within}")).unwrap();
        assert!(verifier.verify(Some(&header)).is_ok());
        let beyond = jsonwebtoken::encode(
            &Header::default(),
            &Old {
                aud: "bench",
                exp: now - 400,
            },
            &key,
        )
        .unwrap();
        let header = HeaderValue::from_str(&format!("Bearer {beyond}")).unwrap();
        assert_eq!(
            verifier.verify(Some(&header)).unwrap_err().code,
            "TOKEN_EXPIRED"
        );
    }

    #[test]
    fn checks_constraints() {
        let ok: NewItem = serde_json::from_str(r#"{"name":"a","price":0}"#).unwrap();
        assert!(ok.check().is_ok());
        let bad: NewItem = serde_json::from_str(
            r#"{"name":"","price":-1,"tags":["x","y","z","a","b","c","d","e","f","g","h"]}"#,
        )
        .unwrap();
        let err = bad.check().unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.description.contains("name") && err.description.contains("tags"));
        let item = ok.into_item();
        let json = serde_json::to_value(&item).unwrap();
        assert!(json.get("tags").is_none());
    }

    #[test]
    fn json_content_types() {
        let ct = |s: &'static str| HeaderValue::from_static(s);
        assert!(is_json_content_type(Some(&ct("application/json"))));
        assert!(is_json_content_type(Some(&ct(
            "Application/JSON; charset=utf-8"
        ))));
        assert!(is_json_content_type(Some(&ct("application/problem+json"))));
        assert!(!is_json_content_type(Some(&ct("text/plain"))));
        assert!(!is_json_content_type(None));
    }
}
