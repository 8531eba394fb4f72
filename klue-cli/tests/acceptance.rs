//! `run_acceptance_tests` (and `klue test`) as a user runs them, with real processes on
//! 127.0.0.1: against the helloworld service, against a fake server that accepts any token,
//! against nothing, and with a fake `docker` CLI for `--image`.
//!
//! Two of these run cargo inside the test (`cargo build -p helloworld`, and the runner's own
//! `cargo test` of `testaccept/`); cargo holds no build lock while test binaries run, so the inner
//! builds share the workspace's target directory.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

const SECRET: &str = "acceptance-runner-secret-acceptance-runner";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("klue-cli is in the workspace")
        .to_owned()
}

fn testaccept_dir() -> String {
    workspace().join("testaccept").display().to_string()
}

/// A command for `bin` with no KLUE_* settings from the caller's environment but the secret.
fn command(bin: &str, args: &[&str]) -> Command {
    let mut command = Command::new(bin);
    command.args(args).current_dir(workspace());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("KLUE_") {
            command.env_remove(name);
        }
    }
    command.env("KLUE_JWT_SECRET", SECRET);
    command
}

fn runner(args: &[&str]) -> Command {
    command(env!("CARGO_BIN_EXE_run_acceptance_tests"), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs and reports what a user would see, for failure messages.
fn output(mut command: Command) -> (Output, String, String) {
    let out = command.output().expect("the runner starts");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    (out, stdout, stderr)
}

/// A port of 127.0.0.1 that nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A child process killed when the test ends, pass or fail.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds the helloworld service and returns its executable, as cargo reports it (so the target
/// directory and profile are whatever this build uses).
fn helloworld_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "build",
            "-p",
            "helloworld",
            "--bin",
            "helloworld",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(workspace())
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo build -p helloworld failed");
    text(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == "helloworld")
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the helloworld executable")
}

/// The closing `N passed, M failed` line's numbers.
fn counts(stdout: &str) -> Option<(usize, usize)> {
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty())?;
    let (passed, failed) = last.split_once(" passed, ")?;
    let failed = failed.strip_suffix(" failed")?;
    Some((passed.parse().ok()?, failed.parse().ok()?))
}

