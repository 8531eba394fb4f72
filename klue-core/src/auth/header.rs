//! Finding the token: the `Authorization: Bearer` header, or the original's `token` cookie.

use http::header::COOKIE;
use http::HeaderMap;

/// `Bearer <token>`: the scheme (any case), one space, a token without whitespace.
pub(super) fn bearer_token(value: &str) -> Result<&str, &'static str> {
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => checked_token(token),
        None if value.eq_ignore_ascii_case("bearer") => {
            Err("Token not found in Authorization header")
        }
        _ => Err("Authorization header must start with Bearer"),
    }
}

pub(super) fn checked_token(token: &str) -> Result<&str, &'static str> {
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
pub(super) fn cookie_token(value: &str) -> Result<&str, &'static str> {
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
pub(super) fn token_cookie(headers: &HeaderMap) -> Option<&str> {
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
