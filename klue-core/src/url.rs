//! Building request URLs and headers from typed parameters, for generated clients.

use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::params::ToParam;
use crate::validate::{Location, Violation};

/// Characters escaped in a path segment (RFC 3986 `pchar` allows the rest).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Builds `path?query` from literal path pieces and typed parameters.
#[derive(Debug, Default)]
pub struct UrlBuilder {
    path: String,
    query: String,
}

impl UrlBuilder {
    /// An empty URL.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends literal path text from the spec's template.
    pub fn literal(&mut self, text: &str) {
        self.path.push_str(text);
    }

    /// Appends a path parameter, percent-encoded as one segment.
    pub fn path_param<T: ToParam + ?Sized>(&mut self, value: &T) {
        self.path
            .extend(utf8_percent_encode(&value.to_param(), SEGMENT));
    }

    /// Appends `name=value` to the query string (form style).
    pub fn query<T: ToParam + ?Sized>(&mut self, name: &str, value: &T) {
        self.query
            .push(if self.query.is_empty() { '?' } else { '&' });
        self.query
            .extend(form_urlencoded::byte_serialize(name.as_bytes()));
        self.query.push('=');
        self.query
            .extend(form_urlencoded::byte_serialize(value.to_param().as_bytes()));
    }

    /// Appends `name=item` for each item (form style, exploded: `?tag=a&tag=b`).
    pub fn query_array<T: ToParam>(&mut self, name: &str, values: &[T]) {
        for value in values {
            self.query(name, value);
        }
    }

    /// The path and query.
    pub fn finish(mut self) -> String {
        self.path.push_str(&self.query);
        self.path
    }
}

/// Sets header `name` (lower case) to `value`; a value that cannot be a header is a violation.
pub fn set_header<T: ToParam + ?Sized>(
    headers: &mut HeaderMap,
    name: &'static str,
    value: &T,
) -> Result<(), Violation> {
    let text = value.to_param();
    match HeaderValue::from_str(&text) {
        Ok(value) => {
            headers.insert(HeaderName::from_static(name), value);
            Ok(())
        }
        Err(_) => Err(Violation {
            location: Location::Header,
            pointer: format!("/{name}"),
            message: format!("'{text}' cannot be sent as a header value"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_encoded_paths_and_queries() {
        let mut url = UrlBuilder::new();
        url.literal("/v1/greetings/");
        url.path_param("Ada Lovelace/?#%");
        url.query("lang", "fr");
        url.query("times", &2i32);
        url.query_array("tag", &["a b".to_owned(), "c&d".to_owned()]);
        assert_eq!(
            url.finish(),
            "/v1/greetings/Ada%20Lovelace%2F%3F%23%25?lang=fr&times=2&tag=a+b&tag=c%26d"
        );
        let mut plain = UrlBuilder::new();
        plain.literal("/ping");
        assert_eq!(plain.finish(), "/ping");
    }

    #[test]
    fn header_values_are_checked() {
        let mut headers = HeaderMap::new();
        assert!(set_header(&mut headers, "x-a", "ok").is_ok());
        assert_eq!(headers["x-a"], "ok");
        let err = set_header(&mut headers, "x-b", "bad\nvalue").unwrap_err();
        assert_eq!(err.pointer, "/x-b");
    }
}
