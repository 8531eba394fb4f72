//! YAML specs read into JSON values with yaml-rust2, the project's one YAML stack (see
//! `klue_core::yaml`, which the runtime uses for the same; a build dependency cannot use the
//! runtime crate). The same parser's events locate diagnostics (`crate::locate`).

use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::locate::Position;

/// The first document of `text` (an empty text is `null`), or what is wrong and where.
pub(crate) fn parse(text: &str) -> Result<Value, (String, Option<Position>)> {
    let documents = YamlLoader::load_from_str(text).map_err(|err| {
        let position = Position {
            line: err.marker().line(),
            column: err.marker().col() + 1,
        };
        (err.info().to_owned(), Some(position))
    })?;
    documents.first().map_or(Ok(Value::Null), |document| {
        to_json(document).map_err(|e| (e, None))
    })
}

/// A node as JSON: keys become text (`200:` is `"200"`); an integer beyond `i64`, which
/// yaml-rust2 keeps as text, is a `u64` or a float.
fn to_json(yaml: &Yaml) -> Result<Value, String> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(text) => match text.trim_start_matches('+').parse::<u64>() {
            Ok(unsigned) => Value::from(unsigned),
            Err(_) => Yaml::Real(text.clone())
                .as_f64()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| format!("{text} is not a number JSON can hold"))?,
        },
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Hash(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (key, value) in entries {
                let key = match key {
                    Yaml::String(s) | Yaml::Real(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Null => "null".to_owned(),
                    _ => return Err("a mapping key that is not text or a number".to_owned()),
                };
                map.insert(key, to_json(value)?);
            }
            Value::Object(map)
        }
        Yaml::Alias(_) | Yaml::BadValue => {
            return Err("a value YAML cannot read (an unknown alias or a bad tagged value)".into())
        }
    })
}
