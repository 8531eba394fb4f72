//! Swagger 2.0 specs as klue-microservice wrote them: converted to OpenAPI 3.0 and generated,
//! with problems reported at the ORIGINAL file's pointers and lines. The snapshots are compiled
//! (and the helloworld one served) by `klue-codegen/snapshots`. Update them with
//! `EXPECTORATE=overwrite cargo test -p klue-codegen --test swagger2`.

use std::path::{Path, PathBuf};

use klue_codegen::{generate_from_str, Error};

fn fixture(name: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../apis/fixtures/swagger2")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    (path, text)
}

/// Generates the fixture `spec` as API `api` and checks the snapshot `swagger2_<api>.rs`.
fn snapshot(spec: &str, api: &str) -> String {
    let (path, text) = fixture(spec);
    let code = generate_from_str(&path, api, &text).unwrap_or_else(|err| panic!("{spec}: {err}"));
    let again = generate_from_str(&path, api, &text).unwrap_or_else(|err| panic!("{spec}: {err}"));
    assert_eq!(code, again, "{spec}: output is not deterministic");
    let stem = format!("swagger2_{api}");
    let files = klue_codegen::configure()
        .generate_files_from_str(&path, api, &text)
        .expect("generates")
        .with_stem(&stem);
    expectorate::assert_contents(format!("snapshots/src/generated/{stem}.rs"), files.rust());
    expectorate::assert_contents(
        format!("snapshots/src/generated/{stem}.json"),
        files.spec_json(),
    );
    files.rust().to_owned()
}

#[test]
fn swagger2_ping_generates() {
    let code = snapshot("ping.yaml", "ping");
    // x-bind-server's last segment names the operations.
    for method in ["fn do_ping", "fn do_version", "fn do_version_auth"] {
        assert!(code.contains(method), "{method} missing");
    }
}

#[test]
fn swagger2_helloworld_generates() {
    let code = snapshot("helloworld.yaml", "helloworld");
    assert!(code.contains("fn do_hello"));
    assert!(code.contains("fn post_message"));
    // x-no-bind-server: the operation is neither served nor in the client.
    assert!(
        !code.contains("reindex"),
        "x-no-bind-server operation generated"
    );
}

#[test]
fn swagger2_form_data_is_a_multipart_body() {
    let code = snapshot("form_data.yaml", "form_data");
    // `type: file` is a file part; the other formData parameters are text parts.
    assert!(code.contains("pub avatar: klue::FilePart"), "{code}");
    assert!(code.contains("multipart_body"));
}

fn problems(file: &str, text: &str) -> Vec<klue_codegen::Diagnostic> {
    match generate_from_str(Path::new(file), "broken", text) {
        Err(Error::Spec(diagnostics)) => diagnostics.0,
        Err(other) => panic!("expected spec diagnostics, got {other}"),
        Ok(_) => panic!("a broken spec generated code"),
    }
}

