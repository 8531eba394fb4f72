//! A path template, parsed once: its segments, its shape, its router key, how a raw
//! segment is split into the values of several parameters, and its selector.

use std::cmp::Ordering;
use std::fmt;

use crate::selector::Selector;

/// A parsed path template such as `/repos/{owner}/{repo}/compare/{base}...{head}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
    names: Vec<String>,
    selector: Option<Selector>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Text only: matched exactly.
    Literal(String),
    /// One parameter, the whole segment (`{id}`).
    Param,
    /// Parameters with literal text around or between them (`{name}.json`, `{a}...{b}`).
    Mixed(Pattern),
}

/// A segment that mixes literal text and parameters, e.g. `{base}...{head}` or `v{version}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Param,
}

/// Why a template cannot be routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A `{` without its `}`, a `}` without its `{`, or a `{` inside a parameter name.
    Unbalanced {
        /// The segment.
        segment: String,
    },
    /// `{}`: a parameter without a name.
    EmptyName {
        /// The segment.
        segment: String,
    },
    /// Two parameters with no literal text between them (`{a}{b}`): where one value ends
    /// and the next begins cannot be told.
    AdjacentParams {
        /// The segment.
        segment: String,
        /// The first parameter.
        first: String,
        /// The parameter right after it.
        second: String,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Unbalanced { segment } => {
                write!(f, "segment '{segment}' has unbalanced braces")
            }
            TemplateError::EmptyName { segment } => {
                write!(f, "segment '{segment}' has a parameter without a name")
            }
            TemplateError::AdjacentParams {
                segment,
                first,
                second,
            } => write!(
                f,
                "segment '{segment}' has parameters '{first}' and '{second}' with no literal \
                 text between them: where one value ends and the next begins cannot be told"
            ),
        }
    }
}

impl std::error::Error for TemplateError {}

impl Template {
    /// Parses `text`: the path, split on `/` into segments, then the selector after the
    /// first `#` or `?` if any (see [`Selector`]).
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let (path, selector) = match text.find(['#', '?']) {
            Some(at) => (&text[..at], Selector::parse(&text[at + 1..])),
            None => (text, None),
        };
        let mut names = Vec::new();
        let segments = path
            .split('/')
            .map(|segment| parse_segment(segment, &mut names))
            .collect::<Result<_, _>>()?;
        Ok(Template {
            segments,
            names,
            selector,
        })
    }

    /// What chooses this template's operation among those with its path and method.
    pub fn selector(&self) -> Option<&Selector> {
        self.selector.as_ref()
    }

    /// The parameter names, in the order of the template.
    pub fn param_names(&self) -> &[String] {
        &self.names
    }

    /// The template with its parameter names erased (`/a/{}/b{}.json`) and its selector in
    /// canonical order (`/#Action=X`): two templates with the same shape match exactly the
    /// same requests, so the same method on both is a conflict.
    pub fn shape(&self) -> String {
        match &self.selector {
            Some(selector) => format!("{}#{selector}", self.path_shape()),
            None => self.path_shape(),
        }
    }

    /// [`Template::shape`] without the selector: templates with the same path shape match
    /// the same paths, so they are one route (their selectors choose among them).
    pub fn path_shape(&self) -> String {
        let parts: Vec<String> = self
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => text.clone(),
                Segment::Param => "{}".to_owned(),
                Segment::Mixed(pattern) => pattern.shape(),
            })
            .collect();
        parts.join("/")
    }

    /// What the segment router (matchit) is given: each segment holding a parameter becomes
    /// one whole-segment parameter named by its position (`/a/{p1}/{p2}`), so that templates
    /// whose parameter names differ, or which differ only inside parameter segments, share a
    /// router entry; [`Pattern::split`] then tells them apart.
    pub fn router_key(&self) -> String {
        let mut index = 0;
        let parts: Vec<String> = self
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => text.clone(),
                Segment::Param | Segment::Mixed(_) => {
                    index += 1;
                    format!("{{p{index}}}")
                }
            })
            .collect();
        parts.join("/")
    }

    /// For each parameter segment, in order: `None` when the parameter is the whole
    /// segment, else its pattern. `None` for the whole template when it has no mixed
    /// segment (the common case, routed without splitting).
    pub fn patterns(&self) -> Option<Vec<Option<Pattern>>> {
        let mixed = self.segments.iter().any(|s| matches!(s, Segment::Mixed(_)));
        mixed.then(|| {
            self.segments
                .iter()
                .filter_map(|segment| match segment {
                    Segment::Literal(_) => None,
                    Segment::Param => Some(None),
                    Segment::Mixed(pattern) => Some(Some(pattern.clone())),
                })
                .collect()
        })
    }

    /// Which of two templates with the same router key is tried first: segment by segment
    /// from the left, the one with more literal text in its parameter segment (so `{name}.json`
    /// before `{name}`); on a tie, the shape in text order (any fixed order will do: such
    /// templates differ only in where their literal text is).
    pub fn precedence(&self, other: &Template) -> Ordering {
        other
            .literal_lengths()
            .cmp(&self.literal_lengths())
            .then_with(|| self.path_shape().cmp(&other.path_shape()))
    }

    fn literal_lengths(&self) -> Vec<usize> {
        self.segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Literal(_) => None,
                Segment::Param => Some(0),
                Segment::Mixed(pattern) => Some(pattern.literal_len()),
            })
            .collect()
    }
}

