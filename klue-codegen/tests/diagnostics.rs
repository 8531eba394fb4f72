//! A spec with mistakes gets every one reported, each with file, line, column and JSON pointer;
//! no input makes the generator panic.

use std::path::Path;

use klue_codegen::{generate_from_str, Error};

fn problems(text: &str) -> Vec<klue_codegen::Diagnostic> {
    match generate_from_str(Path::new("apis/broken.yaml"), "broken", text) {
        Err(Error::Spec(diagnostics)) => diagnostics.0,
        Err(other) => panic!("expected spec diagnostics, got {other}"),
        Ok(_) => panic!("a broken spec generated code"),
    }
}

const BROKEN: &str = r#"openapi: 3.0.3
info:
  title: broken
  version: 1.0.0
paths:
  /items/{id}:
    get:
      operationId: get_item
      parameters:
        - name: item_id
          in: path
          required: true
          schema: {type: string}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Missing'
  /items:
    post:
      operationId: get_item
      security:
        - apikey: []
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                code: {type: string, pattern: '(unclosed'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'other.yaml#/components/schemas/Elsewhere'}
components:
  securitySchemes:
    apikey: {type: apiKey, in: header, name: X-Key}
"#;

#[test]
fn every_mistake_is_reported_with_its_location() {
    let found = problems(BROKEN);
    let summary: Vec<(String, usize, &str)> = found
        .iter()
        .map(|d| {
            (
                d.pointer.clone(),
                d.position.map(|p| p.line).unwrap_or(0),
                d.message.as_str(),
            )
        })
        .collect();
    let expect = |pointer: &str, line: usize, fragment: &str| {
        assert!(
            summary
                .iter()
                .any(|(p, l, m)| p == pointer && *l == line && m.contains(fragment)),
            "no diagnostic at {pointer} line {line} containing '{fragment}' in {summary:#?}"
        );
    };
    expect(
        "/paths/~1items~1{id}/get/responses/200/content/application~1json/schema/$ref",
        20,
        "unresolved reference '#/components/schemas/Missing'",
    );
    expect(
        "/paths/~1items/post/responses/200/content/application~1json/schema/$ref",
        38,
        "$ref 'other.yaml#/components/schemas/Elsewhere': cannot read apis/other.yaml",
    );
    expect(
        "/paths/~1items/post",
        22,
        "operationId 'get_item' is used twice",
    );
    assert_eq!(found.len(), 3, "{summary:#?}");

    // The rendering names file, line and column like rustc.
    let text = Error::Spec(klue_codegen::Diagnostics(found)).to_string();
    assert!(text.contains("--> apis/broken.yaml:20:"), "{text}");
    assert!(text.ends_with("3 errors in the spec"), "{text}");
}

/// What klue works around is a located warning, and code is generated.
#[test]
fn workarounds_are_located_warnings() {
    let spec = BROKEN
        .replace("$ref: '#/components/schemas/Missing'", "type: string")
        .replace(
            "operationId: get_item\n      security",
            "operationId: add_item\n      security",
        )
        .replace(
            "schema: {$ref: 'other.yaml#/components/schemas/Elsewhere'}",
            "schema: {type: object}",
        );
    let dir = std::env::temp_dir().join(format!("klue-warnings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("workarounds.yaml");
    std::fs::write(&path, spec).unwrap();
    let (code, warnings) = klue_codegen::generate_with_warnings(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let summary: Vec<(&str, usize, &str)> = warnings
        .iter()
        .map(|d| {
            (
                d.pointer.as_str(),
                d.position.map(|p| p.line).unwrap_or(0),
                d.message.as_str(),
            )
        })
        .collect();
    let has = |pointer: &str, line: usize, fragment: &str| {
        summary
            .iter()
            .any(|(p, l, m)| *p == pointer && *l == line && m.contains(fragment))
    };
    assert!(
        has(
            "/paths/~1items~1{id}/get",
            7,
            "path parameter '{id}' of '/items/{id}' is not declared"
        ),
        "{summary:#?}"
    );
    assert!(
        has(
            "/paths/~1items~1{id}/get",
            7,
            "'item_id' does not appear in the path"
        ),
        "{summary:#?}"
    );
    assert!(
        has(
            "/paths/~1items/post/requestBody/content/application~1json/schema/properties/code/pattern",
            32,
            "pattern is not checked"
        ),
        "{summary:#?}"
    );
    assert_eq!(warnings.len(), 3, "{summary:#?}");
    // The API key is a credential the handler receives.
    assert!(code.contains("pub x_key: String"), "{code}");
}

#[test]
fn invalid_documents_are_errors_not_panics() {
    let inputs = [
        "",
        "[]",
        "42",
        "openapi: [",
        "{\"openapi\": \"3.0.0\"}",
        "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: 5\n",
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: 5\n",
        "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: 5\n",
        "openapi: 9.9.9\ninfo: {title: x, version: '1'}\npaths: {}\n",
        "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 5\n",
    ];
    for input in inputs {
        let found = problems(input);
        assert!(!found.is_empty(), "no diagnostic for {input:?}");
    }
}

#[test]
fn a_missing_required_field_points_at_its_parent() {
    let found = problems("openapi: 3.0.3\ninfo:\n  title: x\npaths: {}\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].pointer, "/info");
    assert!(found[0].message.contains("version"), "{:?}", found[0]);
    assert_eq!(found[0].position.map(|p| p.line), Some(2));
}

#[test]
fn unresolved_component_references_are_reported_where_they_are_made() {
    let found = problems(
        r#"openapi: 3.0.3
info: {title: refs, version: '1'}
paths:
  /a:
    post:
      parameters:
        - $ref: '#/components/parameters/Nope'
      requestBody:
        $ref: '#/components/requestBodies/Nope'
      responses:
        '200':
          $ref: '#/components/responses/Nope'
"#,
    );
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|d| (d.pointer.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "/paths/~1a/post/parameters/0/$ref",
                "unresolved parameter reference '#/components/parameters/Nope'"
            ),
            (
                "/paths/~1a/post/requestBody/$ref",
                "unresolved request body reference '#/components/requestBodies/Nope'"
            ),
            (
                "/paths/~1a/post/responses/200/$ref",
                "unresolved response reference '#/components/responses/Nope'"
            ),
        ]
    );
}
