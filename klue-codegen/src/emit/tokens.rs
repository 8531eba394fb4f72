//! Small token helpers every emitter uses: the runtime path, identifiers (raw when they are
//! keywords), doc attributes.

use proc_macro2::TokenStream;
use quote::quote;

/// Path of the runtime module every generated item uses: the generated file starts with
/// `use ::klue_core::codegen as klue;` (short paths keep GitHub-sized outputs fast to build).
pub(crate) fn rt() -> TokenStream {
    quote!(klue)
}

pub(crate) fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

pub(crate) fn doc(text: Option<&str>) -> TokenStream {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let lines = text.lines().map(|line| format!(" {}", line.trim_end()));
            quote!(#(#[doc = #lines])*)
        }
        None => quote!(),
    }
}