fn parse_segment(segment: &str, names: &mut Vec<String>) -> Result<Segment, TemplateError> {
    let unbalanced = || TemplateError::Unbalanced {
        segment: segment.to_owned(),
    };
    let mut pieces: Vec<Piece> = Vec::new();
    let mut own_names: Vec<String> = Vec::new();
    let mut rest = segment;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                pieces.push(Piece::Literal(rest.to_owned()));
                rest = "";
            }
            Some(at) if rest.as_bytes()[at] == b'}' => return Err(unbalanced()),
            Some(at) => {
                if at > 0 {
                    pieces.push(Piece::Literal(rest[..at].to_owned()));
                }
                let after = &rest[at + 1..];
                let end = after.find(['{', '}']).ok_or_else(unbalanced)?;
                if after.as_bytes()[end] == b'{' {
                    return Err(unbalanced());
                }
                let name = &after[..end];
                if name.is_empty() {
                    return Err(TemplateError::EmptyName {
                        segment: segment.to_owned(),
                    });
                }
                if let (Some(Piece::Param), Some(first)) = (pieces.last(), own_names.last()) {
                    return Err(TemplateError::AdjacentParams {
                        segment: segment.to_owned(),
                        first: first.clone(),
                        second: name.to_owned(),
                    });
                }
                pieces.push(Piece::Param);
                own_names.push(name.to_owned());
                rest = &after[end + 1..];
            }
        }
    }
    names.extend(own_names);
    Ok(match pieces.as_slice() {
        [Piece::Param] => Segment::Param,
        _ if pieces.contains(&Piece::Param) => Segment::Mixed(Pattern { pieces }),
        _ => Segment::Literal(segment.to_owned()),
    })
}

impl Pattern {
    /// Splits the raw (still percent-encoded) text of one path segment into the values of
    /// the pattern's parameters, appended to `out`; false when the text does not match.
    ///
    /// The rule: literal text at the start or the end of the pattern must begin or end the
    /// segment; literal text between two parameters is found at its leftmost place after at
    /// least one character of the parameter before it. Every value is non-empty. The text is
    /// matched before percent-decoding, so an encoded separator (`%2E` for `.`) is part of a
    /// value. `{base}...{head}` splits `v1.2...v1.3` into `v1.2` and `v1.3`, `a....b` into `a`
    /// and `.b`; `{name}.json` takes `a.json.json` as `a.json`; `{a}.{b}` takes `x.y.z` as
    /// `x` and `y.z`.
    pub fn split<'a>(&self, raw: &'a str, out: &mut Vec<&'a str>) -> bool {
        let pieces = self.pieces.as_slice();
        let mut rest = raw;
        let mut start = 0;
        let mut end = pieces.len();
        if let Some(Piece::Literal(prefix)) = pieces.first() {
            let Some(stripped) = rest.strip_prefix(prefix.as_str()) else {
                return false;
            };
            rest = stripped;
            start = 1;
        }
        if end > start {
            if let Some(Piece::Literal(suffix)) = pieces.last() {
                let Some(stripped) = rest.strip_suffix(suffix.as_str()) else {
                    return false;
                };
                rest = stripped;
                end -= 1;
            }
        }
        let mut i = start;
        while i < end {
            let Some(first) = rest.chars().next() else {
                return false;
            };
            if i + 1 == end {
                out.push(rest);
                return true;
            }
            let Some(Piece::Literal(separator)) = pieces.get(i + 1) else {
                return false;
            };
            let skip = first.len_utf8();
            let Some(found) = rest[skip..].find(separator.as_str()) else {
                return false;
            };
            out.push(&rest[..skip + found]);
            rest = &rest[skip + found + separator.len()..];
            i += 2;
        }
        rest.is_empty()
    }

    fn literal_len(&self) -> usize {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal(text) => text.len(),
                Piece::Param => 0,
            })
            .sum()
    }

    fn shape(&self) -> String {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal(text) => text.as_str(),
                Piece::Param => "{}",
            })
            .collect()
    }
}
