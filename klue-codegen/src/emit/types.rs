//! Rust types for schemas, and the static schema tree the runtime validates against.
//!
//! Every struct gets a `static SCHEMA_<TYPE>` (an object node) plus one static per field, so
//! that the typed validator (`impl Validate`) and the untyped one share the same rules.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::*;
use crate::naming;

pub(crate) use super::tokens::{doc, ident, rt};

/// Emits types and schema statics, naming inline types deterministically from their context.
pub(crate) struct TypeEmitter {
    /// Items emitted so far (types, impls, statics), in emission order.
    pub(crate) items: Vec<TokenStream>,
    type_names: BTreeSet<String>,
    static_names: BTreeSet<String>,
    /// Rust names of the spec's named schemas, in spec order.
    named: Vec<(String, String)>,
    /// The same, by schema name.
    named_index: std::collections::HashMap<String, String>,
    /// Pattern statics by regex source: one per distinct pattern.
    pub(super) patterns: std::collections::HashMap<String, proc_macro2::Ident>,
    /// Schema statics of inline types, by the hint they were named from.
    pub(super) inline_statics: std::collections::BTreeMap<String, proc_macro2::Ident>,
    /// Names of inline types, by the hint they were named from: the server and the client ask
    /// for the same inline types, which must be emitted once.
    inline_types: std::collections::BTreeMap<String, String>,
    /// Inline types and their statics by shape ([`Self::shape_key`]): identical inline schemas
    /// share them.
    inline_by_shape: std::collections::HashMap<String, (String, proc_macro2::Ident)>,
    /// For each named schema, the named schemas its type contains without indirection (through
    /// fields, not through `Vec` or maps): a field that leads back to its own schema is boxed.
    contains: std::collections::BTreeMap<String, BTreeSet<String>>,
    /// The named schema whose types are being emitted.
    owner: Option<String>,
    /// The named schemas, to read the kind behind a reference (defaults of enum fields).
    named_schemas: std::collections::HashMap<String, Schema>,
    /// `Builder::typed_formats`: `date-time`, `date` and `uuid` strings as typed values.
    pub(crate) typed_formats: bool,
}

impl TypeEmitter {
    pub(crate) fn new(api: &Api) -> Self {
        // Generated code names these prelude items bare: a schema called `String` must not
        // shadow them (`pub type String = String;` is a cycle), so it becomes `String2`.
        let mut type_names: BTreeSet<String> = naming::PRELUDE_NAMES
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        let named: Vec<(String, String)> = api
            .schemas
            .iter()
            .map(|(name, _)| {
                (
                    name.clone(),
                    naming::unique(naming::camel(name), &mut type_names),
                )
            })
            .collect();
        TypeEmitter {
            items: Vec::new(),
            type_names,
            static_names: BTreeSet::new(),
            named_index: named.iter().cloned().collect(),
            named,
            patterns: std::collections::HashMap::new(),
            inline_statics: std::collections::BTreeMap::new(),
            inline_types: std::collections::BTreeMap::new(),
            inline_by_shape: std::collections::HashMap::new(),
            contains: super::containment::containment(api),
            owner: None,
            named_schemas: api.schemas.iter().cloned().collect(),
            typed_formats: true,
        }
    }

    /// Whether a field of type `schema` inside the current named schema must be boxed: it
    /// contains that schema again without indirection.
    pub(super) fn needs_box(&self, schema: &Schema) -> bool {
        let (SchemaKind::Ref(target), Some(owner)) = (&schema.kind, &self.owner) else {
            return false;
        };
        target == owner || self.contains.get(target).is_some_and(|c| c.contains(owner))
    }

    /// The named schema `name`, if the spec has it.
    pub(super) fn named_kind(&self, name: &str) -> Option<&Schema> {
        self.named_schemas.get(name)
    }

    /// Reserves a type name derived from `hint`.
    pub(crate) fn reserve_type(&mut self, hint: &str) -> String {
        naming::unique(naming::camel(hint), &mut self.type_names)
    }

    pub(super) fn reserve_static(&mut self, hint: &str) -> proc_macro2::Ident {
        self.reserve_static_named(format!("SCHEMA_{}", naming::shouty(hint)))
    }

    pub(super) fn reserve_static_named(&mut self, name: String) -> proc_macro2::Ident {
        format_ident!("{}", naming::unique(name, &mut self.static_names))
    }

    pub(super) fn rust_name_of(&self, schema_name: &str) -> String {
        self.named_index
            .get(schema_name)
            .cloned()
            .unwrap_or_else(|| naming::camel(schema_name))
    }

    /// The static holding the schema of the named schema `schema_name`.
    pub(crate) fn named_static(&self, schema_name: &str) -> proc_macro2::Ident {
        format_ident!("SCHEMA_{}", naming::shouty(&self.rust_name_of(schema_name)))
    }

