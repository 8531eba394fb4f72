//! Every style, in every location it is defined for, writes what it reads back.

use http::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use super::decode::{read, Source};
use super::{encode, ParamSpec, Style};
use crate::codegen::plain::{INT64, STRING};
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
