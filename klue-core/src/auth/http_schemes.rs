//! The `http` security schemes other than klue's JWTs: `basic` credentials, decoded for the
//! handler, and opaque bearer tokens (API keys such as `Bearer sk_...`), handed to the handler
//! or first to a verifier the service registers with [`crate::ApiRouter::bearer_verifier`].
//!
//! Both refuse a malformed `Authorization` header with 401 and the `WWW-Authenticate`
//! challenge of their scheme (RFC 7235), whether or not the operation requires the scheme: a
//! caller who sends broken credentials is told so rather than served anonymously.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};

use super::header::checked_token;
use super::Claims;
use crate::error::{codes, ApiError};
use crate::extract::params::ToParam;
use crate::extract::request::OperationRequest;

/// The longest `Authorization` header read, in bytes: longer ones are refused with 401.
pub const MAX_AUTHORIZATION_BYTES: usize = 8 * 1024;

/// The user and password of `Authorization: Basic base64(user:password)` (RFC 7617).
///
/// `Debug` redacts the password.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct BasicCredentials {
    /// The user id: the text before the first `:`.
    pub user: String,
    /// The password: everything after the first `:` (it may hold further colons).
    pub password: String,
}

impl BasicCredentials {
    /// Credentials to send (generated clients write them as `Basic base64(user:password)`).
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        BasicCredentials {
            user: user.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl ToParam for BasicCredentials {
    fn to_param(&self) -> Cow<'_, str> {
        let pair = format!("{}:{}", self.user, self.password);
        Cow::Owned(format!("Basic {}", base64_encode(pair.as_bytes())))
    }
}

/// The token of `Authorization: Bearer <token>` for a scheme klue does not verify as a JWT,
/// with the claims its verifier returned, when the service registered one.
///
/// `Debug` redacts the token.
#[derive(Clone, PartialEq, Default)]
pub struct BearerToken {
    /// The token as sent.
    pub token: String,
    /// What the scheme's verifier ([`crate::ApiRouter::bearer_verifier`]) made of the token;
    /// `None` when no verifier is registered for the scheme.
    pub claims: Option<Claims>,
}

impl BearerToken {
    /// A token to send (generated clients write it as `Bearer <token>`).
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken {
            token: token.into(),
            claims: None,
        }
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &"<redacted>")
            .field("claims", &self.claims)
            .finish()
    }
}

impl ToParam for BearerToken {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Owned(format!("Bearer {}", self.token))
    }
}

/// The future a bearer verifier returns.
pub type VerifierFuture = Pin<Box<dyn Future<Output = Result<Claims, ApiError>> + Send>>;

/// A type-erased bearer verifier.
pub(crate) type Verifier = Arc<dyn Fn(String) -> VerifierFuture + Send + Sync>;

/// The verifiers one API registered, by scheme name; carried in each request's extensions.
#[derive(Clone, Default)]
pub(crate) struct BearerVerifiers(pub(crate) Vec<(String, Verifier)>);

impl BearerVerifiers {
    fn get(&self, scheme: &str) -> Option<&Verifier> {
        self.0
            .iter()
            .rev()
            .find(|(name, _)| name == scheme)
            .map(|(_, verifier)| verifier)
    }
}

impl OperationRequest {
    /// The credentials of the `http: basic` scheme `scheme` (generated code calls this). No
    /// `Authorization` header: `Ok(None)`, or a 401 `CREDENTIAL_MISSING` when `required`; one
    /// that is not `Basic` + base64 of UTF-8 `user:password`: a 401 `CREDENTIAL_INVALID`.
    /// Both carry `WWW-Authenticate: Basic realm="<scheme>"`.
    pub fn basic_credentials(
        &self,
        scheme: &'static str,
        required: bool,
    ) -> Result<Option<BasicCredentials>, ApiError> {
        let challenge = || basic_challenge(scheme);
        let Some(value) = authorization(&self.parts().headers, required, challenge)? else {
            return Ok(None);
        };
        parse_basic(value)
            .map(Some)
            .map_err(|problem| credential_invalid(problem, challenge()))
    }

    /// The token of the opaque `http: bearer` scheme `scheme` (generated code calls this),
    /// checked by the scheme's verifier when the service registered one. No `Authorization`
    /// header: `Ok(None)`, or a 401 `CREDENTIAL_MISSING` when `required`; one that is not
    /// `Bearer <token>`: a 401 `CREDENTIAL_INVALID`; a verifier's 401 is passed on. Each
    /// 401 carries `WWW-Authenticate: Bearer`.
    pub async fn bearer_token(
        &self,
        scheme: &'static str,
        required: bool,
    ) -> Result<Option<BearerToken>, ApiError> {
        let challenge = || HeaderValue::from_static("Bearer");
        let Some(value) = authorization(&self.parts().headers, required, challenge)? else {
            return Ok(None);
        };
        let token = super::header::bearer_token(value)
            .map_err(|problem| credential_invalid(problem, challenge()))?
            .to_owned();
        let verifier = self
            .parts()
            .extensions
            .get::<Arc<BearerVerifiers>>()
            .and_then(|verifiers| verifiers.get(scheme).cloned());
        let claims = match verifier {
            None => None,
            Some(verify) => match verify(token.clone()).await {
                Ok(claims) => Some(claims),
                Err(err) if err.status() == http::StatusCode::UNAUTHORIZED => {
                    return Err(err.with_www_authenticate_if_unset(HeaderValue::from_static(
                        "Bearer error=\"invalid_token\"",
                    )))
                }
                Err(err) => return Err(err),
            },
        };
        Ok(Some(BearerToken { token, claims }))
    }
}

