//! `klue deploy` end to end, all on 127.0.0.1: a Docker engine, a registry that accepts the ECR
//! token's credentials, moto (S3, ECR) and the Elastic Beanstalk emulator of klue-testsupport,
//! which runs a real container per environment behind CNAME listeners that follow swaps.
//!
//! One `#[test]` runs the scenario in order (Rust tests have no global teardown; the services
//! stop when it ends, whatever happens):
//! 1. version A, no live environment yet: A goes live; the live URL serves A. `klue logs` shows
//!    A's events and the access log line of a request made before it; `--follow` a request
//!    made while it runs, once (`deploy_e2e/logs.rs`).
//! 2. version B: B passes its acceptance tests and takes the live CNAME; the live URL (the same
//!    address) serves B; A's environment still runs.
//!    `klue deploy --diff` of the same commit finds no change (exit 0); `klue rollback` makes A
//!    live again after its acceptance tests (the live URL serves A, B still runs); a second
//!    rollback is refused (exit 2): B was replaced by a rollback, not kept by a deploy.
//! 3. version C whose acceptance tests fail against its new environment: `--diff` first finds
//!    the new version and the new property (exit 2); then no swap, the live URL still serves
//!    A, and the output says so and lists what was left behind.
//! 4. `klue rollback --to` C: C is Ready and Green but fails its acceptance tests: exit 1, no
//!    swap, A stays live.
//!
//! How C fails, honestly: C reads its greeting word from `HELLO_GREETING` (default "Hello")
//! and lists `HELLO_GREETING` in env.secrets, so `klue deploy` sets the deployer's value
//! ("Howdy") as an environment property of the new environment. The image test passes (it runs
//! the image with only the KLUE_JWT_* variables, so the greeting is the default), but against the
//! new environment the acceptance test `hello_greets_by_name` gets "Howdy, klue!" where the
//! contract says "Hello, klue!": a production setting that breaks the API, caught before the
//! swap.
//!
//! The service is a `klue new helloworld` scaffold in a temporary git repository; each version is
//! a commit. Its static release build goes to `target/scaffold` (shared with the ship and image tests; not the outer `cargo test`'s
//! target dir, whose lock it holds), kept between runs.

#[path = "deploy_e2e/logs.rs"]
mod logs;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use klue_testsupport::eb::{cname_address, platforms};
use klue_testsupport::http::get_text;
use klue_testsupport::process::describe_run;
use klue_testsupport::{e2e_dir, TestServices};
use serde_json::Value;

const SECRET: &str = "deploy-e2e-secret-deploy-e2e-secret";
const SERVICE: &str = "helloworld";

/// A fresh directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("klue-deploy-e2e-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=klue",
            "-c",
            "user.email=klue@example.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What one `klue` run printed.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The JSON summary on stdout (the last line).
    fn json(&self) -> Value {
        let line = self.stdout.lines().last().unwrap_or_default();
        serde_json::from_str(line).unwrap_or_else(|err| {
            panic!("stdout is not a JSON summary ({err}):\n{}", self.describe())
        })
    }

    fn describe(&self) -> String {
        describe_run(self.code, &self.stdout, &self.stderr)
    }
}

/// `klue ARGS` in `dir` pointed at the test services, not started.
fn klue_command(
    services: &TestServices,
    dir: &Path,
    args: &[&str],
    extra_env: &[(&str, &str)],
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_klue"));
    command.args(args).current_dir(dir).stdin(Stdio::null());
    for (name, _) in std::env::vars() {
        if name.starts_with("KLUE_") || name.starts_with("AWS_") || name == "HELLO_GREETING" {
            command.env_remove(name);
        }
    }
    command
        .envs(services.client_env())
        .env("KLUE_EB_ENDPOINT", services.eb.endpoint())
        .env("KLUE_ECR_ENDPOINT", services.moto.endpoint())
        .env("KLUE_S3_ENDPOINT", services.moto.endpoint())
        .env("KLUE_STS_ENDPOINT", services.moto.endpoint())
        .env("KLUE_IAM_ENDPOINT", services.moto.endpoint())
        .env("KLUE_REGISTRY", services.registry.host())
        .env("KLUE_ENV_SCHEME", "http")
        .env("KLUE_POLL_INTERVAL", "1")
        .env("KLUE_READY_TIMEOUT", "300")
        .env("KLUE_JWT_SECRET", SECRET)
        // The target dir the ship and image tests use too: the static release build of the
        // scaffold's dependencies is made once per machine.
        .env("CARGO_TARGET_DIR", e2e_dir().join("../scaffold"))
        .envs(extra_env.iter().copied());
    command
}