#[test]
fn passes_against_the_helloworld_service() {
    let binary = helloworld_binary();
    let port = free_port().to_string();
    let _server = Killed(
        command(
            &binary.display().to_string(),
            &["--port", &port, "--host", "127.0.0.1"],
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("helloworld starts"),
    );
    let (out, stdout, stderr) = output(runner(&[
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--timeout",
        "60",
        "--testaccept",
        &testaccept_dir(),
    ]));
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    let (passed, failed) = counts(&stdout).unwrap_or_else(|| panic!("no summary in:\n{stdout}"));
    assert!(passed >= 7 && failed == 0, "stdout:\n{stdout}");
    for test in ["has_ping", "has_version", "has_auth_version", "whoami"] {
        assert!(
            stderr.contains(&format!("test {test} ... ok")),
            "no progress line for {test} in:\n{stderr}"
        );
    }
    assert!(stderr.contains(&format!(
        "ping: http://127.0.0.1:{port}/ping answered 200 {{}}"
    )));
}

/// Reads one request's head; answers as helloworld would, except that `/auth/version` takes any
/// `Authorization` header.
fn answer(stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorized = false;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        authorized |= header.to_ascii_lowercase().starts_with("authorization:");
    }
    let path = request_line.split(' ').nth(1).unwrap_or("");
    let version = r#"{"name":"helloworld","version":"1.0.0","container":""}"#;
    let (status, body) = match path {
        "/ping" => ("200 OK", "{}"),
        "/version" => ("200 OK", version),
        "/auth/version" if authorized => ("200 OK", version),
        "/auth/version" => (
            "401 Unauthorized",
            r#"{"status":401,"error":"AUTHORIZATION_HEADER_MISSING","error_description":"There is no Authorization header in the HTTP request","error_id":"5b0f3c9e-8d1a-4c6e-9f2b-3a4d5e6f7a8b"}"#,
        ),
        _ => (
            "404 Not Found",
            r#"{"status":404,"error":"ROUTE_NOT_FOUND"}"#,
        ),
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// A server on a free port that answers [`answer`]; it lives until the test process ends.
fn fake_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    port
}

#[test]
fn names_the_failing_test_and_its_assertion() {
    let port = fake_server().to_string();
    let (out, stdout, stderr) = output(runner(&[
        "--port",
        &port,
        "--testaccept",
        &testaccept_dir(),
        "--json",
        "has_ping",
        "has_version",
        "has_auth_version",
    ]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!("stdout is not one JSON document ({err}):\n{stdout}\nstderr:\n{stderr}")
    });
    assert_eq!(report["success"], false);
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(2), Some(1))
    );
    let failed: Vec<&Value> = report["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .filter(|t| t["outcome"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{report:#}");
    assert_eq!(failed[0]["name"], "has_auth_version");
    let message = failed[0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("Authorization: 'Bearer1234567890' was not refused"),
        "message: {message}"
    );
    // A person reading stderr sees the same: the progress line, the failure, the counts.
    assert!(
        stderr.contains("test has_auth_version ... FAILED"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\nfailures:\n  has_auth_version (at "),
        "{stderr}"
    );
    assert!(stderr.contains("    assertion `left == right` failed: Authorization: 'Bearer1234567890' was not refused"), "{stderr}");
    assert!(stderr.contains("\n2 passed, 1 failed\n"), "{stderr}");
}

#[test]
fn a_server_that_never_answers_is_a_clear_error_within_the_timeout() {
    let port = free_port();
    let started = Instant::now();
    let (out, stdout, stderr) = output(runner(&[
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--timeout",
        "2",
        "--testaccept",
        &testaccept_dir(),
    ]));
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(took >= Duration::from_secs(2), "gave up early: {took:?}");
    assert!(stdout.is_empty(), "stdout: {stdout}");
    assert!(
        stderr.contains(&format!(
            "error: no answer from http://127.0.0.1:{port}/ping within 2 s (last attempt: "
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n  hint: start the service first"),
        "{stderr}"
    );
}

#[test]
fn klue_test_is_the_same_command() {
    let port = free_port();
    let (out, _, stderr) = output(command(
        env!("CARGO_BIN_EXE_klue"),
        &[
            "test",
            "--port",
            &port.to_string(),
            "--timeout",
            "1",
            "--testaccept",
            &testaccept_dir(),
        ],
    ));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "no answer from http://127.0.0.1:{port}/ping within 1 s"
        )),
        "{stderr}"
    );
}

#[test]
fn without_a_key_there_is_no_token_and_a_hint() {
    let mut runner = runner(&["--json", "--testaccept", &testaccept_dir()]);
    runner.env_remove("KLUE_JWT_SECRET");
    let (out, stdout, stderr) = output(runner);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "error: no JWT key to mint the test token with: KLUE_JWT_SECRET is not set\n  \
             hint: export KLUE_JWT_SECRET=<the server's secret>"
        ),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(stdout.trim()).expect("JSON on stdout");
    assert_eq!(report["success"], false);
    assert!(report["hint"]
        .as_str()
        .unwrap_or("")
        .contains("KLUE_JWT_SECRET"));
}

