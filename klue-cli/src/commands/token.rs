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
