//! Snapshots of the code generated for the specs in `apis/`. The snapshots are compiled by the
//! `klue-snapshots` crate (`klue-codegen/snapshots`), so a snapshot that does not build fails CI.
//! Update them with `EXPECTORATE=overwrite cargo test -p klue-codegen --test snapshots`.

use std::path::Path;

fn snapshot(spec: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root.join("apis").join(spec);
    let code = klue_codegen::generate(&path).unwrap_or_else(|err| panic!("{spec}: {err}"));
    let again = klue_codegen::generate(&path).unwrap_or_else(|err| panic!("{spec}: {err}"));
    assert_eq!(code, again, "{spec}: output is not deterministic");
    let name = klue_codegen::api_name(&path);
    expectorate::assert_contents(format!("snapshots/src/generated/{name}.rs"), &code);
}

#[test]
fn helloworld() {
    snapshot("helloworld.yaml");
}

#[test]
fn bench() {
    snapshot("bench.yaml");
}

#[test]
fn ping() {
    snapshot("ping.yaml");
}

#[test]
fn nullable() {
    snapshot("fixtures/openapi30/nullable.yaml");
}

#[test]
fn cookies() {
    snapshot("fixtures/openapi30/cookies.yaml");
}

#[test]
fn names() {
    snapshot("fixtures/openapi30/names.yaml");
}

#[test]
fn no_operations() {
    snapshot("fixtures/openapi30/no_operations.yaml");
}

#[test]
fn security() {
    snapshot("fixtures/openapi30/security.yaml");
}

#[test]
fn auth_schemes() {
    snapshot("fixtures/openapi30/auth_schemes.yaml");
}

#[test]
fn media() {
    snapshot("fixtures/openapi30/media.yaml");
}

#[test]
fn recursive() {
    snapshot("fixtures/openapi30/recursive.yaml");
}

#[test]
fn composition() {
    snapshot("fixtures/openapi30/composition.yaml");
}

#[test]
fn unions() {
    snapshot("fixtures/openapi30/unions.yaml");
}

#[test]
fn objects() {
    snapshot("fixtures/openapi30/objects.yaml");
}

#[test]
fn oas31_unions() {
    snapshot("fixtures/openapi31/oas31_unions.yaml");
}

#[test]
fn swagger2_accounts() {
    snapshot("fixtures/swagger2/accounts.yaml");
}

#[test]
fn swagger2_inheritance() {
    snapshot("fixtures/swagger2/inheritance.yaml");
}

#[test]
fn params_styles() {
    snapshot("fixtures/openapi30/params_styles.yaml");
}

#[test]
fn swagger2_params_collection_format() {
    snapshot("fixtures/swagger2/params_collection_format.yaml");
}

#[test]
fn multifile() {
    snapshot("fixtures/openapi30/multifile/multifile.yaml");
}

#[test]
fn swagger2_multifile() {
    snapshot("fixtures/swagger2/multifile/swagger2_multifile.yaml");
}

#[test]
fn oas31_multifile() {
    snapshot("fixtures/openapi31/multifile/oas31_multifile.yaml");
}

#[test]
fn bodies() {
    snapshot("fixtures/openapi30/bodies.yaml");
}
