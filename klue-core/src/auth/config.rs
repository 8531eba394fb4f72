//! Which algorithm and keys verify tokens, read from `KLUE_JWT_*`.

use std::fmt;

use jsonwebtoken::Algorithm;

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
