//! JWT authentication: the `Authorization: Bearer <token>` check of operations that need a user.
//!
//! [`JwtConfig`] says which algorithm and keys to use (usually [`JwtConfig::from_env`]);
//! [`Authenticator`] is built from it once at start-up and verifies each request's token into
//! [`Claims`], or mints tokens. Only the configured algorithm is accepted, so `alg: none` and
//! HMAC/RSA confusion are rejected; `exp` is required, `nbf`/`iat` are checked when present, and
//! `aud`/`iss` are required and checked when configured. Failures are 401 `TOKEN_INVALID`
//! (short description, never the token) or `TOKEN_EXPIRED`.

// `ApiError` is the crate's by-value error type; its size is not this module's to change.

use std::fmt;

use http::header::{AUTHORIZATION, COOKIE};
use http::HeaderMap;
use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
use jsonwebtoken::{
    get_current_timestamp, Algorithm, AlgorithmFamily, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ApiError;

const NO_KEY: &str = "This server has no JWT key configured";

/// How tokens are signed and checked.
///
/// `Debug` redacts the secret and both keys.
#[derive(Clone)]
pub struct JwtConfig {
    /// The only algorithm accepted (and used to mint). Default `HS256`.
    pub algorithm: Algorithm,
    /// The shared secret of the `HS*` algorithms.
    pub secret: Option<String>,
    /// PEM public key verifying `RS*`/`PS*`/`ES*`/`EdDSA` tokens.
    pub public_key_pem: Option<String>,
    /// PEM private key minting `RS*`/`PS*`/`ES*`/`EdDSA` tokens (optional).
    pub private_key_pem: Option<String>,
    /// When set, tokens must carry this `aud`.
    pub audience: Option<String>,
    /// When set, tokens must carry this `iss`.
    pub issuer: Option<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. Default 300.
    pub leeway_secs: u64,
    /// Lifetime of minted tokens, in seconds. Default 86400.
    pub token_lifetime_secs: u64,
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            algorithm: Algorithm::HS256,
            secret: None,
            public_key_pem: None,
            private_key_pem: None,
            audience: None,
            issuer: None,
            leeway_secs: 300,
            token_lifetime_secs: 86_400,
        }
    }
}

impl fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("JwtConfig")
            .field("algorithm", &self.algorithm)
            .field("secret", &redact(&self.secret))
            .field("public_key_pem", &redact(&self.public_key_pem))
            .field("private_key_pem", &redact(&self.private_key_pem))
            .field("audience", &self.audience)
            .field("issuer", &self.issuer)
            .field("leeway_secs", &self.leeway_secs)
            .field("token_lifetime_secs", &self.token_lifetime_secs)
            .finish()
    }
}

/// A JWT configuration that cannot be used; the message names the variable or key at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthConfigError {
    /// A variable holds a value that cannot be used.
    #[error("{var}: {problem}")]
    Invalid {
        /// The environment variable.
        var: &'static str,
        /// What is wrong with its value.
        problem: String,
    },
    /// A variable names a key file that cannot be read.
    #[error("{var}: cannot read key file {path}: {source}")]
    KeyFile {
        /// The environment variable.
        var: &'static str,
        /// The file it names.
        path: String,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// A configured key is unusable with the configured algorithm.
    #[error("invalid JWT {what} for {algorithm:?}: {problem}")]
    Key {
        /// Which key (and the variable it usually comes from).
        what: &'static str,
        /// The configured algorithm.
        algorithm: Algorithm,
        /// What is wrong.
        problem: String,
    },
}

impl JwtConfig {
    /// Reads the `KLUE_JWT_*` environment variables; see [`JwtConfig::from_lookup`].
    pub fn from_env() -> Result<Self, AuthConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds a configuration from `KLUE_JWT_SECRET`, `KLUE_JWT_AUDIENCE`, `KLUE_JWT_ISSUER`,
    /// `KLUE_JWT_ALGORITHM` (default `HS256`), `KLUE_JWT_PUBLIC_KEY` and `KLUE_JWT_PRIVATE_KEY`
    /// (PEM text, `\n` escapes allowed, or the path of a PEM file), `KLUE_JWT_LEEWAY` and
    /// `KLUE_JWT_LIFETIME` (seconds), as answered by `lookup`. Blank values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, AuthConfigError> {
        let get = |var: &str| lookup(var).filter(|v| !v.trim().is_empty());
        let mut config = JwtConfig::default();
        if let Some(v) = get("KLUE_JWT_ALGORITHM") {
            let v = v.trim();
            config.algorithm = v
                .parse()
                .or_else(|_| v.to_ascii_uppercase().parse())
                .map_err(|_| AuthConfigError::Invalid {
                    var: "KLUE_JWT_ALGORITHM",
                    problem: format!(
                        "unknown algorithm {v:?}; expected one of HS256, HS384, HS512, RS256, \
                         RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA"
                    ),
                })?;
        }
        config.secret = get("KLUE_JWT_SECRET");
        config.audience = get("KLUE_JWT_AUDIENCE").map(|v| v.trim().to_owned());
        config.issuer = get("KLUE_JWT_ISSUER").map(|v| v.trim().to_owned());
        config.public_key_pem = get("KLUE_JWT_PUBLIC_KEY")
            .map(|v| read_pem("KLUE_JWT_PUBLIC_KEY", v))
            .transpose()?;
        config.private_key_pem = get("KLUE_JWT_PRIVATE_KEY")
            .map(|v| read_pem("KLUE_JWT_PRIVATE_KEY", v))
            .transpose()?;
        for (var, slot) in [
            ("KLUE_JWT_LEEWAY", &mut config.leeway_secs),
            ("KLUE_JWT_LIFETIME", &mut config.token_lifetime_secs),
        ] {
            if let Some(v) = get(var) {
                *slot = v.trim().parse().map_err(|_| AuthConfigError::Invalid {
                    var,
                    problem: format!("expected a whole number of seconds, got {:?}", v.trim()),
                })?;
            }
        }
        if config.token_lifetime_secs == 0 {
            return Err(AuthConfigError::Invalid {
                var: "KLUE_JWT_LIFETIME",
                problem: "must be greater than 0".to_owned(),
            });
        }
        Ok(config)
    }
}

