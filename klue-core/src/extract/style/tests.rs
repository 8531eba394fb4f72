//! Every style, in every location it is defined for, writes what it reads back.

use http::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use super::decode::{read, Source};
use super::{encode, ParamSpec, Style};
use crate::validate::plain::{INT64, STRING};
use crate::validate::{ArrayRules, Location, ObjectRules, Property, Schema, Violations};

static WORDS: Schema = Schema::Array(ArrayRules {
    items: &STRING,
    min_items: None,
    max_items: None,
    unique_items: false,
});
static NUMBERS: Schema = Schema::Array(ArrayRules {
    items: &INT64,
    min_items: None,
    max_items: None,
    unique_items: false,
});
static PAIR: Schema = Schema::Object(ObjectRules {
    properties: &[
        Property {
            name: "a",
            required: true,
            schema: &STRING,
        },
        Property {
            name: "b",
            required: false,
            schema: &INT64,
        },
    ],
    additional: None,
    min_properties: None,
    max_properties: None,
});

/// Writes `value` as `spec` says, reads it back.
fn round_trip(spec: &ParamSpec, schema: &'static Schema, value: &Value) -> Value {
    let flat = encode::flatten(value).expect("not null");
    let mut headers = HeaderMap::new();
    let (mut path, mut query) = (None, None);
    match spec.location {
        Location::Path => path = Some(encode::path(spec, &flat)),
        Location::Query => query = Some(encode::query(spec, &flat).expect("encodes").join("&")),
        Location::Header => {
            let text = encode::header(spec, &flat).expect("encodes");
            headers.insert(spec.name, HeaderValue::from_str(&text).expect("header"));
        }
        _ => {
            let line = encode::cookie(spec, &flat).join("; ");
            headers.insert(
                http::header::COOKIE,
                HeaderValue::from_str(&line).expect("cookie"),
            );
        }
    }
    let source = Source {
        path: path.as_deref(),
        query: query.as_deref(),
        headers: &headers,
    };
    let mut v = Violations::new(spec.location);
    let read = read(spec, schema, &source, &mut v);
    assert!(v.is_empty(), "{spec:?}: {:?}", v.into_vec());
    read.unwrap_or_else(|| panic!("{spec:?}: nothing read"))
}

fn spec(location: Location, style: Style, explode: bool) -> ParamSpec {
    ParamSpec {
        name: "p",
        location,
        style,
        explode,
        required: true,
    }
}

#[test]
fn every_style_reads_what_it_writes() {
    let words = json!(["a b", "c,d", "e.f", "g;h=i", "j%k", "l&m"]);
    let plain_words = json!(["ab", "c", "d-e"]);
    let numbers = json!([1, -2, 30]);
    let pair = json!({"a": "x, y=z", "b": 4});
    let plain_pair = json!({"a": "xy", "b": 4});
    let combos = [
        (Location::Path, Style::Simple),
        (Location::Path, Style::Label),
        (Location::Path, Style::Matrix),
        (Location::Query, Style::Form),
        (Location::Query, Style::SpaceDelimited),
        (Location::Query, Style::PipeDelimited),
        (Location::Query, Style::TabDelimited),
        (Location::Header, Style::Simple),
        (Location::Cookie, Style::Form),
    ];
    for (location, style) in combos {
        for explode in [false, true] {
            let spec = spec(location, style, explode);
            // Headers and the delimited query styles cannot escape their delimiters.
            let escapes = matches!(location, Location::Path | Location::Cookie)
                || (style == Style::Form || explode) && location == Location::Query;
            let (w, p) = if escapes {
                (&words, &pair)
            } else {
                (&plain_words, &plain_pair)
            };
            assert_eq!(&round_trip(&spec, &WORDS, w), w, "{spec:?}");
            assert_eq!(round_trip(&spec, &NUMBERS, &numbers), numbers, "{spec:?}");
            assert_eq!(&round_trip(&spec, &PAIR, p), p, "{spec:?}");
        }
    }
    let deep = spec(Location::Query, Style::DeepObject, true);
    assert_eq!(round_trip(&deep, &PAIR, &pair), pair);
}

