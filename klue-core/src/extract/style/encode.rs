//! Writing styled parameters: the inverse of [`super::decode`], used by generated clients.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::Value;

use super::{text_of, ParamSpec, Style};

/// Characters escaped in a piece of a styled path value: those a segment cannot hold and the
/// style delimiters.
const PATH_PIECE: &AsciiSet = &CONTROLS
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
    .add(b'}')
    .add(b',')
    .add(b'.')
    .add(b';')
    .add(b'=');

/// Characters escaped in a piece of a cookie value: all but RFC 6265 cookie-octets, and `%`.
const COOKIE_PIECE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%')
    .add(b'=');

/// A value flattened to the texts a style writes.
pub(crate) enum Flat {
    /// A scalar.
    One(String),
    /// Array items.
    List(Vec<String>),
    /// Object members (`null` ones left out).
    Pairs(Vec<(String, String)>),
}

/// Flattens `value`; `None` for `null` (the parameter is not sent).
pub(crate) fn flatten(value: &Value) -> Option<Flat> {
    Some(match value {
        Value::Null => return None,
        Value::Array(items) => Flat::List(items.iter().map(text_of).collect()),
        Value::Object(members) => Flat::Pairs(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), text_of(v)))
                .collect(),
        ),
        other => Flat::One(text_of(other)),
    })
}

fn path_piece(text: &str) -> String {
    utf8_percent_encode(text, PATH_PIECE).to_string()
}

fn form_piece(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn cookie_piece(text: &str) -> String {
    utf8_percent_encode(text, COOKIE_PIECE).to_string()
}

/// `pairs` as `k=v` joined by `delimiter`, or (`explode` false) as `k,v,...`.
fn join_pairs(
    pairs: &[(String, String)],
    explode: bool,
    delimiter: &str,
    piece: fn(&str) -> String,
) -> String {
    if explode {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", piece(k), piece(v)))
            .collect::<Vec<_>>()
            .join(delimiter)
    } else {
        pairs
            .iter()
            .flat_map(|(k, v)| [piece(k), piece(v)])
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn join_list(items: &[String], delimiter: &str, piece: fn(&str) -> String) -> String {
    items
        .iter()
        .map(|i| piece(i))
        .collect::<Vec<_>>()
        .join(delimiter)
}

/// The path segment text (percent-encoded) of `flat` in `spec`'s style.
pub(crate) fn path(spec: &ParamSpec, flat: &Flat) -> String {
    let name = path_piece(spec.name);
    match spec.style {
        Style::Label => {
            let delimiter = if spec.explode { "." } else { "," };
            let body = match flat {
                Flat::One(text) => path_piece(text),
                Flat::List(items) => join_list(items, delimiter, path_piece),
                Flat::Pairs(pairs) => join_pairs(pairs, spec.explode, ".", path_piece),
            };
            format!(".{body}")
        }
        Style::Matrix => match flat {
            Flat::One(text) => format!(";{name}={}", path_piece(text)),
            Flat::List(items) if items.is_empty() => format!(";{name}"),
            Flat::List(items) if spec.explode => items
                .iter()
                .map(|i| format!(";{name}={}", path_piece(i)))
                .collect(),
            Flat::List(items) => format!(";{name}={}", join_list(items, ",", path_piece)),
            Flat::Pairs(pairs) if spec.explode => {
                format!(";{}", join_pairs(pairs, true, ";", path_piece))
            }
            Flat::Pairs(pairs) => format!(";{name}={}", join_pairs(pairs, false, ",", path_piece)),
        },
        _ => match flat {
            Flat::One(text) => path_piece(text),
            Flat::List(items) => join_list(items, ",", path_piece),
            Flat::Pairs(pairs) => join_pairs(pairs, spec.explode, ",", path_piece),
        },
    }
}

/// The `name=value` pairs (each already form-encoded) of the query string, or the message
/// of a value the style cannot carry.
pub(crate) fn query(spec: &ParamSpec, flat: &Flat) -> Result<Vec<String>, String> {
    let name = form_piece(spec.name);
    if spec.style == Style::DeepObject {
        return Ok(match flat {
            Flat::Pairs(pairs) => pairs
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        form_piece(&format!("{}[{k}]", spec.name)),
                        form_piece(v)
                    )
                })
                .collect(),
            Flat::One(text) => vec![format!("{name}={}", form_piece(text))],
            Flat::List(items) => items
                .iter()
                .map(|i| format!("{name}={}", form_piece(i)))
                .collect(),
        });
    }
    let delimiter = match spec.style {
        Style::SpaceDelimited => Some(' '),
        Style::PipeDelimited => Some('|'),
        Style::TabDelimited => Some('\t'),
        _ => None,
    };
    Ok(match flat {
        Flat::One(text) => vec![format!("{name}={}", form_piece(text))],
        Flat::List(items) if spec.explode => items
            .iter()
            .map(|i| format!("{name}={}", form_piece(i)))
            .collect(),
        Flat::Pairs(pairs) if spec.explode => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", form_piece(k), form_piece(v)))
            .collect(),
        Flat::List(items) => vec![format!("{name}={}", delimited(items, delimiter)?)],
        Flat::Pairs(pairs) => {
            let items: Vec<String> = pairs
                .iter()
                .flat_map(|(k, v)| [k.clone(), v.clone()])
                .collect();
            vec![format!("{name}={}", delimited(&items, delimiter)?)]
        }
    })
}

