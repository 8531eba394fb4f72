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
    let out = klue(&["token"], &[]);
    assert!(!out.status.success());
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
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("path parameter '{id}'"), "{stderr}");
    assert!(
        stderr.contains("unresolved reference '#/components/schemas/Nope'"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("--> {path}:7:")), "{stderr}");
    assert!(stderr.contains("2 errors in the spec"), "{stderr}");

    let out = klue(&["check", "--json", &path], &[]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report[0]["ok"], false);
    assert_eq!(report[0]["problems"].as_array().map(Vec::len), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}
