//! Reading spec files into the [`crate::model`]: YAML or JSON text, format detection, and the
//! per-format readers.

mod openapi3;
mod openapi31;
mod pointer_map;
mod swagger2;

use std::path::Path;

use crate::diagnostics::{Collector, Diagnostic};
use crate::locate::{Position, SourceMap};
use crate::model::Api;

/// Reads the spec `text` of file `file`; the API is named `name`.
pub(crate) fn read_spec(file: &Path, name: &str, text: &str) -> Result<Api, Vec<Diagnostic>> {
    let source = SourceMap::new(text);
    let mut collector = Collector::new(file.to_path_buf(), &source);
    // JSON specs (most vendor specs, GitHub's 10 MB one) take serde_json's much faster path.
    let json = text
        .trim_start()
        .starts_with('{')
        .then(|| serde_json::from_str::<serde_json::Value>(text).ok())
        .flatten();
    let parsed = match json {
        Some(document) => Ok(document),
        None => serde_yaml_ng::from_str(text),
    };
    let document: serde_json::Value = match parsed {
        Ok(document) => document,
        Err(err) => {
            let position = err.location().map(|l| Position {
                line: l.line(),
                column: l.column(),
            });
            return Err(vec![Diagnostic {
                file: file.to_path_buf(),
                pointer: String::new(),
                position,
                message: format!("the spec is not valid YAML or JSON: {err}"),
                help: None,
            }]);
        }
    };
    if !document.is_object() {
        collector.error(
            "",
            "the spec is not a mapping (expected `openapi: 3.0.x` and `paths`)",
        );
        return Err(collector.finish());
    }
    let version = document
        .get("openapi")
        .or_else(|| document.get("swagger"))
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    match version.as_deref() {
        Some(v) if v.starts_with("3.0") => {}
        Some(v) if v.starts_with("2.") => {
            return swagger2::read(file, name, &document, &source);
        }
        Some(v) if v.starts_with("3.1") => {
            return openapi31::read(file, name, document, &source);
        }
        Some(v) => {
            collector.error("/openapi", format!("unknown OpenAPI version '{v}'"));
            return Err(collector.finish());
        }
        None => {
            collector.error_help(
                "",
                "the spec declares no version",
                "add `openapi: 3.0.3` at the top",
            );
            return Err(collector.finish());
        }
    }
    let spec_json = document.to_string();
    let raw = document.clone();
    let spec: openapiv3::OpenAPI = match serde_path_to_error::deserialize(document) {
        Ok(spec) => spec,
        Err(err) => {
            let pointer = pointer_of(err.path());
            collector.error(&pointer, format!("invalid OpenAPI 3.0: {}", err.inner()));
            return Err(collector.finish());
        }
    };
    let api = openapi3::Reader::new(&spec, &raw, &mut collector).read(name, spec_json);
    if collector.has_errors() {
        Err(collector.finish())
    } else {
        Ok(api)
    }
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                pointer = crate::diagnostics::join(&pointer, &index.to_string())
            }
            Segment::Map { key } => pointer = crate::diagnostics::join(&pointer, key),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}
