//! Selectors: what follows `#` or `?` in a path template.
//!
//! Real specs declare several operations on one path and method and tell them apart by a
//! header or a query parameter, which they write into the path key because OpenAPI allows one
//! operation per path and method: AWS' `/#X-Amz-Target=AmazonSSM.CreateActivation` (a header),
//! `/#Action=DescribeInstances` and `/tags#resourceArn&tagKeys` (query parameters), openSUSE's
//! `/request/{id}?cmd=diff`, weatherbit's `/current?lat={lat}&lon={lon}`. Neither part reaches
//! the server in the path (a fragment is never sent; a query is not part of the path), so the
//! path before the selector is routed and the selector chooses among the operations there.
//!
//! The rule: a selector is a list of items separated by `&`. `name=value` holds when the
//! request's query has `name` with that value or its header `name` has that value; `name`
//! alone (or `name={param}`) holds when the query has `name` or the header `name` is present;
//! `name={param}` also hands the query value of `name` to the operation's parameter `param`.
//! Among one method's operations on one path, those with more items are tried first, then in
//! the order declared; an operation without a selector is the one served when no selector
//! holds.

use std::fmt;

/// The selector of one template, its items in a canonical order (sorted, so that `a&b` and
/// `b&a` select the same requests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    items: Vec<Item>,
}

/// One `name`, `name=value` or `name={param}` of a selector.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Item {
    /// The header or query parameter that selects.
    pub name: String,
    /// The value it must have; `None` when it must only be present.
    pub value: Option<String>,
    /// For `name={param}`: the operation's parameter that takes the query value of `name`
    /// (weatherbit declares `lat` of `/alerts?lat={lat}` a path parameter).
    pub param: Option<String>,
}

impl Selector {
    /// Parses the text after `#` or `?`; `None` when it names nothing (`/a#`).
    pub fn parse(text: &str) -> Option<Selector> {
        let mut items: Vec<Item> = text
            .split('&')
            .filter(|item| !item.is_empty())
            .map(|item| match item.split_once('=') {
                // `name={param}`: any value, which the operation reads as `param`.
                Some((name, value))
                    if value.len() > 2 && value.starts_with('{') && value.ends_with('}') =>
                {
                    Item {
                        name: name.to_owned(),
                        value: None,
                        param: Some(value[1..value.len() - 1].to_owned()),
                    }
                }
                Some((name, value)) => Item {
                    name: name.to_owned(),
                    value: Some(value.to_owned()),
                    param: None,
                },
                None => Item {
                    name: item.to_owned(),
                    value: None,
                    param: None,
                },
            })
            .collect();
        items.sort();
        items.dedup();
        (!items.is_empty()).then_some(Selector { items })
    }

    /// The items, in canonical order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Whether a request with this raw query (still percent-encoded, without `?`) and these
    /// headers (`header(name)` gives a header's value, names in any case) is selected.
    pub fn matches<'h>(
        &self,
        query: Option<&str>,
        header: impl Fn(&str) -> Option<&'h [u8]>,
    ) -> bool {
        self.items.iter().all(|item| {
            let in_header = match (header(&item.name), &item.value) {
                (Some(_), None) => true,
                (Some(found), Some(value)) => found == value.as_bytes(),
                (None, _) => false,
            };
            in_header || query.is_some_and(|query| query_has(query, item))
        })
    }
}

impl Selector {
    /// Appends, for each `name={param}` item, `param` and the raw value of the query's first
    /// `name` (still percent-encoded, as path values are).
    pub fn query_params(&self, query: Option<&str>, out: &mut Vec<(String, String)>) {
        let Some(query) = query else {
            return;
        };
        for item in &self.items {
            let Some(param) = &item.param else {
                continue;
            };
            let found = query.split('&').find_map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                decoded_eq(name, &item.name).then_some(value)
            });
            if let Some(value) = found {
                out.push((param.clone(), value.to_owned()));
            }
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, item) in self.items.iter().enumerate() {
            if index > 0 {
                f.write_str("&")?;
            }
            f.write_str(&item.name)?;
            if let Some(value) = &item.value {
                write!(f, "={value}")?;
            }
        }
        Ok(())
    }
}

/// Whether the form-encoded `query` has `item` (names and values compared decoded).
fn query_has(query: &str, item: &Item) -> bool {
    query.split('&').any(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        decoded_eq(name, &item.name)
            && item
                .value
                .as_ref()
                .is_none_or(|wanted| decoded_eq(value, wanted))
    })
}

/// Whether form-encoded `raw` decodes to `text` (`+` is a space, `%XX` a byte), without
/// allocating.
fn decoded_eq(raw: &str, text: &str) -> bool {
    let mut raw = raw.bytes();
    let mut text = text.bytes();
    loop {
        let byte = match raw.next() {
            None => return text.next().is_none(),
            Some(b'+') => b' ',
            Some(b'%') => {
                let hex = |b: Option<u8>| b.and_then(|b| (b as char).to_digit(16));
                match (hex(raw.next()), hex(raw.next())) {
                    (Some(high), Some(low)) => (high * 16 + low) as u8,
                    _ => return false,
                }
            }
            Some(byte) => byte,
        };
        if text.next() != Some(byte) {
            return false;
        }
    }
}
