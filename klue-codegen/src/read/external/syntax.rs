//! Where a node of a spec sits (schema or not, data or not), and the syntax of `$ref` strings.

use serde_json::{Map, Value};

/// Keys of maps from names to objects, outside schemas: a key right under one of them is a
/// name (a parameter called `schema`, a response called `default`), not a keyword.
pub(super) const NAME_MAPS: [&str; 14] = [
    "schemas",
    "definitions",
    "parameters",
    "responses",
    "headers",
    "requestBodies",
    "examples",
    "links",
    "callbacks",
    "securitySchemes",
    "content",
    "encoding",
    "variables",
    "paths",
];

/// Keys of maps from names to schemas, inside a schema.
pub(super) const SCHEMA_MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Keys whose values are data, never schemas or references (and `examples` inside a schema).
pub(super) const DATA_KEYS: [&str; 4] = ["example", "default", "enum", "const"];

/// Whether the node at `pointer` of the bundled document is a schema or inside one.
pub(super) fn in_schema(pointer: &str, section: &str) -> bool {
    if pointer.len() > section.len() && under(pointer, section) {
        return true;
    }
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    segments
        .iter()
        .enumerate()
        .any(|(i, s)| *s == "schema" && i > 0 && !NAME_MAPS.contains(&segments[i - 1]))
}

/// Whether `pointer` is `prefix` or under it.
pub(super) fn under(pointer: &str, prefix: &str) -> bool {
    pointer == prefix
        || (pointer.starts_with(prefix) && pointer.as_bytes().get(prefix.len()) == Some(&b'/'))
}

/// `object` with its `$ref` set to `reference` (first, as written by hand).
pub(super) fn with_ref(object: Map<String, Value>, reference: Value) -> Value {
    let mut out = Map::new();
    out.insert("$ref".to_owned(), reference);
    out.extend(object.into_iter().filter(|(key, _)| key != "$ref"));
    Value::Object(out)
}

/// `file.yaml#/a/b` -> (`file.yaml`, `/a/b` decoded).
pub(super) fn split(reference: &str) -> (&str, String) {
    match reference.split_once('#') {
        Some((path, fragment)) => (path, percent_decode(fragment)),
        None => (reference, String::new()),
    }
}

pub(super) fn is_remote(path: &str) -> bool {
    path.contains("://") || path.starts_with("http:") || path.starts_with("https:")
}

/// A JSON pointer as a URI fragment: what is not safe in one is percent-encoded.
pub(super) fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        match c {
            '%' | ' ' | '#' | '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^' => {
                let mut buffer = [0; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `%20` -> ` `.
pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if let (b'%', Some(byte)) = (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A schema name made of letters, digits and `_` (what a Rust type name can be made from).
pub(super) fn identifier(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_matches('_').to_owned();
    if name.is_empty() {
        "Schema".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_positions_are_told_from_their_pointer() {
        let s = "/components/schemas";
        assert!(in_schema("/components/schemas/Pet", s));
        assert!(in_schema("/components/schemas/Pet/properties/a", s));
        assert!(!in_schema("/components/schemas", s));
        assert!(in_schema(
            "/paths/~1a/get/responses/200/content/x/schema",
            s
        ));
        assert!(in_schema("/components/parameters/P/schema/items", s));
        assert!(!in_schema("/components/parameters/schema", s));
        assert!(!in_schema("/paths/~1a/get/parameters/0", s));
        assert!(in_schema("/definitions/Pet", "/definitions"));
        assert!(in_schema(
            "/paths/~1a/get/parameters/0/schema",
            "/definitions"
        ));
        assert!(!in_schema("/parameters/schema", "/definitions"));
    }

    #[test]
    fn references_split_decode_and_encode() {
        assert_eq!(
            split("a b.yaml#/x~1y/%7Bid%7D"),
            ("a b.yaml", "/x~1y/{id}".into())
        );
        assert_eq!(split("pet.json"), ("pet.json", String::new()));
        assert_eq!(split("#/a"), ("", "/a".into()));
        assert_eq!(
            encode_fragment("/paths/~1a~1{id} x"),
            "/paths/~1a~1%7Bid%7D%20x"
        );
        assert_eq!(percent_decode("%41%zz%"), "A%zz%");
        assert!(is_remote("https://example.com/a.yaml"));
        assert!(is_remote("http:a.yaml"));
        assert!(!is_remote("../a.yaml"));
    }

    #[test]
    fn names_are_identifiers() {
        assert_eq!(identifier("Pet"), "Pet");
        assert_eq!(identifier("pet.v1"), "pet_v1");
        assert_eq!(identifier("--"), "Schema");
    }
}
