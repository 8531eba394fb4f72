//! Schema constructs read into the model and emitted: what a discriminator klue cannot honour
//! becomes (a located warning and a plain union), and what each construct generates.

/// The code and the warnings of `spec` (notes, of how plain integers are read, left out).
fn generate(name: &str, spec: &str) -> (String, Vec<klue_codegen::Diagnostic>) {
    let dir = std::env::temp_dir().join(format!("klue-schemas-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, spec).unwrap();
    let generated = klue_codegen::generate_with_warnings(&path);
    std::fs::remove_dir_all(&dir).unwrap();
    let (code, mut warnings) = generated.unwrap_or_else(|err| panic!("{name}: {err}"));
    warnings.retain(|w| w.severity == klue_codegen::Severity::Warning);
    (code, warnings)
}

const UNIONS: &str = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    A: {type: object, properties: {k: {type: string}}}
    B: {type: object, properties: {k: {type: string}}}
    Mapped:
      oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]
      discriminator:
        propertyName: k
        mapping: {a: '#/components/schemas/A', c: '#/components/schemas/C'}
    Inline:
      anyOf:
        - {$ref: '#/components/schemas/A'}
        - {type: object, properties: {k: {type: string}}}
      discriminator: {propertyName: k}
";

#[test]
fn discriminators_give_tags_or_located_warnings() {
    let (code, warnings) = generate("unions", UNIONS);
    // `mapping` names A `a`; B keeps its schema name; `c` names no alternative.
    assert!(
        code.contains(r#"("a", |v| klue::decode(v).map(Self::A))"#),
        "{code}"
    );
    assert!(
        code.contains(r#"("B", |v| klue::decode(v).map(Self::B))"#),
        "{code}"
    );
    let messages: Vec<(&str, &str)> = warnings
        .iter()
        .map(|d| (d.pointer.as_str(), d.message.as_str()))
        .collect();
    assert!(
        messages.iter().any(
            |(p, m)| *p == "/components/schemas/Mapped/discriminator/mapping/c"
                && m.contains("is not one of the alternatives")
        ),
        "{messages:?}"
    );
    // An inline alternative has no name to be tagged with: a plain anyOf, with a warning.
    assert!(
        messages
            .iter()
            .any(|(p, m)| *p == "/components/schemas/Inline/discriminator"
                && m.contains("decoded without its discriminator")),
        "{messages:?}"
    );
    assert!(code.contains("klue::Schema::AnyOf("), "{code}");
}

const OBJECTS: &str = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Kind: {type: string, enum: [a-b, c]}
    O:
      type: object
      properties:
        additional: {type: object, properties: {x: {type: integer}}}
        n: {type: integer, default: -2}
        f: {type: number, format: float, default: 1}
        k: {$ref: '#/components/schemas/Kind'}
        bad: {type: integer, default: 'x'}
        list: {type: array, items: {type: string}, default: []}
      additionalProperties: {type: object, properties: {y: {type: string}}}
";

#[test]
fn defaults_apply_to_scalars_and_extra_properties_get_their_own_type() {
    let (code, warnings) = generate("objects", OBJECTS);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(code.contains("fn default_o_n() -> i64"), "{code}");
    assert!(code.contains("-2i64"), "{code}");
    assert!(code.contains("fn default_o_f() -> f32"), "{code}");
    // A default of the wrong type, or of an array, is not applied: the field stays optional.
    assert!(code.contains("pub bad: Option<i64>"), "{code}");
    assert!(code.contains("pub list: Option<Vec<String>>"), "{code}");
    // The property `additional` and the additionalProperties values are distinct types.
    assert!(
        code.contains("pub additional: Option<OAdditional>"),
        "{code}"
    );
    assert!(
        code.contains(
            "pub additional_properties: ::std::collections::BTreeMap<String, OAdditional2>"
        ),
        "{code}"
    );
}

const REPEATED_INLINE: &str = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: get_a
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                description: first copy
                properties: {id: {type: integer}, tags: {type: array, items: {type: string}}}
  /b:
    get:
      operationId: get_b
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                description: second copy, same shape
                properties: {id: {type: integer}, tags: {type: array, items: {type: string}}}
  /c:
    get:
      operationId: get_c
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties: {id: {type: integer}, tags: {type: array, items: {type: integer}}}
";

#[test]
fn identical_inline_schemas_share_one_type() {
    let (code, _) = generate("repeated", REPEATED_INLINE);
    // /a and /b have the same shape (descriptions aside): one struct serves both; /c differs.
    assert_eq!(code.matches("pub struct GetAOk ").count(), 1, "{code}");
    assert!(!code.contains("pub struct GetBOk "), "{code}");
    assert_eq!(code.matches("pub struct GetCOk ").count(), 1, "{code}");
    assert!(code.contains("Ok(GetAOk)"), "{code}");
    assert!(code.contains("Ok(GetCOk)"), "{code}");
    assert_eq!(code.matches("Ok(GetAOk)").count(), 2, "{code}");
}

const NARROWED: &str = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Code: {type: string, minLength: 1, pattern: '^[a-z]+$'}
    Count: {type: integer, format: int32, minimum: 0, maximum: 100}
    Narrowed:
      type: object
      properties:
        code:
          allOf: [{$ref: '#/components/schemas/Code'}, {maxLength: 3}]
        count:
          allOf: [{$ref: '#/components/schemas/Count'}, {maximum: 10, multipleOf: 2}]
        two_patterns:
          allOf: [{$ref: '#/components/schemas/Code'}, {pattern: '^a'}]
        mixed:
          allOf: [{$ref: '#/components/schemas/Count'}, {maxLength: 3}]
";

#[test]
fn an_all_of_narrowing_a_scalar_is_that_scalar_with_every_constraint() {
    let (code, warnings) = generate("narrowed", NARROWED);
    // A string narrowed: the target's minLength and pattern, the part's maxLength.
    assert!(code.contains("pub code: Option<String>"), "{code}");
    // Compared without whitespace: the formatter's indentation is not what is tested.
    let flat: String = code.split_whitespace().collect();
    assert!(
        flat.contains("min_length:Some(1),max_length:Some(3),pattern:Some(&PATTERN_"),
        "{code}"
    );
    // An integer narrowed: the stricter maximum, the part's multipleOf.
    assert!(code.contains("pub count: Option<i32>"), "{code}");
    assert!(
        flat.contains("minimum:Some(0f64),maximum:Some(10f64),"),
        "{code}"
    );
    assert!(code.contains("multiple_of: Some(2f64)"), "{code}");
    // What cannot be combined (two patterns, a length on an integer) stays any JSON value,
    // with the documented warning at each.
    assert!(
        code.contains("pub two_patterns: Option<klue::serde_json::Value>"),
        "{code}"
    );
    assert!(
        code.contains("pub mixed: Option<klue::serde_json::Value>"),
        "{code}"
    );
    let at: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
    assert_eq!(
        at,
        [
            "/components/schemas/Narrowed/properties/two_patterns/allOf",
            "/components/schemas/Narrowed/properties/mixed/allOf",
        ],
        "{warnings:#?}"
    );
}
