//! The static schema tree of a type: the `Schema` expression the runtime validates a value
//! against (the typed validator and the untyped one share it), with a `static` per pattern.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::types::{rt, TypeEmitter};
use crate::model::*;

impl TypeEmitter {
    /// The static holding the regex `source`, named after the first schema that uses it (so a
    /// spec edit elsewhere does not rename it); schemas with the same pattern share it.
    fn pattern_static(&mut self, source: &str, hint: &str) -> proc_macro2::Ident {
        if let Some(existing) = self.patterns.get(source) {
            return existing.clone();
        }
        let rt = rt();
        let name = self.reserve_static_named(format!("PATTERN_{}", crate::naming::shouty(hint)));
        self.items
            .push(quote!(pub(crate) static #name: #rt::Pattern = #rt::Pattern::new(#source);));
        self.patterns.insert(source.to_owned(), name.clone());
        name
    }

    /// An expression of type `Schema` for `schema`. Inline objects and enums must have been
    /// given their type by [`Self::rust_type`] with the same `hint` first.
    pub(crate) fn schema_expr(&mut self, schema: &Schema, hint: &str) -> TokenStream {
        let rt = rt();
        if schema.nullable {
            let inner = Schema {
                nullable: false,
                ..schema.clone()
            };
            let inner = self.schema_expr(&inner, hint);
            return quote!(#rt::Schema::Nullable(&#inner));
        }
        match &schema.kind {
            SchemaKind::Any => quote!(#rt::Schema::Any),
            SchemaKind::Boolean => quote!(#rt::Schema::Boolean),
            SchemaKind::Integer(format, rules) => {
                let format = match format {
                    IntFormat::Int32 => quote!(#rt::IntegerFormat::Int32),
                    IntFormat::Int64 => quote!(#rt::IntegerFormat::Int64),
                    IntFormat::Uint64 => quote!(#rt::IntegerFormat::Uint64),
                };
                let rules = number_rules(rules);
                quote!(#rt::Schema::Integer(#format, #rules))
            }
            SchemaKind::Number(_, rules) => {
                let rules = number_rules(rules);
                quote!(#rt::Schema::Number(#rules))
            }
            SchemaKind::String(rules) => {
                let mut set = Vec::new();
                if let Some(min) = rules.min_length {
                    let min = Literal::usize_unsuffixed(min);
                    set.push(quote!(min_length: Some(#min)));
                }
                if let Some(max) = rules.max_length {
                    let max = Literal::usize_unsuffixed(max);
                    set.push(quote!(max_length: Some(#max)));
                }
                if let Some(source) = &rules.pattern {
                    let pattern_static = self.pattern_static(source, hint);
                    set.push(quote!(pattern: Some(&#pattern_static)));
                }
                if let Some(variant) = rules
                    .format
                    .as_deref()
                    .and_then(super::composite::checked_format)
                {
                    set.push(quote!(format: Some(#rt::Format::#variant)));
                }
                string_rules(&set)
            }
            SchemaKind::Array {
                items,
                min_items,
                max_items,
                unique_items,
            } => {
                let item = self.schema_expr(items, &format!("{hint}_item"));
                let min = option_usize(*min_items);
                let max = option_usize(*max_items);
                quote!(#rt::Schema::Array(#rt::ArrayRules {
                    items: &#item,
                    min_items: #min,
                    max_items: #max,
                    unique_items: #unique_items,
                }))
            }
            SchemaKind::Map {
                values,
                min_properties,
                max_properties,
            } => {
                let value = self.schema_expr(values, &format!("{hint}_value"));
                let mut set = vec![quote!(additional: Some(&#value))];
                if let Some(min) = min_properties {
                    let min = Literal::usize_unsuffixed(*min);
                    set.push(quote!(min_properties: Some(#min)));
                }
                if let Some(max) = max_properties {
                    let max = Literal::usize_unsuffixed(*max);
                    set.push(quote!(max_properties: Some(#max)));
                }
                quote!(#rt::Schema::Object(#rt::ObjectRules { #(#set,)* ..#rt::ObjectRules::EMPTY }))
            }
            SchemaKind::Ref(name) => {
                let target = self.named_static(name);
                quote!(#rt::Schema::Ref(&#target))
            }
            SchemaKind::Object { .. } | SchemaKind::StringEnum(_) | SchemaKind::Union { .. } => {
                if !self.inline_statics.contains_key(hint) {
                    self.inline_type(schema, hint);
                }
                let target = self.inline_statics[hint].clone();
                quote!(#rt::Schema::Ref(&#target))
            }
        }
    }
}

fn option_usize(value: Option<usize>) -> TokenStream {
    match value {
        Some(v) => {
            let v = Literal::usize_unsuffixed(v);
            quote!(Some(#v))
        }
        None => quote!(None),
    }
}

/// `StringRules` stating only the constraints in `set` (`field: value` pairs).
pub(super) fn string_rules(set: &[TokenStream]) -> TokenStream {
    let rt = rt();
    if set.is_empty() {
        return quote!(#rt::Schema::String(#rt::StringRules::ANY));
    }
    quote!(#rt::Schema::String(#rt::StringRules { #(#set,)* ..#rt::StringRules::ANY }))
}

/// `NumberRules` stating only the constraints the spec gives.
fn number_rules(rules: &NumberRules) -> TokenStream {
    let rt = rt();
    let fields = [
        ("minimum", rules.minimum),
        ("maximum", rules.maximum),
        ("exclusive_minimum", rules.exclusive_minimum),
        ("exclusive_maximum", rules.exclusive_maximum),
        ("multiple_of", rules.multiple_of),
    ];
    let set: Vec<TokenStream> = fields
        .iter()
        .filter_map(|(name, value)| {
            let name = format_ident!("{}", name);
            let value = Literal::f64_suffixed((*value)?);
            Some(quote!(#name: Some(#value)))
        })
        .collect();
    if set.is_empty() {
        return quote!(#rt::NumberRules::ANY);
    }
    quote!(#rt::NumberRules { #(#set,)* ..#rt::NumberRules::ANY })
}
