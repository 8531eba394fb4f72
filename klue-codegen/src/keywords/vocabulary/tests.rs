//! The tables' consistency.

use super::{fields, Kind, Value, Version};

const KINDS: [Kind; 28] = [
    Kind::Root,
    Kind::Info,
    Kind::Contact,
    Kind::License,
    Kind::Server,
    Kind::ServerVariable,
    Kind::Components,
    Kind::Paths,
    Kind::PathItem,
    Kind::Operation,
    Kind::ExternalDocs,
    Kind::Parameter,
    Kind::RequestBody,
    Kind::MediaType,
    Kind::Encoding,
    Kind::Responses,
    Kind::Response,
    Kind::Example,
    Kind::Link,
    Kind::Header,
    Kind::Tag,
    Kind::Schema,
    Kind::Discriminator,
    Kind::Xml,
    Kind::SecurityScheme,
    Kind::OAuthFlows,
    Kind::OAuthFlow,
    Kind::Items,
];

/// Every table a keyword leads to exists in that version (or is a patterned object the
/// walk handles itself), and no table lists a keyword twice.
#[test]
fn tables_are_complete_and_without_duplicates() {
    for version in [Version::Swagger2, Version::OpenApi30, Version::OpenApi31] {
        for kind in KINDS {
            let Some(table) = fields(kind, version) else {
                continue;
            };
            let names: Vec<&str> = table.names().collect();
            for (i, name) in names.iter().enumerate() {
                assert!(
                    !names[..i].contains(name),
                    "{kind:?} {version:?}: {name} twice"
                );
                let target = match table.get(name) {
                    Some(Value::Node(k) | Value::MapOf(k) | Value::ListOf(k)) => k,
                    Some(Value::NodeOrList(k)) => k,
                    _ => continue,
                };
                let walked = matches!(target, Kind::Paths | Kind::Responses);
                assert!(
                    walked || fields(target, version).is_some(),
                    "{kind:?}.{name} leads to {target:?}, which {version:?} has no table for"
                );
            }
        }
    }
}

#[test]
fn versions_differ_where_openapi_does() {
    let has = |kind, version, key| fields(kind, version).is_some_and(|t| t.get(key).is_some());
    assert!(has(Kind::Root, Version::Swagger2, "definitions"));
    assert!(!has(Kind::Root, Version::OpenApi30, "definitions"));
    assert!(has(Kind::Root, Version::OpenApi31, "webhooks"));
    assert!(!has(Kind::Root, Version::OpenApi30, "webhooks"));
    assert!(has(Kind::Schema, Version::OpenApi30, "nullable"));
    assert!(!has(Kind::Schema, Version::OpenApi31, "nullable"));
    assert!(has(Kind::Schema, Version::OpenApi31, "prefixItems"));
    assert!(!has(Kind::Schema, Version::Swagger2, "oneOf"));
    assert!(has(Kind::Operation, Version::OpenApi30, "requestBody"));
    assert!(!has(Kind::Operation, Version::Swagger2, "requestBody"));
}