/// PEM text as is (turning `\n` escapes into newlines), anything else read as a file path.
fn read_pem(var: &'static str, value: String) -> Result<String, AuthConfigError> {
    if value.trim_start().starts_with("-----BEGIN") {
        return Ok(if value.contains('\n') {
            value
        } else {
            value.replace("\\n", "\n")
        });
    }
    let path = value.trim();
    let text = std::fs::read_to_string(path).map_err(|source| AuthConfigError::KeyFile {
        var,
        path: path.to_owned(),
        source,
    })?;
    if !text.trim_start().starts_with("-----BEGIN") {
        return Err(AuthConfigError::Invalid {
            var,
            problem: format!("{path} does not hold a PEM key"),
        });
    }
    Ok(text)
}

/// The registered claims other than `sub`, kept out of the map: a map insert per claim is
/// measurable on the request path, and ordinary tokens carry only these.
const REGISTERED: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];

/// The claims of a verified token.
///
/// (De)serialized by hand rather than with `#[serde(flatten)]`, which buffers every claim
/// through serde's intermediate representation: this runs on every authenticated request.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// The subject: the user the token was issued to.
    pub sub: String,
    /// `iss`, `aud`, `exp`, `nbf`, `iat`, `jti`, in the order of [`REGISTERED`].
    registered: [Option<Value>; 6],
    /// Every other claim (custom ones: `role`, `scope`...).
    pub extra: Map<String, Value>,
}

impl Serialize for Claims {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("sub", &self.sub)?;
        for (name, value) in REGISTERED.iter().zip(&self.registered) {
            if let Some(value) = value {
                map.serialize_entry(name, value)?;
            }
        }
        for (name, value) in &self.extra {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Claims {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ClaimsVisitor;

        impl<'de> serde::de::Visitor<'de> for ClaimsVisitor {
            type Value = Claims;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JWT claims object with a string `sub`")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Claims, A::Error> {
                let mut sub = None;
                let mut registered: [Option<Value>; 6] = Default::default();
                let mut extra = Map::new();
                while let Some(ClaimName(name)) = map.next_key::<ClaimName<'de>>()? {
                    if name == "sub" {
                        if sub.is_some() {
                            return Err(serde::de::Error::duplicate_field("sub"));
                        }
                        sub = Some(map.next_value::<String>()?);
                    } else if let Some(i) = REGISTERED.iter().position(|r| *r == name) {
                        registered[i] = Some(map.next_value::<Value>()?);
                    } else {
                        let value = map.next_value::<Value>()?;
                        extra.insert(name.into_owned(), value);
                    }
                }
                let sub = sub.ok_or_else(|| serde::de::Error::missing_field("sub"))?;
                Ok(Claims {
                    sub,
                    registered,
                    extra,
                })
            }
        }

        deserializer.deserialize_map(ClaimsVisitor)
    }
}

