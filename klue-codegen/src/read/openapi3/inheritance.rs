//! Polymorphism by `allOf` inheritance, Swagger 2.0's use of `discriminator` (also valid in
//! 3.0): a named object schema with a `discriminator` stands for itself or any named schema that
//! extends it (`allOf: [{$ref: base}, ...]`). Its name then goes to a union of those, decoded
//! by the tag, so that every reference to it accepts the subtypes; the base object itself is
//! renamed `<Base>Base`.

use openapiv3 as oa;

use super::{Reader, SCHEMA_PREFIX};
use crate::diagnostics::join;
use crate::model::*;

impl Reader<'_, '_, '_> {
    /// Turns each base with a discriminator and subtypes into a union (see the module docs).
    pub(super) fn inheritance(&mut self, schemas: &mut Vec<(String, Schema)>) {
        let Some(components) = &self.spec.components else {
            return;
        };
        let mut unions = Vec::new();
        for (base, schema) in &components.schemas {
            let oa::ReferenceOr::Item(item) = schema else {
                continue;
            };
            let Some(discriminator) = &item.schema_data.discriminator else {
                continue;
            };
            if matches!(
                item.schema_kind,
                oa::SchemaKind::OneOf { .. } | oa::SchemaKind::AnyOf { .. }
            ) {
                continue; // a union's discriminator: read with the union
            }
            let subtypes: Vec<(&String, Option<&str>)> = subtypes_of(base, &components.schemas)
                .into_iter()
                .map(|name| (name, tag_extension(&components.schemas[name])))
                .collect();
            if subtypes.is_empty() {
                continue;
            }
            let base_tag = tag_extension(schema).unwrap_or(base).to_owned();
            unions.push((base.clone(), base_tag, discriminator.clone(), subtypes));
        }
        for (base, base_tag, discriminator, subtypes) in unions {
            let pointer = join("/components/schemas", &base);
            let Some(index) = schemas.iter().position(|(name, _)| *name == base) else {
                continue;
            };
            let renamed = free_name(&format!("{base}Base"), schemas);
            let original = std::mem::replace(&mut schemas[index].0, renamed.clone());
            let description = schemas[index].1.description.clone();
            let mut alternatives = vec![reference_to(&renamed, &pointer)];
            alternatives.extend(
                subtypes
                    .iter()
                    .map(|(name, _)| reference_to(name, &pointer)),
            );
            // The base's tag: its `mapping` entry, else its `x-ms-discriminator-value`, else its
            // name, as for every subtype.
            let mut tagged = discriminator.clone();
            let base_target = format!("{SCHEMA_PREFIX}{renamed}");
            let mut mapped = false;
            for target in tagged.mapping.values_mut() {
                if target.strip_prefix(SCHEMA_PREFIX).unwrap_or(target) == original {
                    target.clone_from(&base_target);
                    mapped = true;
                }
            }
            if !mapped {
                tagged.mapping.insert(base_tag, base_target);
            }
            // Azure's `x-ms-discriminator-value` gives a subtype's tag where `mapping` does not.
            for (name, tag) in &subtypes {
                let target = format!("{SCHEMA_PREFIX}{name}");
                if let Some(tag) = tag.filter(|_| !tagged.mapping.values().any(|t| *t == target)) {
                    tagged.mapping.insert((*tag).to_owned(), target);
                }
            }
            let discriminator =
                self.discriminator(&tagged, &alternatives, &join(&pointer, "discriminator"));
            let union = Schema {
                kind: SchemaKind::Union {
                    alternatives,
                    one_of: true,
                    discriminator,
                },
                description,
                pointer: pointer.clone(),
                nullable: false,
            };
            schemas.insert(index + 1, (original, union));
        }
    }
}

/// The named schemas that extend `base` (`allOf` with a `$ref` to it, or to one of them), in
/// spec order.
fn subtypes_of<'s>(
    base: &str,
    schemas: &'s indexmap::IndexMap<String, oa::ReferenceOr<oa::Schema>>,
) -> Vec<&'s String> {
    let mut family = vec![format!("{SCHEMA_PREFIX}{base}")];
    let mut found: Vec<&String> = Vec::new();
    loop {
        let before = found.len();
        for (name, schema) in schemas {
            let oa::ReferenceOr::Item(schema) = schema else {
                continue;
            };
            // `allOf` of one part is a reference with siblings, not a subtype.
            let oa::SchemaKind::AllOf { all_of } = &schema.schema_kind else {
                continue;
            };
            let extends = all_of.len() > 1
                && all_of.iter().any(|part| {
                    matches!(part, oa::ReferenceOr::Reference { reference } if family.contains(reference))
                });
            if extends && name != base && !found.contains(&name) {
                found.push(name);
                family.push(format!("{SCHEMA_PREFIX}{name}"));
            }
        }
        if found.len() == before {
            break;
        }
    }
    // In spec order, whatever the depth.
    schemas.keys().filter(|name| found.contains(name)).collect()
}

/// A schema's `x-ms-discriminator-value`.
fn tag_extension(schema: &oa::ReferenceOr<oa::Schema>) -> Option<&str> {
    match schema {
        oa::ReferenceOr::Item(schema) => schema
            .schema_data
            .extensions
            .get("x-ms-discriminator-value")?
            .as_str(),
        oa::ReferenceOr::Reference { .. } => None,
    }
}

fn reference_to(name: &str, pointer: &str) -> Schema {
    Schema {
        kind: SchemaKind::Ref(name.to_owned()),
        description: None,
        pointer: pointer.to_owned(),
        nullable: false,
    }
}

/// `wanted`, or `wanted2`, `wanted3`, ... if a schema has that name.
fn free_name(wanted: &str, schemas: &[(String, Schema)]) -> String {
    let taken = |name: &str| schemas.iter().any(|(n, _)| n == name);
    let mut name = wanted.to_owned();
    let mut n = 1;
    while taken(&name) {
        n += 1;
        name = format!("{wanted}{n}");
    }
    name
}