#[test]
fn a_missing_testaccept_crate_is_named() {
    let (out, _, stderr) = output(runner(&["--testaccept", "no/such/dir"]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: no acceptance-test crate at 'no/such/dir'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: run from the service's root directory"),
        "{stderr}"
    );
}

/// A fresh directory under cargo's scratch space for integration tests.
fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "acceptance-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

#[test]
fn live_reads_live_url_from_klue_yaml() {
    let dir = scratch("live");
    let run = |dir: &Path| {
        let mut runner = runner(&[
            "--live",
            "--timeout",
            "1",
            "--testaccept",
            &testaccept_dir(),
        ]);
        runner.current_dir(dir);
        output(runner)
    };
    let (out, _, stderr) = run(&dir);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--live reads live_url from klue.yaml, which cannot be read in "),
        "{stderr}"
    );
    assert!(stderr.contains("hint: add `live_url: "), "{stderr}");

    std::fs::write(dir.join("klue.yaml"), "name: helloworld\n").expect("written");
    let (_, _, stderr) = run(&dir);
    assert!(
        stderr.contains("error: klue.yaml has no live_url"),
        "{stderr}"
    );

    let port = free_port();
    std::fs::write(
        dir.join("klue.yaml"),
        format!("live_url: http://127.0.0.1:{port}\n"),
    )
    .expect("written");
    let (out, _, stderr) = run(&dir);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("target: http://127.0.0.1:{port} (--live")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("no answer from http://127.0.0.1:{port}/ping")),
        "{stderr}"
    );

    // An https live URL is a target like any other (this machine has no network: no answer).
    std::fs::write(dir.join("klue.yaml"), "live_url: https://api.example.com\n").expect("written");
    let (out, _, stderr) = run(&dir);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("target: https://api.example.com:443 (--live"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no answer from https://api.example.com:443/ping"),
        "{stderr}"
    );
}

/// A `docker` that logs its arguments to `$FAKE_DOCKER_LOG`; `version` fails when
/// `$FAKE_DOCKER_DOWN` is set, like a CLI without an engine.
#[cfg(unix)]
fn fake_docker(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("docker");
    std::fs::write(
        &script,
        r#"#!/bin/sh
echo "$*" >> "$FAKE_DOCKER_LOG"
case "$1" in
  version)
    if [ -n "$FAKE_DOCKER_DOWN" ]; then
      echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
      exit 1
    fi
    echo 28.2.2 ;;
  run) echo 0123456789abcdef0123456789abcdef ;;
  logs) echo "service log line" ;;
esac
"#,
    )
    .expect("script written");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("executable");
}

#[cfg(unix)]
fn docker_runner(bin_dir: &Path, log: &Path, timeout: &str, env: &[(&str, &str)]) -> Command {
    let mut runner = runner(&[
        "--image",
        "example/service:1.0",
        "--timeout",
        timeout,
        "--testaccept",
        &testaccept_dir(),
    ]);
    // Only the fake docker on PATH (its shebang names sh): the real CLI must not be reached.
    runner
        .env("PATH", bin_dir)
        .env("FAKE_DOCKER_LOG", log)
        .env("KLUE_JWT_AUDIENCE", "acceptance");
    runner.envs(env.iter().copied());
    runner
}

