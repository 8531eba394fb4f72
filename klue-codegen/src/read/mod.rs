//! Reading spec files into the [`crate::model`]: YAML or JSON text, format detection, and the
//! per-format readers.

mod external;
mod openapi3;
mod openapi31;
mod pointer_map;
mod routes;
mod swagger2;
mod yaml;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Collector, Diagnostic, Severity};
use crate::keywords;
use crate::locate::SourceMap;
use crate::model::Api;

/// Reads the spec `text` of file `file`; the API is named `name`; the security schemes
/// `opaque_bearer` hand their bearer tokens to the handler. Also returns every file read
/// (`file` first, then those its `$ref`s reach).
pub(crate) fn read_spec(
    file: &Path,
    name: &str,
    text: &str,
    opaque_bearer: &[String],
) -> Result<(Api, Vec<PathBuf>), Vec<Diagnostic>> {
    let source = SourceMap::new(text);
    let mut collector = Collector::new(file.to_path_buf(), &source);
    let document = match external::parse(text) {
        Ok(document) => document,
        Err((message, position)) => {
            return Err(vec![Diagnostic {
                file: file.to_path_buf(),
                pointer: String::new(),
                position,
                message: format!("the spec is not valid YAML or JSON: {message}"),
                help: None,
                severity: Severity::Error,
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
    let reader = match version.as_deref() {
        Some(v) if v.starts_with("3.0") => Reader::OpenApi30,
        Some(v) if v.starts_with("2.") => Reader::Swagger2,
        Some(v) if v.starts_with("3.1") => Reader::OpenApi31,
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
    };
    let mut bundle = external::bundle(file, document, &source, reader == Reader::Swagger2);
    let mut document = std::mem::take(&mut bundle.document);
    let (keyword_errors, keyword_warnings) = check_keywords(file, &document, &source, reader);
    let not_bearer = openapi3::mark_opaque(&mut document, opaque_bearer);
    let read = match reader {
        Reader::Swagger2 => swagger2::read(file, name, &document, &source),
        Reader::OpenApi31 => openapi31::read(file, name, document, &source),
        Reader::OpenApi30 => read_openapi30(file, name, document, &source),
    };
    let mut problems = std::mem::take(&mut bundle.problems);
    for scheme in not_bearer {
        problems.push(Diagnostic {
            file: file.to_path_buf(),
            pointer: "/components/securitySchemes".to_owned(),
            position: None,
            message: format!(
                "opaque_bearer names '{scheme}', which is not an http bearer, oauth2 or \
                 openIdConnect security scheme of the spec"
            ),
            help: None,
            severity: Severity::Error,
        });
    }
    let relocated = |found: Vec<Diagnostic>| -> Vec<Diagnostic> {
        found
            .into_iter()
            .filter_map(|d| bundle.relocate(d))
            .collect()
    };
    match read {
        Ok(mut api) if problems.is_empty() && keyword_errors.is_empty() => {
            let (route_errors, route_warnings) = routes::check(file, &source, &api);
            if !route_errors.is_empty() {
                return Err(relocated(route_errors));
            }
            let mut warnings = relocated(keyword_warnings);
            warnings.extend(relocated(std::mem::take(&mut api.warnings)));
            warnings.extend(relocated(route_warnings));
            // Notes after warnings (a stable sort keeps each kind in spec order).
            warnings.sort_by_key(|d| d.severity);
            api.warnings = warnings;
            Ok((api, bundle.files))
        }
        read => {
            let mut found = keyword_errors.clone();
            if let Err(reader_found) = read {
                found.extend(without_repeats(reader_found, &keyword_errors));
            }
            for diagnostic in relocated(found) {
                if !problems.contains(&diagnostic) {
                    problems.push(diagnostic);
                }
            }
            if bundle.files.len() > 1 {
                // In reading order: the root spec first, then each file by name, by line.
                problems.sort_by_key(|d| {
                    let line = d.position.map(|p| (p.line, p.column));
                    (d.file != file, d.file.clone(), line)
                });
            }
            Err(problems)
        }
    }
}

/// The keyword check of the (bundled) document: its errors and its warnings.
fn check_keywords(
    file: &Path,
    document: &serde_json::Value,
    source: &SourceMap,
    reader: Reader,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let version = match reader {
        Reader::Swagger2 => keywords::Version::Swagger2,
        Reader::OpenApi30 => keywords::Version::OpenApi30,
        Reader::OpenApi31 => keywords::Version::OpenApi31,
    };
    let mut collector = Collector::new(file.to_path_buf(), source);
    keywords::check(document, version, &mut collector);
    let warnings = collector.take_warnings();
    (collector.finish(), warnings)
}

/// The readers' diagnostics less those that repeat a value error of the keyword check, which
/// says it more precisely: the reader's at that value or at an object holding it (a 3.0 spec
/// with `in: querry` fails to deserialize as a whole, at the parameter).
fn without_repeats(found: Vec<Diagnostic>, keyword_errors: &[Diagnostic]) -> Vec<Diagnostic> {
    let repeats = |d: &Diagnostic| {
        keyword_errors.iter().any(|e| {
            e.pointer == d.pointer
                || (!d.pointer.is_empty()
                    && e.pointer.starts_with(&d.pointer)
                    && e.pointer.as_bytes().get(d.pointer.len()) == Some(&b'/'))
        })
    };
    found.into_iter().filter(|d| !repeats(d)).collect()
}

/// The reader a spec's version selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

fn read_openapi30(
    file: &Path,
    name: &str,
    document: serde_json::Value,
    source: &SourceMap,
) -> Result<Api, Vec<Diagnostic>> {
    let mut collector = Collector::new(file.to_path_buf(), source);
    let spec_json = document.to_string();
    // Deserialized from the borrowed document (no copy of it), and without tracking the path:
    // that is only done again when the spec turns out not to be valid, to say where.
    let spec = match <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&document) {
        Ok(spec) => spec,
        Err(plain) => {
            let located = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&document);
            let (pointer, message) = match located {
                Err(err) => (pointer_of(err.path()), err.inner().to_string()),
                Ok(_) => (String::new(), plain.to_string()),
            };
            collector.error(&pointer, format!("invalid OpenAPI 3.0: {message}"));
            return Err(collector.finish());
        }
    };
    let api = openapi3::Reader::new(&spec, &document, &mut collector).read(name, spec_json);
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
