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
fn bodies() {
    snapshot("fixtures/openapi30/bodies.yaml");
}
