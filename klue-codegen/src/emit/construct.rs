//! Constructors of generated structs with optional fields, so that a caller spells out only
//! what it sets: `Default` when every field has a starting value (`..Default::default()`), else
//! `new(required...)` taking the fields without one (`Pet { tag: Some(t), ..Pet::new(name) }`).
//!
//! Per-field builder methods were left out on purpose: on GitHub's spec they would add a method
//! per optional field (tens of thousands) to a file of 22 MB, for what struct update syntax
//! already gives.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::{Property, SchemaKind};

/// The fields of one struct as its constructors see them.
#[derive(Default)]
pub(crate) struct Constructors {
    /// Every field in order: its name, its type and its starting value (`None`: the caller
    /// gives it to `new`).
    fields: Vec<(Ident, TokenStream, Option<TokenStream>)>,
    /// Whether some starting value is not the type's own `Default` (a spec `default`).
    custom: bool,
}

impl Constructors {
    /// The field of an object property (of Rust type `ty`, before the `Option` of an optional
    /// one), whose serde default is the function `default_fn` if any.
    pub(crate) fn property(
        &mut self,
        field: &Ident,
        ty: &TokenStream,
        property: &Property,
        default_fn: Option<&str>,
    ) {
        if let Some(name) = default_fn {
            let function = super::tokens::ident(name);
            self.starting(field, quote!(#function()));
        } else if !property.required {
            self.none(field);
        } else if property.schema.nullable {
            self.required(field, quote!(Option<#ty>));
        } else if can_be_empty(&property.schema.kind) {
            self.empty(field);
        } else {
            self.required(field, ty.clone());
        }
    }

    /// A field the caller must give (`new` takes it).
    pub(crate) fn required(&mut self, field: &Ident, ty: TokenStream) {
        self.fields.push((field.clone(), ty, None));
    }

    /// An `Option` field, starting as `None`.
    pub(crate) fn none(&mut self, field: &Ident) {
        self.fields
            .push((field.clone(), quote!(), Some(quote!(None))));
    }

    /// A field starting as its type's `Default` (an empty `Vec` or map).
    pub(crate) fn empty(&mut self, field: &Ident) {
        let init = quote!(::core::default::Default::default());
        self.fields.push((field.clone(), quote!(), Some(init)));
    }

    /// A field starting as `value` (the spec's `default`).
    pub(crate) fn starting(&mut self, field: &Ident, value: TokenStream) {
        self.custom = true;
        self.fields.push((field.clone(), quote!(), Some(value)));
    }

    /// Whether `#[derive(Default)]` gives the right `Default`: every field starts as its type's
    /// own default. (Then [`Constructors::impls`] adds no `Default` impl of its own.)
    pub(crate) fn derives_default(&self) -> bool {
        !self.custom && self.fields.iter().all(|(_, _, init)| init.is_some())
    }

    /// The `Default` impl (when a field starts as a spec `default`) or the `new` constructor
    /// (when some fields must be given and others need not be). A struct whose fields all must
    /// be given gets nothing: its literal is already the shortest way to build it.
    pub(crate) fn impls(&self, type_ident: &Ident) -> TokenStream {
        let required: Vec<_> = self
            .fields
            .iter()
            .filter(|(_, _, init)| init.is_none())
            .collect();
        let inits = self.fields.iter().map(|(field, _, init)| match init {
            Some(value) => quote!(#field: #value,),
            None => quote!(#field,),
        });
        if required.is_empty() {
            if !self.custom {
                return quote!();
            }
            return quote! {
                impl ::core::default::Default for #type_ident {
                    fn default() -> Self {
                        Self { #(#inits)* }
                    }
                }
            };
        }
        if required.len() == self.fields.len() {
            return quote!();
        }
        let params = required.iter().map(|(field, ty, _)| quote!(#field: #ty));
        // Clippy's limit.
        let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            impl #type_ident {
                /// The required fields; the others start at their defaults.
                #allow
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits)* }
                }
            }
        }
    }
}

/// Whether an empty value of this kind is valid: an array without `minItems`, a map. (A
/// required array then starts empty rather than being one more argument of `new`.)
fn can_be_empty(kind: &SchemaKind) -> bool {
    match kind {
        SchemaKind::Array { min_items, .. } => min_items.unwrap_or(0) == 0,
        SchemaKind::Map { .. } => true,
        _ => false,
    }
}