/// A claim name, borrowed from the token's JSON when it has no escapes (serde's own `Cow`
/// always allocates).
struct ClaimName<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for ClaimName<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl<'de> serde::de::Visitor<'de> for NameVisitor {
            type Value = ClaimName<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a claim name")
            }

            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Borrowed(name)))
            }

            fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Owned(name.to_owned())))
            }

            fn visit_string<E>(self, name: String) -> Result<Self::Value, E> {
                Ok(ClaimName(std::borrow::Cow::Owned(name)))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

impl Claims {
    /// Claims for `sub` with `others`; registered names (`exp`, `aud`...) among them are
    /// recognised as such.
    pub fn new(sub: impl Into<String>, others: Map<String, Value>) -> Self {
        let mut claims = Claims {
            sub: sub.into(),
            registered: Default::default(),
            extra: Map::new(),
        };
        for (name, value) in others {
            match REGISTERED.iter().position(|r| *r == name) {
                Some(i) => claims.registered[i] = Some(value),
                None if name == "sub" => {}
                None => {
                    claims.extra.insert(name, value);
                }
            }
        }
        claims
    }

    /// The user id (`sub`).
    pub fn user_id(&self) -> &str {
        &self.sub
    }

    /// Any claim other than `sub` by name (`exp`, `aud`, or a custom one).
    pub fn get(&self, name: &str) -> Option<&Value> {
        match REGISTERED.iter().position(|r| *r == name) {
            Some(i) => self.registered[i].as_ref(),
            None => self.extra.get(name),
        }
    }
}

/// Verifies and mints tokens; built once at start-up, then shared by every request.
#[derive(Clone)]
pub struct Authenticator {
    config: JwtConfig,
    decoding_key: Option<DecodingKey>,
    encoding_key: Option<EncodingKey>,
    validation: Validation,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("config", &self.config)
            .field("can_verify", &self.decoding_key.is_some())
            .field("can_mint", &self.encoding_key.is_some())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Prepares keys and validation rules. A config without a key (no secret for `HS*`, no
    /// public key otherwise) is accepted: every token is then refused as `TOKEN_INVALID`.
    /// Fails on an unparsable key, or a private key that does not match the public one.
    pub fn new(config: JwtConfig) -> Result<Self, AuthConfigError> {
        let alg = config.algorithm;
        let bad = |what, e: JwtError| AuthConfigError::Key {
            what,
            algorithm: alg,
            problem: e.to_string(),
        };
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let (decoding_key, encoding_key) = match alg.family() {
            AlgorithmFamily::Hmac => match nonempty(&config.secret) {
                Some(s) => (
                    Some(DecodingKey::from_secret(s.as_bytes())),
                    Some(EncodingKey::from_secret(s.as_bytes())),
                ),
                None => (None, None),
            },
            family => {
                let public = nonempty(&config.public_key_pem)
                    .map(|pem| match family {
                        AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(pem.as_bytes()),
                        AlgorithmFamily::Ec => DecodingKey::from_ec_pem(pem.as_bytes()),
                        _ => DecodingKey::from_ed_pem(pem.as_bytes()),
                    })
                    .transpose()
                    .map_err(|e| bad("public key (KLUE_JWT_PUBLIC_KEY)", e))?;
                let private = nonempty(&config.private_key_pem)
                    .map(|pem| match family {
                        AlgorithmFamily::Rsa => EncodingKey::from_rsa_pem(pem.as_bytes()),
                        AlgorithmFamily::Ec => EncodingKey::from_ec_pem(pem.as_bytes()),
                        _ => EncodingKey::from_ed_pem(pem.as_bytes()),
                    })
                    .transpose()
                    .map_err(|e| bad("private key (KLUE_JWT_PRIVATE_KEY)", e))?;
                (public, private)
            }
        };
        // Probe the keys now rather than on the first request.
        const PROBE: &[u8] = b"klue.probe";
        if let Some(key) = &encoding_key {
            let sig = jsonwebtoken::crypto::sign(PROBE, key, alg)
                .map_err(|e| bad("private key (KLUE_JWT_PRIVATE_KEY)", e))?;
            if let Some(public) = &decoding_key {
                if !jsonwebtoken::crypto::verify(&sig, PROBE, public, alg)
                    .map_err(|e| bad("public key (KLUE_JWT_PUBLIC_KEY)", e))?
                {
                    return Err(AuthConfigError::Key {
                        what: "key pair",
                        algorithm: alg,
                        problem: "the private key does not match the public key".to_owned(),
                    });
                }
            }
        } else if let Some(public) = &decoding_key {
            jsonwebtoken::crypto::verify("", PROBE, public, alg)
                .map_err(|e| bad("public key (KLUE_JWT_PUBLIC_KEY)", e))?;
        }
        Ok(Self::with_keys(config, decoding_key, encoding_key))
    }

    /// An authenticator without keys: every token is refused, nothing can be minted.
    pub fn disabled() -> Self {
        Self::with_keys(JwtConfig::default(), None, None)
    }

    fn with_keys(config: JwtConfig, dk: Option<DecodingKey>, ek: Option<EncodingKey>) -> Self {
        let mut validation = Validation::new(config.algorithm);
        validation.leeway = config.leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        match &config.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            // jsonwebtoken rejects any `aud` when no audience is set; we accept it.
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &config.issuer {
            validation.set_issuer(&[iss]);
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        Authenticator {
            config,
            decoding_key: dk,
            encoding_key: ek,
            validation,
        }
    }

    /// Whether tokens can be verified (a key is configured).
    pub fn is_configured(&self) -> bool {
        self.decoding_key.is_some()
    }

    /// The configuration this authenticator was built from.
    pub fn config(&self) -> &JwtConfig {
        &self.config
    }

    /// Verifies the request's `Authorization: Bearer <token>` header or, without one, a
    /// `token` cookie holding `Bearer <token>`.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Claims, ApiError> {
        let token = match headers.get(AUTHORIZATION).filter(|v| !v.is_empty()) {
            Some(value) => value
                .to_str()
                .map_err(|_| "Authorization header is not valid text")
                .and_then(bearer_token),
            None => match token_cookie(headers) {
                Some(value) => cookie_token(value),
                None => return Err(ApiError::authorization_header_missing()),
            },
        };
        self.verify(token.map_err(ApiError::token_invalid)?)
    }

    /// Verifies a bare token (signature, algorithm, `exp`, `nbf`, `iat`, `aud`, `iss`).
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let Some(key) = &self.decoding_key else {
            return Err(ApiError::token_invalid(NO_KEY));
        };
        let claims = match jsonwebtoken::decode::<Claims>(token, key, &self.validation) {
            Ok(data) => data.claims,
            Err(err) => return Err(self.decode_error(token, &err)),
        };
        if let Some(iat) = claims.get("iat") {
            let latest = get_current_timestamp().saturating_add(self.config.leeway_secs);
            match iat.as_f64() {
                Some(iat) if iat <= latest as f64 => {}
                Some(_) => return Err(ApiError::token_invalid("Token was issued in the future")),
                None => return Err(ApiError::token_invalid("Token iat claim is not a number")),
            }
        }
        Ok(claims)
    }

    fn decode_error(&self, token: &str, err: &JwtError) -> ApiError {
        ApiError::token_invalid(match err.kind() {
            ErrorKind::ExpiredSignature => return ApiError::token_expired(),
            ErrorKind::InvalidSignature => "Token signature is invalid",
            ErrorKind::InvalidAudience => "Token audience is invalid",
            ErrorKind::InvalidIssuer => "Token issuer is invalid",
            ErrorKind::ImmatureSignature => "Token is not valid yet",
            ErrorKind::InvalidAlgorithm => "Token algorithm is not allowed",
            ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
                "exp" => "Token has no expiration time (exp)",
                "sub" => "Token has no subject (sub)",
                "aud" => "Token has no audience (aud)",
                "iss" => "Token has no issuer (iss)",
                _ => "Token lacks a required claim",
            },
            ErrorKind::InvalidClaimFormat(_) => "Token exp or nbf claim is not a number",
            // After a good header and signature, only the claims can fail to deserialize.
            ErrorKind::Json(_) if jsonwebtoken::decode_header(token).is_ok() => {
                "Token subject (sub) is missing or not a string"
            }
            ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Json(_) => {
                self.diagnose_malformed(token)
            }
            _ => "Token could not be verified",
        })
    }

    /// Error path only: tells an unknown `alg` (e.g. `none`) from a broken token.
    fn diagnose_malformed(&self, token: &str) -> &'static str {
        let header = token.split('.').next().unwrap_or_default();
        // insecure_decode_claims only base64-and-JSON-decodes the middle part.
        let header = jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(
            format!("x.{header}.x"),
        );
        let alg = header.as_ref().ok().and_then(|h| h.get("alg")?.as_str());
        match alg {
            Some(alg) if alg.parse::<Algorithm>().ok() != Some(self.config.algorithm) => {
                "Token algorithm is not allowed"
            }
            _ => "Token is malformed",
        }
    }

    /// Mints a token for `user_id` with `iat`, `exp` (now + lifetime), `aud`/`iss` when
    /// configured, then `extra` (which may override any of them).
    pub fn mint(&self, user_id: &str, extra: Map<String, Value>) -> Result<String, ApiError> {
        let Some(key) = &self.encoding_key else {
            return Err(ApiError::internal_msg(format!(
                "cannot mint a JWT: no {:?} signing key is configured \
                 (KLUE_JWT_SECRET or KLUE_JWT_PRIVATE_KEY)",
                self.config.algorithm
            )));
        };
        let now = get_current_timestamp();
        let mut claims = Map::new();
        claims.insert("sub".into(), user_id.into());
        claims.insert("iat".into(), now.into());
        let exp = now.saturating_add(self.config.token_lifetime_secs);
        claims.insert("exp".into(), exp.into());
        if let Some(aud) = &self.config.audience {
            claims.insert("aud".into(), aud.as_str().into());
        }
        if let Some(iss) = &self.config.issuer {
            claims.insert("iss".into(), iss.as_str().into());
        }
        claims.extend(extra);
        jsonwebtoken::encode(&Header::new(self.config.algorithm), &claims, key)
            .map_err(ApiError::internal)
    }
}

