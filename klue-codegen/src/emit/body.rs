//! Request bodies: the type a handler gets and a client sends (one kind, or an enum with one
//! variant per media kind the operation offers), how the server decodes each kind (dispatching
//! on `Content-Type`), and how the client encodes it. Multipart bodies get a struct of their
//! own whose binary properties are file parts; raw bodies are streams.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::{ident, rt, TypeEmitter};
use crate::model::*;
use crate::naming;

/// The body of one operation, as both the server and the client see it.
pub(crate) struct BodyPlan {
    /// The type of the `body` field (without the `Option` of an optional body).
    pub(crate) ty: TokenStream,
    /// Whether it holds a stream: such a type is neither `Clone` nor `PartialEq`.
    pub(crate) streamed: bool,
    /// Whether a body must be sent.
    pub(crate) required: bool,
    /// Every media type accepted.
    pub(crate) content_types: Vec<String>,
    /// The media types streamed to the handler.
    pub(crate) stream_types: Vec<String>,
    kinds: Vec<Kind>,
    /// Whether `ty` is an enum with one variant per kind (else every kind decodes to `ty`).
    is_enum: bool,
}

struct Kind {
    media: Media,
    content_types: Vec<String>,
    /// `&STATIC`: the schema checked (JSON, form and multipart kinds).
    schema: TokenStream,
    variant: proc_macro2::Ident,
    /// The type this kind decodes to.
    ty: TokenStream,
}

/// Replaces a multipart body's `$ref` by the object it names, so that its struct can be
/// generated; a multipart schema that is not an object is read as raw bytes.
pub(crate) fn resolve_multipart(op: &Operation, api: &Api) -> Option<Operation> {
    let body = op.body.as_ref()?;
    let needs = |media: Media, schema: &Schema| {
        media == Media::Multipart && !matches!(schema.kind, SchemaKind::Object { .. })
    };
    if !needs(body.media, &body.schema)
        && !body.alternatives.iter().any(|a| needs(a.media, &a.schema))
    {
        return None;
    }
    let resolve = |media: &mut Media, schema: &mut Schema| {
        if *media != Media::Multipart {
            return;
        }
        let mut seen = 0;
        while let SchemaKind::Ref(name) = &schema.kind {
            let target = api.schemas.iter().find(|(n, _)| n == name).map(|(_, s)| s);
            match target {
                Some(target) if seen < 16 => {
                    *schema = Schema {
                        pointer: schema.pointer.clone(),
                        ..target.clone()
                    };
                    seen += 1;
                }
                _ => break,
            }
        }
        if !matches!(schema.kind, SchemaKind::Object { .. }) {
            *media = Media::Bytes;
        }
    };
    let mut op = op.clone();
    if let Some(body) = &mut op.body {
        resolve(&mut body.media, &mut body.schema);
        for alternative in &mut body.alternatives {
            resolve(&mut alternative.media, &mut alternative.schema);
        }
        // Two kinds may now both be raw bytes: keep one.
        let mut seen = vec![body.media];
        body.alternatives.retain(|a| {
            let fresh = !seen.contains(&a.media);
            seen.push(a.media);
            fresh
        });
    }
    Some(op)
}

