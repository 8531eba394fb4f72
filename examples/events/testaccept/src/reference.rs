//! The report computed in plain Rust over the samples: what the server must answer.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::data::Sample;

/// Every dimension, in the order the service groups by when `group_by` is absent.
pub const ALL_DIMENSIONS: [&str; 6] = [
    "client",
    "client_group",
    "device_type",
    "category",
    "valid",
    "date",
];

/// One report request: grouping, sort, page and filters.
#[derive(Debug, Clone, Default)]
pub struct ReportSpec {
    /// `None`: the parameter is left out (all dimensions).
    pub group_by: Option<Vec<&'static str>>,
    /// `None`: left out (day).
    pub granularity: Option<&'static str>,
    pub sort_by: Vec<&'static str>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
    pub valid: Option<bool>,
    pub categories: Vec<&'static str>,
    pub device_types: Vec<&'static str>,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub start_date: Option<String>,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub end_date: Option<String>,
}

/// A dimension's value in one group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Int(i64),
    Text(String),
    Bool(bool),
}

impl Cell {
    fn json(&self) -> Value {
        match self {
            Cell::Int(n) => json!(n),
            Cell::Text(s) => json!(s),
            Cell::Bool(b) => json!(b),
        }
    }
}

#[derive(Debug, Clone)]
struct Aggregate {
    count: i64,
    sum: f64,
    min: f64,
    max: f64,
}

impl Aggregate {
    fn column(&self, name: &str) -> f64 {
        match name {
            "count" => self.count as f64,
            "sum" => self.sum,
            "mean" => self.sum / self.count as f64,
            "min" => self.min,
            "max" => self.max,
            other => panic!("not an aggregate: {other}"),
        }
    }
}

/// The expected report for `spec` over `samples`, which the request also restricts to
/// `clients`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub group_by: Vec<&'static str>,
    pub granularity: &'static str,
    pub sort_by: Vec<String>,
    pub rows: Vec<Value>,
    pub total_groups: usize,
    pub offset: usize,
    pub limit: usize,
}

impl ReportSpec {
    /// The query string of `GET /v1/report` for this spec, limited to `clients`.
    pub fn query(&self, clients: &[i64]) -> String {
        let mut pairs: Vec<String> = Vec::new();
        for d in self.group_by.iter().flatten() {
            pairs.push(format!("group_by={d}"));
        }
        if let Some(g) = self.granularity {
            pairs.push(format!("granularity={g}"));
        }
        pairs.extend(self.sort_by.iter().map(|s| format!("sort_by={s}")));
        pairs.extend(clients.iter().map(|c| format!("clients={c}")));
        pairs.extend(self.categories.iter().map(|c| format!("categories={c}")));
        pairs.extend(
            self.device_types
                .iter()
                .map(|c| format!("device_types={c}")),
        );
        if let Some(valid) = self.valid {
            pairs.push(format!("valid={valid}"));
        }
        if let Some(start) = &self.start_date {
            pairs.push(format!("start_date={start}"));
        }
        if let Some(end) = &self.end_date {
            pairs.push(format!("end_date={end}"));
        }
        if let Some(offset) = self.offset {
            pairs.push(format!("offset={offset}"));
        }
        if let Some(limit) = self.limit {
            pairs.push(format!("limit={limit}"));
        }
        pairs.join("&")
    }

    fn selects(&self, sample: &Sample, clients: &[i64]) -> bool {
        let utc = sample.utc();
        clients.contains(&sample.client)
            && self.valid.is_none_or(|v| sample.valid == v)
            && (self.categories.is_empty() || self.categories.contains(&sample.category))
            && (self.device_types.is_empty() || self.device_types.contains(&sample.device_type))
            && self.start_date.as_ref().is_none_or(|s| &utc >= s)
            && self.end_date.as_ref().is_none_or(|e| &utc <= e)
    }

    /// The report the server must answer.
    pub fn expected(&self, samples: &[Sample], clients: &[i64]) -> Expected {
        let group_by = self
            .group_by
            .clone()
            .unwrap_or_else(|| ALL_DIMENSIONS.to_vec());
        let granularity = self.granularity.unwrap_or("day");
        let mut groups: BTreeMap<Vec<Cell>, Aggregate> = BTreeMap::new();
        for sample in samples.iter().filter(|s| self.selects(s, clients)) {
            let key = group_by
                .iter()
                .map(|&d| match d {
                    "client" => Cell::Int(sample.client),
                    "client_group" => Cell::Int(sample.client_group),
                    "device_type" => Cell::Text(sample.device_type.to_owned()),
                    "category" => Cell::Text(sample.category.to_owned()),
                    "valid" => Cell::Bool(sample.valid),
                    "date" => Cell::Text(sample.bucket(granularity)),
                    other => panic!("unknown dimension {other}"),
                })
                .collect();
            let entry = groups.entry(key).or_insert(Aggregate {
                count: 0,
                sum: 0.0,
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
            });
            entry.count += 1;
            entry.sum += sample.value;
            entry.min = entry.min.min(sample.value);
            entry.max = entry.max.max(sample.value);
        }

        // The requested sort, then each dimension not in it, ascending.
        let mut sort: Vec<(String, bool)> = self
            .sort_by
            .iter()
            .map(|s| match s.strip_prefix('-') {
                Some(name) => (name.to_owned(), true),
                None => ((*s).to_owned(), false),
            })
            .collect();
        for d in &group_by {
            if !sort.iter().any(|(name, _)| name == d) {
                sort.push(((*d).to_owned(), false));
            }
        }
        let mut rows: Vec<(Vec<Cell>, Aggregate)> = groups.into_iter().collect();
        rows.sort_by(|(ka, a), (kb, b)| {
            for (name, descending) in &sort {
                let order = match group_by.iter().position(|d| d == name) {
                    Some(i) => ka[i].cmp(&kb[i]),
                    None => a
                        .column(name)
                        .partial_cmp(&b.column(name))
                        .unwrap_or(Ordering::Equal),
                };
                let order = if *descending { order.reverse() } else { order };
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        });
        let offset = self.offset.unwrap_or(0);
        let limit = self.limit.unwrap_or(100);
        let total_groups = rows.len();
        let rows = rows
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(key, agg)| {
                let mut row = Map::new();
                for (d, cell) in group_by.iter().zip(&key) {
                    row.insert((*d).to_owned(), cell.json());
                }
                row.insert("count".into(), json!(agg.count));
                row.insert("sum".into(), json!(agg.sum));
                row.insert("mean".into(), json!(agg.sum / agg.count as f64));
                row.insert("min".into(), json!(agg.min));
                row.insert("max".into(), json!(agg.max));
                Value::Object(row)
            })
            .collect::<Vec<_>>();
        // The rows as they come out of JSON text: serde_json's default float parsing may be
        // off by one ulp, so the reference takes the same text-to-number path as the answer.
        let rows: Vec<Value> = serde_json::to_string(&rows)
            .and_then(|text| serde_json::from_str(&text))
            .unwrap_or_else(|err| panic!("reference rows as JSON: {err}"));
        Expected {
            group_by,
            granularity,
            sort_by: sort
                .into_iter()
                .map(|(name, descending)| format!("{}{name}", if descending { "-" } else { "" }))
                .collect(),
            rows,
            total_groups,
            offset,
            limit,
        }
    }
}