/// Mints one token from a configuration (builds a throw-away [`Authenticator`]).
pub fn mint_token(
    config: &JwtConfig,
    user_id: &str,
    extra: Map<String, Value>,
) -> Result<String, ApiError> {
    Authenticator::new(config.clone())
        .map_err(ApiError::internal)?
        .mint(user_id, extra)
}

/// `Bearer <token>`: the scheme (any case), one space, a token without whitespace.
fn bearer_token(value: &str) -> Result<&str, &'static str> {
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => checked_token(token),
        None if value.eq_ignore_ascii_case("bearer") => {
            Err("Token not found in Authorization header")
        }
        _ => Err("Authorization header must start with Bearer"),
    }
}

fn checked_token(token: &str) -> Result<&str, &'static str> {
    if token.is_empty() {
        Err("Token not found in Authorization header")
    } else if token.bytes().fold(false, |space, b| space | (b <= b' ')) {
        // (A fold rather than `any`: it vectorizes, and this runs on every request. Bytes up to
        // ' ' are the whitespace and control characters; HeaderValue::to_str admits only tab.)
        Err("Authorization header must be Bearer + \\s + token")
    } else {
        Ok(token)
    }
}

/// Like [`bearer_token`], also accepting the URL-encoded `Bearer%20<token>`/`Bearer+<token>`.
fn cookie_token(value: &str) -> Result<&str, &'static str> {
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    if let Some((scheme, rest)) = value.split_at_checked(6) {
        if scheme.eq_ignore_ascii_case("bearer") {
            if let Some(token) = rest.strip_prefix("%20").or_else(|| rest.strip_prefix('+')) {
                return checked_token(token);
            }
        }
    }
    bearer_token(value)
}