/// Plans the body of `op`, emitting the types and statics it needs into `types`.
pub(crate) fn plan(types: &mut TypeEmitter, op: &Operation, body: &RequestBody) -> BodyPlan {
    let rt = rt();
    let op_camel = naming::camel(&op.id);
    let shouty = naming::shouty(&op.id);
    let mut offered = vec![(body.media, body.content_types.clone(), body.schema.clone())];
    offered.extend(
        body.alternatives
            .iter()
            .map(|a| (a.media, a.content_types.clone(), a.schema.clone())),
    );
    // JSON and a form of the same schema decode into one type: the handler need not care.
    let one_type = offered.len() > 1
        && offered.iter().all(|(media, _, schema)| {
            matches!(media, Media::Json | Media::Form)
                && without_pointers(schema) == without_pointers(&offered[0].2)
        });
    let is_enum = offered.len() > 1 && !one_type;
    let enum_name = is_enum.then(|| types.reserve_type(&format!("{op_camel}Body")));
    let mut kinds: Vec<Kind> = Vec::new();
    for (index, (media, content_types, schema)) in offered.iter().enumerate() {
        // `resolve_multipart` made multipart schemas objects; anything else is bytes.
        let is_object = matches!(schema.kind, SchemaKind::Object { .. });
        let media = if *media == Media::Multipart && !is_object {
            &Media::Bytes
        } else {
            media
        };
        let variant_name = match media {
            Media::Json => "Json",
            Media::Form => "Form",
            Media::Multipart => "Multipart",
            Media::Text => "Text",
            Media::Bytes => "Bytes",
        };
        let (hint, static_name) = if !is_enum {
            (format!("{op_camel}_body"), format!("SCHEMA_{shouty}__BODY"))
        } else {
            (
                format!("{op_camel}_body_{variant_name}"),
                format!("SCHEMA_{shouty}__BODY_{}", naming::shouty(variant_name)),
            )
        };
        let static_ident = format_ident!("{}", static_name);
        let (ty, schema_ref) = match media {
            Media::Json | Media::Form if one_type && index > 0 => {
                (kinds[0].ty.clone(), kinds[0].schema.clone())
            }
            Media::Json | Media::Form => {
                let ty = types.rust_type(schema, &hint);
                let schema = types.static_for(schema, &hint, |_| static_ident.clone());
                (ty, quote!(&#schema))
            }
            Media::Multipart => {
                let properties = match &schema.kind {
                    SchemaKind::Object { properties, .. } => properties.as_slice(),
                    _ => &[],
                };
                let ty = multipart_struct(types, &hint, &static_ident, properties);
                (ty, quote!(&#static_ident))
            }
            Media::Text => (quote!(String), quote!()),
            Media::Bytes => (quote!(#rt::BodyStream), quote!()),
        };
        kinds.push(Kind {
            media: *media,
            content_types: content_types.clone(),
            schema: schema_ref,
            variant: ident(variant_name),
            ty,
        });
    }
    let streamed = kinds.iter().any(|k| k.media == Media::Bytes);
    let ty = match &enum_name {
        Some(name) => body_enum(types, op, name, &kinds, streamed),
        None => kinds[0].ty.clone(),
    };
    BodyPlan {
        ty,
        streamed,
        required: body.required,
        content_types: kinds
            .iter()
            .flat_map(|k| k.content_types.iter().cloned())
            .collect(),
        stream_types: kinds
            .iter()
            .filter(|k| k.media == Media::Bytes)
            .flat_map(|k| k.content_types.iter().cloned())
            .collect(),
        kinds,
        is_enum,
    }
}

/// The enum of a body offered in several media kinds: one variant per kind.
fn body_enum(
    types: &mut TypeEmitter,
    op: &Operation,
    name: &str,
    kinds: &[Kind],
    streamed: bool,
) -> TokenStream {
    let name = ident(name);
    let variants = kinds.iter().map(|k| {
        let variant = &k.variant;
        let ty = &k.ty;
        let docs = format!(" Sent as {}.", k.content_types.join(", "));
        quote!(#[doc = #docs] #variant(#ty),)
    });
    // A streamed body can be neither cloned nor compared.
    let derive = if streamed {
        quote!(#[derive(Debug)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    let docs = format!(
        " The body of operation `{}`, in one of the media kinds it accepts.",
        op.id
    );
    types.items.push(quote! {
        #[doc = #docs]
        #derive
        pub enum #name { #(#variants)* }
    });
    quote!(#name)
}

impl BodyPlan {
    /// The server's expression decoding the body (an `Option` of [`BodyPlan::ty`]), with
    /// `request` and the violations `v` in scope.
    pub(crate) fn decode(&self) -> TokenStream {
        let required = self.required;
        let decode_kind = |kind: &Kind| {
            let ty = &kind.ty;
            let schema = &kind.schema;
            match kind.media {
                Media::Json => quote!(request.json_body::<#ty>(&mut v, #required, #schema)),
                Media::Form => quote!(request.form_body::<#ty>(&mut v, #required, #schema)),
                Media::Multipart => {
                    quote!(request.multipart_body::<#ty>(&mut v, #required, #schema).await)
                }
                Media::Text => quote!(request.text_body(&mut v, #required)),
                Media::Bytes => quote!(request.stream_body(&mut v, #required)),
            }
        };
        if self.kinds.len() == 1 {
            return decode_kind(&self.kinds[0]);
        }
        let ty = &self.ty;
        let groups = self.kinds.iter().map(|k| {
            let types = &k.content_types;
            quote!(&[#(#types),*])
        });
        let last = self.kinds.len() - 1;
        let arms = self.kinds.iter().enumerate().map(|(index, kind)| {
            let decode = decode_kind(kind);
            let decode = if self.is_enum {
                let variant = &kind.variant;
                quote!(#decode.map(#ty::#variant))
            } else {
                decode
            };
            if index == last {
                quote!(_ => #decode,)
            } else {
                let index = proc_macro2::Literal::usize_unsuffixed(index);
                quote!(#index => #decode,)
            }
        });
        quote!(match request.body_kind(&[#(#groups),*]) { #(#arms)* })
    }

    /// The client's statements sending `value` (of [`BodyPlan::ty`], owned) on `request`; a
    /// stream is put in the local `stream`.
    pub(crate) fn encode(&self) -> TokenStream {
        let rt = rt();
        let encode_kind = |kind: &Kind| {
            let first = kind.content_types.first().map(String::as_str).unwrap_or("");
            let sent_type = if first.contains('*') {
                "application/octet-stream"
            } else {
                first
            };
            let set_type = quote!(#rt::set_body_type(&mut request.headers, "", #sent_type)?;);
            let schema = &kind.schema;
            let validate = quote!(self.http.config().validate_requests);
            match kind.media {
                Media::Json => {
                    let set = if sent_type.eq_ignore_ascii_case("application/json") {
                        quote!()
                    } else {
                        set_type
                    };
                    quote! {
                        #set
                        request.body = Some(#rt::encode_json(&value, #schema, #validate)?);
                    }
                }
                Media::Form => quote! {
                    #set_type
                    request.body = Some(#rt::encode_form(&value, #schema, #validate)?);
                },
                Media::Multipart => quote! {
                    let (content_type, bytes) = #rt::encode_multipart(&value, #schema, #validate)?;
                    #rt::set_body_type(&mut request.headers, &content_type, "")?;
                    request.body = Some(bytes);
                },
                Media::Text => quote! {
                    #set_type
                    request.body = Some(#rt::Bytes::from(value));
                },
                Media::Bytes => quote! {
                    #rt::set_body_type(&mut request.headers, value.content_type(), #sent_type)?;
                    stream = Some(value);
                },
            }
        };
        if !self.is_enum {
            return encode_kind(&self.kinds[0]);
        }
        let ty = &self.ty;
        let arms = self.kinds.iter().map(|kind| {
            let variant = &kind.variant;
            let encode = encode_kind(kind);
            quote!(#ty::#variant(value) => { #encode })
        });
        quote!(match value { #(#arms)* })
    }

    /// The client's statement declaring the local `stream`, when the body may be one.
    pub(crate) fn stream_local(&self) -> TokenStream {
        let rt = rt();
        if self.streamed {
            quote!(#[allow(unused_assignments)] let mut stream: Option<#rt::BodyStream> = None;)
        } else {
            quote!()
        }
    }

    /// The client's expression sending `request` (and `stream`, if any).
    pub(crate) fn send(&self) -> TokenStream {
        if self.streamed {
            quote! {
                match stream {
                    Some(stream) => self.http.execute_stream(request, stream).await?,
                    None => self.http.execute(request).await?,
                }
            }
        } else {
            quote!(self.http.execute(request).await?)
        }
    }
}

/// The struct of a multipart body: binary properties are file parts (serde skips them; the
/// `MultipartBody` impl moves them), the others decoded from their text parts by serde.
fn multipart_struct(
    types: &mut TypeEmitter,
    hint: &str,
    static_ident: &proc_macro2::Ident,
    properties: &[Property],
) -> TokenStream {
    let rt = rt();
    let rust_name = types.reserve_type(hint);
    let type_ident = ident(&rust_name);
    let mut fields = Vec::new();
    let mut nodes = Vec::new();
    let mut file_names = Vec::new();
    let mut takes = Vec::new();
    let mut gives = Vec::new();
    let mut field_names = BTreeSet::new();
    for property in properties {
        let field_ident = ident(&naming::unique(
            naming::field(&property.name),
            &mut field_names,
        ));
        let json_name = &property.name;
        let property_hint = format!("{rust_name}_{json_name}");
        let required = property.required;
        let docs = super::types::doc(property.schema.description.as_deref());
        let schema = part_schema(types, &rust_name, property, &property_hint);
        nodes.push(super::types::property_node(json_name, required, &schema));
        let file_ty = match &property.schema.kind {
            _ if is_file(&property.schema) => Some(quote!(#rt::FilePart)),
            SchemaKind::Array { items, .. } if is_file(items) => Some(quote!(Vec<#rt::FilePart>)),
            _ => None,
        };
        if let Some(ty) = file_ty {
            let ty = if required { ty } else { quote!(Option<#ty>) };
            fields.push(quote!(#docs #[serde(skip)] pub #field_ident: #ty,));
            file_names.push(json_name.clone());
            takes.push(quote!(self.#field_ident = #rt::FileField::take_from(files, #json_name);));
            gives.push(quote! {
                parts.extend(#rt::FileField::parts(&self.#field_ident).into_iter().map(|p| (#json_name, p)));
            });
            continue;
        }
        let ty = types.rust_type(&property.schema, &property_hint);
        let rename = super::types::serde_rename(&field_ident.to_string(), json_name);
        fields.push(if required {
            quote!(#docs #rename pub #field_ident: #ty,)
        } else {
            quote! {
                #docs
                #rename
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub #field_ident: Option<#ty>,
            }
        });
    }
    let serde_path = format!("{rt}::serde").replace(' ', "");
    let docs = format!(" A `multipart/form-data` body ({}).", rust_name);
    let parts_binding = if gives.is_empty() {
        quote!(let parts = Vec::new();)
    } else {
        quote!(let mut parts = Vec::new();)
    };
    let files_binding = if takes.is_empty() {
        quote!(_files)
    } else {
        quote!(files)
    };
    types.items.push(quote! {
        #[doc = #docs]
        #[derive(Debug, Clone, PartialEq, #rt::serde::Serialize, #rt::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        pub struct #type_ident {
            #(#fields)*
        }

        impl #rt::MultipartBody for #type_ident {
            const FILE_FIELDS: &'static [&'static str] = &[#(#file_names),*];
            fn take_files(&mut self, #files_binding: &mut #rt::FileParts) {
                #(#takes)*
            }
            fn file_parts(&self) -> Vec<(&'static str, &#rt::FilePart)> {
                #parts_binding
                #(#gives)*
                parts
            }
        }

        pub(crate) static #static_ident: #rt::Schema = #rt::multipart_schema(&[#(#nodes),*]);
    });
    quote!(#type_ident)
}

/// The schema of a multipart part: a shared static, or its own `SCHEMA_<TYPE>__<PART>`.
fn part_schema(
    types: &mut TypeEmitter,
    rust_name: &str,
    property: &Property,
    property_hint: &str,
) -> TokenStream {
    if let Some(shared) = super::composite::plain_static(&property.schema) {
        return shared;
    }
    let rt = rt();
    if !is_file(&property.schema) {
        types.rust_type(&property.schema, property_hint);
    }
    let json_name = &property.name;
    let field_static = types.reserve_static(&format!("{rust_name}__{json_name}"));
    let expr = types.schema_expr(&property.schema, property_hint);
    types
        .items
        .push(quote!(pub(crate) static #field_static: #rt::Schema = #expr;));
    quote!(#field_static)
}

/// A string of `format: binary`: a file.
fn is_file(schema: &Schema) -> bool {
    matches!(&schema.kind, SchemaKind::String(rules) if rules.format.as_deref() == Some("binary"))
}

/// `schema` with every pointer cleared, to compare shapes read from different places.
fn without_pointers(schema: &Schema) -> Schema {
    fn clear(schema: &mut Schema) {
        schema.pointer.clear();
        schema.description = None;
        match &mut schema.kind {
            SchemaKind::Array { items, .. } => clear(items),
            SchemaKind::Object {
                properties,
                additional,
            } => {
                properties.iter_mut().for_each(|p| clear(&mut p.schema));
                if let Additional::Schema(values) = additional {
                    clear(values);
                }
            }
            SchemaKind::Union { alternatives, .. } => alternatives.iter_mut().for_each(clear),
            SchemaKind::Map { values, .. } => clear(values),
            _ => {}
        }
    }
    let mut schema = schema.clone();
    clear(&mut schema);
    schema
}