#[test]
fn malformed_values_are_named() {
    let headers = HeaderMap::new();
    let source = Source {
        path: Some("1,2"),
        query: None,
        headers: &headers,
    };
    let mut v = Violations::new(Location::Path);
    assert!(read(
        &spec(Location::Path, Style::Label, false),
        &NUMBERS,
        &source,
        &mut v
    )
    .is_none());
    let found = v.into_vec();
    assert_eq!(found[0].pointer, "/p");
    assert!(found[0].message.contains("label"), "{}", found[0].message);

    let mut v = Violations::new(Location::Path);
    let odd = Source {
        path: Some("a,x,b"),
        query: None,
        headers: &headers,
    };
    assert!(read(
        &spec(Location::Path, Style::Simple, false),
        &PAIR,
        &odd,
        &mut v
    )
    .is_none());
    assert_eq!(v.into_vec()[0].pointer, "/p");

    let mut v = Violations::new(Location::Query);
    let missing = Source {
        path: None,
        query: Some("q=1"),
        headers: &headers,
    };
    assert!(read(
        &spec(Location::Query, Style::Form, false),
        &NUMBERS,
        &missing,
        &mut v
    )
    .is_none());
    assert_eq!(v.into_vec()[0].message, "required parameter 'p' is missing");
}

#[test]
fn delimiters_a_style_cannot_escape_are_refused_by_the_writer() {
    let flat = encode::flatten(&json!(["a b"])).expect("flat");
    assert!(encode::query(&spec(Location::Query, Style::SpaceDelimited, false), &flat).is_err());
    let flat = encode::flatten(&json!(["a,b"])).expect("flat");
    assert!(encode::header(&spec(Location::Header, Style::Simple, false), &flat).is_err());
}