/// The non-empty value of the first `token` cookie.
fn token_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "token")
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use serde_json::json;

    // Test-only key pairs (openssl genpkey / ecparam); never use them anywhere else.
    const RSA_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDDeqpZ+QGy4HW8
fDr9J26r8qYnOtUeo2NcYvFPPqloeYG/Lk2AhRkTn3BS6nAFhLAV/cV/hAJ7yyAZ
tgEJV8XTsUSmMdLdLTjK0jxiTWPaNhuy/GyMDOMn/dV8cuCX9nUy/HrcHxI686JJ
o6tktiz+PEdPpq8jo3jY2tqHRE88+LnLFzxKeLYQrH7adOclu/1WWlhU7HuJ4e35
TTZM/dPf3BB08L3qhzsa2gr6MZt6jBUXqAueyLvoIJ+l8B2v8tQX+4npHDbUC5Xi
YI91c5PH4v/fM7f7xVfe1sLOaXSl2rI41LI7ptx6bwXdBvVQS6pMvEYQ9a5gbYZX
3wN8C+WjAgMBAAECggEAE9dTiyZXIczepm8FncRu200ZyEmUcDOtVidEzwJRN6V9
oeYVP8JCtVctk3zwOd8p8FF9xl+j0OThMTrkCAq8rawEh8nu2TxJ02xbbK7mP7PW
Q+iTK/Py6pA9JxCR81q0sqQl5EnTE+C+zDKspuBG2NdNdaw5gqiJD5nHLIumb02y
AZnVNN0POFaoZB5tdgpMe0iB8XAjfN30G/FS56LzWbtX+mAyDdYw7+j7FruBUZHz
ob+qSxlzDb58U8zGBPKVIT57i0w3lFvgEwstBOYQJ46mjsvxcOejTv/jWQ18TBB4
BAuvMDUyuQVM+P945JZo3H2WCEDzbj32rDq91hl1wQKBgQD5Bhki86Ozgiq/Q33E
FBcvnquqX6mXToYbqEGnDcXKw2hM7cR/BjF2751qPIrch/FCUgASz8t/7EJ9fax4
ScVwW+Z9Mtt8jNHzk+ygXE83Be6Um+okHv4AAgpjYFZFwRpHi6znOrmqzVmZjEwk
APt5QeMWrfZpBnuwViHRUhqP6wKBgQDI9JDZMmpTyFDEkBVm8BgpGKApfvTPGoOn
cttEZVMDiwfJdygSoiHIPo8tc6k0+i0E0E4R8rZ+XMoyFDW4uqqdn0+EGY1urBNw
x6GmvoHqoHEujijHjZzZEci96YBtfKjcatHFT+HX/5gKUmftBDfQQd0+jksFWAsz
XPhiAaNLKQKBgQDxyvwJNexTViZPhCbPhnpk4HnqeexfX/1TSXJF1Fei402YtJ1A
gTDyPQLprlNeghi9voUXvu/nC+4bjzUxrt+ok3MfSYxYSRtqmMz/f+HimT3oyeL0
o6sZMuIHT/k0zaTIp1SBSEITGETRlKoxo0qJmHH5CXziyUq8E0XOyxvDdQKBgFf5
kYw0oQ3qzUkwVt5I0Br1t/BSrzQXxHlDNDD+Nth/Pjp52uZFaoqysJXSY8pYl+ra
ksMSwcgSMUa5SEeGGPmGbBZF5YAE/0HJc8B++HtSIBqki7/JBFiXi41wsxO7lmVg
slMyRIn+UH58UxkVVqXqn8QqITfGsqia0/Z8BxP5AoGAF/WOcLZct++3C0zUaGjB
z3syI1B3zGusRca130ZFWdcLP2wNg1tFdSjI2iFrlySvMJhR9lwsF0nHuvvkVd4T
LJoGE4bmOBNMCtNRDufzaSVJahhOyx2m3pWgVZs5VsRO7msMO/ljp4cDgjIEiCtQ
clq+uQvD/ci7rYqZEVFOWiE=
-----END PRIVATE KEY-----
";
    const RSA_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw3qqWfkBsuB1vHw6/Sdu
