//! `klue token`: mints a JWT the way the server verifies it.

use klue_core::{Authenticator, JwtConfig};
use serde_json::{Map, Value};

use super::UserError;
use crate::cli::TokenArgs;

/// Prints a token for `args.sub` with the configured secret/keys, audience and issuer.
pub fn run(args: &TokenArgs) -> Result<(), UserError> {
    let config = JwtConfig::from_env()
        .map_err(|err| UserError::new(err.to_string(), "fix the KLUE_JWT_* variable it names"))?;
    let mut claims = Map::new();
    for claim in &args.claims {
        let (name, value) = claim.split_once('=').ok_or_else(|| {
            UserError::new(
                format!("claim '{claim}' is not NAME=VALUE"),
                "e.g. --claim role=admin --claim level=3",
            )
        })?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        claims.insert(name.to_owned(), value);
    }
    if let Some(warning) = short_secret_warning(&config) {
        eprintln!("{warning}");
    }
    let authenticator = Authenticator::new(config)
        .map_err(|err| UserError::new(err.to_string(), "fix the KLUE_JWT_* variable it names"))?;
    if !authenticator.is_configured() {
        return Err(UserError::new(
            "no JWT key: KLUE_JWT_SECRET is not set",
            "export KLUE_JWT_SECRET=<the server's secret> (and KLUE_JWT_AUDIENCE / KLUE_JWT_ISSUER if the server sets them)",
        ));
    }
    let token = authenticator
        .mint(&args.sub, claims)
        .map_err(|err| UserError::plain(err.description().to_owned()))?;
    if args.json {
        let verified = authenticator
            .verify(&token)
            .map_err(|err| UserError::plain(err.description().to_owned()))?;
        let out = serde_json::json!({"token": token, "claims": verified});
        println!("{out}");
    } else {
        println!("{token}");
    }
    Ok(())
}

/// The shortest HMAC secret that does not weaken the signature: RFC 7518 section 3.2 wants a key
/// of at least the hash's size, 32 bytes for HS256.
const MIN_SECRET_BYTES: usize = 32;

/// A warning when the HMAC secret is shorter than [`MIN_SECRET_BYTES`] (the token is minted all
/// the same: the server decides what it accepts).
fn short_secret_warning(config: &JwtConfig) -> Option<String> {
    let secret = config.secret.as_deref()?;
    (secret.len() < MIN_SECRET_BYTES).then(|| {
        format!(
            "warning: KLUE_JWT_SECRET is {} bytes, shorter than the {MIN_SECRET_BYTES} an HMAC key \
             should have (RFC 7518 3.2): anyone who guesses it can mint tokens\n  hint: use a \
             random secret, e.g. export KLUE_JWT_SECRET=$(openssl rand -hex 32)",
            secret.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_shorter_than_32_bytes_is_warned_of() {
        let with = |secret: &str| JwtConfig {
            secret: Some(secret.to_owned()),
            ..JwtConfig::default()
        };
        let warning = short_secret_warning(&with("short")).unwrap();
        assert!(
            warning.starts_with("warning: KLUE_JWT_SECRET is 5 bytes"),
            "{warning}"
        );
        assert_eq!(short_secret_warning(&with(&"x".repeat(32))), None);
        assert_eq!(short_secret_warning(&JwtConfig::default()), None);
    }
}
