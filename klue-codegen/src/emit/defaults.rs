//! `default`: a property that is absent from a request stands for its default value. Fields of
//! scalars and string enums with a default are not `Option`s; serde fills them with a small
//! function the field names (`#[serde(default = "...")]`). Other defaults (objects, arrays,
//! nullable fields) are documented fallbacks: the field stays an `Option`. The same holds for
//! an optional query, header or cookie parameter: with a scalar default, the request field is
//! the plain type, filled with the default when the parameter is absent.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::types::{ident, TypeEmitter};
use crate::model::*;
use crate::naming;

impl TypeEmitter {
    /// Emits the function giving `default` for the field `property` of the struct `rust_name`
    /// (whose Rust type is `ty`) and returns its name; `None` when the default is not applied.
    pub(super) fn default_fn(
        &mut self,
        rust_name: &str,
        property: &Property,
        default: &Value,
        ty: &TokenStream,
    ) -> Option<String> {
        if self.needs_box(&property.schema) {
            return None;
        }
        let value = self.default_value(&property.schema, default, ty)?;
        let name = self
            .reserve_static_named(format!(
                "default_{}_{}",
                naming::snake(rust_name),
                naming::snake(&property.name)
            ))
            .to_string();
        let fn_ident = ident(&name);
        self.items.push(quote!(fn #fn_ident() -> #ty { #value }));
        Some(name)
    }

    /// The expression of `default` as a value of `schema` (of Rust type `ty`): scalars and
    /// string enums; `None` for other defaults, which are not applied.
    pub(super) fn default_value(
        &self,
        schema: &Schema,
        default: &Value,
        ty: &TokenStream,
    ) -> Option<TokenStream> {
        let kind = match &schema.kind {
            SchemaKind::Ref(name) => &self.named_kind(name)?.kind,
            kind => kind,
        };
        let value = match (kind, default) {
            (SchemaKind::Boolean, Value::Bool(b)) => quote!(#b),
            (SchemaKind::Integer(IntFormat::Int32, _), Value::Number(n)) => {
                let n = Literal::i32_suffixed(i32::try_from(n.as_i64()?).ok()?);
                quote!(#n)
            }
            (SchemaKind::Integer(IntFormat::Int64, _), Value::Number(n)) => {
                let n = Literal::i64_suffixed(n.as_i64()?);
                quote!(#n)
            }
            (SchemaKind::Integer(IntFormat::Uint64, _), Value::Number(n)) => {
                let n = Literal::u64_suffixed(n.as_u64()?);
                quote!(#n)
            }
            #[allow(clippy::cast_possible_truncation)]
            (SchemaKind::Number(FloatFormat::Float, _), Value::Number(n)) => {
                let n = Literal::f32_suffixed(n.as_f64()? as f32);
                quote!(#n)
            }
            (SchemaKind::Number(FloatFormat::Double, _), Value::Number(n)) => {
                let n = Literal::f64_suffixed(n.as_f64()?);
                quote!(#n)
            }
            (SchemaKind::String(rules), Value::String(s)) => match self.typed_format(rules) {
                Some(typed) => super::formats::default_value(typed, s)?,
                None => quote!(#s.to_owned()),
            },
            (SchemaKind::StringEnum(values), Value::String(s)) => {
                let variant = ident(&enum_variant(values, s)?);
                quote!(#ty::#variant)
            }
            _ => return None,
        };
        Some(value)
    }
}

/// The Rust variant of `value` in an enum of `values`, named as `emit_enum` names it.
fn enum_variant(values: &[String], value: &str) -> Option<String> {
    let mut taken = std::collections::BTreeSet::new();
    values
        .iter()
        .map(|v| (v, naming::unique(naming::variant(v), &mut taken)))
        .find(|(v, _)| *v == value)
        .map(|(_, variant)| variant)
}
