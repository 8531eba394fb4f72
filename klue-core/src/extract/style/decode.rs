//! Reading styled parameters from a request into JSON values shaped by their schema.

use std::borrow::Cow;

use http::HeaderMap;
use serde_json::{Map, Value};

use super::{property_schema, shape, takes_key, typed, ParamSpec, Shape, Style};
use crate::validate::{Location, Schema, Shown, Violations};

/// Where a request's parameters are, undecoded.
pub(crate) struct Source<'a> {
    /// The raw (percent-encoded) value of the path parameter, if the spec names one.
    pub(crate) path: Option<&'a str>,
    /// The raw query string.
    pub(crate) query: Option<&'a str>,
    /// The headers (and cookies).
    pub(crate) headers: &'a HeaderMap,
}

/// The pieces of a parameter's text before they are typed.
enum Pieces {
    /// One text (a scalar).
    One(String),
    /// A list: array items, or alternating keys and values of an object.
    List(Vec<String>),
    /// Key-value pairs of an exploded object.
    Pairs(Vec<(String, String)>),
}

/// Reads the parameter `spec` as the JSON value its schema describes, recording what is wrong
/// in `v` (whose location the caller has set). `None`: absent, or malformed.
pub(crate) fn read(
    spec: &ParamSpec,
    schema: &'static Schema,
    source: &Source<'_>,
    v: &mut Violations,
) -> Option<Value> {
    let shape = shape(schema);
    let pieces = match collect(spec, shape, source) {
        Ok(Some(pieces)) => pieces,
        Ok(None) => {
            if spec.required {
                v.push_at(
                    spec.name,
                    format!("required parameter '{}' is missing", spec.name),
                );
            }
            return None;
        }
        Err(message) => {
            v.push_at(spec.name, message);
            return None;
        }
    };
    let value = match (shape, pieces) {
        (Shape::Array(items), Pieces::List(list)) => {
            Value::Array(list.iter().map(|t| typed(t, Some(items))).collect())
        }
        (Shape::Array(items), Pieces::One(text)) => Value::Array(vec![typed(&text, Some(items))]),
        (Shape::Object(rules), Pieces::Pairs(pairs)) => {
            let mut object = Map::new();
            for (key, text) in pairs {
                let value = typed(&text, property_schema(rules, &key));
                object.insert(key, value);
            }
            Value::Object(object)
        }
        (Shape::Object(rules), Pieces::List(list)) => {
            if list.len() % 2 != 0 {
                v.push_at(
                    spec.name,
                    "expected alternating keys and values (key,value,...)",
                );
                return None;
            }
            let mut object = Map::new();
            for pair in list.chunks(2) {
                let value = typed(&pair[1], property_schema(rules, &pair[0]));
                object.insert(pair[0].clone(), value);
            }
            Value::Object(object)
        }
        (_, Pieces::One(text)) => typed(&text, Some(schema)),
        (_, Pieces::List(list)) => typed(&list.join(","), Some(schema)),
        (_, Pieces::Pairs(_)) => {
            v.push_at(spec.name, "expected a single value");
            return None;
        }
    };
    Some(value)
}

/// `raw` percent-decoded (and `+` read as a space when `plus_is_space`, as forms write it),
/// or why not: bytes that are not UTF-8 are refused rather than replaced, so that a service
/// never sees text the client did not send. Text without escapes is borrowed, not copied.
pub(crate) fn percent_decoded(raw: &str, plus_is_space: bool) -> Result<Cow<'_, str>, String> {
    let bytes = raw.as_bytes();
    if !bytes
        .iter()
        .any(|&b| b == b'%' || (plus_is_space && b == b'+'))
    {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = match bytes[i] {
            b'%' => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(high), Some(low)) => {
                    i += 2;
                    high * 16 + low
                }
                _ => b'%',
            },
            b'+' if plus_is_space => b' ',
            other => other,
        };
        out.push(byte);
        i += 1;
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| format!("'{}' is not UTF-8 once percent-decoded", Shown(raw)))
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    let digit = char::from(*byte?).to_digit(16)?;
    u8::try_from(digit).ok()
}

fn decoded(raw: &str) -> Result<String, String> {
    percent_decoded(raw, false).map(Cow::into_owned)
}

fn form_decoded(raw: &str) -> Result<String, String> {
    percent_decoded(raw, true).map(Cow::into_owned)
}

fn split_decoded(raw: &str, delimiter: char) -> Result<Vec<String>, String> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.split(delimiter).map(decoded).collect()
}

