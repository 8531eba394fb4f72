//! JWT authentication: the `Authorization: Bearer <token>` check of operations that need a user.
//!
//! [`JwtConfig`] says which algorithm and keys to use (usually [`JwtConfig::from_env`]);
//! [`Authenticator`] is built from it once at start-up and verifies each request's token into
//! [`Claims`], or mints tokens. Only the configured algorithm is accepted, so `alg: none` and
//! HMAC/RSA confusion are rejected; `exp` is required, `nbf`/`iat` are checked when present, and
//! `aud`/`iss` are required and checked when configured. Failures are 401 `TOKEN_INVALID`
//! (short description, never the token) or `TOKEN_EXPIRED`.

// `ApiError` is the crate's by-value error type; its size is not this module's to change.

mod claims;
mod config;
mod crypto;
mod header;
mod http_schemes;
#[cfg(test)]
mod tests;

use std::fmt;

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
use jsonwebtoken::{
    get_current_timestamp, Algorithm, AlgorithmFamily, DecodingKey, EncodingKey, Header, Validation,
};
use serde_json::{Map, Value};

pub use claims::Claims;
pub use config::{AuthConfigError, JwtConfig};
pub use crypto::install as install_jwt_crypto;
pub(crate) use http_schemes::{is_opaque_bearer, BearerVerifiers};
pub use http_schemes::{BasicCredentials, BearerToken, VerifierFuture, MAX_AUTHORIZATION_BYTES};

use crate::error::ApiError;
use header::{bearer_token, cookie_token, token_cookie};

const NO_KEY: &str = "This server has no JWT key configured";

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
        crypto::install();
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
        crypto::install();
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
    ///
    /// A failure carries the RFC 6750 challenge: `WWW-Authenticate: Bearer` when no credential
    /// was sent, `Bearer error="invalid_token"` when the one sent is refused.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Claims, ApiError> {
        self.authenticate_unchallenged(headers).map_err(|err| {
            let challenge = if err.code() == crate::error::codes::AUTHORIZATION_HEADER_MISSING {
                HeaderValue::from_static("Bearer")
            } else {
                HeaderValue::from_static("Bearer error=\"invalid_token\"")
            };
            err.with_www_authenticate_if_unset(challenge)
        })
    }

    fn authenticate_unchallenged(&self, headers: &HeaderMap) -> Result<Claims, ApiError> {
        // Two credentials: which one is meant is not known, so neither is used.
        if headers.get_all(AUTHORIZATION).iter().nth(1).is_some() {
            return Err(ApiError::token_invalid(
                "The request has more than one Authorization header; send one",
            ));
        }
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
