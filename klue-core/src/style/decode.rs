//! Reading styled parameters from a request into JSON values shaped by their schema.

use std::borrow::Cow;

use http::HeaderMap;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use super::{property_schema, shape, takes_key, typed, ParamSpec, Shape, Style};
use crate::validate::{Location, Schema, Violations};

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

fn decoded(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

fn form_decoded(raw: &str) -> String {
    let plus = raw.replace('+', " ");
    decoded(&plus)
}

fn split_decoded(raw: &str, delimiter: char) -> Vec<String> {
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(delimiter).map(decoded).collect()
}

/// Splits `raw` (undecoded) on `delimiter`, then `key=value` pieces, decoding each part.
fn raw_pairs(raw: &str, delimiter: char) -> Result<Vec<(String, String)>, String> {
    raw.split(delimiter)
        .filter(|p| !p.is_empty())
        .map(|item| match item.split_once('=') {
            Some((k, v)) => Ok((decoded(k), decoded(v))),
            None => Err(format!("'{}' is not a key=value pair", decoded(item))),
        })
        .collect()
}

type Collected = Result<Option<Pieces>, String>;

fn collect(spec: &ParamSpec, shape: Shape, source: &Source<'_>) -> Collected {
    match spec.location {
        Location::Path => match source.path {
            Some(raw) => path(spec, shape, raw).map(Some),
            None => Ok(None),
        },
        Location::Query => query(spec, shape, source.query.unwrap_or("")),
        Location::Header => Ok(header(spec, shape, source.headers)),
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
                    decoded(raw)
                )
            })?;
            (rest, if spec.explode { '.' } else { ',' })
        }
        Style::Matrix => return matrix(spec, shape, raw),
        _ => (raw, ','),
    };
    Ok(match (shape, spec.explode) {
        (Shape::Scalar, _) => Pieces::One(decoded(rest)),
        (Shape::Array(_), _) => Pieces::List(split_decoded(rest, delimiter)),
        (Shape::Object(_), true) => Pieces::Pairs(raw_pairs(rest, delimiter)?),
        (Shape::Object(_), false) => Pieces::List(split_decoded(rest, ',')),
    })
}

fn matrix(spec: &ParamSpec, shape: Shape, raw: &str) -> Result<Pieces, String> {
    let expected = || {
        format!(
            "expected matrix style: ';{}=' then the value, got '{}'",
            spec.name,
            decoded(raw)
        )
    };
    let rest = raw.strip_prefix(';').ok_or_else(expected)?;
    if let (Shape::Object(_), true) = (shape, spec.explode) {
        return Ok(Pieces::Pairs(raw_pairs(rest, ';')?));
    }
    let mut values = Vec::new();
    for part in rest.split(';') {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        if decoded(key) != spec.name {
            return Err(expected());
        }
        values.push(value);
    }
    Ok(match shape {
        Shape::Array(_) if spec.explode => Pieces::List(
            values
                .into_iter()
                .filter(|v| !v.is_empty())
                .map(decoded)
                .collect(),
        ),
        Shape::Scalar => Pieces::One(decoded(values.first().copied().unwrap_or(""))),
        _ => Pieces::List(split_decoded(values.first().copied().unwrap_or(""), ',')),
    })
}

fn query(spec: &ParamSpec, shape: Shape, raw: &str) -> Collected {
    let pairs = raw.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (form_decoded(k), v)
    });
    if spec.style == Style::DeepObject {
        let prefix = format!("{}[", spec.name);
        let found: Vec<(String, String)> = pairs
            .filter_map(|(k, v)| {
                let inner = k.strip_prefix(&prefix)?.strip_suffix(']')?;
                Some((inner.to_owned(), form_decoded(v)))
            })
            .collect();
        return Ok((!found.is_empty()).then_some(Pieces::Pairs(found)));
    }
    if spec.explode {
        return Ok(match shape {
            Shape::Object(rules) => {
                let found: Vec<(String, String)> = pairs
                    .filter(|(k, _)| takes_key(rules, k))
                    .map(|(k, v)| (k, form_decoded(v)))
                    .collect();
                (!found.is_empty()).then_some(Pieces::Pairs(found))
            }
            Shape::Array(_) => {
                let found: Vec<String> = pairs
                    .filter(|(k, _)| k == spec.name)
                    .map(|(_, v)| form_decoded(v))
                    .collect();
                (!found.is_empty()).then_some(Pieces::List(found))
            }
            Shape::Scalar => pairs
                .into_iter()
                .find(|(k, _)| k == spec.name)
                .map(|(_, v)| Pieces::One(form_decoded(v))),
        });
    }
    let Some((_, value)) = pairs.into_iter().find(|(k, _)| k == spec.name) else {
        return Ok(None);
    };
    if let Shape::Scalar = shape {
        return Ok(Some(Pieces::One(form_decoded(value))));
    }
    let delimiter = match spec.style {
        Style::SpaceDelimited => ' ',
        Style::PipeDelimited => '|',
        Style::TabDelimited => '\t',
        _ => {
            let items: Vec<String> = if value.is_empty() {
                Vec::new()
            } else {
                value.split(',').map(form_decoded).collect()
            };
            return Ok(Some(Pieces::List(items)));
        }
    };
    let text = form_decoded(value);
    let items = if text.is_empty() {
        Vec::new()
    } else {
        text.split(delimiter).map(str::to_owned).collect()
    };
    Ok(Some(Pieces::List(items)))
}

fn header(spec: &ParamSpec, shape: Shape, headers: &HeaderMap) -> Option<Pieces> {
    let lines: Vec<Cow<'_, str>> = headers
        .get_all(spec.name)
        .iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let text = lines.join(",");
    let items = || -> Vec<String> {
        text.split(',')
            .map(|item| item.trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    };
    Some(match (shape, spec.explode) {
        (Shape::Scalar, _) => Pieces::One(text.trim().to_owned()),
        (Shape::Array(_), _) | (Shape::Object(_), false) => Pieces::List(items()),
        (Shape::Object(_), true) => Pieces::Pairs(
            items()
                .into_iter()
                .map(|item| match item.split_once('=') {
                    Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
                    None => (item, String::new()),
                })
                .collect(),
        ),
    })
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
        (Shape::Scalar, _) => named().next().map(|(_, v)| Pieces::One(decoded(v))),
        (Shape::Array(_), true) => {
            let found: Vec<String> = named().map(|(_, v)| decoded(v)).collect();
            (!found.is_empty()).then_some(Pieces::List(found))
        }
        (Shape::Object(rules), true) => {
            let found: Vec<(String, String)> = cookies
                .iter()
                .filter(|(k, _)| takes_key(rules, k))
                .map(|(k, v)| ((*k).to_owned(), decoded(v)))
                .collect();
            (!found.is_empty()).then_some(Pieces::Pairs(found))
        }
        (_, false) => named()
            .next()
            .map(|(_, v)| Pieces::List(split_decoded(v, ','))),
    })
}
