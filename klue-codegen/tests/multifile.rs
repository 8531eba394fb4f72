//! Specs split over several files: problems in any file are reported at once, each located in
//! the file it is in; a schema reached from several files is one Rust type; every file read is
//! known (build scripts rerun on each).

use std::path::{Path, PathBuf};

use klue_codegen::{Diagnostic, Error};

/// Writes `files` (relative path, text) into a fresh directory named after `test`.
fn write_specs(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("multifile-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn problems(spec: &Path) -> Vec<Diagnostic> {
    match klue_codegen::generate(spec) {
        Err(Error::Spec(diagnostics)) => diagnostics.0,
        Err(other) => panic!("expected spec diagnostics, got {other}"),
        Ok(_) => panic!("a broken spec generated code"),
    }
}

/// (file name, line, pointer, message) of each diagnostic.
fn summary(found: &[Diagnostic]) -> Vec<(String, usize, String, String)> {
    found
        .iter()
        .map(|d| {
            (
                d.file.file_name().unwrap().to_string_lossy().into_owned(),
                d.position.map_or(0, |p| p.line),
                d.pointer.clone(),
                d.message.clone(),
            )
        })
        .collect()
}

const ROOT: &str = r#"openapi: 3.0.3
info: {title: broken, version: '1'}
paths:
  /a:
    $ref: 'paths.yaml#/a'
  /b:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'common.yaml#/components/schemas/Nope'}
        '404':
          description: gone
          content:
            application/json:
              schema: {$ref: 'https://example.com/schemas.yaml#/Gone'}
components:
  schemas:
    Thing: {$ref: 'common.yaml#/components/schemas/Thing'}
    Broken: {$ref: 'broken.yaml'}
"#;

const COMMON: &str = r#"components:
  schemas:
    Thing:
      type: object
      properties:
        part: {$ref: 'missing.yaml#/Part'}
        ghost: {$ref: '#/components/schemas/Ghost'}
"#;

const PATHS: &str = r#"a:
  get:
    responses:
      '200': {description: ok}
      '999': {description: not a status}
"#;

#[test]
fn problems_in_every_file_are_reported_where_they_are() {
    let dir = write_specs(
        "problems",
        &[
            ("api.yaml", ROOT),
            ("common.yaml", COMMON),
            ("paths.yaml", PATHS),
            ("broken.yaml", "type: object\nproperties: [\n"),
        ],
    );
    let found = problems(&dir.join("api.yaml"));
    let summary = summary(&found);
    let expect = |file: &str, line: usize, pointer: &str, fragment: &str| {
        assert!(
            summary.iter().any(|(f, l, p, m)| f == file
                && *l == line
                && p == pointer
                && m.contains(fragment)),
            "no diagnostic in {file}:{line} at {pointer} containing '{fragment}' in {summary:#?}"
        );
    };
    // A bad fragment: at the `$ref`, naming the other file.
    expect(
        "api.yaml",
        13,
        "/paths/~1b/get/responses/200/content/application~1json/schema/$ref",
        "no node at '/components/schemas/Nope' in",
    );
    // A remote reference is an error, not a fetch.
    expect(
        "api.yaml",
        18,
        "/paths/~1b/get/responses/404/content/application~1json/schema/$ref",
        "remote $ref 'https://example.com/schemas.yaml#/Gone' is not supported",
    );
    // A missing file and a bad fragment inside the other file: located there.
    expect(
        "common.yaml",
        6,
        "/components/schemas/Thing/properties/part/$ref",
        "cannot read",
    );
    expect(
        "common.yaml",
        7,
        "/components/schemas/Thing/properties/ghost/$ref",
        "no node at '/components/schemas/Ghost'",
    );
    // A file that does not parse: located in it.
    expect("broken.yaml", 3, "", "not valid YAML or JSON");
    // What the reader finds in a node copied from another file: located in that file.
    expect(
        "paths.yaml",
        5,
        "/a/get/responses/999",
        "'999' is not supported",
    );
    assert_eq!(found.len(), 6, "{summary:#?}");

    // The bad-fragment help points into the other file.
    let bad_fragment = found
        .iter()
        .find(|d| d.message.contains("Nope"))
        .and_then(|d| d.help.clone())
        .unwrap_or_default();
    assert!(bad_fragment.contains("common.yaml:2:"), "{bad_fragment}");
    // Rendered rustc-style, each in its own file.
    let text = Error::Spec(klue_codegen::Diagnostics(found)).to_string();
    assert!(text.contains("common.yaml:6:"), "{text}");
    assert!(text.contains("paths.yaml:5:"), "{text}");
}