/// Splits `raw` (undecoded) on `delimiter`, then `key=value` pieces, decoding each part; a key
/// given twice is refused (one of its values would be lost).
fn raw_pairs(raw: &str, delimiter: char) -> Result<Vec<(String, String)>, String> {
    let pairs = raw
        .split(delimiter)
        .filter(|p| !p.is_empty())
        .map(|item| match item.split_once('=') {
            Some((k, v)) => Ok((decoded(k)?, decoded(v)?)),
            None => Err(format!("'{}' is not a key=value pair", Shown(item))),
        })
        .collect::<Result<Vec<_>, String>>()?;
    unique_keys(pairs)
}

/// `pairs`, when no key is given twice.
fn unique_keys(pairs: Vec<(String, String)>) -> Result<Vec<(String, String)>, String> {
    let mut seen = std::collections::HashSet::with_capacity(pairs.len());
    match pairs.iter().find(|(key, _)| !seen.insert(key.as_str())) {
        Some((key, _)) => Err(format!("key '{}' is given more than once", Shown(key))),
        None => Ok(pairs),
    }
}

/// The error of a single-valued parameter given `count` times.
pub(crate) fn given_times(name: &str, count: usize) -> String {
    format!("parameter '{name}' is given {count} times; it takes a single value")
}

type Collected = Result<Option<Pieces>, String>;

fn collect(spec: &ParamSpec, shape: Shape, source: &Source<'_>) -> Collected {
    match spec.location {
        Location::Path => match source.path {
            Some(raw) => path(spec, shape, raw).map(Some),
            None => Ok(None),
        },
        Location::Query => query(spec, shape, source.query.unwrap_or("")),
        Location::Header => header(spec, shape, source.headers),
        Location::Cookie => cookie(spec, shape, source.headers),
        Location::Body => Ok(None),
    }
}

fn path(spec: &ParamSpec, shape: Shape, raw: &str) -> Result<Pieces, String> {
    let (rest, delimiter) = match spec.style {
        Style::Label => {
            let rest = raw.strip_prefix('.').ok_or_else(|| {
                format!(
                    "expected label style: '.' then the value, got '{}'",
                    Shown(raw)
                )
            })?;
            (rest, if spec.explode { '.' } else { ',' })
        }
        Style::Matrix => return matrix(spec, shape, raw),
        _ => (raw, ','),
    };
    Ok(match (shape, spec.explode) {
        (Shape::Scalar, _) => Pieces::One(decoded(rest)?),
        (Shape::Array(_), _) => Pieces::List(split_decoded(rest, delimiter)?),
        (Shape::Object(_), true) => Pieces::Pairs(raw_pairs(rest, delimiter)?),
        (Shape::Object(_), false) => Pieces::List(split_decoded(rest, ',')?),
    })
}

fn matrix(spec: &ParamSpec, shape: Shape, raw: &str) -> Result<Pieces, String> {
    let expected = || {
        format!(
            "expected matrix style: ';{}=' then the value, got '{}'",
            spec.name,
            Shown(raw)
        )
    };
    let rest = raw.strip_prefix(';').ok_or_else(expected)?;
    if let (Shape::Object(_), true) = (shape, spec.explode) {
        return Ok(Pieces::Pairs(raw_pairs(rest, ';')?));
    }
    let mut values = Vec::new();
    for part in rest.split(';') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        if decoded(key)? != spec.name {
            return Err(expected());
        }
        values.push(value);
    }
    let explode_array = matches!(shape, Shape::Array(_)) && spec.explode;
    if values.len() > 1 && !explode_array {
        return Err(given_times(spec.name, values.len()));
    }
    let first = values.first().copied().unwrap_or("");
    Ok(match shape {
        _ if explode_array => Pieces::List(
            values
                .into_iter()
                .filter(|v| !v.is_empty())
                .map(decoded)
                .collect::<Result<_, _>>()?,
        ),
        Shape::Scalar => Pieces::One(decoded(first)?),
        _ => Pieces::List(split_decoded(first, ',')?),
    })
}