    /// Emits every named schema.
    pub(crate) fn emit_named(&mut self, api: &Api) {
        // Every named schema's static is taken before any other static is named, so that no
        // field or inline static can take a name a later named schema needs.
        for (_, rust_name) in &self.named {
            self.static_names
                .insert(format!("SCHEMA_{}", naming::shouty(rust_name)));
        }
        for (index, (name, schema)) in api.schemas.iter().enumerate() {
            let rust_name = self.named[index].1.clone();
            let static_name = format_ident!("SCHEMA_{}", naming::shouty(&rust_name));
            self.owner = Some(name.clone());
            self.emit_definition(&rust_name, &static_name, schema);
        }
        self.owner = None;
    }

    /// Emits the type named `rust_name` for `schema` and its schema static `static_name`.
    fn emit_definition(
        &mut self,
        rust_name: &str,
        static_name: &proc_macro2::Ident,
        schema: &Schema,
    ) {
        let rt = rt();
        let type_ident = ident(rust_name);
        let docs = doc(schema.description.as_deref());
        match &schema.kind {
            SchemaKind::Object {
                properties,
                additional,
            } => self.emit_struct(rust_name, static_name, properties, additional, docs),
            SchemaKind::StringEnum(values) => self.emit_enum(rust_name, static_name, values, docs),
            SchemaKind::Union {
                alternatives,
                one_of,
                discriminator,
            } => self.emit_union(
                rust_name,
                static_name,
                alternatives,
                (*one_of, discriminator.as_ref()),
                docs,
            ),
            _ => {
                let ty = self.rust_type(schema, rust_name);
                let expr = self.schema_expr(schema, rust_name);
                self.items.push(quote! {
                    #docs
                    pub type #type_ident = #ty;
                    pub(crate) static #static_name: #rt::Schema = #expr;
                });
            }
        }
    }

