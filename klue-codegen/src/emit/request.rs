//! The request struct of one operation, field by field, and the handler's statements that
//! decode a routed request into it: parameters (credentials among them), the body, and the
//! caller's claims.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::body::BodyPlan;
use super::types::{doc, ident, rt, TypeEmitter};
use crate::model::*;
use crate::naming;

/// What the request struct and its decoding gather, one parameter at a time.
pub(crate) struct RequestParts {
    /// The struct's fields.
    pub(crate) fields: Vec<TokenStream>,
    /// The handler's `let` statements decoding each field.
    pub(crate) decode: Vec<TokenStream>,
    /// Locals that are `Option`s while decoding and must be `Some` after it.
    required_locals: Vec<Ident>,
    /// Every field's local, in field order.
    pub(crate) all_locals: Vec<Ident>,
    /// The handler's own bindings and the locals so far: a parameter named like one of them
    /// gets another name, or its local would shadow the binding (a query parameter `service`
    /// hid the service).
    field_names: BTreeSet<String>,
    /// The parameters' schemas, as statics.
    pub(crate) statics: Vec<TokenStream>,
    /// 401s for required credentials that are missing.
    pub(crate) credential_checks: Vec<TokenStream>,
    /// Credentials of which one must be given (the operation's alternatives).
    alternatives: Vec<Ident>,
    /// The struct's constructors (`Default`, `new(required...)`).
    pub(crate) ctors: super::construct::Constructors,
}

impl RequestParts {
    pub(crate) fn new() -> Self {
        RequestParts {
            fields: Vec::new(),
            decode: Vec::new(),
            required_locals: Vec::new(),
            all_locals: Vec::new(),
            field_names: ["service", "request", "response", "v", "claims"]
                .into_iter()
                .map(str::to_owned)
                .collect(),
            statics: Vec::new(),
            credential_checks: Vec::new(),
            alternatives: Vec::new(),
            ctors: super::construct::Constructors::default(),
        }
    }

