//! `klue generate --server-stub`: the crate it writes builds, and its binary serves every
//! operation with 501 NOT_IMPLEMENTED (and the built-ins) on the `--port` it is given.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Kills the stub server when the test ends, passed or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` on 127.0.0.1:`port`: the status and the body, or `None` when nothing answers.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.split(' ').nth(1)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

#[test]
fn server_stub_crate_builds_and_answers_501_for_every_operation() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = tmp.join("generated-stub");
    let _ = std::fs::remove_dir_all(&out);
    let result = Command::new(env!("CARGO_BIN_EXE_klue"))
        .current_dir(root)
        .args(["generate", "apis/fixtures/openapi30/stubs.yaml", "-o"])
        .arg(&out)
        // klue-core by version, patched to this checkout (not on crates.io yet).
        .arg("--klue-path")
        .arg(root)
        .arg("--server-stub")
        .output()
        .expect("klue runs");
    assert!(result.status.success(), "{}", text(&result.stderr));
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains(&format!("klue-core = \"{}\"", env!("CARGO_PKG_VERSION"))),
        "{manifest}"
    );
    let patched = manifest
        .lines()
        .skip_while(|line| *line != "[patch.crates-io]")
        .find_map(|line| line.strip_prefix("klue-core = { path = \""))
        .and_then(|rest| rest.strip_suffix("\" }"))
        .unwrap_or_else(|| panic!("no klue-core patch: {manifest}"));
    assert_eq!(
        std::fs::canonicalize(out.join(patched)).unwrap(),
        std::fs::canonicalize(root.join("klue-core")).unwrap(),
        "{manifest}"
    );
    let main = std::fs::read_to_string(out.join("src/main.rs")).expect("main.rs");
    assert!(main.contains("impl StubsApi for Service {}"), "{main}");

    // The workspace's dependency versions and target directory: compiled dependencies reused.
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).expect("lock file");
    let target = tmp.parent().expect("the target directory");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let build = Command::new(cargo)
        .args(["build", "--quiet", "--offline"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo build runs");
    assert!(build.status.success(), "{}", text(&build.stderr));

    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let binary = target.join("debug").join("stubs-api");
    let _server = Server(
        Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the stub server starts"),
    );
    let started = Instant::now();
    let ping = loop {
        if let Some(answer) = get(port, "/ping") {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the stub server does not answer"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ping.0, 200, "{}", ping.1);
    for path in ["/pets", "/pets/3"] {
        let (status, body) = get(port, path).expect("an answer");
        assert_eq!(status, 501, "{path}: {body}");
        let envelope: serde_json::Value = serde_json::from_str(&body).expect("the error envelope");
        assert_eq!(envelope["error"], "NOT_IMPLEMENTED", "{path}: {body}");
    }
    let (status, _) = get(port, "/version").expect("an answer");
    assert_eq!(status, 200);
    let _ = std::fs::remove_dir_all(&out);
}
