//! The static schema tree of a type: the `Schema` expression the runtime validates a value
//! against (the typed validator and the untyped one share it), with a `static` per pattern.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::types::{rt, TypeEmitter};
use crate::model::*;

impl TypeEmitter {
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
                let min = option_usize(rules.min_length);
                let max = option_usize(rules.max_length);
                let pattern = match &rules.pattern {
                    Some(source) => {
                        self.patterns += 1;
                        let pattern_static = format_ident!("PATTERN_{}", self.patterns);
                        self.items.push(quote!(static #pattern_static: #rt::Pattern = #rt::Pattern::new(#source);));
                        quote!(Some(&#pattern_static))
                    }
                    None => quote!(None),
                };
                let format = match rules
                    .format
                    .as_deref()
                    .and_then(super::composite::checked_format)
                {
                    Some(variant) => quote!(Some(#rt::Format::#variant)),
                    None => quote!(None),
                };
                quote!(#rt::Schema::String(#rt::StringRules {
                    min_length: #min,
                    max_length: #max,
                    pattern: #pattern,
                    enum_values: &[],
                    format: #format,
                }))
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
                let min = option_usize(*min_properties);
                let max = option_usize(*max_properties);
                quote!(#rt::Schema::Object(#rt::ObjectRules {
                    properties: &[],
                    additional: Some(&#value),
                    min_properties: #min,
                    max_properties: #max,
                }))
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

fn option_f64(value: Option<f64>) -> TokenStream {
    match value {
        Some(v) => {
            let v = Literal::f64_suffixed(v);
            quote!(Some(#v))
        }
        None => quote!(None),
    }
}

fn number_rules(rules: &NumberRules) -> TokenStream {
    let rt = rt();
    let minimum = option_f64(rules.minimum);
    let maximum = option_f64(rules.maximum);
    let exclusive_minimum = option_f64(rules.exclusive_minimum);
    let exclusive_maximum = option_f64(rules.exclusive_maximum);
    let multiple_of = option_f64(rules.multiple_of);
    quote!(#rt::NumberRules {
        minimum: #minimum,
        maximum: #maximum,
        exclusive_minimum: #exclusive_minimum,
        exclusive_maximum: #exclusive_maximum,
        multiple_of: #multiple_of,
    })
}
