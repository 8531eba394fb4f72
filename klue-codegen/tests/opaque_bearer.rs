//! `Builder::opaque_bearer`: a bearer scheme the spec does not mark as anything but a JWT
//! (svix's `HTTPBearer` has no `bearerFormat`) hands its tokens to the handler when named; a
//! name that is not a bearer scheme of the spec is an error.

use std::path::PathBuf;

use klue_codegen::Error;

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: svixish, version: 1.0.0}
paths:
  /app:
    get:
      operationId: list_apps
      security:
        - HTTPBearer: []
      responses:
        '204': {description: Listed.}
components:
  securitySchemes:
    HTTPBearer: {type: http, scheme: bearer}
    basic: {type: http, scheme: basic}
"#;

fn spec_file() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("opaque-bearer");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("svixish.yaml");
    std::fs::write(&path, SPEC).unwrap();
    path
}

#[test]
fn a_bearer_scheme_is_a_jwt_unless_named_opaque() {
    let path = spec_file();
    let jwt = klue_codegen::generate(&path).expect("generates");
    assert!(jwt.contains("auth: klue::AuthMode::Required"), "{jwt}");
    assert!(jwt.contains("pub claims: klue::Claims"), "{jwt}");
    assert!(!jwt.contains("BearerToken"), "{jwt}");

    let opaque = klue_codegen::configure()
        .opaque_bearer("HTTPBearer")
        .generate(&path)
        .expect("generates");
    assert!(opaque.contains("auth: klue::AuthMode::None"), "{opaque}");
    assert!(
        opaque.contains("pub authorization: klue::BearerToken"),
        "{opaque}"
    );
    assert!(
        opaque.contains(r#"request.bearer_token("HTTPBearer", true).await?"#),
        "{opaque}"
    );
    // The client sends the token too.
    assert!(opaque.contains("klue::set_header(&mut request.headers, \"authorization\""));
}

#[test]
fn naming_a_scheme_that_is_not_bearer_is_an_error() {
    let path = spec_file();
    for name in ["basic", "nope"] {
        let found = match klue_codegen::configure()
            .opaque_bearer(name)
            .generate(&path)
        {
            Err(Error::Spec(diagnostics)) => diagnostics.0,
            Err(other) => panic!("expected a spec diagnostic, got {other}"),
            Ok(_) => panic!("opaque_bearer({name}) generated code"),
        };
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .contains(&format!("opaque_bearer names '{name}'")),
            "{}",
            found[0].message
        );
    }
}

/// A request struct with an optional credential (basic, or nothing) and a required body: its
/// constructor starts the credential at `None` (jira's and appcenter's specs did not compile).
#[test]
fn a_constructor_starts_an_optional_credential_at_none() {
    const OPTIONAL_BASIC: &str = r#"
openapi: 3.0.3
info: {title: optional basic, version: 1.0.0}
paths:
  /banner:
    put:
      operationId: set_banner
      security: [{basic: []}, {}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, properties: {text: {type: string}}}
      responses:
        '204': {description: Set.}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
"#;
    let code = klue_codegen::generate_from_str(
        std::path::Path::new("optional_basic.yaml"),
        "optional_basic",
        OPTIONAL_BASIC,
    )
    .expect("generates");
    let start = code.find("impl SetBannerRequest").expect("a constructor");
    let constructor = &code[start..start + 400];
    assert!(constructor.contains("pub fn new(body:"), "{constructor}");
    assert!(constructor.contains("authorization: None"), "{constructor}");
}
