//! OpenAPI 3.1 specs are converted to 3.0 and generated like 3.0 ones: the fixtures in
//! `apis/fixtures/openapi31/` exercise each conversion, and their snapshots are compiled (and
//! served) by the `klue-snapshots` crate. Problems are reported at the original file's lines.
//! Update the snapshots with `EXPECTORATE=overwrite cargo test -p klue-codegen --test openapi31`.

use std::path::{Path, PathBuf};

use klue_codegen::{generate_from_str, Error};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../apis/fixtures/openapi31")
        .join(name)
}

fn snapshot(spec: &str) -> String {
    let path = fixture(spec);
    let code = klue_codegen::generate(&path).unwrap_or_else(|err| panic!("{spec}: {err}"));
    let again = klue_codegen::generate(&path).unwrap_or_else(|err| panic!("{spec}: {err}"));
    assert_eq!(code, again, "{spec}: output is not deterministic");
    let name = klue_codegen::api_name(&path);
    let files = klue_codegen::configure()
        .generate_files(&path)
        .expect("generates");
    assert_eq!(files.rust(), code);
    expectorate::assert_contents(format!("snapshots/src/generated/{name}.rs"), &code);
    expectorate::assert_contents(
        format!("snapshots/src/generated/{name}.json"),
        files.spec_json(),
    );
    code
}

#[test]
fn oas31_schemas() {
    let code = snapshot("oas31_schemas.yaml");
    // `$defs` are hoisted under a deterministic name and both `$ref` forms point to them.
    assert!(
        code.contains("pub struct RecordTag"),
        "no hoisted Record_Tag"
    );
    assert!(
        code.contains("pub main_tag: Option<RecordTag>"),
        "#/$defs/Tag not rewritten"
    );
    assert!(
        code.contains("Option<Vec<RecordTag>>"),
        "absolute $defs ref not rewritten"
    );
    // The nullable-reference idiom reads as the reference.
    assert!(
        code.contains("pub maybe_score: Option<Option<Score>>"),
        "anyOf [ref, null]"
    );
    // A string const is a one-variant enum.
    assert!(code.contains("pub kind: RecordKind"), "const");
    // A `$ref` with constraint siblings is the target's type, with both's constraints.
    assert!(code.contains("pub bounded: Option<i32>"), "{code}");
    assert!(code.contains("maximum: Some(10f64)"), "bounded's maximum");
    assert!(code.contains("pub short_code: Option<String>"), "{code}");
    assert!(
        code.contains("max_length: Some(3)"),
        "short_code's maxLength"
    );
    assert!(
        code.contains(
            r#"klue::Pattern::new(
        "^[A-Z]+$","#
        ),
        "short_code's pattern"
    );
    // Annotations beside a `$ref` are kept: description, readOnly, default.
    assert!(
        code.contains("/// a score described beside its $ref"),
        "description"
    );
    assert!(
        code.contains("pub default_score: Score"),
        "default beside $ref"
    );
    // Unions of scalar types are unions, each type with its keywords; `null` and unions of
    // objects and arrays are any JSON value.
    assert!(code.contains("pub scalar: Option<RecordScalar>"), "{code}");
    assert!(
        code.contains("pub bounded_scalar: Option<Option<RecordBoundedScalar>>"),
        "{code}"
    );
    assert!(code.contains("static SCHEMA_RECORD_BOUNDED_SCALAR_STRING"));
    assert!(code.contains("pub mixed: Option<klue::serde_json::Value>"));
    // The original 3.1 document is what gets embedded (from the JSON file beside the code).
    let files = klue_codegen::configure()
        .generate_files(&fixture("oas31_schemas.yaml"))
        .expect("generates");
    assert!(
        files.spec_json().contains("\"openapi\":\"3.1.0\""),
        "the embedded spec is not the original"
    );
    assert!(code.contains("include_str!(\"oas31_schemas.json\")"));
}

#[test]
fn oas31_webhooks() {
    let code = snapshot("oas31_webhooks.yaml");
    assert!(
        code.contains("webhooks (ping) are not generated"),
        "no note about the webhooks"
    );
}

#[test]
fn oas31_served() {
    snapshot("oas31_served.yaml");
}

fn problems(text: &str) -> Vec<klue_codegen::Diagnostic> {
    match generate_from_str(Path::new("apis/broken31.yaml"), "broken31", text) {
        Err(Error::Spec(diagnostics)) => diagnostics.0,
        Err(other) => panic!("expected spec diagnostics, got {other}"),
        Ok(_) => panic!("a broken spec generated code"),
    }
}

const BROKEN: &str = r#"openapi: 3.1.0
info:
  title: broken
  version: 1.0.0