/// The violations of reading `spec` from `path`, `query` and `headers`.
fn read_errors(
    spec: &ParamSpec,
    schema: &'static Schema,
    path: Option<&str>,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Vec<(String, String)> {
    let source = Source {
        path,
        query,
        headers,
    };
    let mut v = Violations::new(spec.location);
    let read = read(spec, schema, &source, &mut v);
    let found: Vec<(String, String)> = v
        .into_vec()
        .into_iter()
        .map(|x| (x.pointer, x.message))
        .collect();
    assert!(read.is_none() || found.is_empty(), "{spec:?}");
    found
}

#[test]
fn text_that_is_not_utf8_once_decoded_is_refused() {
    let none = HeaderMap::new();
    let not_utf8 = |raw: &str| {
        vec![(
            "/p".to_owned(),
            format!("'{raw}' is not UTF-8 once percent-decoded"),
        )]
    };
    for (location, style) in [
        (Location::Path, Style::Simple),
        (Location::Path, Style::Label),
        (Location::Query, Style::Form),
        (Location::Query, Style::PipeDelimited),
    ] {
        for explode in [false, true] {
            let spec = spec(location, style, explode);
            let (raw, path, query) = match location {
                Location::Path if style == Style::Label => (".a%FF", Some(".a%FF"), None),
                Location::Path => ("a%FF", Some("a%FF"), None),
                _ => ("a%FF", None, Some("p=a%FF")),
            };
            let expected = not_utf8(if style == Style::Label { "a%FF" } else { raw });
            assert_eq!(
                read_errors(&spec, &WORDS, path, query, &none),
                expected,
                "{spec:?}"
            );
        }
    }
    let mut cookie = HeaderMap::new();
    cookie.insert(http::header::COOKIE, HeaderValue::from_static("p=%C3%28"));
    let spec = spec(Location::Cookie, Style::Form, false);
    assert_eq!(
        read_errors(&spec, &STRING, None, None, &cookie),
        not_utf8("%C3%28")
    );
    // Valid UTF-8 is decoded.
    let mut v = Violations::new(Location::Query);
    let source = Source {
        path: None,
        query: Some("p=%C3%A9t%C3%A9+x"),
        headers: &none,
    };
    let read = read(&spec_query_scalar(), &STRING, &source, &mut v);
    assert_eq!(read, Some(json!("été x")));
}

fn spec_query_scalar() -> ParamSpec {
    spec(Location::Query, Style::Form, true)
}

#[test]
fn a_single_value_given_twice_is_refused() {
    let none = HeaderMap::new();
    let twice = vec![(
        "/p".to_owned(),
        "parameter 'p' is given 2 times; it takes a single value".to_owned(),
    )];
    for explode in [false, true] {
        let spec = spec(Location::Query, Style::Form, explode);
        assert_eq!(
            read_errors(&spec, &STRING, None, Some("p=a&p=b"), &none),
            twice
        );
    }
    // Not exploded, an array is one value: `p=a,b`.
    let spec_array = spec(Location::Query, Style::Form, false);
    assert_eq!(
        read_errors(&spec_array, &WORDS, None, Some("p=a&p=b"), &none),
        twice
    );
    // Exploded, it is repeated.
    assert!(read_errors(
        &spec(Location::Query, Style::Form, true),
        &WORDS,
        None,
        Some("p=a&p=b"),
        &none
    )
    .is_empty());

    let mut headers = HeaderMap::new();
    headers.append("p", HeaderValue::from_static("a"));
    headers.append("p", HeaderValue::from_static("b"));
    let header = spec(Location::Header, Style::Simple, false);
    assert_eq!(read_errors(&header, &STRING, None, None, &headers), twice);
    // An array's items may come in several lines (RFC 9110 lists).
    assert!(read_errors(&header, &WORDS, None, None, &headers).is_empty());

    // An object's key given twice: one of its values would be lost.
    let deep = spec(Location::Query, Style::DeepObject, true);
    assert_eq!(
        read_errors(&deep, &PAIR, None, Some("p[a]=x&p[a]=y"), &none),
        vec![(
            "/p".to_owned(),
            "key 'a' is given more than once".to_owned()
        )]
    );
    let exploded = spec(Location::Query, Style::Form, true);
    assert_eq!(
        read_errors(&exploded, &PAIR, None, Some("a=x&b=1&a=y"), &none),
        vec![(
            "/p".to_owned(),
            "key 'a' is given more than once".to_owned()
        )]
    );
}

/// What `query` reads as for parameter `p` in `style` (no violation expected).
fn read_query(style: Style, explode: bool, schema: &'static Schema, query: &str) -> Value {
    let none = HeaderMap::new();
    let spec = spec(Location::Query, style, explode);
    let source = Source {
        path: None,
        query: Some(query),
        headers: &none,
    };
    let mut v = Violations::new(Location::Query);
    let read = read(&spec, schema, &source, &mut v);
    assert!(v.is_empty(), "{spec:?} {query}: {:?}", v.into_vec());
    read.unwrap_or_else(|| panic!("{spec:?} {query}: nothing read"))
}

/// The query rows of the OpenAPI 3 style table, as other clients write them, and the same
/// with separators percent-encoded: `form` splits on literal commas only (an exploded array
/// never splits an occurrence), `deepObject` keys may have encoded brackets, and the
/// delimited styles split on their delimiter encoded or not (clients percent-encode `|` and
/// space, which RFC 3986 does not allow in a query; the writer refuses items containing it).
#[test]
fn query_styles_split_as_the_openapi_table_says() {
    use Style::{DeepObject, Form, PipeDelimited, SpaceDelimited};
    let cases: [(Style, bool, &str, Value); 15] = [
        (
            Form,
            false,
            "p=blue,black,brown",
            json!(["blue", "black", "brown"]),
        ),
        (Form, false, "p=a%2Cb,c", json!(["a,b", "c"])),
        (
            Form,
            true,
            "p=blue&p=black&p=brown",
            json!(["blue", "black", "brown"]),
        ),
        (Form, true, "p=a,b&p=c%2Cd", json!(["a,b", "c,d"])),
        (Form, true, "p=a%2Cb", json!(["a,b"])),
        (
            SpaceDelimited,
            false,
            "p=blue%20black+brown",
            json!(["blue", "black", "brown"]),
        ),
        (SpaceDelimited, false, "p=a,b%20c", json!(["a,b", "c"])),
        (SpaceDelimited, true, "p=a%20b&p=c", json!(["a b", "c"])),
        (
            PipeDelimited,
            false,
            "p=blue|black%7Cbrown",
            json!(["blue", "black", "brown"]),
        ),
        (PipeDelimited, false, "p=a,b|c%2Cd", json!(["a,b", "c,d"])),
        (PipeDelimited, true, "p=a|b&p=c,d", json!(["a|b", "c,d"])),
        (Form, false, "p=a,x%2Cy,b,4", json!({"a": "x,y", "b": 4})),
        (Form, true, "a=x,y&b=4&c=5", json!({"a": "x,y", "b": 4})),
        (
            DeepObject,
            true,
            "p[a]=x,y&p%5Bb%5D=4",
            json!({"a": "x,y", "b": 4}),
        ),
        (
            PipeDelimited,
            false,
            "p=a|x,y|b|4",
            json!({"a": "x,y", "b": 4}),
        ),
    ];
    for (style, explode, query, expected) in cases {
        let schema = if expected.is_array() { &WORDS } else { &PAIR };
        let read = read_query(style, explode, schema, query);
        assert_eq!(read, expected, "{style:?} explode={explode}: {query}");
    }
}
