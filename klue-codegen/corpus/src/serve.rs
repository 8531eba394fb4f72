//! Starting generated servers: the runtime a stub server links (klue-core and tokio, built once
//! by cargo), starting one stub server, and probing it: its `/openapi.json`, then one request
//! per operation, each of which must be routed to its operation.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use klue_corpus::{listening_port, probes, routed};
use serde_json::Value;

use crate::check::Dependency;

/// What a stub server links: klue-core's and tokio's `.rlib`s and the native libraries of
/// their build scripts.
#[derive(Debug, Clone)]
pub struct Link {
    /// klue-core's `.rlib`.
    pub klue_core: PathBuf,
    /// tokio's `.rlib`.
    pub tokio: PathBuf,
    /// The `linked_paths` of the build scripts (ring's C code).
    pub native: Vec<PathBuf>,
}

/// Builds klue-core and tokio (`cargo build`, without debug info so that linking is fast) in a
/// scratch crate at `dir`, with the workspace's lock file and `target` as target directory.
pub fn build_runtime(dir: &Path, root: &Path, target: &Path) -> Result<(Dependency, Link), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let core = root.join("klue-core");
    let manifest = format!(
        "[package]\nname = \"klue-corpus-runtime\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\nklue-core = {{ path = {:?} }}\n\
         tokio = {{ version = \"1\", features = [\"rt-multi-thread\"] }}\n\n[workspace]\n",
        core.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["build", "--message-format=json", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo build of klue-core failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    link_from_messages(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| "cargo build did not report klue-core's and tokio's .rlib".to_owned())
}

/// The [`Link`] (and the dependency directory) in cargo's `--message-format=json` output.
fn link_from_messages(cargo_stdout: &str) -> Option<(Dependency, Link)> {
    let messages: Vec<Value> = cargo_stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let rlib = |name: &str| {
        messages
            .iter()
            .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == name)
            .flat_map(|v| v["filenames"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().map(PathBuf::from))
            .find(|f| f.extension().is_some_and(|e| e == "rlib"))
    };
    let native = messages
        .iter()
        .filter(|v| v["reason"] == "build-script-executed")
        .flat_map(|v| v["linked_paths"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| {
            let p = p.as_str()?;
            let path = p.split_once('=').map_or(p, |(_, path)| path);
            Some(PathBuf::from(path))
        })
        .collect();
    let klue_core = rlib("klue_core")?;
    let dependency = Dependency {
        rmeta: klue_core.clone(),
        deps: klue_core.parent()?.to_path_buf(),
    };
    let link = Link {
        klue_core,
        tokio: rlib("tokio")?,
        native,
    };
    Some((dependency, link))
}

/// How a stub server did.
#[derive(Debug, Clone, Default)]
pub struct Started {
    /// It listened and served its `/openapi.json`.
    pub started: bool,
    /// Why not: its error line, or what went wrong.
    pub failure: Option<String>,
    /// Operations probed.
    pub probed: usize,
    /// Operations whose probe was not routed to them: `(operation, answer)`.
    pub unrouted: Vec<(String, String)>,
}

/// The environment of a stub server: JWT secret, so that a test can send tokens.
pub const JWT_SECRET: &str = "klue-corpus-stub-server-secret";

/// Starts `binary` on a free port of 127.0.0.1, probes it, runs `during` with its port and
/// served spec while it still serves, and stops it.
pub fn start_and_probe<T>(
    binary: &Path,
    timeout: Duration,
    during: impl FnOnce(u16, &Value) -> T,
) -> (Started, Option<T>) {
    let mut result = Started::default();
    let (mut child, port, log) = match spawn(binary, timeout) {
        Ok(started) => started,
        Err(failure) => {
            result.failure = Some(failure);
            return (result, None);
        }
    };
    let outcome = probe(port, &mut result).map(|served| during(port, &served));
    let _ = child.kill();
    let _ = child.wait();
    if let Err(failure) = &outcome {
        let last = log.try_iter().last().unwrap_or_default();
        result.failure = Some(format!("{failure} (last log line: {last})"));
    }
    (result, outcome.ok())
}

/// Starts the server; its port, and the rest of its log lines.
fn spawn(binary: &Path, timeout: Duration) -> Result<(Child, u16, mpsc::Receiver<String>), String> {
    let mut child = Command::new(binary)
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("KLUE_LOG_FORMAT", "human")
        .env("KLUE_JWT_SECRET", JWT_SECRET)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawning the server: {e}"))?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let (lines, log) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let start = Instant::now();
    let mut seen = Vec::new();
    while start.elapsed() < timeout {
        match log.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                if let Some(port) = listening_port(&line) {
                    return Ok((child, port, log));
                }
                seen.push(line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.kill();
    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
    let error = seen
        .iter()
        .find(|l| l.contains("error") || l.contains("panicked"))
        .or(seen.last())
        .cloned()
        .unwrap_or_default();
    Err(format!("did not start ({status}): {error}"))
}

/// Reads the served spec and sends one request per operation.
fn probe(port: u16, result: &mut Started) -> Result<Value, String> {
    let (status, body) = request(port, "GET", "/openapi.json")?;
    if status != 200 {
        return Err(format!("GET /openapi.json answered {status}"));
    }
    let served: Value =
        serde_json::from_slice(&body).map_err(|e| format!("/openapi.json is not JSON: {e}"))?;
    result.started = true;
    for probe in probes(&served) {
        result.probed += 1;
        match request(port, &probe.method, &probe.target) {
            Ok((status, _)) if routed(status) => {}
            Ok((status, body)) => {
                let code = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v["error"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                result.unrouted.push((
                    probe.operation,
                    format!("{status} {code}").trim().to_owned(),
                ));
            }
            Err(e) => result.unrouted.push((probe.operation, e)),
        }
    }
    Ok(served)
}

/// One HTTP/1.1 request with no body; the status and the body (chunked or not).
pub fn request(port: u16, method: &str, target: &str) -> Result<(u16, Vec<u8>), String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connecting: {e}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Length: 0\r\n\r\n"
    );
    stream
        .write_all(head.as_bytes())
        .map_err(|e| format!("sending: {e}"))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .map_err(|e| format!("reading the answer: {e}"))?;
    parse_response(&answer).ok_or_else(|| "a malformed answer".to_owned())
}

/// The status and body of an HTTP/1.1 response.
fn parse_response(answer: &[u8]) -> Option<(u16, Vec<u8>)> {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&answer[..end]).ok()?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let body = &answer[end + 4..];
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    Some((
        status,
        if chunked {
            dechunk(body)?
        } else {
            body.to_vec()
        },
    ))
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_parsed_plain_and_chunked() {
        let plain = b"HTTP/1.1 501 Not Implemented\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parse_response(plain), Some((501, b"{}".to_vec())));
        let chunked =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked), Some((200, b"abcde".to_vec())));
        assert_eq!(parse_response(b"HTTP/1.1 200"), None);
    }

    #[test]
    fn the_link_is_read_from_cargo_messages() {
        let lines = [
            r#"{"reason":"build-script-executed","package_id":"ring","linked_libs":["static=ring_core"],"linked_paths":["native=/t/debug/build/ring-1/out"]}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"tokio"},"filenames":["/t/debug/deps/libtokio-1.rlib","/t/debug/deps/libtokio-1.rmeta"]}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"klue_core"},"filenames":["/t/debug/deps/libklue_core-2.rlib"]}"#,
        ];
        let (dependency, link) = link_from_messages(&lines.join("\n")).unwrap();
        assert_eq!(dependency.deps, PathBuf::from("/t/debug/deps"));
        assert_eq!(link.tokio, PathBuf::from("/t/debug/deps/libtokio-1.rlib"));
        assert_eq!(
            link.native,
            vec![PathBuf::from("/t/debug/build/ring-1/out")]
        );
        assert!(link_from_messages(lines[0]).is_none());
    }
}