paths:
  /items:
    get:
      operationId: list_items
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Missing'
                maxItems: 3
components:
  schemas:
    Item:
      type: [object, "null"]
      $defs:
        Part:
          type: object
          properties:
            owner:
              $ref: '#/components/schemas/Nobody'
            size:
              type: number
              exclusiveMinimum: 0
      properties:
        part: {$ref: '#/$defs/Part'}
        code: {$ref: 'other.yaml#/components/schemas/Code'}
"#;

#[test]
fn oas31_problems_are_reported_at_the_original_lines() {
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
    // A `$ref` with a constraint sibling is wrapped in `allOf`: still reported where written.
    expect(
        "/paths/~1items/get/responses/200/content/application~1json/schema/$ref",
        15,
        "unresolved reference '#/components/schemas/Missing'",
    );
    // Inside a hoisted `$defs` entry: reported in the definition, not in components/schemas.
    expect(
        "/components/schemas/Item/$defs/Part/properties/owner/$ref",
        26,
        "unresolved reference '#/components/schemas/Nobody'",
    );
    expect(
        "/components/schemas/Item/properties/code/$ref",
        32,
        "$ref 'other.yaml#/components/schemas/Code': cannot read apis/other.yaml",
    );
    assert_eq!(found.len(), 3, "{summary:#?}");
    let text = Error::Spec(klue_codegen::Diagnostics(found)).to_string();
    assert!(text.contains("--> apis/broken31.yaml:15:"), "{text}");
}

#[test]
fn oas31_invalid_documents_are_errors_not_panics() {
    let head = "openapi: 3.1.0\ninfo: {title: x, version: '1'}\n";
    // Each document, and the diagnostic it gives: where, and what it says.
    let cases = [
        ("openapi: 3.1.0\n".to_owned(), "", "missing field `info`"),
        (
            format!("{head}paths: 5\n"),
            "/paths",
            "invalid type: integer `5`, expected struct Paths",
        ),
        (
            format!("{head}components: {{schemas: {{A: 5, B: {{$defs: 3}}}}}}\n"),
            "/components/schemas/A",
            "invalid type: integer `5`, expected struct Schema",
        ),
        (
            format!(
                "{head}components: {{schemas: {{A: {{type: [1, 2], exclusiveMinimum: x, prefixItems: 3}}}}}}\n"
            ),
            "/components/schemas/A",
            "invalid type: string \"x\"",
        ),
        (
            format!("{head}webhooks: 3\ncomponents: 4\n"),
            "/components",
            "invalid type: integer `4`, expected struct Components",
        ),
    ];
    for (input, pointer, fragment) in cases {
        let found = problems(&input);
        let summary: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (d.pointer.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(found.len(), 1, "{input}: {summary:#?}");
        assert_eq!(found[0].pointer, pointer, "{input}: {summary:#?}");
        assert!(
            found[0].message.starts_with("invalid OpenAPI 3.1: ")
                && found[0].message.contains(fragment),
            "{input}: expected '{fragment}' in {summary:#?}"
        );
    }
}

#[test]
fn oas31_minimal_spec_without_paths_generates() {
    let spec = "openapi: 3.1.1\ninfo: {title: x, version: '1'}\n";
    generate_from_str(Path::new("apis/x.yaml"), "x", spec).expect("no paths is no operations");
}

#[test]
fn oas31_inline_defs_are_hoisted_under_free_names() {
    let spec = r#"openapi: 3.1.0
info: {title: x, version: '1'}
paths:
  /tags:
    post:
      operationId: add_tag
      requestBody:
        content:
          application/json:
            schema:
              type: object
              $defs:
                Tag: {type: string, minLength: 2}
              properties:
                tag: {$ref: '#/$defs/Tag'}
                old: {$ref: '#/components/schemas/Tag'}
      responses:
        '204': {description: added}
components:
  schemas:
    Tag: {type: integer}
"#;
    let code = generate_from_str(Path::new("apis/x.yaml"), "x", spec).expect("generates");
    // `Tag` is taken by components/schemas: the inline definition becomes `Tag_2`.
    assert!(code.contains("pub tag: Option<Tag2>"), "{code}");
    assert!(code.contains("pub old: Option<Tag>"), "{code}");
}

#[test]
fn oas31_bodies() {
    let code = snapshot("oas31_bodies.yaml");
    // `contentMediaType` of a non-text type is a file part.
    assert!(code.contains("pub photo: klue::FilePart"), "{code}");
    assert!(code.contains("Option<Vec<klue::FilePart>>"), "{code}");
}

#[test]
fn oas31_strict_values() {
    let code = snapshot("strict_values.yaml");
    assert!(
        code.contains("klue::plain::TIME"),
        "format: time is not checked"
    );
}
