//! The filters the list and the report share, as a SQL `WHERE` clause with bound parameters.

use klue_core::Violations;
use rusqlite::types::Value;

use crate::instant;

/// Which events a list or a report covers. Empty lists and `None` filter nothing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub clients: Vec<i64>,
    pub client_groups: Vec<i64>,
    pub device_types: Vec<String>,
    pub categories: Vec<String>,
    pub valid: Option<bool>,
    /// Inclusive lower bound, RFC 3339 as sent until [`Filter::check`] normalizes it.
    pub start_date: Option<String>,
    /// Inclusive upper bound, RFC 3339 as sent until [`Filter::check`] normalizes it.
    pub end_date: Option<String>,
}

impl Filter {
    /// Normalizes the dates to the stored form, recording in `v` the ones that are not dates.
    /// A range that ends before it starts is no mistake, as the spec says: it selects nothing.
    pub fn check(mut self, v: &mut Violations) -> Self {
        for (name, date) in [
            ("start_date", &mut self.start_date),
            ("end_date", &mut self.end_date),
        ] {
            if let Some(text) = date.as_deref() {
                match instant::normalize(text) {
                    Ok(normal) => *date = Some(normal),
                    Err(message) => {
                        v.push_at(name, message);
                        *date = None;
                    }
                }
            }
        }
        self
    }

    /// ` WHERE ...` (or nothing), pushing the values it binds onto `params`. Column names are
    /// literals here; every value is a bound parameter.
    pub fn where_sql(&self, params: &mut Vec<Value>) -> String {
        let mut clauses = Vec::new();
        let mut one_of = |column: &str, values: Vec<Value>| {
            if !values.is_empty() {
                let marks = vec!["?"; values.len()].join(", ");
                clauses.push(format!("{column} IN ({marks})"));
                params.extend(values);
            }
        };
        one_of(
            "client",
            self.clients.iter().map(|&c| Value::Integer(c)).collect(),
        );
        one_of(
            "client_group",
            self.client_groups
                .iter()
                .map(|&c| Value::Integer(c))
                .collect(),
        );
        one_of(
            "device_type",
            self.device_types.iter().cloned().map(Value::Text).collect(),
        );
        one_of(
            "category",
            self.categories.iter().cloned().map(Value::Text).collect(),
        );
        if let Some(valid) = self.valid {
            clauses.push("valid = ?".to_owned());
            params.push(Value::Integer(i64::from(valid)));
        }
        if let Some(start) = &self.start_date {
            clauses.push("timestamp >= ?".to_owned());
            params.push(Value::Text(start.clone()));
        }
        if let Some(end) = &self.end_date {
            clauses.push("timestamp <= ?".to_owned());
            params.push(Value::Text(end.clone()));
        }
        if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        }
    }
}