    fn emit_struct(
        &mut self,
        rust_name: &str,
        static_name: &proc_macro2::Ident,
        properties: &[Property],
        additional: &Additional,
        docs: TokenStream,
    ) {
        let rt = rt();
        let type_ident = ident(rust_name);
        let mut fields = Vec::new();
        let mut property_nodes = Vec::new();
        let mut checks = Vec::new();
        let mut field_refs = Vec::new();
        let mut field_names = BTreeSet::new();
        let mut ctors = super::construct::Constructors::default();
        for property in properties {
            let field_name = naming::unique(naming::field(&property.name), &mut field_names);
            let field_ident = ident(&field_name);
            let hint = format!("{rust_name}_{}", property.name);
            let ty = self.rust_type(&property.schema, &hint);
            let ty = if self.needs_box(&property.schema) {
                quote!(Box<#ty>)
            } else {
                ty
            };
            // `TYPE__FIELD`: the double underscore keeps `Record.tag` apart from a type
            // `RecordTag`.
            let field_static = self.static_for(&property.schema, &hint, |types| {
                types.reserve_static_named(format!(
                    "SCHEMA_{}__{}",
                    naming::shouty(rust_name),
                    naming::shouty(&property.name)
                ))
            });
            let json_name = &property.name;
            let rename = serde_rename(&field_name, json_name);
            let field_docs = field_doc(property);
            let required = property.required;
            let default = match (required, property.schema.nullable, &property.default) {
                (false, false, Some(value)) => self.default_fn(rust_name, property, value, &ty),
                _ => None,
            };
            ctors.property(&field_ident, &ty, property, default.as_deref());
            let declaration = self.field_declaration(property, &field_ident, &ty, default);
            fields.push(quote!(#field_docs #rename #declaration));
            property_nodes.push(property_node(json_name, required, &field_static));
            field_refs.push(quote!(&self.#field_ident));
        }
        let serde_path = format!("{rt}::serde").replace(' ', "");
        // `remote = "Self"`: the derived code is inherent, and `object_serde!` implements the
        // traits so that the struct is read from a JSON object only (never positionally).
        let mut container = quote!(#[serde(crate = #serde_path, remote = "Self")]);
        let additional_node = match additional {
            Additional::Unspecified => quote!(),
            Additional::Forbidden => {
                container =
                    quote!(#[serde(crate = #serde_path, remote = "Self", deny_unknown_fields)]);
                quote!(additional: Some(&#rt::plain::NEVER),)
            }
            Additional::Any | Additional::Schema(_) => {
                let (field, node, check) =
                    self.additional_map(rust_name, static_name, additional, &mut field_names);
                ctors.empty(&field.0);
                fields.push(field.1);
                checks.extend(check);
                node
            }
        };
        let field_checks =
            (!field_refs.is_empty()).then(|| quote!(v.fields(&#static_name, &[#(#field_refs),*]);));
        let default_derive = ctors.derives_default().then(|| quote!(Default,));
        let ctor_impls = ctors.impls(&type_ident);
        self.items.push(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, #default_derive #rt::serde::Serialize, #rt::serde::Deserialize)]
            #container
            pub struct #type_ident {
                #(#fields)*
            }

            #ctor_impls

            ::klue_core::object_serde!(#type_ident);

            impl #rt::Validate for #type_ident {
                fn validate(&self, _schema: &'static #rt::Schema, v: &mut #rt::Violations) {
                    #field_checks
                    #(#checks)*
                }
            }

            pub(crate) static #static_name: #rt::Schema = #rt::Schema::Object(#rt::ObjectRules {
                properties: &[#(#property_nodes),*],
                #additional_node
                ..#rt::ObjectRules::EMPTY
            });
        });
    }

    /// A field's serde attributes and declaration: required, nullable, optional or defaulted.
    fn field_declaration(
        &self,
        property: &Property,
        field_ident: &proc_macro2::Ident,
        ty: &TokenStream,
        default: Option<String>,
    ) -> TokenStream {
        if let Some(default) = default {
            return quote! { #[serde(default = #default)] pub #field_ident: #ty, };
        }
        match (property.required, property.schema.nullable) {
            (true, false) => quote! { pub #field_ident: #ty, },
            // Must be present; may be null.
            (true, true) => quote! {
                #[serde(deserialize_with = "klue::deserialize_nullable")]
                pub #field_ident: Option<#ty>,
            },
            (false, false) => {
                let non_null = self.non_null_attribute(&property.schema);
                quote! {
                    #[serde(default, #non_null skip_serializing_if = "Option::is_none")]
                    pub #field_ident: Option<#ty>,
                }
            }
            // Absent (`None`), null (`Some(None)`) and a value stay distinct.
            (false, true) => quote! {
                #[serde(
                    default,
                    deserialize_with = "klue::deserialize_present",
                    skip_serializing_if = "Option::is_none"
                )]
                pub #field_ident: Option<Option<#ty>>,
            },
        }
    }

    /// The map keeping a struct's undeclared properties (`additionalProperties`): the field
    /// (its name and declaration), the object rule's `additional:` entry, and the check of the
    /// map's values when the spec gives them a schema.
    fn additional_map(
        &mut self,
        rust_name: &str,
        static_name: &proc_macro2::Ident,
        additional: &Additional,
        field_names: &mut BTreeSet<String>,
    ) -> (
        (proc_macro2::Ident, TokenStream),
        TokenStream,
        Option<TokenStream>,
    ) {
        let rt = rt();
        let field_ident = ident(&naming::unique(
            "additional_properties".to_owned(),
            field_names,
        ));
        let any = Schema::any("");
        let values = match additional {
            Additional::Schema(values) => values.as_ref(),
            _ => &any,
        };
        let hint = format!("{rust_name}__additional");
        let ty = self.rust_type(values, &hint);
        let field = quote! {
            /// The properties not declared in the schema (`additionalProperties`).
            #[serde(flatten)]
            pub #field_ident: ::std::collections::BTreeMap<String, #ty>,
        };
        let values_static = self.static_for(values, &hint, |types| types.reserve_static(&hint));
        let check = matches!(additional, Additional::Schema(_))
            .then(|| quote!(#rt::Validate::validate(&self.#field_ident, &#static_name, v);));
        (
            (field_ident, field),
            quote!(additional: Some(&#values_static),),
            check,
        )
    }

    fn emit_enum(
        &mut self,
        rust_name: &str,
        static_name: &proc_macro2::Ident,
        values: &[String],
        docs: TokenStream,
    ) {
        let rt = rt();
        let type_ident = ident(rust_name);
        let mut taken = BTreeSet::new();
        let variants: Vec<proc_macro2::Ident> = values
            .iter()
            .map(|value| ident(&naming::unique(naming::variant(value), &mut taken)))
            .collect();
        let serde_path = format!("{rt}::serde").replace(' ', "");
        let expected = values
            .iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let error = format!("is not one of [{expected}]");
        self.items.push(quote! {
            #docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, #rt::serde::Serialize, #rt::serde::Deserialize)]
            #[serde(crate = #serde_path)]
            pub enum #type_ident {
                #( #[serde(rename = #values)] #variants, )*
            }

            impl #type_ident {
                /// The value as written in the spec.
                pub fn as_str(&self) -> &'static str {
                    match self {
                        #( Self::#variants => #values, )*
                    }
                }
            }

            impl ::std::fmt::Display for #type_ident {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl #rt::FromParam for #type_ident {
                fn from_param(text: &str) -> Result<Self, String> {
                    match text {
                        #( #values => Ok(Self::#variants), )*
                        other => Err(format!("'{}' {}", other, #error)),
                    }
                }
            }

            impl #rt::ToParam for #type_ident {
                fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                    ::std::borrow::Cow::Borrowed(self.as_str())
                }
            }

            impl #rt::Validate for #type_ident {
                fn validate(&self, _schema: &'static #rt::Schema, _v: &mut #rt::Violations) {}
            }

            pub(crate) static #static_name: #rt::Schema = #rt::Schema::String(#rt::StringRules {
                enum_values: &[#(#values),*],
                ..#rt::StringRules::ANY
            });
        });
    }

    /// The Rust type of `schema`; inline objects and enums become types named after `hint`.
    pub(crate) fn rust_type(&mut self, schema: &Schema, hint: &str) -> TokenStream {
        let rt = rt();
        match &schema.kind {
            SchemaKind::Any => quote!(#rt::serde_json::Value),
            SchemaKind::Boolean => quote!(bool),
            SchemaKind::Integer(IntFormat::Int32, _) => quote!(i32),
            SchemaKind::Integer(IntFormat::Int64, _) => quote!(i64),
            SchemaKind::Integer(IntFormat::Uint64, _) => quote!(u64),
            SchemaKind::Number(FloatFormat::Float, _) => quote!(f32),
            SchemaKind::Number(FloatFormat::Double, _) => quote!(f64),
            SchemaKind::String(rules) => self.string_type(rules),
            SchemaKind::Array { items, .. } => {
                let item = self.rust_type(items, &format!("{hint}_item"));
                quote!(Vec<#item>)
            }
            SchemaKind::Map { values, .. } => {
                let value = self.rust_type(values, &format!("{hint}_value"));
                quote!(::std::collections::BTreeMap<String, #value>)
            }
            SchemaKind::Ref(name) => {
                let name = ident(&self.rust_name_of(name));
                quote!(#name)
            }
            SchemaKind::Object { .. } | SchemaKind::StringEnum(_) | SchemaKind::Union { .. } => {
                let name = self.inline_type(schema, hint);
                let name = ident(&name);
                quote!(#name)
            }
        }
    }

    /// Emits an inline object or enum as a named type and returns the name.
    pub(super) fn inline_type(&mut self, schema: &Schema, hint: &str) -> String {
        if let Some(existing) = self.inline_types.get(hint) {
            return existing.clone();
        }
        let shape = self.shape_key(schema);
        if let Some((rust_name, static_name)) = self.inline_by_shape.get(&shape) {
            let rust_name = rust_name.clone();
            self.inline_statics
                .insert(hint.to_owned(), static_name.clone());
            self.inline_types.insert(hint.to_owned(), rust_name.clone());
            return rust_name;
        }
        let rust_name = self.reserve_type(hint);
        self.inline_types.insert(hint.to_owned(), rust_name.clone());
        let static_name = self.reserve_static(&rust_name);
        self.inline_statics
            .insert(hint.to_owned(), static_name.clone());
        self.inline_by_shape
            .insert(shape, (rust_name.clone(), static_name.clone()));
        self.emit_definition(&rust_name, &static_name, schema);
        rust_name
    }

    /// The static of the inline type named from `hint`, once [`Self::rust_type`] made it.
    pub(super) fn inline_static(&self, hint: &str) -> Option<&proc_macro2::Ident> {
        self.inline_statics.get(hint)
    }
}

/// The doc comment of a field: its description, and what readOnly / writeOnly mean for it.
fn field_doc(property: &Property) -> TokenStream {
    let note = if property.read_only {
        Some("Read-only: sent by the server; never required (the same type serves requests).")
    } else if property.write_only {
        Some("Write-only: sent by clients; never required (the same type serves responses).")
    } else {
        None
    };
    let text = match (property.schema.description.as_deref(), note) {
        (Some(description), Some(note)) => Some(format!("{}\n\n{note}", description.trim())),
        (description, note) => description.or(note).map(str::to_owned),
    };
    doc(text.as_deref())
}

/// One entry of an object's property list.
pub(super) fn property_node(
    json_name: &str,
    required: bool,
    schema: &impl quote::ToTokens,
) -> TokenStream {
    let rt = rt();
    if required {
        quote!(#rt::Property::required(#json_name, &#schema))
    } else {
        quote!(#rt::Property::optional(#json_name, &#schema))
    }
}

/// `#[serde(rename = ..)]` when the field's Rust name is not the JSON name.
pub(super) fn serde_rename(field_name: &str, json_name: &str) -> TokenStream {
    if field_name.trim_start_matches("r#") == json_name {
        quote!()
    } else {
        quote!(#[serde(rename = #json_name)])
    }
}
