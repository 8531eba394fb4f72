//! Unknown keywords are warnings and out-of-set values errors, each located (line, column, JSON
//! pointer) with "did you mean" when a known word is near; in every OpenAPI version and in the
//! other files of a multi-file spec.

use std::path::Path;

use klue_codegen::{generate_from_str_with_warnings, Diagnostic, Error};

/// (pointer, line, column, help) of each diagnostic, in order.
type Located = Vec<(String, usize, usize, Option<String>)>;

fn located(diagnostics: &[Diagnostic]) -> Located {
    diagnostics
        .iter()
        .map(|d| {
            let (line, column) = d.position.map_or((0, 0), |p| (p.line, p.column));
            (d.pointer.clone(), line, column, d.help.clone())
        })
        .collect()
}

/// The warnings of `text` (its notes, of how plain integers are read, are not the subject).
fn warnings(text: &str) -> Located {
    match generate_from_str_with_warnings(Path::new("k.yaml"), "k", text) {
        Ok((_, mut warnings)) => {
            warnings.retain(|w| w.severity == klue_codegen::Severity::Warning);
            located(&warnings)
        }
        Err(err) => panic!("the spec should generate: {err}"),
    }
}

fn errors(text: &str) -> Located {
    match generate_from_str_with_warnings(Path::new("k.yaml"), "k", text) {
        Err(Error::Spec(diagnostics)) => located(&diagnostics.0),
        Err(other) => panic!("expected spec diagnostics, got {other}"),
        Ok(_) => panic!("a spec with an invalid value generated code"),
    }
}

fn entry(
    pointer: &str,
    line: usize,
    column: usize,
    help: &str,
) -> (String, usize, usize, Option<String>) {
    (pointer.into(), line, column, Some(help.into()))
}

const OPENAPI30: &str = "openapi: 3.0.3
info: {title: k, version: '1', x-logo: {url: x}}
paths:
  /items:
    get:
      parameters:
        - name: q
          in: query
          schema: {type: string, minLenght: 3, x-rule: 1}
        - $ref: '#/components/parameters/Limit'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
        descripton: oops
components:
  parameters:
    Limit: {name: limit, in: query, schema: {type: integer}, requird: true}
  schemas:
    Item:
      type: object
      properties:
        name: {typ: string}
        size: {type: integer, colour: red}
";

#[test]
fn openapi30_unknown_keywords_are_located_warnings_with_did_you_mean() {
    let found = warnings(OPENAPI30);
    let other = "an extension's name starts with `x-`";
    let expected = vec![
        entry("/paths/~1items/get/parameters/0/schema/minLenght", 9, 34, "did you mean `minLength`?"),
        entry(
            "/paths/~1items/get/responses/descripton",
            17,
            9,
            "the keys of `responses` are `default`, a status code like `200`, or a range like `2XX`",
        ),
        entry("/components/parameters/Limit/requird", 20, 62, "did you mean `required`?"),
        entry("/components/schemas/Item/properties/name/typ", 25, 16, "did you mean `type`?"),
        entry("/components/schemas/Item/properties/size/colour", 26, 31, other),
    ];
    assert_eq!(found, expected);
}

#[test]
fn openapi30_values_outside_their_set_are_errors_and_say_them_once() {
    let text = OPENAPI30
        .replace(
            "in: query\n          schema",
            "in: querry\n          schema",
        )
        .replace("name: {typ: string}", "name: {type: strin}")
        .replace(
            "schema: {type: integer}",
            "schema: {type: integer}, style: formm",
        );
    let found = errors(&text);
    let expected = vec![
        entry(
            "/paths/~1items/get/parameters/0/in",
            8,
            11,
            "did you mean `query`? `in` is one of: query, header, path, cookie",
        ),
        entry(
            "/components/parameters/Limit/style",
            20,
            62,
            "did you mean `form`? `style` is one of: matrix, label, form, simple, spaceDelimited, \
             pipeDelimited, deepObject",
        ),
        entry(
            "/components/schemas/Item/properties/name/type",
            25,
            16,
            "did you mean `string`? `type` is one of: string, number, integer, boolean, array, \
             object, null, file",
        ),
    ];
    // The 3.0 reader's own failure at the parameter (`unknown variant querry`) is not repeated.
    assert_eq!(found, expected);
}