q/KmJzrVHqNjXGLxTz6paHmBvy5NgIUZE59wUupwBYSwFf3Ff4QCe8sgGbYBCVfF
07FEpjHS3S04ytI8Yk1j2jYbsvxsjAzjJ/3VfHLgl/Z1Mvx63B8SOvOiSaOrZLYs
/jxHT6avI6N42Nrah0RPPPi5yxc8Sni2EKx+2nTnJbv9VlpYVOx7ieHt+U02TP3T
39wQdPC96oc7GtoK+jGbeowVF6gLnsi76CCfpfAdr/LUF/uJ6Rw21AuV4mCPdXOT
x+L/3zO3+8VX3tbCzml0pdqyONSyO6bcem8F3Qb1UEuqTLxGEPWuYG2GV98DfAvl
owIDAQAB
-----END PUBLIC KEY-----
";
    const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUvj3aBLgGXixj/HV
PXdD0i9WZFkBniManAgWMlWg+nahRANCAAQDqMRxfwXLFvhfmQ1NhYalGOYoim6e
o8VIf7WN0Z2hY+uYPoCXY1KNLp134NSjB8osUyRSgiBmjR9ll/VCAmTn
-----END PRIVATE KEY-----
";
    const EC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEA6jEcX8Fyxb4X5kNTYWGpRjmKIpu
