//! Tests of JWT verification, minting and configuration.

use super::*;
use http::header::COOKIE;
use http::HeaderValue;
use serde_json::json;

// Test-only key pairs: copies of testaccept/keys (the HTTP tests use those), kept inside this
// package so that its tests build from the packaged crate too.
const RSA_PRIVATE: &str = include_str!("testdata/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("testdata/rsa_public.pem");
const EC_PRIVATE: &str = include_str!("testdata/ec_private.pem");
const EC_PUBLIC: &str = include_str!("testdata/ec_public.pem");
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
    // RFC 6750 section 3: no credential, a bare challenge; a refused one, `invalid_token`.
    assert_eq!(err.www_authenticate().unwrap(), "Bearer");
    let refused = auth.authenticate(&with_auth("Bearer x.y.z")).unwrap_err();
    assert_eq!(
        refused.www_authenticate().unwrap(),
        "Bearer error=\"invalid_token\""
    );
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

/// Every algorithm klue accepts signs and verifies through its ring provider (RustCrypto's
/// `rsa` is not compiled), and a signature by another key of the family is refused.
#[test]
fn every_algorithm_round_trips_through_the_ring_provider() {
    use jsonwebtoken::crypto::{sign, verify};
    use jsonwebtoken::{DecodingKey, EncodingKey};
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};

    crate::install_jwt_crypto();
    let rng = ring::rand::SystemRandom::new();
    let message = b"header.payload";
    let check = |alg: Algorithm, sk: &EncodingKey, pk: &DecodingKey, other: &DecodingKey| {
        let signature = sign(message, sk, alg).unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        assert!(verify(&signature, message, pk, alg).unwrap(), "{alg:?}");
        assert!(
            !verify(&signature, b"tampered", pk, alg).unwrap(),
            "{alg:?}"
        );
        assert!(
            !verify(&signature, message, other, alg).unwrap(),
            "{alg:?} other key"
        );
    };
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let sk = EncodingKey::from_secret(SECRET.as_bytes());
        let pk = DecodingKey::from_secret(SECRET.as_bytes());
        check(alg, &sk, &pk, &DecodingKey::from_secret(b"another secret"));
    }
    let rsa_sk = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap();
    let rsa_pk = DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap();
    let rsa_other = DecodingKey::from_rsa_raw_components(&[0xc5; 256], &[1, 0, 1]);
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        check(alg, &rsa_sk, &rsa_pk, &rsa_other);
    }
    let ec_sk = EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap();
    let ec_pk = DecodingKey::from_ec_pem(EC_PUBLIC.as_bytes()).unwrap();
    let p256 = &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING;
    let generated = EcdsaKeyPair::generate_pkcs8(p256, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(p256, generated.as_ref(), &rng).unwrap();
    check(
        Algorithm::ES256,
        &ec_sk,
        &ec_pk,
        &DecodingKey::from_ec_der(pair.public_key().as_ref()),
    );
    let p384 = &ring::signature::ECDSA_P384_SHA384_FIXED_SIGNING;
    let generated = EcdsaKeyPair::generate_pkcs8(p384, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(p384, generated.as_ref(), &rng).unwrap();
    let other = EcdsaKeyPair::generate_pkcs8(p384, &rng).unwrap();
    let other = EcdsaKeyPair::from_pkcs8(p384, other.as_ref(), &rng).unwrap();
    check(
        Algorithm::ES384,
        &EncodingKey::from_ec_der(generated.as_ref()),
        &DecodingKey::from_ec_der(pair.public_key().as_ref()),
        &DecodingKey::from_ec_der(other.public_key().as_ref()),
    );
    let generated = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(generated.as_ref()).unwrap();
    let other = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let other = Ed25519KeyPair::from_pkcs8(other.as_ref()).unwrap();
    check(
        Algorithm::EdDSA,
        &EncodingKey::from_ed_der(generated.as_ref()),
        &DecodingKey::from_ed_der(pair.public_key().as_ref()),
        &DecodingKey::from_ed_der(other.public_key().as_ref()),
    );
    // A key of another family is an error, not a pass.
    assert!(sign(message, &rsa_sk, Algorithm::ES256).is_err());
}