#[test]
fn swagger2_parameters_items_and_security_schemes_are_checked() {
    let text = "swagger: '2.0'
info: {title: k, version: '1'}
basePath: /v1
paths:
  /items:
    get:
      parameters:
        - {name: ids, in: query, type: array, items: {type: string, maxLenght: 3}, collectionFormat: csv}
        - {name: body, in: body, schema: {type: object, additionalProperties: {type: string, patern: a}}}
      responses:
        200: {description: ok, schema: {type: array, items: {type: string}}}
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Key, flows: {}}
";
    let expected = vec![
        entry(
            "/paths/~1items/get/parameters/0/items/maxLenght",
            8,
            69,
            "did you mean `maxLength`?",
        ),
        entry(
            "/paths/~1items/get/parameters/1/schema/additionalProperties/patern",
            9,
            94,
            "did you mean `pattern`?",
        ),
        entry(
            "/securityDefinitions/key/flows",
            13,
            48,
            "did you mean `flow`?",
        ),
    ];
    assert_eq!(warnings(text), expected);

    let text = text.replace("in: query, type: array", "in: form, type: array");
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "/paths/~1items/get/parameters/0/in");
    assert_eq!(
        found[0].3.as_deref(),
        Some("`in` is one of: query, header, path, formData, body")
    );
}

#[test]
fn openapi31_schemas_report_only_near_misses_of_json_schema_keywords() {
    let text = "openapi: 3.1.0
info: {title: k, version: '1', summary: s}
paths: {}
webhooks:
  ping:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {at: {type: [string, 'null'], fromat: date-time}}}
      responses:
        '200': {description: ok}
components:
  schemas:
    Tree:
      type: object
      $defs:
        Leaf: {type: string, maxLenth: 9, x-tool-hint: a, myAnnotation: b}
      prefixItems: [{typ: string}]
      unevaluatedProperties: false
      definitions:
        Old: {type: string, pattren: a}
      properties:
        kind: {const: tree, deprecated: true}
";
    let expected =
        vec![
        entry(
            "/webhooks/ping/post/requestBody/content/application~1json/schema/properties/at/fromat",
            10,
            78,
            "did you mean `format`?",
        ),
        entry("/components/schemas/Tree/$defs/Leaf/maxLenth", 18, 30, "did you mean `maxLength`?"),
        entry("/components/schemas/Tree/prefixItems/0/typ", 19, 22, "did you mean `type`?"),
        entry(
            "/components/schemas/Tree/definitions/Old/pattren",
            22,
            29,
            "did you mean `pattern`?",
        ),
    ];
    assert_eq!(warnings(text), expected);

    // `null` is a type in 3.1; `nul` is not.
    let text = text.replace("'null'", "nul");
    let found = errors(&text);
    let pointer =
        "/webhooks/ping/post/requestBody/content/application~1json/schema/properties/at/type/1";
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].0.as_str(), found[0].1), (pointer, 10));
    assert!(found[0]
        .3
        .as_deref()
        .unwrap_or("")
        .starts_with("did you mean `null`?"));
}

