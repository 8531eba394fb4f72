//! Unknown keywords and out-of-set values, found on the spec as written.
//!
//! The readers deserialize the spec into models that drop the keys they do not know: a
//! misspelt `minLenght: 3` or `typ: string` would silently give a field without its rule, or
//! a `serde_json::Value`. This check walks the raw (bundled) document by the OpenAPI object
//! types of its version ([`vocabulary`]) and reports:
//!
//! - every key an object of that type does not have, as a *warning* (real-world specs carry
//!   such keys, and they still build), with "did you mean" when a keyword is near;
//! - every value outside the set a keyword needs (`type: integre`, `in: querry`, `style:`,
//!   a security scheme's `type`...), as an *error*: the spec means something klue cannot know.
//!
//! `x-` extensions are always allowed. A `$ref` object outside schemas is a Reference Object:
//! its other keys are ignored by OpenAPI, so they are not reported either.

mod spelling;
mod vocabulary;

use serde_json::{Map, Value};

use crate::diagnostics::{join, Collector};
use vocabulary::{fields, Fields, Kind};

/// The OpenAPI version whose vocabulary applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

impl Version {
    fn name(self) -> &'static str {
        match self {
            Version::Swagger2 => "Swagger 2.0",
            Version::OpenApi30 => "OpenAPI 3.0",
            Version::OpenApi31 => "OpenAPI 3.1",
        }
    }
}

/// Checks `document` (a whole spec of `version`, other files' content bundled in): unknown keys
/// go to `collector`'s warnings, values outside their set to its errors.
pub(crate) fn check(document: &Value, version: Version, collector: &mut Collector<'_>) {
    Walk {
        version,
        out: collector,
    }
    .node(document, Kind::Root, "");
}

struct Walk<'c, 'a> {
    version: Version,
    out: &'c mut Collector<'a>,
}

impl Walk<'_, '_> {
    /// Checks the object `value` of type `kind` at `pointer` (anything else is left to the
    /// readers, which say what shape they expected).
    fn node(&mut self, value: &Value, kind: Kind, pointer: &str) {
        let Some(map) = value.as_object() else {
            return;
        };
        match kind {
            Kind::Paths => {
                for (path, item) in map.iter().filter(|(key, _)| !is_extension(key)) {
                    self.node(item, Kind::PathItem, &join(pointer, path));
                }
            }
            Kind::Responses => self.responses(map, pointer),
            _ => {
                if let Some(fields) = fields(kind, self.version) {
                    self.object(map, kind, &fields, pointer);
                }
            }
        }
    }

    fn object(&mut self, map: &Map<String, Value>, kind: Kind, fields: &Fields, pointer: &str) {
        let reference = !matches!(kind, Kind::Schema | Kind::PathItem) && map.contains_key("$ref");
        if reference {
            return;
        }
        for (key, value) in map.iter().filter(|(key, _)| !is_extension(key)) {
            let at = join(pointer, key);
            match fields.get(key) {
                Some(expected) => self.value(value, key, expected, &at),
                None => self.unknown(key, kind, fields, &at),
            }
        }
    }

    /// Walks into the value of `keyword` as its table says.
    fn value(&mut self, value: &Value, keyword: &str, expected: vocabulary::Value, at: &str) {
        use vocabulary::Value as V;
        match (expected, value) {
            (V::Free, _) => {}
            (V::Node(kind), _) => self.node(value, kind, at),
            (V::MapOf(kind), Value::Object(map)) => {
                for (name, item) in map {
                    self.node(item, kind, &join(at, name));
                }
            }
            (V::ListOf(kind) | V::NodeOrList(kind), Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    self.node(item, kind, &join(at, &index.to_string()));
                }
            }
            (V::NodeOrList(kind), _) => self.node(value, kind, at),
            (V::OneOf(set), Value::String(word)) => self.one_of(word, keyword, set, at),
            (V::OneOf(set), Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    if let Value::String(word) = item {
                        let at = join(at, &index.to_string());
                        self.one_of(word, keyword, set, &at);
                    }
                }
            }
            (V::MapOf(_) | V::ListOf(_) | V::OneOf(_), _) => {}
        }
    }

    /// A status code -> response map: a key that is no status code is reported (a response's
    /// `description` written one level too high, say).
    fn responses(&mut self, map: &Map<String, Value>, pointer: &str) {
        for (code, response) in map.iter().filter(|(key, _)| !is_extension(key)) {
            let at = join(pointer, code);
            if is_status(code) {
                self.node(response, Kind::Response, &at);
            } else {
                self.out.warn_help(
                    &at,
                    format!("`{code}` in `responses` is not a status code (ignored)"),
                    "the keys of `responses` are `default`, a status code like `200`, or a \
                     range like `2XX`",
                );
            }
        }
    }

    fn unknown(&mut self, key: &str, kind: Kind, fields: &Fields, at: &str) {
        let near = spelling::nearest(key, fields.names());
        // An OpenAPI 3.1 schema is a JSON Schema 2020-12 one, where a keyword outside the
        // vocabulary is a legal annotation (specs use them for their own tools): only one that
        // is a near miss of a keyword (`minLenght`) is reported, as that one is a typo.
        if near.is_none() && kind == Kind::Schema && self.version == Version::OpenApi31 {
            return;
        }
        let message = format!(
            "unknown keyword `{key}` in {} ({} ignores it)",
            kind.noun(),
            self.version.name()
        );
        let help = match near {
            Some(near) => format!("did you mean `{near}`?"),
            None => "an extension's name starts with `x-`".to_owned(),
        };
        self.out.warn_help(at, message, help);
    }

    fn one_of(&mut self, word: &str, keyword: &str, set: &[&str], at: &str) {
        if set.contains(&word) {
            return;
        }
        let all = set.join(", ");
        let help = match spelling::nearest(word, set.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? `{keyword}` is one of: {all}"),
            None => format!("`{keyword}` is one of: {all}"),
        };
        self.out
            .error_help(at, format!("`{word}` is not a valid `{keyword}`"), help);
    }
}

fn is_extension(key: &str) -> bool {
    key.starts_with("x-")
}

/// `default`, a status code (`200`) or a range (`2XX`, also written `2xx`).
fn is_status(key: &str) -> bool {
    let bytes = key.as_bytes();
    key == "default"
        || (bytes.len() == 3
            && matches!(bytes[0], b'1'..=b'5')
            && (bytes[1..].iter().all(u8::is_ascii_digit)
                || bytes[1..].eq_ignore_ascii_case(b"XX")))
}
