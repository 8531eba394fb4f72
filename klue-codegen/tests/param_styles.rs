//! Styles the OpenAPI specification does not define for a parameter's type or location: a
//! located warning with a documented fallback, or a located error; never code that fails to
//! compile (the fixtures that do compile are in `klue-snapshots`).

use std::path::Path;

use klue_codegen::{generate_from_str, generate_from_str_with_warnings, Error};

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: op\n      responses: {'200': {description: ok}}\n      parameters:\n";

fn warnings(params: &str) -> Vec<(String, String)> {
    let text = format!("{HEAD}{params}");
    let (code, warnings) =
        generate_from_str_with_warnings(Path::new("apis/s.yaml"), "s", &text).expect("generates");
    assert!(code.contains("fn op"));
    warnings
        .into_iter()
        .map(|w| (w.pointer, w.message))
        .collect()
}

fn errors(file: &str, text: &str) -> Vec<(String, String, bool)> {
    match generate_from_str(Path::new(file), "s", text) {
        Err(Error::Spec(diagnostics)) => diagnostics
            .0
            .into_iter()
            .map(|d| (d.pointer, d.message, d.position.is_some()))
            .collect(),
        Err(other) => panic!("expected spec diagnostics, got {other}"),
        Ok(_) => panic!("generated code"),
    }
}

#[test]
fn deep_object_on_an_array_falls_back_to_form_with_a_warning() {
    let found = warnings(
        "        - {name: tags, in: query, style: deepObject, schema: {type: array, items: {type: string}}}\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/paths/~1x/get/parameters/0/style");
    assert!(found[0].1.contains("deepObject"), "{}", found[0].1);
}

#[test]
fn nested_arrays_are_read_as_text_with_a_warning() {
    let found = warnings(
        "        - {name: X-M, in: header, schema: {type: array, items: {type: array, items: {type: string}}}}\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("read as text"), "{}", found[0].1);
}

#[test]
fn a_style_undefined_for_the_location_is_a_located_error() {
    let text = format!(
        "{HEAD}        - {{name: X-C, in: header, style: deepObject, schema: {{type: object}}}}\n"
    );
    let found = errors("apis/s.yaml", &text);
    assert!(!found.is_empty());
    assert!(found.iter().all(|(_, _, located)| *located), "{found:?}");
}

#[test]
fn swagger2_delimited_formats_outside_the_query_are_located_errors() {
    let text = "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: op\n      parameters:\n        - {name: X-T, in: header, type: array, items: {type: string}, collectionFormat: tsv}\n      responses: {'200': {description: ok}}\n";
    let found = errors("apis/s2.yaml", text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/paths/~1x/get/parameters/0/collectionFormat");
    assert!(found[0].2);
}
