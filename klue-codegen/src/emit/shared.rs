//! Sharing between the emitted items, which keeps large outputs small: identical inline schemas
//! get one type and one static (GitHub's webhooks repeat the same objects hundreds of times),
//! and a field, parameter, variant or body whose schema already has a static validates against
//! it instead of a new static that merely wraps it.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::TypeEmitter;
use crate::model::*;

impl TypeEmitter {
    /// The serde attribute of an optional field that refuses `null` where its schema does not
    /// admit it; nothing where it does (the field then reads `null` as absent).
    pub(super) fn non_null_attribute(&self, schema: &Schema) -> TokenStream {
        if self.admits_null(schema) {
            quote!()
        } else {
            quote!(deserialize_with = "klue::deserialize_non_null",)
        }
    }

    /// Whether `null` is a valid value of `schema`: it is nullable, untyped, a union (one of
    /// its alternatives may be), or a reference to such a schema.
    fn admits_null(&self, schema: &Schema) -> bool {
        let mut schema = schema;
        // Bounded: a longer chain of references is a cycle.
        for _ in 0..64 {
            if schema.nullable {
                return true;
            }
            match &schema.kind {
                SchemaKind::Any | SchemaKind::Union { .. } => return true,
                SchemaKind::Ref(target) => match self.named_kind(target) {
                    Some(next) => schema = next,
                    None => return true,
                },
                _ => return false,
            }
        }
        true
    }

    /// What makes two inline schemas emit the same type: the schema without its origin, and
    /// which of the named schemas it reaches are boxed inside the current named schema
    /// (recursion).
    pub(super) fn shape_key(&self, schema: &Schema) -> String {
        fn refs<'s>(schema: &'s Schema, out: &mut Vec<&'s Schema>) {
            match &schema.kind {
                SchemaKind::Ref(_) => out.push(schema),
                SchemaKind::Object {
                    properties,
                    additional,
                } => {
                    properties.iter().for_each(|p| refs(&p.schema, out));
                    if let Additional::Schema(values) = additional {
                        refs(values, out);
                    }
                }
                SchemaKind::Union { alternatives, .. } => {
                    alternatives.iter().for_each(|a| refs(a, out))
                }
                SchemaKind::Array { items, .. } => refs(items, out),
                SchemaKind::Map { values, .. } => refs(values, out),
                _ => {}
            }
        }
        let mut reached = Vec::new();
        refs(schema, &mut reached);
        let boxed: Vec<bool> = reached.iter().map(|r| self.needs_box(r)).collect();
        let mut shape = schema.clone();
        forget_origin(&mut shape);
        format!("{shape:?}{boxed:?}")
    }

    /// The static to validate a value of type `schema` against: an existing one
    /// ([`Self::shared_static`]), else a new static holding its rules, named by `name` (only
    /// called then, so that no name is taken for nothing).
    pub(super) fn static_for(
        &mut self,
        schema: &Schema,
        hint: &str,
        name: impl FnOnce(&mut Self) -> proc_macro2::Ident,
    ) -> TokenStream {
        if let Some(shared) = self.shared_static(schema, hint) {
            return shared;
        }
        let rt = super::types::rt();
        let name = name(self);
        let expr = self.schema_expr(schema, hint);
        self.items
            .push(quote!(pub(crate) static #name: #rt::Schema = #expr;));
        quote!(#name)
    }

    /// The static to validate a value of type `schema` against, when one exists already: a
    /// shared plain node, a named schema's static, or the static of the inline type
    /// [`Self::rust_type`] gave `hint` (which must have been called first).
    pub(crate) fn shared_static(&self, schema: &Schema, hint: &str) -> Option<TokenStream> {
        if let Some(plain) = super::composite::plain_static(schema) {
            return Some(plain);
        }
        if schema.nullable {
            return None;
        }
        match &schema.kind {
            SchemaKind::Ref(name) => {
                let target = self.named_static(name);
                Some(quote!(#target))
            }
            SchemaKind::Object { .. } | SchemaKind::StringEnum(_) | SchemaKind::Union { .. } => {
                let target = self.inline_static(hint)?;
                Some(quote!(#target))
            }
            _ => None,
        }
    }
}

/// Clears where a schema and its parts come from (pointers) and their descriptions, which do
/// not change the Rust type: two copies of an inline object then compare equal.
fn forget_origin(schema: &mut Schema) {
    schema.pointer.clear();
    schema.description = None;
    match &mut schema.kind {
        SchemaKind::Object {
            properties,
            additional,
        } => {
            properties
                .iter_mut()
                .for_each(|p| forget_origin(&mut p.schema));
            if let Additional::Schema(values) = additional {
                forget_origin(values);
            }
        }
        SchemaKind::Union { alternatives, .. } => alternatives.iter_mut().for_each(forget_origin),
        SchemaKind::Array { items, .. } => forget_origin(items),
        SchemaKind::Map { values, .. } => forget_origin(values),
        _ => {}
    }
}
