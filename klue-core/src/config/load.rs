//! A service's typed configuration: any `serde::Deserialize` struct, read from environment
//! variables, an optional `.env` file and an optional `klue.yaml`, every missing or malformed
//! key reported at once.
//!
//! Keys: a field `database_url` is the variable `DATABASE_URL` (after an optional prefix, e.g.
//! `APP_DATABASE_URL`) or the YAML key `database_url`; a nested field `smtp.port` is
//! `SMTP__PORT` (two underscores) or `smtp: {port: ...}`. Variables beat `.env`, which beats
//! `klue.yaml`. Variable values are parsed as the field needs: numbers, `true`/`false`,
//! comma-separated lists. Optional fields are `Option`s or `#[serde(default)]`.

use std::path::PathBuf;

use serde::de::DeserializeOwned;

use super::node::Node;
use super::ConfigError;

/// Where [`load_from`] reads configuration.
#[derive(Debug, Clone)]
pub struct ConfigSources {
    /// Only variables starting with this are read, without it (`APP_` -> `APP_PORT` is `port`).
    pub prefix: String,
    /// The process environment (`None`: not read; tests pass their own variables instead).
    pub env: Option<Vec<(String, String)>>,
    /// A `.env` file (`KEY=value` lines), read when it exists.
    pub dotenv: Option<PathBuf>,
    /// A YAML file, read when it exists.
    pub yaml: Option<PathBuf>,
}

impl Default for ConfigSources {
    /// The process environment, `./.env` and `./klue.yaml` (or the file named by
    /// `KLUE_CONFIG_FILE`), no prefix.
    fn default() -> Self {
        let yaml = std::env::var("KLUE_CONFIG_FILE")
            .ok()
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| "klue.yaml".to_owned());
        ConfigSources {
            prefix: String::new(),
            env: Some(std::env::vars().collect()),
            dotenv: Some(PathBuf::from(".env")),
            yaml: Some(PathBuf::from(yaml)),
        }
    }
}

/// Reads `T` from the default sources ([`ConfigSources::default`]).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Config {
///     database_url: String,
///     #[serde(default)]
///     pool_size: Option<u32>,
/// }
/// match klue_core::config::load::<Config>() {
///     Ok(config) => println!("connecting to {}", config.database_url),
///     // One message naming every missing or malformed key.
///     Err(err) => eprintln!("error: {err}"),
/// }
/// ```
pub fn load<T: DeserializeOwned>() -> Result<T, ConfigError> {
    load_from(&ConfigSources::default())
}

/// Reads `T` from `sources`.
pub fn load_from<T: DeserializeOwned>(sources: &ConfigSources) -> Result<T, ConfigError> {
    let mut problems = Vec::new();
    let mut tree = Node::Table(Default::default());
    if let Some(path) = &sources.yaml {
        match std::fs::read_to_string(path) {
            Ok(text) => match crate::yaml::parse(&text) {
                Ok(serde_json::Value::Null) => {}
                Ok(value @ serde_json::Value::Object(_)) => tree = Node::from_typed(value),
                Ok(_) => problems.push(format!("{}: not a mapping of keys", path.display())),
                Err(err) => problems.push(format!("{}: {err}", path.display())),
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => problems.push(format!("{}: {err}", path.display())),
        }
    }
    let mut variables = Vec::new();
    if let Some(path) = &sources.dotenv {
        match std::fs::read_to_string(path) {
            Ok(text) => match parse_dotenv(&text) {
                Ok(parsed) => variables.extend(parsed),
                Err(err) => problems.push(format!("{}: {err}", path.display())),
            },
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => problems.push(format!("{}: {err}", path.display())),
        }
    }
    variables.extend(sources.env.iter().flatten().cloned());
    for (name, value) in variables {
        let Some(key) = name.strip_prefix(&sources.prefix) else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        let path: Vec<String> = key
            .to_ascii_lowercase()
            .split("__")
            .map(str::to_owned)
            .collect();
        tree.insert(&path, Node::Text(value));
    }

    // Each round reports one problem and replaces its value with a placeholder, until the
    // rest deserializes: every missing or malformed key is named, not just the first.
    for _ in 0..64 {
        match serde_path_to_error::deserialize::<_, T>(tree.clone()) {
            Ok(value) if problems.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(err) => {
                let mut path: Vec<String> = err
                    .path()
                    .iter()
                    .filter_map(|segment| match segment {
                        serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                        serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                        _ => None,
                    })
                    .collect();
                let message = err.inner().to_string();
                let missing = message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next());
                let problem = match missing {
                    Some(field) => {
                        path.push(field.to_owned());
                        format!("{}: missing", describe(&sources.prefix, &path))
                    }
                    None => {
                        let shown = tree.get(&path).map_or_else(String::new, Node::shown);
                        format!(
                            "{}: {shown} is not valid: {message}",
                            describe(&sources.prefix, &path)
                        )
                    }
                };
                let stuck = matches!(tree.get(&path), Some(Node::Placeholder));
                problems.push(problem);
                if stuck {
                    break;
                }
                tree.insert(&path, Node::Placeholder);
            }
        }
    }
    Err(ConfigError { problems })
}

/// `SMTP__PORT (smtp.port in klue.yaml)`.
fn describe(prefix: &str, path: &[String]) -> String {
    format!(
        "{prefix}{} ({} in klue.yaml)",
        path.join("__").to_ascii_uppercase(),
        path.join(".")
    )
}

/// `KEY=value` lines; `#` comments, blank lines, `export ` and surrounding quotes allowed.
fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, dotenvy::Error> {
    // dotenvy follows the usual rules (`A=1 # comment`, quotes, escapes, `export`), which a
    // hand-written reader got wrong.
    dotenvy::from_read_iter(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines() {
        let text = "# c\nA=1 # one\nexport B=\"two words\"\n\nC='x=y'\nD=\"a\\nb\"\n";
        assert_eq!(
            parse_dotenv(text).unwrap(),
            vec![
                ("A".to_owned(), "1".to_owned()),
                ("B".to_owned(), "two words".to_owned()),
                ("C".to_owned(), "x=y".to_owned()),
                ("D".to_owned(), "a\nb".to_owned()),
            ]
        );
        // A malformed line is an error naming its line, not a line silently skipped.
        let err = parse_dotenv("A=1\nbroken line\n").unwrap_err().to_string();
        assert!(err.contains("broken line") || err.contains('2'), "{err}");
    }
}
