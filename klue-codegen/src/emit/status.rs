//! Status codes in generated code: `klue::StatusCode::NOT_FOUND` for the codes `http` names,
//! `klue::status(299)` for the others.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::types::rt;

/// The codes `http::StatusCode` has a constant for, with its name (http 1.x's table; a test
/// checks each against `http`).
const NAMED: &[(u16, &str)] = &[
    (100, "CONTINUE"),
    (101, "SWITCHING_PROTOCOLS"),
    (102, "PROCESSING"),
    (103, "EARLY_HINTS"),
    (200, "OK"),
    (201, "CREATED"),
    (202, "ACCEPTED"),
    (203, "NON_AUTHORITATIVE_INFORMATION"),
    (204, "NO_CONTENT"),
    (205, "RESET_CONTENT"),
    (206, "PARTIAL_CONTENT"),
    (207, "MULTI_STATUS"),
    (208, "ALREADY_REPORTED"),
    (226, "IM_USED"),
    (300, "MULTIPLE_CHOICES"),
    (301, "MOVED_PERMANENTLY"),
    (302, "FOUND"),
    (303, "SEE_OTHER"),
    (304, "NOT_MODIFIED"),
    (305, "USE_PROXY"),
    (307, "TEMPORARY_REDIRECT"),
    (308, "PERMANENT_REDIRECT"),
    (400, "BAD_REQUEST"),
    (401, "UNAUTHORIZED"),
    (402, "PAYMENT_REQUIRED"),
    (403, "FORBIDDEN"),
    (404, "NOT_FOUND"),
    (405, "METHOD_NOT_ALLOWED"),
    (406, "NOT_ACCEPTABLE"),
    (407, "PROXY_AUTHENTICATION_REQUIRED"),
    (408, "REQUEST_TIMEOUT"),
    (409, "CONFLICT"),
    (410, "GONE"),
    (411, "LENGTH_REQUIRED"),
    (412, "PRECONDITION_FAILED"),
    (413, "PAYLOAD_TOO_LARGE"),
    (414, "URI_TOO_LONG"),
    (415, "UNSUPPORTED_MEDIA_TYPE"),
    (416, "RANGE_NOT_SATISFIABLE"),
    (417, "EXPECTATION_FAILED"),
    (418, "IM_A_TEAPOT"),
    (421, "MISDIRECTED_REQUEST"),
    (422, "UNPROCESSABLE_ENTITY"),
    (423, "LOCKED"),
    (424, "FAILED_DEPENDENCY"),
    (425, "TOO_EARLY"),
    (426, "UPGRADE_REQUIRED"),
    (428, "PRECONDITION_REQUIRED"),
    (429, "TOO_MANY_REQUESTS"),
    (431, "REQUEST_HEADER_FIELDS_TOO_LARGE"),
    (451, "UNAVAILABLE_FOR_LEGAL_REASONS"),
    (500, "INTERNAL_SERVER_ERROR"),
    (501, "NOT_IMPLEMENTED"),
    (502, "BAD_GATEWAY"),
    (503, "SERVICE_UNAVAILABLE"),
    (504, "GATEWAY_TIMEOUT"),
    (505, "HTTP_VERSION_NOT_SUPPORTED"),
    (506, "VARIANT_ALSO_NEGOTIATES"),
    (507, "INSUFFICIENT_STORAGE"),
    (508, "LOOP_DETECTED"),
    (510, "NOT_EXTENDED"),
    (511, "NETWORK_AUTHENTICATION_REQUIRED"),
];

/// The response enum's variant for a status, named once for the server and the client: its
/// reason phrase (`NotFound`), `Status299` without one, `Default` for the spec's `default`.
pub(super) fn variant_name(status: crate::model::ResponseStatus) -> String {
    match status {
        crate::model::ResponseStatus::Code(code) => http::StatusCode::from_u16(code)
            .ok()
            .and_then(|s| s.canonical_reason())
            .map(crate::naming::camel)
            .unwrap_or_else(|| format!("Status{code}")),
        crate::model::ResponseStatus::Default => "Default".to_owned(),
    }
}

/// An expression of type `StatusCode` for `code`.
pub(super) fn status_expr(code: u16) -> TokenStream {
    let rt = rt();
    match NAMED.binary_search_by_key(&code, |(c, _)| *c) {
        Ok(index) => {
            let name = format_ident!("{}", NAMED[index].1);
            quote!(#rt::StatusCode::#name)
        }
        Err(_) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(#rt::status(#code))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_code_is_the_http_constant_for_its_reason() {
        assert!(
            NAMED.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, for the binary search"
        );
        for (code, name) in NAMED {
            let reason = http::StatusCode::from_u16(*code)
                .unwrap()
                .canonical_reason()
                .unwrap();
            // http names its constants after the reason in upper snake case; "I'm a teapot"
            // is its one irregular spelling.
            let expected = crate::naming::shouty(reason).replace("I_M_A", "IM_A");
            assert_eq!(*name, expected, "{code}");
            assert_eq!(
                status_expr(*code).to_string(),
                format!("klue :: StatusCode :: {name}")
            );
        }
        assert_eq!(status_expr(299).to_string(), "klue :: status (299)");
    }
}
