//! The `Authorization` header of `basic` and opaque bearer schemes: decoded by klue into
//! `klue::BasicCredentials` or `klue::BearerToken` (a malformed header is a 401 before the
//! handler runs), and sent by the client from the same types.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::types::rt;
use crate::model::HttpAuth;

/// The Rust type the request struct and the client's params hold.
pub(crate) fn rust_type(http_auth: &HttpAuth) -> TokenStream {
    let rt = rt();
    match http_auth {
        HttpAuth::Basic { .. } => quote!(#rt::BasicCredentials),
        HttpAuth::OpaqueBearer { .. } => quote!(#rt::BearerToken),
    }
}

/// The handler's expression decoding the header into an `Option` (`?` answers a 401).
pub(crate) fn decode(http_auth: &HttpAuth, required: bool) -> TokenStream {
    match http_auth {
        HttpAuth::Basic { scheme } => {
            let scheme = Literal::string(scheme);
            quote!(request.basic_credentials(#scheme, #required)?)
        }
        HttpAuth::OpaqueBearer { scheme } => {
            let scheme = Literal::string(scheme);
            quote!(request.bearer_token(#scheme, #required).await?)
        }
    }
}