nqPFSH+1jdGdoWPrmD6Al2NSjS6dd+DUowfKLFMkUoIgZo0fZZf1QgJk5w==
-----END PUBLIC KEY-----
";
    const SECRET: &str = "test-secret-of-at-least-32-bytes!!";

    fn hs(edit: impl FnOnce(&mut JwtConfig)) -> Authenticator {
        let mut config = JwtConfig {
            secret: Some(SECRET.into()),
            ..JwtConfig::default()
        };
        edit(&mut config);
        Authenticator::new(config).unwrap()
    }

    fn extra(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn now() -> i64 {
        get_current_timestamp() as i64
    }

    fn with_auth(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    /// `(code, description)` of a failed check.
    fn failure(result: Result<Claims, ApiError>) -> (String, String) {
        let err = result.expect_err("expected a failure");
        (err.code().to_owned(), err.description().to_owned())
    }

    fn invalid(description: &str) -> (String, String) {
        ("TOKEN_INVALID".to_owned(), description.to_owned())
    }

    #[test]
    fn hs256_round_trip_keeps_claims() {
        let auth = hs(|c| {
            c.audience = Some("klue".into());
            c.issuer = Some("issuer".into());
        });
        let token = auth.mint("u1", extra(json!({"scope": "admin"}))).unwrap();
        let claims = auth
            .authenticate(&with_auth(&format!("Bearer {token}")))
            .unwrap();
        assert_eq!(claims.user_id(), "u1");
        assert_eq!(claims.get("scope"), Some(&json!("admin")));
        assert_eq!(claims.get("aud"), Some(&json!("klue")));
        assert_eq!(claims.get("iss"), Some(&json!("issuer")));
        let (iat, exp) = (claims.get("iat").unwrap(), claims.get("exp").unwrap());
        assert_eq!(exp.as_i64().unwrap() - iat.as_i64().unwrap(), 86_400);
        assert!(auth.is_configured());
        // Without a configured audience or issuer, tokens carrying them are still accepted.
        assert_eq!(hs(|_| {}).verify(&token).unwrap(), claims);
        assert_eq!(
            mint_token(auth.config(), "u2", Map::new())
                .map(|t| auth.verify(&t).unwrap().sub)
                .unwrap(),
            "u2"
        );
    }

    #[test]
    fn missing_and_bad_headers() {
        let auth = hs(|_| {});
        let err = auth.authenticate(&HeaderMap::new()).unwrap_err();
        assert_eq!(err.code(), "AUTHORIZATION_HEADER_MISSING");
        for (header, description) in [
            (
                "Bearer1234567890",
                "Authorization header must start with Bearer",
            ),
            (
                "bearer foo bar",
                "Authorization header must be Bearer + \\s + token",
            ),
            ("Bearer 1234567890", "Token is malformed"),
            (
                "Bearer  abc",
                "Authorization header must be Bearer + \\s + token",
            ),
            ("Bearer", "Token not found in Authorization header"),
            (
                "Basic dXNlcjpwYXNz",
                "Authorization header must start with Bearer",
            ),
        ] {
            let got = failure(auth.authenticate(&with_auth(header)));
            assert_eq!(got, invalid(description), "header {header:?}");
        }
        let mut headers = HeaderMap::new();
        let raw = HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap();
        headers.insert(AUTHORIZATION, raw);
        let got = failure(auth.authenticate(&headers));
        assert_eq!(got, invalid("Authorization header is not valid text"));
    }

    #[test]
    fn cookie_fallback() {
        let auth = hs(|_| {});
        let token = auth.mint("u1", Map::new()).unwrap();
        for cookie in [
            format!("a=b; token=Bearer {token}"),
            format!("token=Bearer%20{token}; c=d"),
            format!("token=\"Bearer+{token}\""),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(COOKIE, HeaderValue::from_str(&cookie).unwrap());
            assert_eq!(auth.authenticate(&headers).unwrap().sub, "u1", "{cookie}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("other=1; token="));
        let err = auth.authenticate(&headers).unwrap_err();
        assert_eq!(err.code(), "AUTHORIZATION_HEADER_MISSING");
    }

    #[test]
    fn time_claims_and_leeway() {
        let auth = hs(|_| {});
        let verify = |claims: Value| auth.verify(&auth.mint("u1", extra(claims)).unwrap());
        let expired = auth.verify(
            &auth
                .mint("u1", extra(json!({"exp": now() - 1000})))
                .unwrap(),
        );
        let expired = expired.unwrap_err();
        assert_eq!(expired.code(), "TOKEN_EXPIRED");
        assert_eq!(expired.description(), "Auth token is expired");
        assert!(verify(json!({"exp": now() - 100})).is_ok());
        assert!(verify(json!({"nbf": now() + 100, "iat": now() + 100})).is_ok());
        let nbf = failure(verify(json!({"nbf": now() + 1000})));
        assert_eq!(nbf, invalid("Token is not valid yet"));
        let iat = failure(verify(json!({"iat": now() + 1000})));
        assert_eq!(iat, invalid("Token was issued in the future"));
        let iat = failure(verify(json!({"iat": "yesterday"})));
        assert_eq!(iat, invalid("Token iat claim is not a number"));
        let no_exp = failure(verify(json!({"exp": null})));
        assert_eq!(no_exp, invalid("Token has no expiration time (exp)"));
    }

    #[test]
    fn audience_issuer_and_signature() {
        let auth = hs(|c| {
            c.audience = Some("klue".into());
            c.issuer = Some("issuer".into());
        });
        let verify = |claims: Value| auth.verify(&auth.mint("u1", extra(claims)).unwrap());
        let aud = failure(verify(json!({"aud": "other"})));
        assert_eq!(aud, invalid("Token audience is invalid"));
        let aud = failure(verify(json!({"aud": null})));
        assert_eq!(aud, invalid("Token has no audience (aud)"));
        assert!(verify(json!({"aud": ["other", "klue"]})).is_ok());
        let iss = failure(verify(json!({"iss": "mallory"})));
        assert_eq!(iss, invalid("Token issuer is invalid"));
        let other = hs(|c| c.secret = Some("another secret".into()));
        let token = other.mint("u1", Map::new()).unwrap();
        let sig = failure(hs(|_| {}).verify(&token));
        assert_eq!(sig, invalid("Token signature is invalid"));
    }

    #[test]
    fn alg_none_is_rejected() {
        let auth = hs(|_| {});
        let token = auth.mint("u1", Map::new()).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        // base64url of {"alg":"none","typ":"JWT"}
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        let got = failure(auth.authenticate(&with_auth(&format!("Bearer {none}"))));
        assert_eq!(got, invalid("Token algorithm is not allowed"));
        let got = failure(auth.verify(&format!("bm90IGpzb24.{payload}.")));
        assert_eq!(got, invalid("Token is malformed"));
        let no_sub = auth.mint("u1", extra(json!({"sub": 7}))).unwrap();
        let got = failure(auth.verify(&no_sub));
        assert_eq!(
            got,
            invalid("Token subject (sub) is missing or not a string")
        );
    }

    fn rs256(private: bool) -> Authenticator {
        Authenticator::new(JwtConfig {
            algorithm: Algorithm::RS256,
            public_key_pem: Some(RSA_PUBLIC.into()),
            private_key_pem: private.then(|| RSA_PRIVATE.into()),
            ..JwtConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn rs256_verifies_and_rejects_hmac_confusion() {
        let auth = rs256(true);
        let token = auth.mint("u1", Map::new()).unwrap();
        let verifier = rs256(false);
        assert_eq!(verifier.verify(&token).unwrap().sub, "u1");
        let err = verifier.mint("u1", Map::new()).unwrap_err();
        assert_eq!(err.code(), "SERVER_ERROR");
        // An HS256 token keyed with the public key PEM must not pass on an RS256 server.
        let forged = hs(|c| c.secret = Some(RSA_PUBLIC.into()));
        let forged = forged.mint("u1", Map::new()).unwrap();
        let got = failure(verifier.verify(&forged));
        assert_eq!(got, invalid("Token algorithm is not allowed"));
        // ...nor an RS256 token on an HS256 server.
        let got = failure(hs(|_| {}).verify(&token));
        assert_eq!(got, invalid("Token algorithm is not allowed"));
    }

    #[test]
    fn es256_round_trip_and_key_checks() {
        let mut config = JwtConfig {
            algorithm: Algorithm::ES256,
            public_key_pem: Some(EC_PUBLIC.into()),
            private_key_pem: Some(EC_PRIVATE.into()),
            ..JwtConfig::default()
        };
        let auth = Authenticator::new(config.clone()).unwrap();
        let token = auth.mint("u1", extra(json!({"role": "x"}))).unwrap();
        assert_eq!(auth.verify(&token).unwrap().get("role"), Some(&json!("x")));
        config.public_key_pem = Some(RSA_PUBLIC.into());
        let err = Authenticator::new(config).unwrap_err().to_string();
        assert!(err.contains("public key (KLUE_JWT_PUBLIC_KEY)"), "{err}");
    }

    #[test]
    fn unconfigured_server_refuses_every_token() {
        let token = hs(|_| {}).mint("u1", Map::new()).unwrap();
        for auth in [
            Authenticator::disabled(),
            Authenticator::new(JwtConfig::default()).unwrap(),
        ] {
            assert!(!auth.is_configured());
            let got = failure(auth.authenticate(&with_auth(&format!("Bearer {token}"))));
            assert_eq!(got, invalid(NO_KEY));
            assert_eq!(
                auth.mint("u1", Map::new()).unwrap_err().code(),
                "SERVER_ERROR"
            );
        }
    }

    #[test]
    fn from_lookup_parses_and_reports() {
        let lookup = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                let found = pairs.iter().find(|(k, _)| *k == name);
                found.map(|(_, v)| v.to_string())
            }
        };
        let config = JwtConfig::from_lookup(lookup(&[
            ("KLUE_JWT_ALGORITHM", "es256"),
            (
                "KLUE_JWT_PUBLIC_KEY",
                "-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----",
            ),
            ("KLUE_JWT_AUDIENCE", "klue"),
            ("KLUE_JWT_ISSUER", ""),
            ("KLUE_JWT_LEEWAY", "10"),
            ("KLUE_JWT_LIFETIME", " 60 "),
        ]))
        .unwrap();
        assert_eq!(config.algorithm, Algorithm::ES256);
        assert_eq!(
            config.public_key_pem.as_deref(),
            Some("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----")
        );
        assert_eq!(config.audience.as_deref(), Some("klue"));
        assert_eq!((config.issuer, config.secret), (None, None));
        assert_eq!((config.leeway_secs, config.token_lifetime_secs), (10, 60));
        let defaults = JwtConfig::from_lookup(|_| None).unwrap();
        assert_eq!(
            (defaults.algorithm, defaults.leeway_secs),
            (Algorithm::HS256, 300)
        );
        for (pairs, expected) in [
            (
                &[("KLUE_JWT_LEEWAY", "5m")][..],
                "KLUE_JWT_LEEWAY: expected a whole number",
            ),
            (
                &[("KLUE_JWT_LIFETIME", "-1")],
                "KLUE_JWT_LIFETIME: expected a whole number",
            ),
            (
                &[("KLUE_JWT_LIFETIME", "0")],
                "KLUE_JWT_LIFETIME: must be greater than 0",
            ),
            (
                &[("KLUE_JWT_ALGORITHM", "none")],
                "KLUE_JWT_ALGORITHM: unknown algorithm \"none\"",
            ),
            (
                &[("KLUE_JWT_PRIVATE_KEY", "/nonexistent/key.pem")],
                "KLUE_JWT_PRIVATE_KEY: cannot read key file /nonexistent/key.pem",
            ),
        ] {
            let err = JwtConfig::from_lookup(lookup(pairs))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(expected), "{err}");
        }
    }

    #[test]
    fn debug_redacts_secrets() {
        let config = JwtConfig {
            secret: Some("s3cr3t-value".into()),
            public_key_pem: Some(RSA_PUBLIC.into()),
            private_key_pem: Some(RSA_PRIVATE.into()),
            ..JwtConfig::default()
        };
        let auth = hs(|c| c.secret = Some("s3cr3t-value".into()));
        for text in [
            format!("{config:?}"),
            format!("{auth:?}"),
            format!("{auth:#?}"),
        ] {
            assert!(
                !text.contains("s3cr3t") && !text.contains("BEGIN"),
                "{text}"
            );
            assert!(text.contains("<redacted>"), "{text}");
        }
    }
}
