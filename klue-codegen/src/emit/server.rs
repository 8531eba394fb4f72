//! Per operation: the request struct, the response enum, the trait method, and the glue that
//! decodes a routed request, calls the trait and encodes the response.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::request::RequestParts;
use super::types::{doc, ident, rt, TypeEmitter};
use crate::model::*;
use crate::naming;

pub(crate) struct OperationCode {
    /// The response enum, which the server and the client share.
    pub(crate) response: TokenStream,
    /// Request struct, statics and the handler function.
    pub(crate) items: TokenStream,
    /// The trait method declaration.
    pub(crate) trait_method: TokenStream,
    /// The statement binding the handler in `router()`.
    pub(crate) binding: TokenStream,
    /// The name of the response enum (the client returns it).
    pub(crate) response_ident: proc_macro2::Ident,
    /// The request body, which the client sends.
    pub(crate) body: Option<super::body::BodyPlan>,
}

pub(crate) fn operation(
    types: &mut TypeEmitter,
    trait_ident: &proc_macro2::Ident,
    op: &Operation,
    default_stub: bool,
) -> OperationCode {
    let rt = rt();
    let op_camel = naming::camel(&op.id);
    let method_ident = ident(&naming::field(&op.id));
    let request_ident = ident(&types.reserve_type(&format!("{op_camel}Request")));
    let response_ident = ident(&types.reserve_type(&format!("{op_camel}Response")));
    let handler_ident = format_ident!("handle_{}", naming::snake(&op.id));
    let spec_ident = format_ident!("OPERATION_{}", naming::shouty(&op.id));

    let mut parts = RequestParts::new();
    for param in &op.parameters {
        parts.parameter(types, op, &op_camel, param);
    }
    let body_plan = parts.body(types, op);
    let (claims_field, claims_decode) = parts.claims(op.auth);
    let (alternatives_check, check_required) = parts.checks(op);
    let request_binding = match (parts.decode.is_empty(), op.auth) {
        (_, Auth::Required | Auth::Optional) => quote!(mut request),
        (false, Auth::None) => quote!(request),
        (true, Auth::None) => quote!(_request),
    };
    let (violations, check_violations) = violations(op);

    let (response_enum, response_impls) =
        response_enum(types, &op_camel, &response_ident, &op.responses);
    let operation_spec = operation_spec(op, &spec_ident, body_plan.as_ref());
    let default_derive = parts.ctors.derives_default().then(|| quote!(Default,));
    // A streamed body can be neither cloned nor compared.
    let request_derive = match body_plan.as_ref().is_some_and(|plan| plan.streamed) {
        true => quote!(#[derive(Debug, #default_derive)]),
        false => quote!(#[derive(Debug, Clone, PartialEq, #default_derive)]),
    };
    let request_ctors = parts.ctors.impls(&request_ident);
    let request_docs = format!(
        " The decoded request of operation `{}` ({} {}).",
        op.id, op.method, op.path
    );
    let RequestParts {
        fields,
        decode,
        all_locals,
        statics,
        credential_checks,
        ..
    } = parts;

    let items = quote! {
        #[doc = #request_docs]
        #request_derive
        pub struct #request_ident {
            #(#fields)*
            #claims_field
        }

        #request_ctors

        #(#statics)*

        #operation_spec

        async fn #handler_ident<S: #trait_ident>(
            service: #rt::Arc<S>,
            #request_binding: #rt::OperationRequest,
        ) -> Result<#rt::Response<#rt::Body>, #rt::ApiError> {
            #violations
            #(#decode)*
            #(#credential_checks)*
            #alternatives_check
            #check_violations
            #check_required
            #claims_decode
            let request = #request_ident { #(#all_locals,)* };
            let response = service.#method_ident(request).await?;
            Ok(#rt::IntoResponse::into_response(response))
        }
    };
    let binding = quote!(router.bind(&#spec_ident, &service, #handler_ident::<S>););
    OperationCode {
        response: quote!(#response_enum #response_impls),
        items,
        trait_method: trait_method(
            op,
            &method_ident,
            &request_ident,
            &response_ident,
            default_stub,
        ),
        binding,
        response_ident,
        body: body_plan,
    }
}

/// The handler's list of violations and its check, when anything it decodes can violate
/// (klue decodes `Authorization` of `http` schemes itself: a 401, never a violation).
fn violations(op: &Operation) -> (TokenStream, TokenStream) {
    let rt = rt();
    let uses_violations = op.parameters.iter().any(|p| p.http_auth.is_none()) || op.body.is_some();
    if !uses_violations {
        return (quote!(), quote!());
    }
    (
        quote!(let mut v = #rt::Violations::default();),
        quote! {
            if !v.is_empty() {
                return Err(v.into_error());
            }
        },
    )
}

/// The static describing `op` to the router: method, path, auth and body.
fn operation_spec(
    op: &Operation,
    spec_ident: &proc_macro2::Ident,
    body_plan: Option<&super::body::BodyPlan>,
) -> TokenStream {
    let rt = rt();
    let method = format_ident!("{}", op.method);
    let (path, id) = (&op.path, &op.id);
    let auth = match op.auth {
        Auth::None => quote!(#rt::AuthMode::None),
        Auth::Required => quote!(#rt::AuthMode::Required),
        Auth::Optional => quote!(#rt::AuthMode::Optional),
    };
    let body_spec = match body_plan {
        Some(plan) => {
            let required = plan.required;
            let content_types = &plan.content_types;
            let stream_types = &plan.stream_types;
            quote!(Some(#rt::BodySpec {
                content_types: &[#(#content_types),*],
                required: #required,
                stream_types: &[#(#stream_types),*],
            }))
        }
        None => quote!(None),
    };
    quote! {
        static #spec_ident: #rt::OperationSpec = #rt::OperationSpec {
            id: #id,
            method: #rt::Method::#method,
            path: #path,
            auth: #auth,
            body: #body_spec,
        };
    }
}

/// The trait's method for `op`: declared, or answering 501 until written (`default_stub`).
fn trait_method(
    op: &Operation,
    method_ident: &proc_macro2::Ident,
    request_ident: &proc_macro2::Ident,
    response_ident: &proc_macro2::Ident,
    default_stub: bool,
) -> TokenStream {
    let rt = rt();
    let method_docs = doc(op.summary.as_deref().or(op.description.as_deref()));
    let id = &op.id;
    if default_stub {
        quote! {
            #method_docs
            fn #method_ident(
                &self,
                _request: #request_ident,
            ) -> impl #rt::Future<Output = Result<#response_ident, #rt::ApiError>> + Send {
                ::std::future::ready(Err(#rt::not_implemented(#id)))
            }
        }
    } else {
        quote! {
            #method_docs
            fn #method_ident(
                &self,
                request: #request_ident,
            ) -> impl #rt::Future<Output = Result<#response_ident, #rt::ApiError>> + Send;
        }
    }
}

fn response_enum(
    types: &mut TypeEmitter,
    op_camel: &str,
    response_ident: &proc_macro2::Ident,
    responses: &[Response],
) -> (TokenStream, TokenStream) {
    let rt = rt();
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut body_types: Vec<(proc_macro2::Ident, String, TokenStream, bool)> = Vec::new();
    for response in responses {
        let variant_name = super::status::variant_name(response.status);
        let (status_expr, status_doc) = match response.status {
            ResponseStatus::Code(code) => (super::status::status_expr(code), code.to_string()),
            ResponseStatus::Default => (quote!(status), "any other status".to_owned()),
        };
        let variant = ident(&variant_name);
        let text = format!(
            " {status_doc}: {}",
            response.description.as_deref().unwrap_or("").trim()
        );
        let body = response.body.as_ref().map(|schema| {
            let ty = match response.media {
                Media::Json | Media::Form | Media::Multipart => {
                    types.rust_type(schema, &format!("{op_camel}_{variant_name}"))
                }
                Media::Text => quote!(String),
                Media::Bytes => quote!(#rt::RawBody),
            };
            (ty, response.content_type.as_str())
        });
        let headers_ty = response_headers_type(types, op_camel, &variant_name, response);
        // The variant's fields: the status (`default`), the body, the headers.
        let mut field_types = Vec::new();
        let mut bindings = Vec::new();
        let status = match response.status {
            ResponseStatus::Code(_) => status_expr,
            ResponseStatus::Default => {
                field_types.push(quote!(#rt::StatusCode));
                bindings.push(quote!(status));
                quote!(status)
            }
        };
        let mut call = quote!(#rt::empty_response(#status));
        if let Some((ty, encode)) = body {
            if let (ResponseStatus::Code(code), None) = (response.status, &headers_ty) {
                body_types.push((
                    variant.clone(),
                    ty.to_string(),
                    ty.clone(),
                    (200..300).contains(&code),
                ));
            }
            field_types.push(ty);
            bindings.push(quote!(body));
            call = encode_call(&status, response.media, encode);
        }
        if let Some(headers_ty) = headers_ty {
            field_types.push(headers_ty);
            bindings.push(quote!(headers));
            call = quote!(#rt::with_headers(#call, &headers));
        }
        if field_types.is_empty() {
            variants.push(quote!(#[doc = #text] #variant,));
            arms.push(quote!(Self::#variant => #call,));
        } else {
            variants.push(quote!(#[doc = #text] #variant(#(#field_types),*),));
            arms.push(quote!(Self::#variant(#(#bindings),*) => #call,));
        }
    }
    let from_impls = from_impls(response_ident, &body_types);
    let docs =
        format!(" The responses of operation `{op_camel}`, one variant per declared status.");
    let enum_tokens = quote! {
        #[doc = #docs]
        #[derive(Debug, Clone, PartialEq)]
        // Bodies stay unboxed so handlers build variants directly; their size is the spec's.
        #[allow(clippy::large_enum_variant)]
        pub enum #response_ident {
            #(#variants)*
        }
    };
    let impls = quote! {
        impl #rt::IntoResponse for #response_ident {
            fn into_response(self) -> #rt::Response<#rt::Body> {
                match self {
                    #(#arms)*
                }
            }
        }
        #(#from_impls)*
    };
    (enum_tokens, impls)
}

/// `Ok(item.into())` for the success body, when its type names exactly one variant: body
/// types are (variant, type as text, type, whether the status is a success).
fn from_impls(
    response_ident: &proc_macro2::Ident,
    body_types: &[(proc_macro2::Ident, String, TokenStream, bool)],
) -> Vec<TokenStream> {
    let mut impls = Vec::new();
    for (variant, key, ty, success) in body_types {
        let same = body_types.iter().filter(|(_, k, _, _)| k == key).count();
        if *success && same == 1 {
            impls.push(quote! {
                impl From<#ty> for #response_ident {
                    fn from(body: #ty) -> Self {
                        Self::#variant(body)
                    }
                }
            });
        }
    }
    impls
}

/// The struct of a response's declared headers (one field per header, `Option` unless
/// required), when it declares any; the server and the client share it.
pub(crate) fn response_headers_type(
    types: &mut TypeEmitter,
    op_camel: &str,
    variant_name: &str,
    response: &Response,
) -> Option<TokenStream> {
    let schema = response_headers_schema(response)?;
    Some(types.rust_type(&schema, &format!("{op_camel}_{variant_name}_headers")))
}

/// The declared headers of `response` as an object schema.
pub(crate) fn response_headers_schema(response: &Response) -> Option<Schema> {
    let first = response.headers.first()?;
    Some(Schema {
        kind: SchemaKind::Object {
            properties: response.headers.clone(),
            additional: Additional::Unspecified,
        },
        description: Some("The headers of the response.".to_owned()),
        pointer: first
            .schema
            .pointer
            .rsplit_once("/headers/")
            .map(|(at, _)| format!("{at}/headers"))
            .unwrap_or_default(),
        nullable: false,
    })
}

/// The expression encoding `body` with `status` as the response's media type.
fn encode_call(status: &TokenStream, media: Media, content_type: &str) -> TokenStream {
    let rt = rt();
    match media {
        Media::Json | Media::Form | Media::Multipart => quote!(#rt::json_response(#status, &body)),
        Media::Text => quote!(#rt::text_response(#status, #content_type, body)),
        Media::Bytes => quote!(#rt::raw_response(#status, #content_type, body)),
    }
}