/// Items joined by `delimiter` (form-encoded as a whole; they must not contain it), or by `,`
/// (each item form-encoded, so it may hold a comma).
fn delimited(items: &[String], delimiter: Option<char>) -> Result<String, String> {
    match delimiter {
        None => Ok(join_list(items, ",", form_piece)),
        Some(d) => {
            if let Some(bad) = items.iter().find(|i| i.contains(d)) {
                return Err(format!("item '{bad}' contains the delimiter {d:?}"));
            }
            Ok(form_piece(&items.join(&d.to_string())))
        }
    }
}

/// The header value text (`simple` style); items must not contain `,` (nor keys `=`).
pub(crate) fn header(spec: &ParamSpec, flat: &Flat) -> Result<String, String> {
    let check = |text: &str, forbidden: &[char]| match text.chars().find(|c| forbidden.contains(c))
    {
        Some(c) => Err(format!(
            "'{text}' contains {c:?}, which this header style cannot carry"
        )),
        None => Ok(text.to_owned()),
    };
    match flat {
        Flat::One(text) => Ok(text.clone()),
        Flat::List(items) => Ok(items
            .iter()
            .map(|i| check(i, &[',']))
            .collect::<Result<Vec<_>, _>>()?
            .join(",")),
        Flat::Pairs(pairs) => {
            let mut parts = Vec::new();
            for (k, v) in pairs {
                let k = check(k, &[',', '='])?;
                let v = check(v, &[','])?;
                if spec.explode {
                    parts.push(format!("{k}={v}"));
                } else {
                    parts.push(k);
                    parts.push(v);
                }
            }
            Ok(parts.join(","))
        }
    }
}

/// The `name=value` cookie pairs (`form` style, pieces percent-encoded).
pub(crate) fn cookie(spec: &ParamSpec, flat: &Flat) -> Vec<String> {
    match flat {
        Flat::One(text) => vec![format!("{}={}", spec.name, cookie_piece(text))],
        Flat::List(items) if spec.explode => items
            .iter()
            .map(|i| format!("{}={}", spec.name, cookie_piece(i)))
            .collect(),
        Flat::List(items) => vec![format!(
            "{}={}",
            spec.name,
            join_list(items, ",", cookie_piece)
        )],
        Flat::Pairs(pairs) if spec.explode => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", cookie_piece(k), cookie_piece(v)))
            .collect(),
        Flat::Pairs(pairs) => vec![format!(
            "{}={}",
            spec.name,
            join_pairs(pairs, false, ",", cookie_piece)
        )],
    }
}
