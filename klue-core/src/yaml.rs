//! YAML as klue reads and writes it: specs, `klue.yaml` and configuration files parsed into JSON
//! values, and the served spec written out as YAML.
//!
//! One YAML stack for the whole project, yaml-rust2: pure Rust, maintained, YAML 1.2 (so `on`
//! and `yes` stay strings), and the same parser whose events klue-codegen uses to locate a
//! diagnostic in the spec's text. serde_yaml and its forks sit on unsafe-libyaml, a C-to-Rust
//! translation that is archived.

use serde_json::{Map, Number, Value};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

/// A YAML text that is not a JSON value: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line, when the parser knows it.
    pub line: Option<usize>,
    /// 1-based column, when the parser knows it.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{} at line {line} column {column}", self.message)
            }
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// Parses the first document of `text` (an empty text is `null`) into a JSON value.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    let documents = YamlLoader::load_from_str(text).map_err(|err| YamlError {
        line: Some(err.marker().line()),
        column: Some(err.marker().col() + 1),
        message: err.info().to_owned(),
    })?;
    documents.first().map_or(Ok(Value::Null), to_json)
}

/// Parses `text` and deserializes it into `T`.
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_json::from_value(parse(text)?).map_err(|err| YamlError {
        line: None,
        column: None,
        message: err.to_string(),
    })
}

/// A parsed YAML node as JSON: keys become text (`200:` is `"200"`), numbers stay numbers.
fn to_json(yaml: &Yaml) -> Result<Value, YamlError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(text) => real(text)?,
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Hash(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (key, value) in entries {
                map.insert(key_text(key)?, to_json(value)?);
            }
            Value::Object(map)
        }
        Yaml::Alias(_) | Yaml::BadValue => {
            return Err(plain(
                "a value YAML cannot read (an unknown alias or a bad tagged value)",
            ))
        }
    })
}

/// A YAML float, or an integer beyond `i64` (which yaml-rust2 keeps as text too).
fn real(text: &str) -> Result<Value, YamlError> {
    if let Ok(unsigned) = text.trim_start_matches('+').parse::<u64>() {
        return Ok(Value::from(unsigned));
    }
    let float = Yaml::Real(text.to_owned()).as_f64().unwrap_or(f64::NAN);
    Number::from_f64(float)
        .map(Value::Number)
        .ok_or_else(|| plain(format!("{text} is not a number JSON can hold")))
}

fn key_text(key: &Yaml) -> Result<String, YamlError> {
    Ok(match key {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null => "null".to_owned(),
        _ => return Err(plain("a mapping key that is not text or a number")),
    })
}

fn plain(message: impl Into<String>) -> YamlError {
    YamlError {
        line: None,
        column: None,
        message: message.into(),
    }
}

/// `value` written as a YAML document (block style, strings quoted where YAML would read them
/// as something else).
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    // Writing to a `String` cannot fail.
    let _ = emitter.dump(&to_yaml(value));
    out.push('\n');
    out
}

fn to_yaml(value: &Value) -> Yaml {
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Integer(i),
            None => Yaml::Real(n.to_string()),
        },
        Value::String(s) => Yaml::String(s.clone()),
        Value::Array(items) => Yaml::Array(items.iter().map(to_yaml).collect()),
        Value::Object(map) => {
            let mut hash = Hash::with_capacity(map.len());
            for (key, item) in map {
                hash.insert(Yaml::String(key.clone()), to_yaml(item));
            }
            Yaml::Hash(hash)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_reads_as_json_with_yaml_1_2_scalars() {
        let text = "openapi: 3.0.3\nresponses:\n  200: {description: ok}\nflags: [on, yes, true, ~]\n\
                    big: 18446744073709551615\nratio: 0.5\nhex: 0x1F\nlist:\n  - &a {x: 1}\n  - *a\n";
        assert_eq!(
            parse(text).unwrap(),
            json!({
                "openapi": "3.0.3",
                "responses": {"200": {"description": "ok"}},
                "flags": ["on", "yes", true, null],
                "big": 18_446_744_073_709_551_615_u64,
                "ratio": 0.5,
                "hex": 31,
                "list": [{"x": 1}, {"x": 1}],
            })
        );
        assert_eq!(parse("").unwrap(), Value::Null);
    }

    #[test]
    fn a_broken_text_is_an_error_with_its_place() {
        let err = parse("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(err.line.is_some(), "{err}");
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert!(err.message.contains("duplicated key"), "{err}");
        assert!(parse("x: .nan\n").is_err());
    }

    #[test]
    fn written_yaml_reads_back_as_the_same_value() {
        let value = json!({
            "title": "a: b", "empty": "", "numberish": "123", "floatish": "1e3", "bool": "true",
            "yes": "yes", "space": " x ", "multi": "a\nb", "hash": "#x", "n": -3, "f": 2.5,
            "nested": {"list": [1, "two", null, false], "200": {"description": "ok"}},
        });
        assert_eq!(parse(&to_string(&value)).unwrap(), value);
    }

    #[test]
    fn typed_values_deserialize_from_yaml() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Config {
            name: String,
            port: u16,
        }
        let config: Config = from_str("name: hello\nport: 8080\n").unwrap();
        assert_eq!(config.name, "hello");
        assert_eq!(config.port, 8080);
        assert!(from_str::<Config>("name: hello\n").is_err());
    }
}