#[test]
fn swagger2_problems_point_into_the_original_file() {
    let (_, text) = fixture("broken.yaml");
    let found = problems("apis/fixtures/swagger2/broken.yaml", &text);
    let summary: Vec<(String, usize, &str)> = found
        .iter()
        .map(|d| {
            let line = d.position.map_or(0, |p| p.line);
            (d.pointer.clone(), line, d.message.as_str())
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
        "/paths/~1items~1{id}/get/responses/200/schema/$ref",
        18,
        "unresolved reference '#/definitions/Missing'",
    );
    expect(
        "/paths/~1upload/post/parameters/0/schema/properties/ref/$ref",
        30,
        "unresolved reference '#/definitions/AlsoMissing'",
    );
    assert_eq!(found.len(), 2, "{summary:#?}");
    let shown = found[0].to_string();
    assert!(shown.contains("broken.yaml:"), "{shown}");

    // With the references fixed it generates; what klue works around is a located warning.
    let fixed = text
        .replace("#/definitions/Missing", "#/definitions/Item")
        .replace("#/definitions/AlsoMissing", "#/definitions/Item");
    let (code, warnings) = klue_codegen::generate_from_str_with_warnings(
        Path::new("apis/fixtures/swagger2/broken.yaml"),
        "broken",
        &fixed,
    )
    .unwrap_or_else(|err| panic!("{err}"));
    let summary: Vec<(&str, usize, &str)> = warnings
        .iter()
        .map(|d| {
            (
                d.pointer.as_str(),
                d.position.map_or(0, |p| p.line),
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
            "/definitions/Item/required",
            40,
            "required property 'name' is not declared"
        ),
        "{summary:#?}"
    );
    assert!(
        has(
            "/definitions/Item/properties/code/pattern",
            44,
            "pattern is not checked"
        ),
        "{summary:#?}"
    );
    // `in: body` wins over the formData parameter.
    assert!(code.contains("pub body: UploadBody"), "{code}");
}

#[test]
fn swagger2_form_data_is_a_form_or_multipart_body() {
    let spec = r#"swagger: '2.0'
info: {title: f, version: '1'}
paths:
  /login:
    post:
      operationId: login
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: user, in: formData, type: string, required: true}
        - {name: age, in: formData, type: integer}
      responses:
        '204': {description: ok}
  /upload:
    post:
      operationId: upload
      parameters:
        - {name: file, in: formData, type: file, required: true}
      responses:
        '204': {description: ok}
"#;
    let code =
        generate_from_str(Path::new("f.yaml"), "f", spec).unwrap_or_else(|err| panic!("{err}"));
    assert!(code.contains("request.form_body::<LoginBody>"), "{code}");
    assert!(code.contains("pub age: Option<i64>"), "{code}");
    assert!(
        code.contains(".multipart_body::<UploadBody>(&mut v, true"),
        "{code}"
    );
    assert!(code.contains("pub file: klue::FilePart"), "{code}");
    assert!(
        code.contains(r#"content_types: &["multipart/form-data"]"#),
        "{code}"
    );
}

const MINIMAL: &str = r#"swagger: '2.0'
info: {title: t, version: '1'}
securityDefinitions:
  token: {type: apiKey, in: header, name: Authorization}
paths:
  /a:
    get:
      x-bind-client: fetch_a
      security: [{token: []}]
      responses:
        '200': {description: ok, schema: {type: object}}
  /b:
    get:
      operationId: get_b
      x-bind-server: pkg.api.ignored_because_operation_id_wins
      responses:
        '200': {description: ok}
"#;

#[test]
fn swagger2_x_bind_client_operation_id_and_authorization_api_key() {
    let code = generate_from_str(Path::new("minimal.yaml"), "minimal", MINIMAL)
        .unwrap_or_else(|err| panic!("{err}"));
    // No operationId and no x-bind-server: x-bind-client names the method.
    assert!(code.contains("fn fetch_a"));
    // operationId wins over x-bind-server.
    assert!(code.contains("fn get_b"));
    assert!(!code.contains("fn ignored_because"));
    // The apiKey named Authorization is klue's bearer JWT: the claims are required.
    let required = code.matches("AuthMode::Required").count();
    assert_eq!(required, 1, "only fetch_a requires a token");
    assert!(code.contains("pub claims: klue::Claims,"));
}

#[test]
fn swagger2_bad_x_bind_server_is_reported_in_place() {
    let text = "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      \
                x-bind-server: pkg.api.$$$\n      responses:\n        '200': {description: ok}\n";
    let found = problems("x.yaml", text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].pointer, "/paths/~1a/get/x-bind-server");
    assert_eq!(found[0].position.map(|p| p.line), Some(6));
}

#[test]
fn swagger2_malformed_documents_are_errors_not_panics() {
    let inputs = [
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\n",
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: 5\n",
        "swagger: '2.0'\ninfo: {title: x}\npaths: {}\n",
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {/a: 1}\n",
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {/a: {get: {parameters: 1}}}\n",
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\ndefinitions: []\npaths: {}\n",
        "swagger: 2.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 5\n",
    ];
    for input in inputs {
        // Some of these generate (with warnings); none may panic.
        let _ = generate_from_str(Path::new("x.yaml"), "x", input);
    }
    for input in &inputs[..3] {
        let found = problems("x.yaml", input);
        assert!(!found.is_empty(), "no diagnostic for {input:?}");
    }
    let found = problems("x.yaml", inputs[1]);
    assert_eq!(found[0].pointer, "/paths");
    assert_eq!(found[0].position.map(|p| p.line), Some(3));
}

const COMPONENTS: &str = r#"swagger: '2.0'
info: {title: c, version: '1'}
basePath: /api
parameters:
  Limit: {name: limit, in: query, type: integer, minimum: 1, maximum: 100}
  Item: {name: item, in: body, required: true, schema: {$ref: '#/definitions/Item'}}
responses:
  NotFound: {description: no such item, schema: {$ref: '#/definitions/Error'}}
paths:
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, type: string}
    get:
      operationId: get_item
      parameters:
        - $ref: '#/parameters/Limit'
        - {name: tags, in: query, type: array, collectionFormat: multi, items: {type: string}}
      responses:
        '200': {description: ok, schema: {$ref: '#/definitions/Item'}}
        '404': {$ref: '#/responses/NotFound'}
    put:
      operationId: put_item
      parameters:
        - $ref: '#/parameters/Item'
      responses:
        '200': {description: ok, schema: {$ref: '#/definitions/Item'}}
