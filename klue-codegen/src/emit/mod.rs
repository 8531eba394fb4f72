//! Turns the model of an API into one formatted Rust file.

mod body;
mod client;
mod composite;
mod construct;
mod defaults;
mod formats;
mod http_auth;
mod param_style;
mod request;
mod schema_expr;
mod server;
mod shared;
mod status;
mod types;

use quote::{format_ident, quote};

use crate::model::Api;
use crate::naming;
use types::{doc, rt, TypeEmitter};

/// What to generate besides the types.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parts {
    /// The trait, the request types and `router()`.
    pub(crate) server: bool,
    /// The `{Api}Client` and the `{Op}Params` types.
    pub(crate) client: bool,
    /// Trait methods with a default body answering 501 `NOT_IMPLEMENTED`.
    pub(crate) default_stubs: bool,
    /// `date-time`, `date` and `uuid` strings as `klue::DateTime`, `klue::Date`, `klue::Uuid`.
    pub(crate) typed_formats: bool,
}

/// The generated Rust source for `api`, formatted; `source` names the spec in the header.
pub(crate) fn emit(api: &Api, source: &str, parts: Parts) -> Result<String, syn::Error> {
    let rt = rt();
    let mut types = TypeEmitter::new(api);
    types.typed_formats = parts.typed_formats;
    types.emit_named(api);

    let api_camel = naming::camel(&api.name);
    let trait_ident = format_ident!("{}Api", api_camel);
    let mut operation_items = Vec::new();
    let mut trait_methods = Vec::new();
    let mut bindings = Vec::new();
    let mut responses = Vec::new();
    let mut client_items = Vec::new();
    let mut client_methods = Vec::new();
    for op in &api.operations {
        let resolved = body::resolve_multipart(op, api);
        let op = resolved.as_ref().unwrap_or(op);
        let code = server::operation(&mut types, &trait_ident, op, parts.default_stubs);
        responses.push(code.response);
        if parts.server {
            operation_items.push(code.items);
            trait_methods.push(code.trait_method);
            bindings.push(code.binding);
        }
        if parts.client {
            let client =
                client::operation(&mut types, op, &code.response_ident, code.body.as_ref());
            client_items.push(client.items);
            client_methods.push(client.method);
        }
    }
    // A spec with only types (shared schemas) gets no client: it would have no method.
    let client = if parts.client && !api.operations.is_empty() {
        client::client(&api_camel, &api.name, &client_methods)
    } else {
        quote!()
    };

    let name = &api.name;
    let title = &api.title;
    let version = &api.version;
    let trait_docs = doc(Some(&format!(
        "The operations of API `{name}` ({title} {version}). Implement this trait and serve it \
         with [`router`].\n\n{}",
        api.description.as_deref().unwrap_or("")
    )));
    let router_docs =
        format!(" Binds an implementation of [`{trait_ident}`] to the routes of `{name}`.");
    let service_param = if bindings.is_empty() {
        quote!(_service)
    } else {
        quote!(service)
    };

    // An API without operations binds nothing: no service to share, nothing to mutate.
    let router_body = if bindings.is_empty() {
        quote!(#rt::ApiRouter::new(&API_INFO))
    } else {
        quote! {
            let service = #rt::Arc::new(service);
            let mut router = #rt::ApiRouter::new(&API_INFO);
            #(#bindings)*
            router
        }
    };
    let header = quote! {
        use ::klue_core::codegen as klue;

        /// Name, title and version of the API, and its spec.
        pub static API_INFO: #rt::ApiInfo = #rt::ApiInfo {
            name: #name,
            title: #title,
            version: #version,
            spec_json: SPEC_JSON,
        };

        /// The spec this code was generated from, as JSON.
        pub const SPEC_JSON: &str = __KLUE_SPEC_JSON__;
    };
    // The file as a list of top-level chunks (an item or a few), in order.
    let mut chunks: Vec<proc_macro2::TokenStream> = vec![header];
    chunks.append(&mut types.items);
    chunks.extend(responses);
    if parts.server {
        chunks.push(quote! {
            #trait_docs
            pub trait #trait_ident: Send + Sync + 'static {
                #(#trait_methods)*
            }
        });
        chunks.extend(operation_items);
        chunks.push(quote! {
            #[doc = #router_docs]
            pub fn router<S: #trait_ident>(#service_param: S) -> #rt::ApiRouter {
                #router_body
            }
        });
    }
    chunks.extend(client_items);
    chunks.push(client);
    let body = format_chunks(&chunks)?;
    // Freeing millions of token trees one by one takes longer than building them; the
    // generator runs in a short-lived build script or CLI, whose exit frees them at once.
    std::mem::forget(chunks);
    std::mem::forget(types);
    // The spec (megabytes for large APIs) is spliced in as a raw string: quoting it through
    // the token stream and the formatter would cost more than everything else.
    let body = body.replacen("__KLUE_SPEC_JSON__", &raw_string(&api.spec_json), 1);
    Ok(format!(
        "// @generated by klue-codegen from {source}. Do not edit.\n\n{body}"
    ))
}

/// The chunks formatted by prettyplease, one at a time: the same text as formatting the whole
/// file, at any size (GitHub's spec: a million lines), since no syntax tree of the whole file
/// is ever held.
fn format_chunks(chunks: &[proc_macro2::TokenStream]) -> Result<String, syn::Error> {
    let mut body = String::new();
    for chunk in chunks {
        let parsed: syn::File = syn::parse2(chunk.clone())?;
        body.push_str(&prettyplease::unparse(&parsed));
    }
    Ok(body)
}

/// `text` as a Rust raw string literal, with enough `#`s to hold it.
fn raw_string(text: &str) -> String {
    let mut hashes = 0;
    let mut run: Option<usize> = None;
    for c in text.chars() {
        run = match (c, run) {
            ('"', _) => Some(0),
            ('#', Some(n)) => Some(n + 1),
            _ => None,
        };
        hashes = hashes.max(run.unwrap_or(0) + usize::from(run.is_some()));
    }
    let fence = "#".repeat(hashes.max(1));
    format!("r{fence}\"{text}\"{fence}")
}