    /// A field of type `ty`, required or optional, documented by `docs`.
    fn field(&mut self, local: Ident, ty: TokenStream, required: bool, docs: TokenStream) {
        if required {
            self.fields.push(quote!(#docs pub #local: #ty,));
            self.required_locals.push(local.clone());
            self.ctors.required(&local, ty);
        } else {
            self.fields.push(quote!(#docs pub #local: Option<#ty>,));
            self.ctors.none(&local);
        }
        self.all_locals.push(local);
    }

    /// One parameter of `op` (`op_camel` names its types).
    pub(crate) fn parameter(
        &mut self,
        types: &mut TypeEmitter,
        op: &Operation,
        op_camel: &str,
        param: &Parameter,
    ) {
        let local = naming::unique(naming::field(&param.name), &mut self.field_names);
        let local_ident = ident(&local);
        if op.credentials.contains(&param.name) {
            self.alternatives.push(local_ident.clone());
        }
        let docs = doc(param.description.as_deref());
        if let Some(http_auth) = &param.http_auth {
            // Decoded by klue; a missing required one is its 401 (with a challenge).
            let ty = super::http_auth::rust_type(http_auth);
            let call = super::http_auth::decode(http_auth, param.required);
            self.decode.push(quote!(let #local_ident = #call;));
            self.field(local_ident, ty, param.required, docs);
            return;
        }
        let (ty, call) = self.parameter_decoder(types, op, op_camel, param);
        let rt = rt();
        let required = param.required;
        // An absent optional parameter with a scalar default stands for it (a given value is
        // validated as any other).
        let default = match &param.default {
            Some(value) if !required && !param.credential => {
                types.default_value(&param.schema, value, &ty)
            }
            _ => None,
        };
        self.decode.push(match &default {
            // A `String` or a typed format is built only when needed; other defaults are
            // constants.
            Some(value)
                if ty.to_string() == "String" || types.typed_format_of(&param.schema).is_some() =>
            {
                quote!(let #local_ident = #call.unwrap_or_else(|| #value);)
            }
            Some(value) => quote!(let #local_ident = #call.unwrap_or(#value);),
            None => quote!(let #local_ident = #call;),
        });
        if param.credential && required {
            let wire = &param.name;
            self.credential_checks.push(quote! {
                if #local_ident.is_none() {
                    return Err(#rt::credential_missing(&[#wire]));
                }
            });
        }
        match default {
            Some(value) if !required => {
                let default_doc = format!(
                    " Default (when absent): `{}`.",
                    param
                        .default
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                );
                self.fields
                    .push(quote!(#docs #[doc = ""] #[doc = #default_doc] pub #local_ident: #ty,));
                self.ctors.starting(&local_ident, value);
                self.all_locals.push(local_ident);
            }
            _ => self.field(local_ident, ty, required, docs),
        }
    }

    /// The Rust type of a (non-`http`-auth) parameter, and the call decoding it from the
    /// request into an `Option` (its schema becomes a static, unless shared).
    fn parameter_decoder(
        &mut self,
        types: &mut TypeEmitter,
        op: &Operation,
        op_camel: &str,
        param: &Parameter,
    ) -> (TokenStream, TokenStream) {
        let rt = rt();
        let hint = format!("{op_camel}_{}", param.name);
        let (ty, item_ty) = match &param.schema.kind {
            SchemaKind::Array { items, .. } => {
                let item = types.rust_type(items, &format!("{hint}_item"));
                (quote!(Vec<#item>), Some(item))
            }
            _ => (types.rust_type(&param.schema, &hint), None),
        };
        let static_ident = match types.shared_static(&param.schema, &hint) {
            Some(shared) => shared,
            None => {
                let static_ident = format_ident!(
                    "SCHEMA_{}__{}",
                    naming::shouty(&op.id),
                    naming::shouty(&param.name)
                );
                let expr = types.schema_expr(&param.schema, &hint);
                self.statics
                    .push(quote!(static #static_ident: #rt::Schema = #expr;));
                quote!(#static_ident)
            }
        };
        let name = match param.location {
            ParamLocation::Header => param.name.to_ascii_lowercase(),
            _ => param.name.clone(),
        };
        // A missing credential is a 401, checked after decoding; it is not a parameter
        // violation.
        let decode_required = param.required && !param.credential;
        let call = match (param.location, item_ty) {
            _ if param.styled => {
                let spec = super::param_style::spec(param, &name, decode_required);
                quote!(request.styled_param::<#ty>(&mut v, #spec, &#static_ident))
            }
            (ParamLocation::Path, _) => {
                quote!(request.path_param::<#ty>(&mut v, #name, &#static_ident))
            }
            (ParamLocation::Query, Some(item)) => {
                quote!(request.query_array::<#item>(&mut v, #name, #decode_required, &#static_ident))
            }
            (ParamLocation::Query, None) => {
                quote!(request.query_param::<#ty>(&mut v, #name, #decode_required, &#static_ident))
            }
            (ParamLocation::Cookie, _) => {
                quote!(request.cookie_param::<#ty>(&mut v, #name, #decode_required, &#static_ident))
            }
            (ParamLocation::Header, _) => {
                quote!(request.header_param::<#ty>(&mut v, #name, #decode_required, &#static_ident))
            }
        };
        (ty, call)
    }

    /// The request body of `op`, when it has one.
    pub(crate) fn body(&mut self, types: &mut TypeEmitter, op: &Operation) -> Option<BodyPlan> {
        let plan = super::body::plan(types, op, op.body.as_ref()?);
        let local_ident = ident(&naming::unique("body".to_owned(), &mut self.field_names));
        let call = plan.decode();
        self.decode.push(quote!(let #local_ident = #call;));
        let docs = if plan.required {
            quote!(#[doc = " The request body."])
        } else {
            quote!(#[doc = " The request body, when sent."])
        };
        self.field(local_ident, plan.ty.clone(), plan.required, docs);
        Some(plan)
    }

    /// The claims field (for an operation taking tokens) and the statement taking them from
    /// the request.
    pub(crate) fn claims(&mut self, auth: Auth) -> (TokenStream, TokenStream) {
        let rt = rt();
        let claims = format_ident!("claims");
        match auth {
            Auth::None => (quote!(), quote!()),
            Auth::Required => {
                self.all_locals.push(claims.clone());
                self.ctors.required(&claims, quote!(#rt::Claims));
                (
                    quote!(#[doc = " The verified claims of the caller's token (`claims.sub` is the user id)."] pub claims: #rt::Claims,),
                    quote!(let claims = request.take_claims()?;),
                )
            }
            Auth::Optional => {
                self.all_locals.push(claims.clone());
                self.ctors.none(&claims);
                (
                    quote!(#[doc = " The verified claims, when the caller sent a token."] pub claims: Option<#rt::Claims>,),
                    quote!(let claims = request.take_optional_claims();),
                )
            }
        }
    }

    /// The checks after decoding: one of the alternative credentials given (else 401), then
    /// every required local unwrapped.
    pub(crate) fn checks(&self, op: &Operation) -> (TokenStream, TokenStream) {
        let rt = rt();
        let alternatives_check = if self.alternatives.is_empty() {
            quote!()
        } else {
            let names = &op.credentials;
            let alternatives = &self.alternatives;
            let token = if op.auth == Auth::None {
                quote!()
            } else {
                quote!(request.claims().is_none() &&)
            };
            quote! {
                if #token #(#alternatives.is_none())&&* {
                    return Err(#rt::credential_missing(&[#(#names),*]));
                }
            }
        };
        let required = &self.required_locals;
        let check_required = quote!(#(let #required = #rt::required(#required)?;)*);
        (alternatives_check, check_required)
    }
}
