//! Which named schemas contain which by value: a field that leads back to its own schema
//! without a `Vec` or map in between must be boxed.

use std::collections::BTreeSet;

use crate::model::{Api, Schema, SchemaKind};

/// For each named schema, every named schema its Rust type contains by value (transitively).
pub(super) fn containment(api: &Api) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    fn direct(schema: &Schema, out: &mut BTreeSet<String>) {
        match &schema.kind {
            SchemaKind::Ref(name) => {
                out.insert(name.clone());
            }
            SchemaKind::Object { properties, .. } => {
                for property in properties {
                    direct(&property.schema, out);
                }
            }
            SchemaKind::Union { alternatives, .. } => {
                for alternative in alternatives {
                    direct(alternative, out);
                }
            }
            _ => {}
        }
    }
    let edges: std::collections::BTreeMap<&str, BTreeSet<String>> = api
        .schemas
        .iter()
        .map(|(name, schema)| {
            let mut out = BTreeSet::new();
            direct(schema, &mut out);
            (name.as_str(), out)
        })
        .collect();
    let mut closure = std::collections::BTreeMap::new();
    for (name, _) in &api.schemas {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut stack: Vec<&str> = edges
            .get(name.as_str())
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        while let Some(next) = stack.pop() {
            if seen.insert(next.to_owned()) {
                stack.extend(edges.get(next).into_iter().flatten().map(String::as_str));
            }
        }
        closure.insert(name.clone(), seen);
    }
    closure
}
