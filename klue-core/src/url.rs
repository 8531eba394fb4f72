//! Building request URLs and headers from typed parameters, for generated clients.

use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use serde::Serialize;

use crate::extract::params::ToParam;
use crate::extract::style::{encode, ParamSpec};
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

    /// Appends a styled path parameter (`simple`, `label` or `matrix`).
    pub fn styled_path<T: Serialize + ?Sized>(
        &mut self,
        spec: &ParamSpec,
        value: &T,
    ) -> Result<(), Violation> {
        if let Some(flat) = flatten(spec, value)? {
            self.path.push_str(&encode::path(spec, &flat));
        }
        Ok(())
    }

    /// Appends a styled query parameter (`form`, `spaceDelimited`, `pipeDelimited`,
    /// `deepObject`, ...).
    pub fn styled_query<T: Serialize + ?Sized>(
        &mut self,
        spec: &ParamSpec,
        value: &T,
    ) -> Result<(), Violation> {
        let Some(flat) = flatten(spec, value)? else {
            return Ok(());
        };
        let pairs = encode::query(spec, &flat).map_err(|message| violation(spec, message))?;
        for pair in pairs {
            self.query
                .push(if self.query.is_empty() { '?' } else { '&' });
            self.query.push_str(&pair);
        }
        Ok(())
    }

    /// The path and query.
    pub fn finish(mut self) -> String {
        self.path.push_str(&self.query);
        self.path
    }
}

fn violation(spec: &ParamSpec, message: String) -> Violation {
    Violation {
        location: spec.location,
        pointer: format!("/{}", spec.name),
        message,
    }
}

fn flatten<T: Serialize + ?Sized>(
    spec: &ParamSpec,
    value: &T,
) -> Result<Option<encode::Flat>, Violation> {
    let value = serde_json::to_value(value)
        .map_err(|err| violation(spec, format!("cannot be encoded: {err}")))?;
    Ok(encode::flatten(&value))
}

/// Sets a styled header parameter (`simple` style, arrays and objects comma-separated).
pub fn set_styled_header<T: Serialize + ?Sized>(
    headers: &mut HeaderMap,
    spec: &ParamSpec,
    value: &T,
) -> Result<(), Violation> {
    let Some(flat) = flatten(spec, value)? else {
        return Ok(());
    };
    let text = encode::header(spec, &flat).map_err(|message| violation(spec, message))?;
    let value = HeaderValue::from_str(&text)
        .map_err(|_| violation(spec, format!("'{text}' cannot be sent as a header value")))?;
    let name = HeaderName::from_bytes(spec.name.as_bytes())
        .map_err(|_| violation(spec, "not a valid header name".to_owned()))?;
    headers.insert(name, value);
    Ok(())
}

/// Adds a styled cookie parameter (`form` style; pieces percent-encoded) to the `Cookie`
/// header.
pub fn add_styled_cookie<T: Serialize + ?Sized>(
    headers: &mut HeaderMap,
    spec: &ParamSpec,
    value: &T,
) -> Result<(), Violation> {
    let Some(flat) = flatten(spec, value)? else {
        return Ok(());
    };
    let mut line = headers
        .get(http::header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_default();
    for pair in encode::cookie(spec, &flat) {
        if !line.is_empty() {
            line.push_str("; ");
        }
        line.push_str(&pair);
    }
    let value = HeaderValue::from_str(&line)
        .map_err(|_| violation(spec, "cannot be sent as a cookie".to_owned()))?;
    headers.insert(http::header::COOKIE, value);
    Ok(())
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

/// Adds `name=value` to the request's `Cookie` header; a value a cookie cannot carry (RFC 6265
/// cookie-octets: no space, quote, comma, semicolon or backslash) is a violation.
pub fn add_cookie<T: ToParam + ?Sized>(
    headers: &mut HeaderMap,
    name: &'static str,
    value: &T,
) -> Result<(), Violation> {
    let text = value.to_param();
    let octet = |b: u8| {
        b == 0x21
            || (0x23..=0x2b).contains(&b)
            || (0x2d..=0x3a).contains(&b)
            || (0x3c..=0x5b).contains(&b)
            || (0x5d..=0x7e).contains(&b)
    };
    if !text.bytes().all(octet) {
        return Err(Violation {
            location: Location::Cookie,
            pointer: format!("/{name}"),
            message: format!("'{text}' cannot be sent as a cookie value"),
        });
    }
    let pair = format!("{name}={text}");
    let line = match headers
        .get(http::header::COOKIE)
        .and_then(|v| v.to_str().ok())
    {
        Some(existing) => format!("{existing}; {pair}"),
        None => pair,
    };
    let value = HeaderValue::from_str(&line).map_err(|_| Violation {
        location: Location::Cookie,
        pointer: format!("/{name}"),
        message: format!("'{text}' cannot be sent as a cookie value"),
    })?;
    headers.insert(http::header::COOKIE, value);
    Ok(())
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
    fn cookies_accumulate_and_are_checked() {
        let mut headers = HeaderMap::new();
        assert!(add_cookie(&mut headers, "session", "abc123").is_ok());
        assert!(add_cookie(&mut headers, "theme", "dark").is_ok());
        assert_eq!(headers["cookie"], "session=abc123; theme=dark");
        let err = add_cookie(&mut headers, "bad", "a;b").unwrap_err();
        assert_eq!(
            (err.location, err.pointer.as_str()),
            (Location::Cookie, "/bad")
        );
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
