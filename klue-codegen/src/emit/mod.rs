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
    let spec_file = spec_file_name(&api.name);
    let header = quote! {
        use ::klue_core::codegen as klue;

        /// Name, title and version of the API, and its spec.
        pub static API_INFO: #rt::ApiInfo = #rt::ApiInfo {
            name: #name,
            title: #title,
            version: #version,
            spec_json: SPEC_JSON,
        };

        /// The spec this code was generated from, as JSON (written beside this file).
        pub const SPEC_JSON: &str = include_str!(#spec_file);
    };
    let server_mod = format_ident!("{}_server", naming::snake(&api.name));
    let client_mod = format_ident!("{}_client", naming::snake(&api.name));
    let has_client = parts.client && !api.operations.is_empty();
    let server_use = parts.server.then(|| quote!(pub use self::#server_mod::*;));
    let client_use = has_client.then(|| quote!(pub use self::#client_mod::*;));
    let header = quote! {
        #header
        pub use self::types::*;
        #server_use
        #client_use
    };
    // The file: a header, then one module per part (each chunk an item or a few, in order).
    let mut types_chunks = std::mem::take(&mut types.items);
    types_chunks.extend(responses);
    let mut chunks = vec![
        Chunk::Top(header),
        Chunk::Module(
            " The schemas' types with their validation rules, and each operation's response."
                .to_owned(),
            format_ident!("types"),
            types_chunks,
        ),
    ];
    if parts.server {
        let mut server_chunks = vec![quote! {
            #trait_docs
            pub trait #trait_ident: Send + Sync + 'static {
                #(#trait_methods)*
            }
        }];
        server_chunks.extend(operation_items);
        server_chunks.push(quote! {
            #[doc = #router_docs]
            pub fn router<S: #trait_ident>(#service_param: S) -> #rt::ApiRouter {
                #router_body
            }
        });
        let docs = format!(" The server side of `{name}`: the trait to implement and `router()`.");
        chunks.push(Chunk::Module(docs, server_mod, server_chunks));
    }
    if has_client {
        client_items.push(client);
        let docs = format!(" The typed client of `{name}`.");
        chunks.push(Chunk::Module(docs, client_mod, client_items));
    }
    let body = format_chunks(&chunks)?;
    // Freeing millions of token trees one by one takes longer than building them; the
    // generator runs in a short-lived build script or CLI, whose exit frees them at once.
    std::mem::forget(chunks);
    std::mem::forget(types);
    Ok(format!(
        "// @generated by klue-codegen from {source}. Do not edit.\n\n{body}"
    ))
}

/// A part of the generated file: items at the top, or a module of items.
enum Chunk {
    Top(proc_macro2::TokenStream),
    /// Docs, name, items.
    Module(String, proc_macro2::Ident, Vec<proc_macro2::TokenStream>),
}

/// The chunks formatted by prettyplease, one item group at a time: the same text as formatting
/// the whole file, at any size (GitHub's spec: half a million lines), since no syntax tree of
/// the whole file is ever held. A module's items are each formatted inside a stand-in module
/// and its lines taken, so that they are indented (doc comments included) as in the module.
fn format_chunks(chunks: &[Chunk]) -> Result<String, syn::Error> {
    let mut body = String::new();
    for chunk in chunks {
        match chunk {
            Chunk::Top(tokens) => body.push_str(&format_file(tokens.clone())?),
            Chunk::Module(docs, name, items) => {
                let opening = quote! {
                    #[doc = #docs]
                    pub mod #name {}
                };
                let opening = format_file(opening)?;
                body.push_str(opening.trim_end().trim_end_matches('}'));
                body.push('\n');
                let prelude = quote! {
                    #![allow(dead_code, unused_imports, missing_docs)]
                    use super::*;
                };
                body.push_str(&format_in_module(prelude)?);
                for item in items {
                    body.push_str(&format_in_module(item.clone())?);
                }
                body.push_str("}\n");
            }
        }
    }
    Ok(body)
}

fn format_file(tokens: proc_macro2::TokenStream) -> Result<String, syn::Error> {
    let parsed: syn::File = syn::parse2(tokens)?;
    Ok(prettyplease::unparse(&parsed))
}

/// `items` formatted as the body of a module: indented, without the module's own lines.
fn format_in_module(items: proc_macro2::TokenStream) -> Result<String, syn::Error> {
    let text = format_file(quote!(mod m { #items }))?;
    let inner = text
        .strip_prefix("mod m {\n")
        .and_then(|rest| rest.strip_suffix("}\n"))
        .unwrap_or("");
    Ok(inner.to_owned())
}

/// The file the generated source reads the spec from, beside it: `<api>.json`.
pub(crate) fn spec_file_name(api_name: &str) -> String {
    format!("{api_name}.json")
}