fn query(spec: &ParamSpec, shape: Shape, raw: &str) -> Collected {
    let pairs = || {
        raw.split('&').filter(|p| !p.is_empty()).map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decoded(k), v)
        })
    };
    let named = || pairs().filter(|(k, _)| k.as_deref() == Ok(spec.name));
    if spec.style == Style::DeepObject {
        let prefix = format!("{}[", spec.name);
        let mut found = Vec::new();
        for (key, value) in pairs() {
            let key = key?;
            if let Some(inner) = key.strip_prefix(&prefix).and_then(|k| k.strip_suffix(']')) {
                found.push((inner.to_owned(), form_decoded(value)?));
            }
        }
        return Ok((!found.is_empty()).then_some(Pieces::Pairs(unique_keys(found)?)));
    }
    match (shape, spec.explode) {
        (Shape::Object(rules), true) => {
            let mut found = Vec::new();
            for (key, value) in pairs() {
                let key = key?;
                if takes_key(rules, &key) {
                    found.push((key, form_decoded(value)?));
                }
            }
            return Ok((!found.is_empty()).then_some(Pieces::Pairs(unique_keys(found)?)));
        }
        (Shape::Array(_), true) => {
            let found = named()
                .map(|(_, v)| form_decoded(v))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok((!found.is_empty()).then_some(Pieces::List(found)));
        }
        _ => {}
    }
    let value = match named().count() {
        0 => return Ok(None),
        1 => named().map(|(_, v)| v).next().unwrap_or(""),
        count => return Err(given_times(spec.name, count)),
    };
    if let Shape::Scalar = shape {
        return Ok(Some(Pieces::One(form_decoded(value)?)));
    }
    let delimiter = match spec.style {
        Style::SpaceDelimited => ' ',
        Style::PipeDelimited => '|',
        Style::TabDelimited => '\t',
        _ => {
            let items: Vec<String> = if value.is_empty() {
                Vec::new()
            } else {
                value
                    .split(',')
                    .map(form_decoded)
                    .collect::<Result<_, _>>()?
            };
            return Ok(Some(Pieces::List(items)));
        }
    };
    let text = form_decoded(value)?;
    let items = if text.is_empty() {
        Vec::new()
    } else {
        text.split(delimiter).map(str::to_owned).collect()
    };
    Ok(Some(Pieces::List(items)))
}

/// A header parameter: its lines joined with commas (RFC 9110 list syntax) for an array or an
/// object; a scalar must come in one line.
fn header(spec: &ParamSpec, shape: Shape, headers: &HeaderMap) -> Collected {
    let lines = headers
        .get_all(spec.name)
        .iter()
        .map(|value| {
            std::str::from_utf8(value.as_bytes())
                .map_err(|_| format!("header '{}' is not UTF-8", spec.name))
        })
        .collect::<Result<Vec<&str>, String>>()?;
    if lines.is_empty() {
        return Ok(None);
    }
    if lines.len() > 1 && matches!(shape, Shape::Scalar) {
        return Err(given_times(spec.name, lines.len()));
    }
    let text = lines.join(",");
    let items = || -> Vec<String> {
        text.split(',')
            .map(|item| item.trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    };
    Ok(Some(match (shape, spec.explode) {
        (Shape::Scalar, _) => Pieces::One(text.trim().to_owned()),
        (Shape::Array(_), _) | (Shape::Object(_), false) => Pieces::List(items()),
        (Shape::Object(_), true) => Pieces::Pairs(unique_keys(
            items()
                .into_iter()
                .map(|item| match item.split_once('=') {
                    Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
                    None => (item, String::new()),
                })
                .collect(),
        )?),
    }))
}

fn cookie(spec: &ParamSpec, shape: Shape, headers: &HeaderMap) -> Collected {
    let cookies: Vec<(&str, &str)> = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(k, v)| (k, v.trim_matches('"')))
        .collect();
    let name = spec.name;
    let named = || cookies.iter().filter(move |(k, _)| *k == name);
    Ok(match (shape, spec.explode) {
        (Shape::Scalar, _) => match named().next() {
            Some((_, v)) => Some(Pieces::One(decoded(v)?)),
            None => None,
        },
        (Shape::Array(_), true) => {
            let found = named()
                .map(|(_, v)| decoded(v))
                .collect::<Result<Vec<_>, _>>()?;
            (!found.is_empty()).then_some(Pieces::List(found))
        }
        (Shape::Object(rules), true) => {
            let found = cookies
                .iter()
                .filter(|(k, _)| takes_key(rules, k))
                .map(|(k, v)| Ok(((*k).to_owned(), decoded(v)?)))
                .collect::<Result<Vec<_>, String>>()?;
            (!found.is_empty()).then_some(Pieces::Pairs(found))
        }
        (_, false) => match named().next() {
            Some((_, v)) => Some(Pieces::List(split_decoded(v, ',')?)),
            None => None,
        },
    })
}
