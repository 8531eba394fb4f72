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
    let Some(reader) = reader_of(&document, &mut collector) else {
        return Err(collector.finish());
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
    problems.extend(not_bearer.into_iter().map(|scheme| Diagnostic {
        file: file.to_path_buf(),
        pointer: "/components/securitySchemes".to_owned(),
        position: None,
        message: format!(
            "opaque_bearer names '{scheme}', which is not an http bearer, oauth2 or \
             openIdConnect security scheme of the spec"
        ),
        help: None,
        severity: Severity::Error,
    }));
    match read {
        Ok(api) if problems.is_empty() && keyword_errors.is_empty() => {
            read_api(file, &source, &bundle, api, keyword_warnings)
        }
        read => Err(read_problems(file, &bundle, read, problems, keyword_errors)),
    }
}

/// The reader the version of `document` selects; `None` (with an error) when it declares none
/// klue reads.
fn reader_of(document: &serde_json::Value, collector: &mut Collector<'_>) -> Option<Reader> {
    if !document.is_object() {
        collector.error(
            "",
            "the spec is not a mapping (expected `openapi: 3.0.x` and `paths`)",
        );
        return None;
    }
    let version = document
        .get("openapi")
        .or_else(|| document.get("swagger"))
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    match version.as_deref() {
        Some(v) if v.starts_with("3.0") => Some(Reader::OpenApi30),
        Some(v) if v.starts_with("2.") => Some(Reader::Swagger2),
        Some(v) if v.starts_with("3.1") => Some(Reader::OpenApi31),
        Some(v) => {
            collector.error("/openapi", format!("unknown OpenAPI version '{v}'"));
            None
        }
        None => {
            collector.error_help(
                "",
                "the spec declares no version",
                "add `openapi: 3.0.3` at the top",
            );
            None
        }
    }
}

/// The API read without errors: its routes checked, its warnings (the keyword check's, the
/// reader's, the routes') located in the files they are in.
fn read_api(
    file: &Path,
    source: &SourceMap,
    bundle: &external::Bundle,
    mut api: Api,
    keyword_warnings: Vec<Diagnostic>,
) -> Result<(Api, Vec<PathBuf>), Vec<Diagnostic>> {
    let relocated = |found: Vec<Diagnostic>| -> Vec<Diagnostic> {
        found
            .into_iter()
            .filter_map(|d| bundle.relocate(d))
            .collect()
    };
    let (route_errors, route_warnings) = routes::check(file, source, &api);
    if !route_errors.is_empty() {
        return Err(relocated(route_errors));
    }
    let mut warnings = relocated(keyword_warnings);
    warnings.extend(relocated(std::mem::take(&mut api.warnings)));
    warnings.extend(relocated(route_warnings));
    // Notes after warnings (a stable sort keeps each kind in spec order).
    warnings.sort_by_key(|d| d.severity);
    api.warnings = warnings;
    Ok((api, bundle.files.clone()))
}

/// Every problem of a spec that could not be read: the bundling's `problems`, the keyword
/// check's errors, the reader's (less repeats), located in the files they are in.
fn read_problems(
    file: &Path,
    bundle: &external::Bundle,
    read: Result<Api, Vec<Diagnostic>>,
    mut problems: Vec<Diagnostic>,
    keyword_errors: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut found = keyword_errors.clone();
    if let Err(reader_found) = read {
        found.extend(without_repeats(reader_found, &keyword_errors));
    }
    for diagnostic in found.into_iter().filter_map(|d| bundle.relocate(d)) {
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
    problems
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