#[test]
fn warnings_inside_other_files_are_located_there() {
    let root = "openapi: 3.0.3\ninfo: {title: w, version: '1'}\npaths:\n  /a:\n    post:\n      \
                requestBody:\n        content:\n          application/json:\n            \
                schema: {$ref: 'models/code.yaml'}\n      responses:\n        '200': {description: ok}\n";
    let model = "type: object\nproperties:\n  code:\n    type: string\n    pattern: '^(?=a)a$'\n";
    let dir = write_specs(
        "warnings",
        &[("api.yaml", root), ("models/code.yaml", model)],
    );
    let (_, warnings) = klue_codegen::generate_with_warnings(&dir.join("api.yaml")).unwrap();
    let summary = summary(&warnings);
    assert!(
        summary.iter().any(|(f, l, p, m)| f == "code.yaml"
            && *l == 5
            && p == "/properties/code/pattern"
            && m.contains("pattern")),
        "{summary:#?}"
    );
}

#[test]
fn circular_references_between_non_schemas_are_errors() {
    let root = "openapi: 3.0.3\ninfo: {title: c, version: '1'}\npaths:\n  /a:\n    get:\n      \
                parameters:\n        - $ref: 'params.yaml#/one'\n      responses:\n        '200': {description: ok}\n";
    let params = "one: {$ref: '#/two'}\ntwo: {$ref: 'params.yaml#/one'}\n";
    let dir = write_specs("cycle", &[("api.yaml", root), ("params.yaml", params)]);
    let found = problems(&dir.join("api.yaml"));
    assert!(
        found.iter().any(|d| d.message.contains("circular")),
        "{:#?}",
        summary(&found)
    );
}

#[test]
fn one_type_per_schema_and_every_file_is_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../apis/fixtures/openapi30/multifile");
    let spec = root.join("multifile.yaml");
    let code = klue_codegen::generate(&spec).unwrap();
    // Pet is reached from the root (three times), from common.yaml's Tag and through itself.
    assert_eq!(code.matches("pub struct Pet {").count(), 1, "{code}");
    assert_eq!(code.matches("pub struct Tag {").count(), 1, "{code}");
    // common.yaml's Error (named by the root's alias) and models/errors.yaml's are two types.
    assert_eq!(code.matches("pub struct Error {").count(), 1, "{code}");
    assert_eq!(
        code.matches("pub struct ErrorsError {").count(),
        1,
        "{code}"
    );
    // The embedded spec is self-contained.
    let files = klue_codegen::configure().generate_files(&spec).unwrap();
    let document: serde_json::Value = serde_json::from_str(files.spec_json()).unwrap();
    let mut refs = Vec::new();
    collect_refs(&document, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        assert!(
            reference.starts_with("#/components/schemas/"),
            "{reference}"
        );
        let name = &reference["#/components/schemas/".len()..];
        assert!(
            document["components"]["schemas"].get(name).is_some(),
            "{reference}"
        );
    }

    let mut files: Vec<PathBuf> = klue_codegen::spec_files(&spec).unwrap();
    assert_eq!(files.remove(0), spec);
    let root = root.canonicalize().unwrap();
    let mut names: Vec<String> = files
        .iter()
        .map(|f| {
            let f = f.canonicalize().unwrap();
            f.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["common.yaml", "models/errors.yaml", "models/pet.yaml"]
    );
}

fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                match child.as_str() {
                    Some(reference) if key == "$ref" => out.push(reference.to_owned()),
                    _ => collect_refs(child, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

#[test]
fn discriminator_mappings_and_chains_across_files() {
    let root = r#"openapi: 3.0.3
info: {title: d, version: '1'}
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: 'alias.yaml#/Pet'}
      responses:
        '200': {description: ok}
"#;
    let alias = "Pet: {$ref: 'pets.yaml#/Pet'}\n";
    let pets = r#"Pet:
  oneOf:
    - $ref: '#/Dog'
    - $ref: '#/Cat'
  discriminator:
    propertyName: kind
    mapping:
      dog: '#/Dog'
      cat: 'pets.yaml#/Cat'
Dog:
  type: object
  # Data is not read for references.
  example: {$ref: 'nowhere.yaml'}
  required: [kind, barks]
  properties:
    kind: {type: string}
    barks: {type: boolean}
Cat:
  type: object
  required: [kind, lives]
  properties:
    kind: {type: string}
    lives: {type: integer}
"#;
    let dir = write_specs(
        "discriminator",
        &[
            ("api.yaml", root),
            ("alias.yaml", alias),
            ("pets.yaml", pets),
        ],
    );
    let files = klue_codegen::configure()
        .generate_files(&dir.join("api.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let code = files.rust();
    // The served spec names the mappings' targets.
    let spec_json = files.spec_json();
    // The alias chain ends at pets.yaml's Pet: one type, no alias type.
    assert!(code.contains("pub enum Pet"), "{code}");
    assert!(
        spec_json.contains(r##""dog":"#/components/schemas/Dog""##),
        "{spec_json}"
    );
    assert_eq!(code.matches("pub struct Dog {").count(), 1, "{code}");
    assert!(
        spec_json.contains(r##""cat":"#/components/schemas/Cat""##),
        "{spec_json}"
    );
}