#[test]
fn outside_schemas_openapi31_reports_every_unknown_keyword() {
    let text = "openapi: 3.1.0
info: {title: k, version: '1', licence: {name: MIT}}
paths:
  /a:
    get:
      operationID: getA
      responses:
        '200': {description: ok, contnet: {}}
";
    let found = warnings(text);
    let keys: Vec<(&str, Option<&str>)> = found
        .iter()
        .map(|(p, _, _, h)| (p.as_str(), h.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [
            ("/info/licence", Some("did you mean `license`?")),
            (
                "/paths/~1a/get/operationID",
                Some("did you mean `operationId`?")
            ),
            (
                "/paths/~1a/get/responses/200/contnet",
                Some("did you mean `content`?")
            ),
        ]
    );
}

#[test]
fn reference_objects_and_extensions_are_not_reported() {
    let text = "openapi: 3.0.3
info: {title: k, version: '1'}
paths:
  /a:
    x-internal: {anything: goes}
    parameters:
      - {$ref: '#/components/parameters/P', description: ignored by OpenAPI, whatever: 1}
    get:
      responses:
        x-note: {}
        default: {$ref: '#/components/responses/R', summary: s}
components:
  parameters:
    P: {name: p, in: query, schema: {type: string}}
  responses:
    R: {description: r}
  x-extra: {foo: 1}
";
    assert_eq!(warnings(text), vec![]);
}

#[test]
fn unknown_keywords_in_other_files_are_located_there() {
    let dir = std::env::temp_dir().join(format!("klue-keywords-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: m, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: 'common.yaml#/Thing'}}}}\n",
    )
    .expect("write spec");
    std::fs::write(
        dir.join("common.yaml"),
        "Thing:\n  type: object\n  properties:\n    part: {type: string, maxLenght: 4}\n",
    )
    .expect("write common");
    let (_, found) =
        klue_codegen::generate_with_warnings(&dir.join("api.yaml")).expect("generates");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    let warning = &found[0];
    assert_eq!(warning.file, dir.join("common.yaml"));
    assert_eq!(warning.pointer, "/Thing/properties/part/maxLenght");
    assert_eq!(warning.position.map(|p| (p.line, p.column)), Some((4, 26)));
    assert_eq!(warning.help.as_deref(), Some("did you mean `maxLength`?"));
}

/// Every spec of the repository (a YAML file under `apis/` that declares its version; the
/// other files of multi-file specs are read through their root).
fn repository_specs(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("apis/ is readable")
        .map(|entry| entry.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            repository_specs(&path, found);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text
                .lines()
                .any(|l| l.starts_with("openapi:") || l.starts_with("swagger:"))
            {
                found.push(path);
            }
        }
    }
}

#[test]
fn the_repository_specs_have_no_unknown_keywords() {
    let mut specs = Vec::new();
    repository_specs(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../apis")),
        &mut specs,
    );
    assert!(specs.len() > 20, "{specs:#?}");
    for spec in specs {
        // Some fixtures are broken on purpose: their errors are not unknown keywords either.
        let found = match klue_codegen::generate_with_warnings(&spec) {
            Ok((_, warnings)) => warnings,
            Err(Error::Spec(problems)) => problems.0,
            Err(other) => panic!("{}: {other}", spec.display()),
        };
        let keyword_problems: Vec<_> = found
            .iter()
            .filter(|d| {
                d.message.starts_with("unknown keyword") || d.message.contains("not a valid")
            })
            .collect();
        assert!(
            keyword_problems.is_empty(),
            "{}: {keyword_problems:#?}",
            spec.display()
        );
    }
}

/// How klue reads what a spec leaves open is said once per spec, as a note: never a
/// warning that `--deny-warnings` would refuse.
#[test]
fn plain_integers_and_untyped_objects_are_noted_once_per_spec() {
    let text = "\
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    A:
      properties:
        n: {type: integer}
        m: {type: integer}
        bounded: {type: integer, minimum: 0, maximum: 10}
        sized: {type: integer, format: int64}
    B:
      properties:
        x: {type: string}
";
    let (_, found) = generate_from_str_with_warnings(Path::new("k.yaml"), "k", text)
        .unwrap_or_else(|err| panic!("the spec should generate: {err}"));
    let notes: Vec<(String, String)> = found
        .iter()
        .map(|d| {
            assert_eq!(d.severity, klue_codegen::Severity::Note, "{d}");
            (d.pointer.clone(), d.message.clone())
        })
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(notes[0].0, "/components/schemas/A");
    assert!(
        notes[0].1.contains("`properties` but no `type`"),
        "{}",
        notes[0].1
    );
    assert!(
        notes[0].1.contains("(2 places in this spec"),
        "{}",
        notes[0].1
    );
    assert_eq!(notes[1].0, "/components/schemas/A/properties/n");
    assert!(notes[1].1.contains("is an `i64`"), "{}", notes[1].1);
    assert!(
        notes[1].1.contains("(2 places in this spec"),
        "{}",
        notes[1].1
    );
    assert!(found[0].as_warning().to_string().starts_with("note: "));
}
