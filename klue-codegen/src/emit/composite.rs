//! Composite schemas: `oneOf`/`anyOf` enums, the containment graph that decides which fields
//! of recursive types are boxed, and the shared nodes of plain fields.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, rt, TypeEmitter};
use crate::model::*;
use crate::naming;

/// The shared runtime node of a schema without rules (`klue::plain::STRING`, ...), if it is one.
pub(crate) fn plain_static(schema: &Schema) -> Option<TokenStream> {
    if schema.nullable {
        return None;
    }
    let no_bounds = |rules: &NumberRules| *rules == NumberRules::default();
    let name = match &schema.kind {
        SchemaKind::Any => quote!(ANY),
        SchemaKind::Boolean => quote!(BOOLEAN),
        SchemaKind::String(rules)
            if rules.min_length.is_none()
                && rules.max_length.is_none()
                && rules.pattern.is_none() =>
        {
            match rules.format.as_deref().and_then(checked_format) {
                None => quote!(STRING),
                Some(format) => {
                    let shared = naming::shouty(&format.to_string());
                    let shared = quote::format_ident!("{}", shared);
                    quote!(#shared)
                }
            }
        }
        SchemaKind::Integer(IntFormat::Int32, rules) if no_bounds(rules) => quote!(INT32),
        SchemaKind::Integer(IntFormat::Int64, rules) if no_bounds(rules) => quote!(INT64),
        SchemaKind::Number(_, rules) if no_bounds(rules) => quote!(NUMBER),
        _ => return None,
    };
    let rt = rt();
    Some(quote!(#rt::plain::#name))
}

/// The runtime `Format` variant of a format name klue checks at run time.
pub(super) fn checked_format(name: &str) -> Option<proc_macro2::Ident> {
    let variant = match name {
        "uuid" => "Uuid",
        "date-time" => "DateTime",
        "date" => "Date",
        "time" => "Time",
        "email" => "Email",
        "uri" => "Uri",
        "byte" => "Byte",
        _ => return None,
    };
    Some(quote::format_ident!("{}", variant))
}

impl TypeEmitter {
    /// A Rust enum, one variant per alternative, serialized as the alternative itself. It is
    /// decoded by a runtime function from a table of alternatives: by the discriminator's tag
    /// when there is one, else `oneOf`'s exactly-one rule or `anyOf`'s first fit.
    /// The name a union's alternative is called by, before it is made unique: its type's.
    fn variant_base(&self, alternative: &Schema, index: usize) -> String {
        match &alternative.kind {
            SchemaKind::Ref(name) => naming::camel(&self.rust_name_of(name)),
            SchemaKind::Boolean => "Boolean".to_owned(),
            SchemaKind::Integer(..) => "Integer".to_owned(),
            SchemaKind::Number(..) => "Number".to_owned(),
            SchemaKind::String(rules) => self
                .typed_format(rules)
                .map_or("String", |typed| typed.variant())
                .to_owned(),
            SchemaKind::StringEnum(_) => "String".to_owned(),
            SchemaKind::Array { .. } => "Array".to_owned(),
            SchemaKind::Map { .. } => "Map".to_owned(),
            _ => format!("Variant{index}"),
        }
    }

    pub(super) fn emit_union(
        &mut self,
        rust_name: &str,
        static_name: &proc_macro2::Ident,
        alternatives: &[Schema],
        (one_of, discriminator): (bool, Option<&Discriminator>),
        docs: TokenStream,
    ) {
        let rt = rt();
        let type_ident = ident(rust_name);
        let mut taken = BTreeSet::new();
        let mut variants = Vec::new();
        let mut checks = Vec::new();
        let mut decoders = Vec::new();
        let mut nodes = Vec::new();
        for (index, alternative) in alternatives.iter().enumerate() {
            let base = self.variant_base(alternative, index);
            let variant = ident(&naming::unique(base, &mut taken));
            let hint = format!("{rust_name}_{variant}");
            let ty = self.rust_type(alternative, &hint);
            let ty = if self.needs_box(alternative) {
                quote!(Box<#ty>)
            } else {
                ty
            };
            let ty = if alternative.nullable {
                quote!(Option<#ty>)
            } else {
                ty
            };
            let variant_static =
                self.static_for(alternative, &hint, |types| types.reserve_static(&hint));
            variants.push(quote!(#variant(#ty),));
            checks.push(
                quote!(Self::#variant(value) => #rt::Validate::validate(value, &#variant_static, v),),
            );
            decoders.push(quote!(|v| #rt::decode(v).map(Self::#variant)));
            nodes.push(variant_static);
        }
        let (decode, node) = match discriminator {
            Some(discriminator) => {
                let property = &discriminator.property;
                let values: Vec<&String> = discriminator.tags.iter().map(|(tag, _)| tag).collect();
                let tag_decoders = discriminator.tags.iter().map(|(_, i)| &decoders[*i]);
                let tag_nodes = discriminator.tags.iter().map(|(_, i)| &nodes[*i]);
                (
                    quote!(#rt::tagged(d, #property, &[#((#values, #tag_decoders)),*])),
                    quote!(#rt::Schema::Tagged(#rt::TaggedRules {
                        property: #property,
                        tags: &[#(#rt::Tag { value: #values, schema: &#tag_nodes }),*],
                    })),
                )
            }
            None => {
                let (function, variant) = if one_of {
                    (quote!(one_of), quote!(OneOf))
                } else {
                    (quote!(any_of), quote!(AnyOf))
                };
                (
                    quote!(#rt::#function(d, &[#((&#nodes, #decoders)),*])),
                    quote!(#rt::Schema::#variant(&[#(&#nodes),*])),
                )
            }
        };
        let serde_path = format!("{rt}::serde").replace(' ', "");
        self.items.push(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, #rt::serde::Serialize)]
            #[serde(crate = #serde_path, untagged)]
            pub enum #type_ident {
                #(#variants)*
            }

            impl<'de> #rt::serde::Deserialize<'de> for #type_ident {
                fn deserialize<D: #rt::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    #decode
                }
            }

            impl #rt::Validate for #type_ident {
                fn validate(&self, _schema: &'static #rt::Schema, v: &mut #rt::Violations) {
                    match self {
                        #(#checks)*
                    }
                }
            }

            pub(crate) static #static_name: #rt::Schema = #node;
        });
    }
}
