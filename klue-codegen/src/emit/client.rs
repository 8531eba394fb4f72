//! The typed client of an API: a `{Op}Params` struct per operation that takes parameters or a
//! body, and a `{Api}Client` with one async method per operation returning the operation's
//! response enum. Non-2xx answers are errors (`ClientError::Api` carries the error envelope).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::types::{doc, ident, rt, TypeEmitter};
use crate::model::*;
use crate::naming;

/// The client code of one operation: its params struct (if any) and its method.
pub(crate) struct ClientOperation {
    pub(crate) items: TokenStream,
    pub(crate) method: TokenStream,
}

pub(crate) fn operation(
    types: &mut TypeEmitter,
    op: &Operation,
    response_ident: &proc_macro2::Ident,
    body: Option<&super::body::BodyPlan>,
) -> ClientOperation {
    let rt = rt();
    let op_camel = naming::camel(&op.id);
    let method_ident = ident(&naming::field(&op.id));
    let takes_params = !op.parameters.is_empty() || op.body.is_some();
    let params_ident = ident(&types.reserve_type(&format!("{op_camel}Params")));

    let mut parts = ParamsParts::default();
    for param in &op.parameters {
        parts.parameter(types, &op_camel, param);
    }
    parts.path(op);
    let body_code = body.map(|plan| parts.body(plan)).unwrap_or_default();
    let stream_local = body.map(|plan| plan.stream_local());
    let send = match body {
        Some(plan) => plan.send(),
        None => quote!(self.http.execute(request).await?),
    };
    let (arms, default_arm, statics) = response_arms(types, op, &op_camel, response_ident);

    let method = format_ident!("{}", op.method);
    let docs = doc(op.summary.as_deref().or(op.description.as_deref()));
    let (params_arg, params_struct) = if takes_params {
        let params_struct = parts.params_struct(op, &params_ident, body);
        (quote!(params: #params_ident), params_struct)
    } else {
        (quote!(), quote!())
    };
    let ParamsParts {
        url,
        headers,
        query,
        ..
    } = parts;
    let url_binding = if url.is_empty() && query.is_empty() {
        quote!(let url = #rt::UrlBuilder::new();)
    } else {
        quote!(let mut url = #rt::UrlBuilder::new();)
    };
    let request_binding = if headers.is_empty() && op.body.is_none() {
        quote!(let request)
    } else {
        quote!(let mut request)
    };
    let method_tokens = quote! {
        #docs
        pub async fn #method_ident(&self, #params_arg) -> Result<#response_ident, #rt::ClientError> {
            #url_binding
            #(#url)*
            #(#query)*
            #request_binding = self.request(#rt::Method::#method, url.finish());
            #(#headers)*
            #stream_local
            #body_code
            let response = #send;
            match response.status.as_u16() {
                #(#arms)*
                #default_arm
            }
        }
    };
    ClientOperation {
        items: quote!(#params_struct #(#statics)*),
        method: method_tokens,
    }
}

/// The params struct of one operation, field by field, and the statements of its method
/// that put each field on the request: the URL's path and query, headers and cookies.
#[derive(Default)]
struct ParamsParts {
    fields: Vec<TokenStream>,
    field_names: BTreeSet<String>,
    /// The path, piece by piece (after [`ParamsParts::path`]).
    url: Vec<TokenStream>,
    headers: Vec<TokenStream>,
    query: Vec<TokenStream>,
    /// What puts each path parameter (by its name in the template) in the URL.
    path_fields: BTreeMap<String, TokenStream>,
    /// The field of each path parameter.
    path_idents: BTreeMap<String, proc_macro2::Ident>,
    ctors: super::construct::Constructors,
}

impl ParamsParts {
    fn parameter(&mut self, types: &mut TypeEmitter, op_camel: &str, param: &Parameter) {
        let name = naming::unique(naming::field(&param.name), &mut self.field_names);
        let field = ident(&name);
        let hint = format!("{op_camel}_{}", param.name);
        let ty = match (&param.http_auth, &param.schema.kind) {
            (Some(http_auth), _) => super::http_auth::rust_type(http_auth),
            (None, SchemaKind::Array { items, .. }) => {
                let item = types.rust_type(items, &format!("{hint}_item"));
                quote!(Vec<#item>)
            }
            (None, _) => types.rust_type(&param.schema, &hint),
        };
        if param.location == ParamLocation::Path {
            self.path_fields
                .insert(param.name.clone(), path_push(param, &field));
            self.path_idents.insert(param.name.clone(), field.clone());
        } else {
            let push = send_push(param);
            let set = if param.required {
                quote!({ let value = &params.#field; #push })
            } else {
                quote!(if let Some(value) = &params.#field { #push })
            };
            if param.location == ParamLocation::Query {
                self.query.push(set);
            } else {
                self.headers.push(set);
            }
        }
        let docs = doc(param.description.as_deref());
        if param.required {
            self.fields.push(quote!(#docs pub #field: #ty,));
            self.ctors.required(&field, ty);
        } else {
            self.fields.push(quote!(#docs pub #field: Option<#ty>,));
            self.ctors.none(&field);
        }
    }

    /// The path template, as literal pieces and parameters; the selector some specs add after
    /// `#` or `?` to tell operations apart is sent as the server reads it (`selector_query`).
    fn path(&mut self, op: &Operation) {
        let template = op.path.split(['#', '?']).next().unwrap_or_default();
        for (i, segment) in template.split('{').enumerate() {
            if i == 0 {
                if !segment.is_empty() {
                    self.url.push(quote!(url.literal(#segment);));
                }
                continue;
            }
            let (name, rest) = segment.split_once('}').unwrap_or((segment, ""));
            if let Some(push) = self.path_fields.get(name) {
                self.url.push(push.clone());
            }
            if !rest.is_empty() {
                self.url.push(quote!(url.literal(#rest);));
            }
        }
        self.query.extend(selector_query(op, &self.path_idents));
    }

    /// The body's field, and the statement encoding it.
    fn body(&mut self, plan: &super::body::BodyPlan) -> TokenStream {
        let field = ident(&naming::unique("body".to_owned(), &mut self.field_names));
        let ty = &plan.ty;
        let encode = plan.encode();
        if plan.required {
            self.fields
                .push(quote!(#[doc = " The request body."] pub #field: #ty,));
            self.ctors.required(&field, ty.clone());
            quote!({ let value = params.#field; #encode })
        } else {
            self.fields
                .push(quote!(#[doc = " The request body, if any."] pub #field: Option<#ty>,));
            self.ctors.none(&field);
            quote!(if let Some(value) = params.#field { #encode })
        }
    }

    /// The params struct and its constructors.
    fn params_struct(
        &self,
        op: &Operation,
        params_ident: &proc_macro2::Ident,
        body: Option<&super::body::BodyPlan>,
    ) -> TokenStream {
        let default_derive = self.ctors.derives_default().then(|| quote!(Default,));
        let params_derive = if body.is_some_and(|plan| plan.streamed) {
            quote!(#[derive(Debug, #default_derive)])
        } else {
            quote!(#[derive(Debug, Clone, PartialEq, #default_derive)])
        };
        let params_docs = format!(
            " The parameters and body of operation `{}` ({} {}).",
            op.id, op.method, op.path
        );
        let params_ctors = self.ctors.impls(params_ident);
        let fields = &self.fields;
        quote! {
            #[doc = #params_docs]
            #params_derive
            pub struct #params_ident {
                #(#fields)*
            }

            #params_ctors
        }
    }
}

/// What puts path parameter `param` (the field `field`) in the URL.
fn path_push(param: &Parameter, field: &proc_macro2::Ident) -> TokenStream {
    let rt = rt();
    if param.styled {
        let spec = super::param_style::spec(param, &param.name, param.required);
        quote!(url.styled_path(#spec, &params.#field).map_err(|violation| #rt::ClientError::InvalidRequest(vec![violation]))?;)
    } else {
        quote!(url.path_param(&params.#field);)
    }
}

/// What sends `value`, the value of query, header or cookie parameter `param`.
fn send_push(param: &Parameter) -> TokenStream {
    let rt = rt();
    let invalid = quote!(.map_err(|violation| #rt::ClientError::InvalidRequest(vec![violation]))?;);
    let wire = &param.name;
    let wire_name = match param.location {
        ParamLocation::Header => param.name.to_ascii_lowercase(),
        _ => param.name.clone(),
    };
    let styled = param
        .styled
        .then(|| super::param_style::spec(param, &wire_name, param.required));
    match (param.location, styled) {
        (ParamLocation::Query, Some(spec)) => quote!(url.styled_query(#spec, value) #invalid),
        (ParamLocation::Header, Some(spec)) => {
            quote!(#rt::set_styled_header(&mut request.headers, #spec, value) #invalid)
        }
        (_, Some(spec)) => {
            quote!(#rt::add_styled_cookie(&mut request.headers, #spec, value) #invalid)
        }
        (ParamLocation::Query, None) => {
            if matches!(param.schema.kind, SchemaKind::Array { .. }) {
                quote!(url.query_array(#wire, value);)
            } else {
                quote!(url.query(#wire, value);)
            }
        }
        (ParamLocation::Cookie, None) => quote! {
            #rt::add_cookie(&mut request.headers, #wire, value)
                .map_err(|violation| #rt::ClientError::InvalidRequest(vec![violation]))?;
        },
        (_, None) => quote! {
            #rt::set_header(&mut request.headers, #wire_name, value)
                .map_err(|violation| #rt::ClientError::InvalidRequest(vec![violation]))?;
        },
    }
}

/// The match arms decoding each 2xx response of `op` into its variant of `response_ident`,
/// the arm for other statuses (the `default` response when it is a success, else an error),
/// and the response schemas as statics.
fn response_arms(
    types: &mut TypeEmitter,
    op: &Operation,
    op_camel: &str,
    response_ident: &proc_macro2::Ident,
) -> (Vec<TokenStream>, TokenStream, Vec<TokenStream>) {
    let rt = rt();
    let mut arms = Vec::new();
    let mut statics = Vec::new();
    let mut default_arm = quote!(_ => Err(#rt::error_from_response(response)),);
    for response in &op.responses {
        let variant_name = super::status::variant_name(response.status);
        let variant = ident(&variant_name);
        let decode = response_decode(types, op, op_camel, &variant_name, response, &mut statics);
        match (response.status, decode) {
            // Non-2xx answers are errors whatever the spec declares: they carry the envelope.
            (ResponseStatus::Code(code), _) if !(200..300).contains(&code) => {}
            (ResponseStatus::Code(code), Some(decode)) => {
                let code = Literal::u16_unsuffixed(code);
                arms.push(quote!(#code => Ok(#response_ident::#variant(#decode)),));
            }
            (ResponseStatus::Code(code), None) => {
                let code = Literal::u16_unsuffixed(code);
                arms.push(quote!(#code => Ok(#response_ident::#variant),));
            }
            (ResponseStatus::Default, Some(decode)) => {
                default_arm = quote! {
                    _ if response.status.is_success() => Ok(#response_ident::#variant(response.status, #decode)),
                    _ => Err(#rt::error_from_response(response)),
                };
            }
            (ResponseStatus::Default, None) => {
                default_arm = quote! {
                    _ if response.status.is_success() => Ok(#response_ident::#variant(response.status)),
                    _ => Err(#rt::error_from_response(response)),
                };
            }
        }
    }
    (arms, default_arm, statics)
}

/// The expressions decoding a response variant's fields after the status: the body, then the
/// headers (their schemas pushed to `statics`).
fn response_decode(
    types: &mut TypeEmitter,
    op: &Operation,
    op_camel: &str,
    variant_name: &str,
    response: &Response,
    statics: &mut Vec<TokenStream>,
) -> Option<TokenStream> {
    let rt = rt();
    let decode = response.body.as_ref().map(|schema| {
        match response.media {
            Media::Text => return quote!(#rt::decode_text(&response)?),
            Media::Bytes => return quote!(#rt::decode_raw(&response)),
            Media::Json | Media::Form | Media::Multipart => {}
        }
        let hint = format!("{op_camel}_{variant_name}");
        let ty = types.rust_type(schema, &hint);
        let static_ident = match types.shared_static(schema, &hint) {
            Some(shared) => shared,
            None => {
                let static_ident = format_ident!(
                    "SCHEMA_{}__RESPONSE_{}",
                    naming::shouty(&op.id),
                    naming::shouty(variant_name)
                );
                let expr = types.schema_expr(schema, &hint);
                statics.push(quote!(static #static_ident: #rt::Schema = #expr;));
                quote!(#static_ident)
            }
        };
        quote!(#rt::decode_json::<#ty>(&response, &#static_ident, self.http.config().validate_responses)?)
    });
    let headers_decode = super::server::response_headers_schema(response).map(|schema| {
        let ty = super::server::response_headers_type(types, op_camel, variant_name, response);
        let static_ident = format_ident!(
            "SCHEMA_{}__RESPONSE_{}_HEADERS",
            naming::shouty(&op.id),
            naming::shouty(variant_name)
        );
        let expr = types.schema_expr(&schema, &format!("{op_camel}_{variant_name}_headers"));
        statics.push(quote!(static #static_ident: #rt::Schema = #expr;));
        quote!(#rt::decode_headers::<#ty>(&response, &#static_ident, self.http.config().validate_responses)?)
    });
    match (decode, headers_decode) {
        (Some(body), Some(headers)) => Some(quote!(#body, #headers)),
        (body, None) => body,
        (None, headers) => headers,
    }
}

/// The client struct and its methods.
pub(crate) fn client(api_camel: &str, api_name: &str, methods: &[TokenStream]) -> TokenStream {
    let rt = rt();
    let client_ident = format_ident!("{}Client", api_camel);
    let docs = format!(
        " A typed client of API `{api_name}`: one method per operation. Non-2xx answers are \
         [`ClientError`]s; [`ClientError::Api`] carries the server's error envelope.\n\n [`ClientError`]: ::klue_core::codegen::ClientError\n [`ClientError::Api`]: ::klue_core::codegen::ClientError::Api"
    );
    quote! {
        #[doc = #docs]
        #[derive(Debug, Clone)]
        pub struct #client_ident {
            http: #rt::HttpClient,
            bearer: Option<String>,
        }

        impl #client_ident {
            /// A client for the server at `config.base_url`.
            pub fn new(config: #rt::ClientConfig) -> Result<Self, #rt::ClientError> {
                Ok(Self::from_http(#rt::HttpClient::new(config)?))
            }

            /// A client sharing `http`'s connection pool and settings.
            pub fn from_http(http: #rt::HttpClient) -> Self {
                Self { http, bearer: None }
            }

            /// The same client, sending `Authorization: Bearer <token>` on every call.
            pub fn with_token(&self, token: impl Into<String>) -> Self {
                Self { http: self.http.clone(), bearer: Some(token.into()) }
            }

            fn request(&self, method: #rt::Method, path_and_query: String) -> #rt::ClientRequest {
                let mut request = #rt::ClientRequest::new(method, path_and_query);
                request.bearer = self.bearer.clone();
                request
            }

            #(#methods)*
        }
    }
}

/// The query items that send `op`'s selector (the `#...`/`?...` of its path) as the server
/// reads it: an item naming a declared query or header parameter is sent by that parameter;
/// `name={param}` sends the path parameter `param` as `name`; any other item is sent as it is
/// written (`name=value`, or `name=` when only its presence selects).
fn selector_query(
    op: &Operation,
    path_idents: &std::collections::BTreeMap<String, proc_macro2::Ident>,
) -> Vec<TokenStream> {
    let Some(selector) = klue_route::Template::parse(&op.path)
        .ok()
        .and_then(|template| template.selector().cloned())
    else {
        return Vec::new();
    };
    let declared = |name: &str| {
        op.parameters.iter().any(|param| match param.location {
            ParamLocation::Query => param.name == name,
            ParamLocation::Header => param.name.eq_ignore_ascii_case(name),
            _ => false,
        })
    };
    let mut pushes = Vec::new();
    for item in selector.items() {
        let name = &item.name;
        if let Some(field) = item.param.as_ref().and_then(|p| path_idents.get(p)) {
            pushes.push(quote!(url.query(#name, &params.#field);));
        } else if !declared(name) {
            let value = item.value.as_deref().unwrap_or_default();
            pushes.push(quote!(url.query(#name, #value);));
        }
    }
    pushes
}
