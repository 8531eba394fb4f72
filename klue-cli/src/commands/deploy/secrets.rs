//! env.secrets: the names come from the file, the values from the deployer's environment, and
//! the values go nowhere but into the new environment's properties.

use std::fmt;
use std::path::Path;

use crate::commands::service::secret_names;
use crate::commands::UserError;

/// A secret value. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The value, for the one place it goes: the environment property.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Reads every variable `dir/env.secrets` lists from `lookup` (the process environment in use);
/// all missing ones are named in one error.
pub fn read(
    dir: &Path,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Vec<(String, Secret)>, UserError> {
    let names = secret_names(dir)?;
    let mut values = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match lookup(&name).filter(|v| !v.is_empty()) {
            Some(value) => values.push((name, Secret(value))),
            None => missing.push(name),
        }
    }
    if missing.is_empty() {
        Ok(values)
    } else {
        Err(UserError::new(
            format!(
                "env.secrets lists {} that {} not set: nothing was changed",
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" }
            ),
            format!(
                "export {} in this shell (the new environment gets {} as environment \
                 propert{}), or remove {} from env.secrets",
                missing
                    .iter()
                    .map(|n| format!("{n}=..."))
                    .collect::<Vec<_>>()
                    .join(" "),
                if missing.len() == 1 { "it" } else { "them" },
                if missing.len() == 1 { "y" } else { "ies" },
                if missing.len() == 1 { "it" } else { "them" },
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_their_value() {
        let secret = Secret("hunter2".to_owned());
        assert_eq!(
            format!("{secret:?} {secret}"),
            "Secret(<redacted>) <redacted>"
        );
        assert_eq!(secret.expose(), "hunter2");
    }
}
