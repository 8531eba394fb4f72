//! `klue new`, `klue build` and `klue deploy` as a user runs them: a scaffold that builds and
//! passes its acceptance tests, an image that runs and reports its version, the deploy plan, and
//! the errors that stop a deploy before anything changes.
//!
//! The scaffold is compiled with CARGO_TARGET_DIR=<workspace>/target/scaffold: not the outer
//! `cargo test`'s target dir (whose lock it holds), and kept between runs so that klue's
//! dependencies compile once.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const SECRET: &str = "ship-test-secret-ship-test-secret";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scaffold_target_dir() -> PathBuf {
    workspace().join("target").join("scaffold")
}

/// A fresh directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path =
            std::env::temp_dir().join(format!("klue-ship-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `klue ARGS` in `dir`, with the deploy/JWT variables of the outer environment removed.
fn klue(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_klue"));
    command.args(args).current_dir(dir).stdin(Stdio::null());
    for (name, _) in std::env::vars() {
        if name.starts_with("KLUE_") || name.starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    command.env("CARGO_TARGET_DIR", scaffold_target_dir());
    command.envs(env.iter().copied());
    command.output().expect("klue runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `klue new NAME --path DIR/NAME --klue-path <this checkout>` (klue's crates are not on
/// crates.io yet), then a first commit; returns the service's directory.
fn new_service(temp: &TempDir, name: &str) -> PathBuf {
    let dir = temp.0.join(name);
    let klue_path = workspace();
    let out = klue(
        &temp.0,
        &[
            "new",
            name,
            "--path",
            dir.to_str().unwrap(),
            "--klue-path",
            klue_path.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "klue new: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), dir.to_str().unwrap());
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "from klue new"]);
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=klue",
            "-c",
            "user.email=klue@example.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn new_refuses_bad_names_and_non_empty_directories() {
    let temp = TempDir::new("names");
    let out = klue(&temp.0, &["new", "My_Service"], &[]);
    // Bad usage: 2, as for every command.
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("'My_Service' is not a service name"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(temp.0.join("keep"), "").unwrap();
    let out = klue(&temp.0, &["new", "svc", "--path", "."], &[]);
    assert!(
        text(&out.stderr).contains("is not empty"),
        "{}",
        text(&out.stderr)
    );
    let out = klue(&temp.0, &["new", "svc", "--klue-path", "/nonexistent"], &[]);
    assert!(
        text(&out.stderr).contains("not a klue checkout"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_new_service_builds_starts_and_passes_its_acceptance_tests() {
    let temp = TempDir::new("scaffold");
    let dir = new_service(&temp, "hello-svc");
    for file in [
        "Cargo.toml",
        "build.rs",
        "apis/hello-svc.yaml",
        "src/main.rs",
        "testaccept/Cargo.toml",
        "testaccept/tests/hello-svc.rs",
        "env.secrets",
        "klue.yaml",
        ".dockerignore",
        "README.md",
        "docker-compose.yml",
        ".github/workflows/ci.yml",
        "Cargo.lock",
    ] {
        assert!(dir.join(file).is_file(), "{file} is missing");
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", scaffold_target_dir())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the scaffold does not build");
    // Its own lock file, committed by the first commit: the first build changes nothing, so
    // `klue build` accepts that commit.
    let porcelain = Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(&dir)
        .output()
        .expect("git runs");
    assert_eq!(
        text(&porcelain.stdout),
        "",
        "the first build dirtied the tree"
    );
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("klue-core = \"{}\"", env!("CARGO_PKG_VERSION"))),
        "{manifest}"
    );
    assert!(manifest.contains("[patch.crates-io]"), "{manifest}");

    let port = free_port();
    let server = Running(
        Command::new(scaffold_target_dir().join("debug").join("hello-svc"))
            .args(["--port", &port.to_string()])
            .env("KLUE_JWT_SECRET", SECRET)
            .stdout(Stdio::null())
            .spawn()
            .expect("the service starts"),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_run_acceptance_tests"))
        .args([
            "--port",
            &port.to_string(),
            "--timeout",
            "60",
            "--json",
            "--testaccept",
        ])
        .arg(dir.join("testaccept"))
        .env("KLUE_JWT_SECRET", SECRET)
        .env("CARGO_TARGET_DIR", scaffold_target_dir())
        .output()
        .expect("run_acceptance_tests runs");
    drop(server);
    assert!(
        out.status.success(),
        "acceptance tests: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    assert_eq!(summary["passed"], 3, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
}

#[test]
fn build_and_deploy_refuse_a_dirty_tree() {
    let temp = TempDir::new("dirty");
    let dir = new_service(&temp, "dirty");
    std::fs::write(dir.join("src").join("extra.rs"), "// uncommitted\n").unwrap();
    let out = klue(&dir, &["build"], &[]);
    // A dirty tree is bad setup: 2, for build as for deploy.
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("is dirty (src/extra.rs)"), "{stderr}");
    assert!(stderr.contains("--allow-dirty"), "{stderr}");
    let out = klue(
        &dir,
        &["deploy", "--dry-run"],
        &[("KLUE_JWT_SECRET", SECRET)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is dirty"),
        "{}",
        text(&out.stderr)
    );
    // Allowed, the version says so.
    let out = klue(
        &dir,
        &["deploy", "--dry-run", "--allow-dirty"],
        &[("KLUE_JWT_SECRET", SECRET)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("-dirty"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn deploy_stops_on_a_missing_secret_before_anything_changes() {
    let temp = TempDir::new("secret");
    let dir = new_service(&temp, "secretive");
    std::fs::write(
        dir.join("env.secrets"),
        "KLUE_JWT_SECRET\nDATABASE_PASSWORD # the db\n",
    )
    .unwrap();
    git(&dir, &["commit", "-q", "-am", "a database"]);
    // Endpoints nothing listens on: a deploy that called anything would fail differently.
    let env = [
        ("KLUE_JWT_SECRET", SECRET),
        ("KLUE_EB_ENDPOINT", "http://127.0.0.1:9"),
        ("KLUE_ECR_ENDPOINT", "http://127.0.0.1:9"),
        ("KLUE_S3_ENDPOINT", "http://127.0.0.1:9"),
        ("KLUE_STS_ENDPOINT", "http://127.0.0.1:9"),
        ("KLUE_IAM_ENDPOINT", "http://127.0.0.1:9"),
    ];
    let out = klue(&dir, &["deploy", "--json"], &env);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("env.secrets lists DATABASE_PASSWORD that is not set: nothing was changed"),
        "{stderr}"
    );
    assert!(!stderr.contains("==> [1/"), "a step ran: {stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(summary["changed"], false);
    // With it set, the plan names it but never shows a value.
    let mut with = env.to_vec();
    with.push(("DATABASE_PASSWORD", "hunter2-do-not-print"));
    let out = klue(&dir, &["deploy", "--dry-run"], &with);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("KLUE_JWT_SECRET, DATABASE_PASSWORD"), "{all}");
    assert!(
        !all.contains("hunter2") && !all.contains(SECRET),
        "a secret was printed: {all}"
    );
}

/// No region or no credentials: exit 2 before anything is built (no step line, no image),
/// saying what to set.
#[test]
fn deploy_without_credentials_stops_before_building() {
    let temp = TempDir::new("nocreds");
    let dir = new_service(&temp, "nocreds");
    let home = temp.0.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let base = [
        ("KLUE_JWT_SECRET", SECRET),
        // No shared files and no instance metadata: the chain has nowhere to look.
        ("AWS_CONFIG_FILE", "/nonexistent/klue-test/config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/klue-test/credentials",
        ),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("HOME", home.to_str().unwrap()),
    ];
    // The scaffold's klue.yaml names a region.
    let start = std::time::Instant::now();
    let out = klue(&dir, &["deploy", "--json"], &base);
    let took = start.elapsed();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
    assert!(stderr.contains("AWS_PROFILE"), "the hint: {stderr}");
    assert!(!stderr.contains("==> [1/"), "a step ran: {stderr}");
    let failure: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(failure["changed"], false);
    eprintln!("no-credentials deploy refused in {took:?}");
    // --check runs the same checks and nothing else.
    let out = klue(&dir, &["deploy", "--check"], &base);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no AWS credentials"));

    // Without a region anywhere, that is said first.
    let config = std::fs::read_to_string(dir.join("klue.yaml")).unwrap();
    let without: String = config
        .lines()
        .filter(|l| !l.trim_start().starts_with("region:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(config, without, "the scaffold's klue.yaml names a region");
    std::fs::write(dir.join("klue.yaml"), without).unwrap();
    git(&dir, &["commit", "-q", "-am", "no region"]);
    let out = klue(&dir, &["deploy"], &base);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AWS region"), "{stderr}");
}

#[test]
fn deploy_dry_run_prints_the_plan() {
    let temp = TempDir::new("plan");
    let dir = new_service(&temp, "hello");
    let out = klue(
        &dir,
        &[
            "deploy",
            "--dry-run",
            "--version-label",
            "261123-0107-1-abc1234",
        ],
        &[
            ("KLUE_JWT_SECRET", SECRET),
            ("KLUE_REGISTRY", "127.0.0.1:5000"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    expectorate::assert_contents("tests/snapshots/deploy-dry-run.txt", &text(&out.stdout));
    let out = klue(
        &dir,
        &[
            "deploy",
            "--dry-run",
            "--skip-tests",
            "--json",
            "--version-label",
            "v2",
        ],
        &[("KLUE_JWT_SECRET", SECRET)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON plan");
    assert_eq!(plan["environment"], "hello-v2");
    assert_eq!(plan["steps"][1]["key"], "test-image");
    assert_eq!(plan["steps"][1]["skipped"], true);
    assert_eq!(plan["steps"][7]["skipped"], true);
}

/// `klue rollback` and `klue deploy --diff` against an Elastic Beanstalk emulator with no
/// environment (nothing is launched, no Docker needed): rollback refuses with exit 2 in well
/// under a second, nothing swapped, and so does `klue logs`; --diff says a deploy would create everything (exit 2:
/// changes); --diff exits 1 on any error (no credentials) and conflicts with --dry-run.
#[test]
fn rollback_refuses_without_a_live_environment_and_diff_exit_codes() {
    use klue_testsupport::eb::{EbConfig, EbEmulator};
    let temp = TempDir::new("rollback");
    let dir = new_service(&temp, "hello");
    // An explicit live CNAME prefix: the default (`hello-<account suffix>`) would ask STS, which
    // is not here.
    let yaml = std::fs::read_to_string(dir.join("klue.yaml")).unwrap();
    let yaml = yaml.replace("cname_prefix: \"\"", "cname_prefix: hello");
    assert!(yaml.contains("cname_prefix: hello\n"), "{yaml}");
    std::fs::write(dir.join("klue.yaml"), yaml).unwrap();
    git(&dir, &["commit", "-q", "-am", "an explicit CNAME prefix"]);
    let eb = EbEmulator::start(EbConfig {
        s3_endpoint: "http://127.0.0.1:9".into(),
        registry: "127.0.0.1:9".into(),
        registry_username: "AWS".into(),
        registry_password: "unused".into(),
        docker_env: Vec::new(),
        iam_endpoint: None,
    })
    .expect("the EB emulator starts");
    let endpoint = eb.endpoint();
    let env = [
        ("KLUE_JWT_SECRET", SECRET),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("KLUE_EB_ENDPOINT", endpoint.as_str()),
        ("KLUE_REGISTRY", "127.0.0.1:9"),
    ];
    let start = std::time::Instant::now();
    let out = klue(&dir, &["rollback", "--json"], &env);
    let took = start.elapsed();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no live environment to roll back: hello has no environment"),
        "{stderr}"
    );
    assert!(stderr.contains("klue deploy"), "the hint: {stderr}");
    let failure: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(failure["swapped"], false);
    assert_eq!(failure["exit_status"], 2);
    assert!(took.as_secs() < 5, "refused in {took:?}");

    // `klue logs`: no live environment to read, exit 2 with the JSON error and a hint.
    let out = klue(&dir, &["logs", "--json"], &env);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("hello has no live environment") && stderr.contains("klue envs"),
        "{stderr}"
    );
    let failure: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(failure["exit_status"], 2);

    let out = klue(&dir, &["deploy", "--diff"], &env);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("no live environment: a deploy would create it"),
        "{}",
        text(&out.stdout)
    );
    let out = klue(&dir, &["deploy", "--diff", "--json"], &env);
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (diff["changed"].clone(), out.status.code()),
        (true.into(), Some(2))
    );

    // Any error is 1 for --diff (here: no credentials anywhere).
    let home = temp.0.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = klue(
        &dir,
        &["deploy", "--diff"],
        &[
            ("KLUE_JWT_SECRET", SECRET),
            ("AWS_CONFIG_FILE", "/nonexistent/klue-test/config"),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/klue-test/credentials",
            ),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", home.to_str().unwrap()),
            ("KLUE_EB_ENDPOINT", endpoint.as_str()),
            ("KLUE_REGISTRY", "127.0.0.1:9"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = klue(&dir, &["deploy", "--diff", "--dry-run"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot be used with"),
        "{}",
        text(&out.stderr)
    );
}