/// Whether the security scheme `scheme` (its spec JSON) hands its bearer tokens to the handler:
/// an `http` bearer scheme whose `bearerFormat` is not `JWT`, or one the code generator marked
/// opaque (`x-klue-opaque`, from `Builder::opaque_bearer`).
pub(crate) fn is_opaque_bearer(scheme: &serde_json::Value) -> bool {
    if scheme["x-klue-opaque"] == serde_json::Value::Bool(true) {
        return true;
    }
    let bearer = scheme["type"] == "http"
        && scheme["scheme"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("bearer"));
    let format = scheme["bearerFormat"].as_str();
    bearer && format.is_some_and(|f| !f.eq_ignore_ascii_case("jwt"))
}

fn basic_challenge(scheme: &str) -> HeaderValue {
    // Scheme names are spec text: anything a quoted string cannot hold is left out.
    let realm: String = scheme
        .chars()
        .filter(|c| (c.is_ascii_graphic() && *c != '"' && *c != '\\') || *c == ' ')
        .collect();
    HeaderValue::from_str(&format!("Basic realm=\"{realm}\", charset=\"UTF-8\""))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"))
}

/// The one `Authorization` header of the request, as text; `None` when absent and optional.
fn authorization(
    headers: &HeaderMap,
    required: bool,
    challenge: impl Fn() -> HeaderValue,
) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        if required {
            let missing = crate::error::credential_missing(&["Authorization"]);
            return Err(missing.with_www_authenticate_if_unset(challenge()));
        }
        return Ok(None);
    };
    let problem = if values.next().is_some() {
        "The request has more than one Authorization header; send one"
    } else if value.len() > MAX_AUTHORIZATION_BYTES {
        "The Authorization header is longer than the server reads"
    } else {
        match value.to_str() {
            Ok(text) => return Ok(Some(text)),
            Err(_) => "The Authorization header is not valid text",
        }
    };
    Err(credential_invalid(problem, challenge()))
}

fn credential_invalid(problem: &str, challenge: HeaderValue) -> ApiError {
    ApiError::new(
        http::StatusCode::UNAUTHORIZED,
        codes::CREDENTIAL_INVALID,
        problem.to_owned(),
    )
    .with_www_authenticate_if_unset(challenge)
}

/// `Basic <base64(user:password)>`: the scheme (any case), spaces, standard base64 (padding
/// optional) of UTF-8 text holding a colon.
pub(crate) fn parse_basic(value: &str) -> Result<BasicCredentials, &'static str> {
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err("Authorization header must start with Basic");
    }
    let encoded = checked_token(rest.trim_start_matches(' '))
        .map_err(|_| "Authorization header must be Basic + a space + base64(user:password)")?;
    let bytes = base64_decode(encoded).ok_or("Basic credentials are not valid base64")?;
    let text = String::from_utf8(bytes).map_err(|_| "Basic credentials are not UTF-8 text")?;
    let (user, password) = text
        .split_once(':')
        .ok_or("Basic credentials must be user:password (no colon found)")?;
    Ok(BasicCredentials::new(user, password))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard-alphabet base64; `=` padding optional but, when present, in the right place.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let data = text.trim_end_matches('=');
    let padding = text.len() - data.len();
    if padding > 2 || (padding > 0 && text.len() % 4 != 0) || data.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in data.bytes() {
        let value = ALPHABET.iter().position(|&c| c == byte)? as u32;
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be zero, or the text is not the encoding of any bytes.
    (acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_refuses_bad_text() {
        for text in ["", "u", "us", "use", "user:pässword"] {
            let encoded = base64_encode(text.as_bytes());
            assert_eq!(base64_decode(&encoded).as_deref(), Some(text.as_bytes()));
            let unpadded = encoded.trim_end_matches('=');
            assert_eq!(base64_decode(unpadded).as_deref(), Some(text.as_bytes()));
        }
        assert_eq!(base64_encode(b"u:p"), "dTpw");
        for bad in ["dTp*", "d", "dT=p", "dTpw===", "dTo=x", "dR=="] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn basic_headers_are_decoded_or_refused_with_a_reason() {
        assert_eq!(
            parse_basic("Basic dTpwOmFzcw=="),
            Ok(BasicCredentials::new("u", "p:ass"))
        );
        assert_eq!(
            parse_basic("basic  dTpw"),
            Ok(BasicCredentials::new("u", "p"))
        );
        let reason = |value| parse_basic(value).unwrap_err();
        assert!(reason("nonsense").contains("must start with Basic"));
        assert!(reason("Bearer dTpw").contains("must start with Basic"));
        assert!(reason("Basic").contains("base64(user:password)"));
        assert!(reason("Basic not*base64").contains("base64"));
        assert!(reason("Basic dXNlcg==").contains("no colon"));
        assert!(reason("Basic /w==").contains("UTF-8"));
    }

    #[test]
    fn credentials_are_sent_as_their_scheme_and_never_debugged() {
        let basic = BasicCredentials::new("u", "p");
        assert_eq!(basic.to_param(), "Basic dTpw");
        assert!(!format!("{basic:?}").contains("\"p\""));
        let bearer = BearerToken::new("sk_live_1");
        assert_eq!(bearer.to_param(), "Bearer sk_live_1");
        assert!(!format!("{bearer:?}").contains("sk_live_1"));
    }
}