/// `klue ARGS` in `dir` pointed at the test services; output also saved to target/e2e/`log`.
fn klue(
    services: &TestServices,
    dir: &Path,
    args: &[&str],
    extra_env: &[(&str, &str)],
    log: &str,
) -> Run {
    let mut command = klue_command(services, dir, args, extra_env);
    let started = Instant::now();
    let out = command.output().expect("klue runs");
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    let _ = std::fs::write(
        e2e_dir().join(log),
        format!("{}\n--- full stderr\n{}", run.describe(), run.stderr),
    );
    eprintln!(
        "klue {} ({log}): exit {:?} in {:.0} s",
        args.join(" "),
        run.code,
        started.elapsed().as_secs_f64()
    );
    run
}

/// `GET url` where the URL's host may be a `.localhost` CNAME; the body as JSON.
fn get_json(url: &str, path: &str) -> Value {
    let host_port = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("an http URL: {url}"))
        .trim_end_matches('/');
    let body = get_text(&format!("http://{}{path}", cname_address(host_port)))
        .unwrap_or_else(|err| panic!("GET {url}{path}: {err}"));
    serde_json::from_str(&body).unwrap_or_else(|err| panic!("GET {url}{path}: {err}: {body}"))
}

fn deployed(run: &Run, what: &str) -> Value {
    assert_eq!(
        run.code,
        Some(0),
        "deploy of {what} failed:\n{}",
        run.describe()
    );
    let summary = run.json();
    assert_eq!(summary["success"], true, "{summary}");
    summary
}

