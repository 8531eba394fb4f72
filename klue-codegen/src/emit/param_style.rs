//! The `klue::ParamSpec` of a styled parameter, shared by the server and the client: the style
//! logic itself lives in klue-core, so each parameter costs one constant here.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::rt;
use crate::model::{ParamLocation, ParamStyle, Parameter};

/// `&klue::ParamSpec { .. }` for `param`, named `wire` on the wire.
pub(crate) fn spec(param: &Parameter, wire: &str, required: bool) -> TokenStream {
    let rt = rt();
    let location = match param.location {
        ParamLocation::Path => quote!(Path),
        ParamLocation::Query => quote!(Query),
        ParamLocation::Header => quote!(Header),
        ParamLocation::Cookie => quote!(Cookie),
    };
    let style = match param.style {
        ParamStyle::Form => quote!(Form),
        ParamStyle::Simple => quote!(Simple),
        ParamStyle::Label => quote!(Label),
        ParamStyle::Matrix => quote!(Matrix),
        ParamStyle::SpaceDelimited => quote!(SpaceDelimited),
        ParamStyle::PipeDelimited => quote!(PipeDelimited),
        ParamStyle::TabDelimited => quote!(TabDelimited),
        ParamStyle::DeepObject => quote!(DeepObject),
    };
    let explode = param.explode;
    quote! {
        &#rt::ParamSpec {
            name: #wire,
            location: #rt::Location::#location,
            style: #rt::Style::#style,
            explode: #explode,
            required: #required,
        }
    }
}