definitions:
  Item:
    type: object
    properties:
      name: {type: string, x-nullable: true}
  Error: {type: object, properties: {error: {type: string}}}
"#;

#[test]
fn swagger2_shared_and_referenced_components() {
    let files = klue_codegen::configure()
        .generate_files_from_str(Path::new("c.yaml"), "c", COMPONENTS)
        .unwrap_or_else(|err| panic!("{err}"));
    for expected in [
        "pub struct GetItemRequest",
        "pub id: String",
        "pub limit: Option<i64>",
        "pub tags: Option<Vec<String>>",
        "pub struct PutItemRequest",
        "pub body: Item",
        "NotFound(Error)",
    ] {
        assert!(files.rust().contains(expected), "{expected} missing");
    }
    // The converted spec, served as the API's document.
    for expected in [
        "#/components/parameters/Limit",
        r#""servers":[{"url":"/api"}]"#,
    ] {
        assert!(files.spec_json().contains(expected), "{expected} missing");
    }
}

#[test]
fn swagger2_workarounds_in_components_and_media_types_point_into_the_original_file() {
    let text = COMPONENTS
        .replace(
            "Limit: {name: limit, in: query, type: integer,",
            "Limit: {name: limit, in: query, type: object,",
        )
        .replace(
            "      operationId: put_item\n",
            "      operationId: put_item\n      consumes: [text/plain]\n      produces: [text/csv]\n",
        );
    let (code, warnings) =
        klue_codegen::generate_from_str_with_warnings(Path::new("c.yaml"), "c", &text)
            .unwrap_or_else(|err| panic!("{err}"));
    let summary: Vec<(&str, usize)> = warnings
        .iter()
        .map(|d| (d.pointer.as_str(), d.position.map_or(0, |p| p.line)))
        .collect();
    // An object in the query string is read as text, with a warning at the definition.
    assert!(summary.contains(&("/parameters/Limit", 5)), "{summary:#?}");
    assert!(code.contains("pub limit: Option<String>"), "{code}");
    // text/plain in, text/csv out.
    assert!(code.contains("request.text_body(&mut v, true)"), "{code}");
    assert!(code.contains("text_response("), "{code}");
}

/// A long API name makes the formatter break `include_str!(..)` over lines: the renamed files
/// still read the JSON beside them.
#[test]
fn a_renamed_output_reads_its_own_json_whatever_the_name_length() {
    let long = "azure_com_containerregistry_containerregistry_build_and_more";
    let files = klue_codegen::configure()
        .generate_files_from_str(Path::new("minimal.yaml"), long, MINIMAL)
        .expect("generates")
        .with_stem("spec_0001");
    assert!(
        files.rust().contains("\"spec_0001.json\""),
        "{}",
        files.rust()
    );
    assert!(!files.rust().contains(&format!("{long}.json")));
}