#[cfg(unix)]
#[test]
fn image_container_is_stopped_when_the_server_never_answers() {
    let dir = scratch("docker");
    fake_docker(&dir);
    let log = dir.join("docker.log");
    let (out, _, stderr) = output(docker_runner(&dir, &log, "2", &[]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("(--image example/service:1.0, container 0123456789ab)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("service log line"),
        "the container's logs are shown: {stderr}"
    );
    assert!(
        stderr.contains("docker: stopping container 0123456789ab"),
        "{stderr}"
    );
    let log = std::fs::read_to_string(&log).expect("docker was called");
    let calls: Vec<&str> = log.lines().collect();
    let id = "0123456789abcdef0123456789abcdef";
    assert_eq!(calls.len(), 4, "{log}");
    assert_eq!(calls[0], "version --format {{.Server.Version}}");
    let run = calls[1];
    assert!(
        run.starts_with(
            "run -d --rm --network host -e KLUE_JWT_AUDIENCE -e KLUE_JWT_SECRET \
             example/service:1.0 --port "
        ),
        "{run}"
    );
    let port = run.rsplit(' ').next().unwrap_or("");
    assert!(
        stderr.contains(&format!(
            "no answer from http://127.0.0.1:{port}/ping within 2 s"
        )),
        "{stderr}"
    );
    assert_eq!(calls[2], format!("logs --tail 50 {id}"));
    assert_eq!(calls[3], format!("stop --time 5 {id}"));
    assert!(
        !log.contains(SECRET),
        "the secret is on a command line: {log}"
    );
}

#[cfg(unix)]
#[test]
fn image_without_docker_is_a_clear_error() {
    let dir = scratch("docker-down");
    fake_docker(&dir);
    let log = dir.join("docker.log");
    let (out, _, stderr) = output(docker_runner(&dir, &log, "2", &[("FAKE_DOCKER_DOWN", "1")]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "error: the docker engine is not reachable: Cannot connect to the Docker daemon"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint: start the docker daemon"), "{stderr}");
    assert!(!std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("run "));

    let empty = scratch("no-docker");
    let (out, _, stderr) = output(docker_runner(&empty, &log, "2", &[]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: --image needs the docker CLI, and there is no `docker` on PATH"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: install Docker"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_container_too() {
    let dir = scratch("docker-ctrl-c");
    fake_docker(&dir);
    let log = dir.join("docker.log");
    // A timeout long enough that only the signal can end the ping wait.
    let mut child = Killed(
        docker_runner(&dir, &log, "60", &[])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the runner starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("run -d")
    {
        assert!(Instant::now() < deadline, "the container was never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Give the runner a moment to be in its ping wait, with its signal handler installed.
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the runner ignored ctrl-c"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.0.stderr.as_mut().expect("stderr piped"), &mut stderr)
        .expect("stderr read");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("error: interrupted (ctrl-c): the run was stopped"),
        "{stderr}"
    );
    let log = std::fs::read_to_string(&log).expect("docker log");
    assert!(
        log.lines()
            .any(|l| l == "stop --time 5 0123456789abcdef0123456789abcdef"),
        "{log}"
    );
}

/// A TLS-terminating proxy on 127.0.0.1 in front of `backend_port`, with a fresh self-signed
/// certificate for `localhost`; returns its port and the certificate (PEM) to trust.
fn tls_proxy(backend_port: u16) -> (u16, String) {
    use std::sync::Arc;

    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("self-signed certificate");
    let cert_pem = certified.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    if let Ok(mut backend) =
                        tokio::net::TcpStream::connect(("127.0.0.1", backend_port)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut backend).await;
                    }
                });
            }
        });
    });
    (port, cert_pem)
}

#[test]
fn passes_over_https_with_a_private_ca() {
    let binary = helloworld_binary();
    let backend = free_port().to_string();
    let _server = Killed(
        command(
            &binary.display().to_string(),
            &["--port", &backend, "--host", "127.0.0.1"],
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("helloworld starts"),
    );
    let (port, cert_pem) = tls_proxy(backend.parse().expect("port"));
    let ca = scratch("https-ca").join("ca.pem");
    std::fs::write(&ca, cert_pem).expect("write CA");
    let port = port.to_string();
    let ca_path = ca.display().to_string();
    let base = [
        "--host",
        "localhost",
        "--port",
        &port,
        "--https",
        "--timeout",
        "60",
        "--testaccept",
        &testaccept_dir(),
    ];

    // Without the CA the certificate is not trusted: the ping wait says so and names the URL.
    let mut untrusted = base.to_vec();
    untrusted[6] = "3";
    let (out, _, stderr) = output(runner(&untrusted));
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("https://localhost:{port}/ping")),
        "{stderr}"
    );

    let mut trusted = base.to_vec();
    trusted.extend(["--ca-file", &ca_path]);
    let (out, stdout, stderr) = output(runner(&trusted));
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    let (passed, failed) = counts(&stdout).unwrap_or_else(|| panic!("no summary in:\n{stdout}"));
    assert!(passed >= 7 && failed == 0, "stdout:\n{stdout}");
    assert!(stderr.contains(&format!(
        "ping: https://localhost:{port}/ping answered 200 {{}}"
    )));
}