#[test]
fn deploy_goes_live_only_after_the_acceptance_tests_pass() {
    let Some(services) =
        TestServices::require("deploy_goes_live_only_after_the_acceptance_tests_pass")
    else {
        return;
    };
    let started = Instant::now();
    let temp = TempDir::new();
    let dir = temp.0.join(SERVICE);
    let out = Command::new(env!("CARGO_BIN_EXE_klue"))
        .args(["new", SERVICE, "--path"])
        .arg(&dir)
        // klue's crates are not on crates.io yet: this checkout's.
        .args(["--klue-path", concat!(env!("CARGO_MANIFEST_DIR"), "/..")])
        .current_dir(&temp.0)
        .output()
        .expect("klue new runs");
    assert!(
        out.status.success(),
        "klue new: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "version A"]);

    // 0. The preflight alone: read-only, nothing built. A new account has neither the instance
    // profile nor the service role: refused (exit 2), naming the profile and the fix.
    let refused = klue(
        &services,
        &dir,
        &["deploy", "--check"],
        &[],
        "check-no-roles.log",
    );
    assert_eq!(refused.code, Some(2), "{}", refused.describe());
    assert!(
        refused
            .stderr
            .contains("the EC2 instance profile aws-elasticbeanstalk-ec2-role does not exist")
            && refused.stderr.contains("--create-roles"),
        "{}",
        refused.describe()
    );
    // --create-roles creates the role, the profile and the service role (policies attached:
    // moto knows AWS's managed policies and refuses an unknown ARN).
    let check = klue(
        &services,
        &dir,
        &["deploy", "--check", "--create-roles", "--json"],
        &[],
        "check-A.log",
    );
    assert_eq!(check.code, Some(0), "{}", check.describe());
    let found = check.json();
    assert_eq!(
        found["roles"]["created"],
        serde_json::json!([
            "role aws-elasticbeanstalk-ec2-role",
            "instance profile aws-elasticbeanstalk-ec2-role",
            "role aws-elasticbeanstalk-service-role"
        ]),
        "{found}"
    );
    for (action, key, name) in [
        (
            "GetInstanceProfile",
            "InstanceProfileName",
            "aws-elasticbeanstalk-ec2-role",
        ),
        ("GetRole", "RoleName", "aws-elasticbeanstalk-service-role"),
    ] {
        let answer = services
            .moto
            .iam(action, &[(key, name)])
            .expect("IAM answers");
        assert!(answer.contains(name), "{action}: {answer}");
    }
    let policies = services
        .moto
        .iam(
            "ListAttachedRolePolicies",
            &[("RoleName", "aws-elasticbeanstalk-ec2-role")],
        )
        .expect("IAM answers");
    assert!(
        policies.contains("AmazonEC2ContainerRegistryReadOnly"),
        "{policies}"
    );
    // No live environment, the CNAME prefix free, the bucket still to be created.
    assert!(found["live"].is_null(), "{found}");
    // The default live CNAME prefix: the name and the account's last 6 digits.
    assert_eq!(
        found["cname_prefix"],
        format!("{SERVICE}-789012"),
        "{found}"
    );
    assert_eq!(found["bucket_exists"], false, "{found}");
    assert_eq!(
        found["bucket"],
        format!(
            "klue-bundles-123456789012-{}",
            found["region"].as_str().unwrap_or("?")
        ),
        "one bucket per account and region: {found}"
    );
    // The account (STS), and the newest version of the Docker platform (ListPlatformVersions).
    assert_eq!(found["account"], "123456789012", "moto's account: {found}");
    let newest = platforms::arn(platforms::VERSIONS[platforms::VERSIONS.len() - 1]);
    assert_eq!(found["platform"]["name"], newest.as_str(), "{found}");
    assert!(
        !check.stderr.contains("==> [1/"),
        "a step ran: {}",
        check.stderr
    );

    // 1. A, with no live environment: created with the live CNAME prefix.
    let a_run = klue(&services, &dir, &["deploy", "--json"], &[], "deploy-A.log");
    let a = deployed(&a_run, "A");
    assert_eq!(a["swapped"], false, "{a}");
    assert!(a["previous_live_environment"].is_null(), "{a}");
    let live_url = a["live_url"].as_str().expect("live_url").to_owned();
    assert!(
        live_url.starts_with(&format!("http://{SERVICE}-789012.localhost:")),
        "{live_url}"
    );
    let a_version = a["version"].as_str().unwrap().to_owned();
    let a_env = a["environment"].as_str().unwrap().to_owned();
    // What a real account needs: an instance profile, a service role, the platform's ARN;
    // health from /ping, enhanced.
    let a_view = services
        .eb
        .environments()
        .into_iter()
        .find(|e| e.name == a_env)
        .expect("A's environment");
    assert_eq!(a_view.platform_arn.as_deref(), Some(newest.as_str()));
    for (namespace, name, value) in [
        (
            "aws:autoscaling:launchconfiguration",
            "IamInstanceProfile",
            "aws-elasticbeanstalk-ec2-role",
        ),
        (
            "aws:elasticbeanstalk:environment",
            "ServiceRole",
            "aws-elasticbeanstalk-service-role",
        ),
        (
            "aws:elasticbeanstalk:environment:process:default",
            "HealthCheckPath",
            "/ping",
        ),
        (
            "aws:elasticbeanstalk:healthreporting:system",
            "SystemType",
            "enhanced",
        ),
    ] {
        assert!(
            a_view
                .options
                .iter()
                .any(|o| (o.0.as_str(), o.1.as_str(), o.2.as_str()) == (namespace, name, value)),
            "{namespace} {name}={value} in {:?}",
            a_view.options
        );
    }
    assert_eq!(
        get_json(&live_url, "/version")["container"],
        a_version.as_str()
    );
    assert_eq!(
        get_json(&live_url, "/v1/hello?name=klue")["message"],
        "Hello, klue!"
    );
    // 1b. `klue logs`: A's events and what the service logged.
    logs::logs_show_events_and_what_the_service_logged(&services, &dir, &live_url, &a_env);

    // 2. B: a new commit, a new version; it takes the live CNAME.
    std::fs::write(dir.join("CHANGES.md"), "B: a second version\n").unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "version B"]);
    let check = klue(
        &services,
        &dir,
        &["deploy", "--check", "--json"],
        &[],
        "check-B.log",
    );
    assert_eq!(check.code, Some(0), "{}", check.describe());
    let found = check.json();
    assert_eq!(found["live"], a_env.as_str(), "{found}");
    assert_eq!(found["bucket_exists"], true, "{found}");
    let bucket = found["bucket"].as_str().expect("bucket").to_owned();
    let b_run = klue(&services, &dir, &["deploy", "--json"], &[], "deploy-B.log");
    let b = deployed(&b_run, "B");
    let b_version = b["version"].as_str().unwrap().to_owned();
    let b_env = b["environment"].as_str().unwrap().to_owned();
    assert_ne!(a_version, b_version);
    assert_eq!(b["swapped"], true, "{b}");
    assert_eq!(b["previous_live_environment"], a_env.as_str(), "{b}");
    assert_eq!(
        b["live_url"],
        live_url.as_str(),
        "the live URL stays the same address"
    );
    assert_eq!(
        get_json(&live_url, "/version")["container"],
        b_version.as_str()
    );
    // A is still there (Ready, Green), now behind B's former CNAME.
    let envs = services.eb.environments();
    let a_view = envs
        .iter()
        .find(|e| e.name == a_env)
        .expect("A's environment");
    assert_eq!(
        (a_view.status.as_str(), a_view.health.as_str()),
        ("Ready", "Green")
    );
    assert_eq!(
        get_json(&format!("http://{}", a_view.cname), "/version")["container"],
        a_version.as_str()
    );
    assert_eq!(services.eb.running_containers().len(), 2);
    // `klue envs` sees both and marks B live.
    let listed = klue(&services, &dir, &["envs", "--json"], &[], "envs.log");
    assert_eq!(listed.code, Some(0), "{}", listed.describe());
    let listed = listed.json();
    let live: Vec<&str> = listed
        .as_array()
        .expect("a JSON array")
        .iter()
        .filter(|e| e["live"] == true)
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert_eq!(live, [b_env.as_str()], "{listed}");
    assert!(listed.to_string().contains(&a_env), "{listed}");
    // Times are RFC 3339 (`2026-12-07T11:05:00Z`), not seconds since 1970.
    let created = listed[0]["created"].as_str().unwrap_or_default();
    assert!(created.len() == 20 && created.ends_with('Z'), "{listed}");

    // 2b. `klue deploy --diff` against B: the same commit, secrets and settings: no change.
    let diff = klue(
        &services,
        &dir,
        &["deploy", "--diff", "--json"],
        &[],
        "diff-B.log",
    );
    assert_eq!(diff.code, Some(0), "{}", diff.describe());
    let found = diff.json();
    assert_eq!(found["changed"], false, "{found}");
    assert_eq!(found["live_environment"], b_env.as_str(), "{found}");

    // 2c. `klue rollback`: A, kept by B's deploy, is Ready, Green, passes its acceptance tests
    // and takes the live CNAME back; B keeps running.
    let rolled = klue(
        &services,
        &dir,
        &["rollback", "--json"],
        &[],
        "rollback.log",
    );
    assert_eq!(rolled.code, Some(0), "{}", rolled.describe());
    let back = rolled.json();
    assert_eq!(back["live_before"], b_env.as_str(), "{back}");
    assert_eq!(back["live_after"], a_env.as_str(), "{back}");
    assert_eq!(back["version"], a_version.as_str(), "{back}");
    assert_eq!(back["swapped"], true, "{back}");
    assert_eq!(back["live_url"], live_url.as_str(), "{back}");
    assert!(
        rolled
            .stderr
            .contains("test-environment: acceptance tests against"),
        "{}",
        rolled.describe()
    );
    assert_eq!(
        get_json(&live_url, "/version")["container"],
        a_version.as_str()
    );
    let envs = services.eb.environments();
    let b_view = envs
        .iter()
        .find(|e| e.name == b_env)
        .expect("B's environment");
    assert_eq!(b_view.status, "Ready");
    assert_eq!(
        get_json(&format!("http://{}", b_view.cname), "/version")["container"],
        b_version.as_str()
    );
    // B was replaced by a rollback, not kept by a deploy: nothing to roll back to now (exit 2,
    // nothing swapped).
    let again = klue(&services, &dir, &["rollback"], &[], "rollback-again.log");
    assert_eq!(again.code, Some(2), "{}", again.describe());
    assert!(
        again
            .stderr
            .contains("no previous environment to roll back to"),
        "{}",
        again.describe()
    );
    assert_eq!(
        get_json(&live_url, "/version")["container"],
        a_version.as_str()
    );

    // 3. C: its new environment answers with the deployer's HELLO_GREETING; the acceptance
    // tests against it fail, so no swap.
    let main_rs = dir.join("src/main.rs");
    let source = std::fs::read_to_string(&main_rs).unwrap();
    let changed = source.replace(
        "format!(\"Hello, {name}!\")",
        "format!(\"{}, {name}!\", std::env::var(\"HELLO_GREETING\").unwrap_or_else(|_| \"Hello\".into()))",
    );
    assert_ne!(
        source, changed,
        "the scaffold's say_hello greets with format!(\"Hello, {{name}}!\")"
    );
    std::fs::write(&main_rs, changed).unwrap();
    let mut secrets = std::fs::read_to_string(dir.join("env.secrets")).unwrap();
    secrets.push_str("HELLO_GREETING\n");
    std::fs::write(dir.join("env.secrets"), secrets).unwrap();
    git(&dir, &["add", "-A"]);
    git(
        &dir,
        &[
            "commit",
            "-q",
            "-m",
            "version C: greeting from HELLO_GREETING",
        ],
    );
    // --diff against A: a new commit and a new environment property (its value not shown).
    let diff = klue(
        &services,
        &dir,
        &["deploy", "--diff"],
        &[("HELLO_GREETING", "Howdy")],
        "diff-C.log",
    );
    assert_eq!(diff.code, Some(2), "{}", diff.describe());
    assert!(
        diff.stdout.contains(&format!("live environment {a_env}"))
            && diff.stdout.contains("* version: ")
            && diff
                .stdout
                .contains("* environment property HELLO_GREETING: added")
            && diff
                .stdout
                .contains("  environment property KLUE_JWT_SECRET: same")
            && !diff.stdout.contains("Howdy"),
        "{}",
        diff.describe()
    );
    let c_run = klue(
        &services,
        &dir,
        &["deploy", "--json"],
        &[("HELLO_GREETING", "Howdy")],
        "deploy-C.log",
    );
    assert_eq!(
        c_run.code,
        Some(1),
        "deploy of C must fail:\n{}",
        c_run.describe()
    );
    let c = c_run.json();
    let c_env = c["environment"].as_str().unwrap().to_owned();
    assert_eq!(c["success"], false, "{c}");
    assert_eq!(c["swapped"], false, "{c}");
    assert_eq!(c["failed_step"], "test-environment", "{c}");
    assert_eq!(c["previous_live_environment"], a_env.as_str(), "{c}");
    assert!(
        c_run.stderr.contains(&format!(
            "the live environment {a_env} was not touched: no swap"
        )),
        "{}",
        c_run.describe()
    );
    assert!(
        c_run.stderr.contains("hello_greets_by_name"),
        "{}",
        c_run.describe()
    );
    // The failed environment is terminated (without --keep-failed), so that nothing takes it
    // for the previous live one; nothing else is left behind but the version.
    assert_eq!(c["terminated_environment"], c_env.as_str(), "{c}");
    assert!(
        !c["left_behind"].to_string().contains(&c_env),
        "C's environment is terminated, not left behind: {c}"
    );
    // The property's value is never printed as a setting.
    assert!(
        !c_run.stderr.contains("HELLO_GREETING=Howdy"),
        "{}",
        c_run.describe()
    );
    // Live still serves A (rolled back to), with its greeting.
    assert_eq!(
        get_json(&live_url, "/version")["container"],
        a_version.as_str()
    );
    assert_eq!(
        get_json(&live_url, "/v1/hello?name=klue")["message"],
        "Hello, klue!"
    );
    let envs = services.eb.environments();
    let c_view = envs
        .iter()
        .find(|e| e.name == c_env)
        .expect("C's environment");
    let mut properties = c_view.property_names.clone();
    properties.sort();
    assert_eq!(properties, ["HELLO_GREETING", "KLUE_JWT_SECRET"]);
    assert!(
        matches!(c_view.status.as_str(), "Terminating" | "Terminated"),
        "{c_view:?}"
    );
    let c_version = c["version"].as_str().unwrap().to_owned();

    // `klue rollback --to` C: its environment is terminated, so refused (exit 2); A stays live.
    let to_c = klue(
        &services,
        &dir,
        &["rollback", "--to", &c_env, "--json"],
        &[],
        "rollback-to-C.log",
    );
    assert_eq!(to_c.code, Some(2), "{}", to_c.describe());
    assert_eq!(to_c.json()["swapped"], false, "{}", to_c.describe());
    assert_eq!(
        get_json(&live_url, "/version")["container"],
        a_version.as_str()
    );

    cleanup_leaves_live_and_previous(
        &services,
        &dir,
        &bucket,
        [&a_version, &b_version],
        &c_version,
    );

    eprintln!(
        "deploy e2e scenario: 3 deploys (A live, B swapped in, rolled back to A, C refused) and \
         a cleanup in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// Step 4, `klue cleanup`: a dry run (`--keep 0`) lists the previous environment and the versions
/// that would go, changing nothing; `--keep 1 --yes` deletes C's version, bundle and image and
/// leaves exactly the live and the previous environment's (counted in EB, S3 and the registry).
fn cleanup_leaves_live_and_previous(
    services: &TestServices,
    dir: &Path,
    bucket: &str,
    kept_versions: [&str; 2],
    c_version: &str,
) {
    let running: Vec<String> = services
        .eb
        .environments()
        .into_iter()
        .filter(|e| e.status == "Ready")
        .map(|e| e.name)
        .collect();
    assert_eq!(running.len(), 2, "live and previous run: {running:?}");
    let counts = || {
        let mut labels = services.eb.version_labels();
        labels.sort();
        let keys = services.moto.object_keys(bucket).expect("bundles listed");
        // The registry's storage outlives a run: only this run's tags count.
        let tags: Vec<String> = services
            .registry
            .tags(SERVICE)
            .expect("tags listed")
            .into_iter()
            .filter(|t| kept_versions.contains(&t.as_str()) || t == c_version)
            .collect();
        (labels, keys, tags)
    };
    let (labels, keys, tags) = counts();
    assert_eq!(
        (labels.len(), keys.len(), tags.len()),
        (3, 3, 3),
        "{labels:?} {keys:?} {tags:?}"
    );

    let dry = klue(
        services,
        dir,
        &["cleanup", "--keep", "0", "--dry-run", "--json"],
        &[],
        "cleanup-dry.log",
    );
    assert_eq!(dry.code, Some(0), "{}", dry.describe());
    let listed = dry.json();
    assert_eq!(listed["terminated"], false, "{listed}");
    assert_eq!(
        listed["environments"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    let mut would: Vec<String> = serde_json::from_value(listed["versions"].clone()).unwrap();
    would.sort();
    assert!(would.contains(&c_version.to_owned()), "{listed}");
    assert_eq!(
        would.len(),
        2,
        "the previous environment's and C's: {listed}"
    );
    assert_eq!(counts(), (labels, keys, tags), "a dry run changes nothing");

    let run = klue(
        services,
        dir,
        &["cleanup", "--keep", "1", "--yes", "--json"],
        &[],
        "cleanup.log",
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let done = run.json();
    assert_eq!(done["terminated"], true, "{done}");
    assert_eq!(done["environments"], serde_json::json!([]), "{done}");
    assert_eq!(done["versions"], serde_json::json!([c_version]), "{done}");
    let (labels, keys, tags) = counts();
    let mut expected: Vec<String> = kept_versions.iter().map(|v| (*v).to_owned()).collect();
    expected.sort();
    assert_eq!(
        labels, expected,
        "EB keeps the live and the previous version"
    );
    assert_eq!(tags, expected, "the registry keeps their images");
    assert_eq!(keys.len(), 2, "S3 keeps their bundles: {keys:?}");
    assert!(
        keys.iter().all(|k| !k.contains(c_version)),
        "C's bundle is gone: {keys:?}"
    );
}
