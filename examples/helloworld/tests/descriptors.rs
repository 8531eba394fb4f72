//! Out of file descriptors: silent connections fill a low descriptor limit, `accept` fails,
//! the server backs off and logs a bounded number of lines, the idle timeout frees the
//! descriptors, and `/ping` is answered again.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The server's descriptor limit: a dozen for the runtime, the rest for connections.
const DESCRIPTOR_LIMIT: u32 = 64;
/// Silent connections opened: more than the limit leaves room for.
const SILENT_CONNECTIONS: usize = 150;

fn log_text(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn ping(port: u16) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.write_all(b"GET /ping HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

#[cfg(unix)]
#[test]
fn out_of_descriptors_the_server_backs_off_and_recovers_when_idle_connections_close() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let log_path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("descriptors-{}.log", std::process::id()));
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut server = Command::new("sh")
        .args([
            "-c",
            &format!("ulimit -n {DESCRIPTOR_LIMIT} && exec \"$0\" \"$@\""),
            env!("CARGO_BIN_EXE_helloworld"),
            "--port",
            &port.to_string(),
            "--host",
            "127.0.0.1",
        ])
        .env("RUST_LOG", "warn")
        .env("KLUE_HEADER_READ_TIMEOUT", "1")
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("helloworld starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while ping(port).is_err() {
        assert!(Instant::now() < deadline, "helloworld did not start");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Connections that send nothing: the kernel completes them all, the server runs out of
    // descriptors accepting them.
    let silent: Vec<TcpStream> = (0..SILENT_CONNECTIONS)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connect"))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !log_text(&log_path).contains("accept failed") {
        assert!(Instant::now() < deadline, "accept never failed");
        std::thread::sleep(Duration::from_millis(10));
    }
    let first_failure = Instant::now();

    // The idle timeout closes the silent connections a batch at a time; this request waits
    // its turn behind them and is answered.
    let answer = ping(port).expect("/ping is answered once descriptors are free");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let failing_for = first_failure.elapsed();

    let _ = server.kill();
    let _ = server.wait();
    drop(silent);
    let text = log_text(&log_path);
    let lines = text.lines().filter(|l| l.contains("accept failed")).count();
    // At most one line a second (plus the first).
    let bound = failing_for.as_secs() as usize + 2;
    assert!(
        lines <= bound,
        "{lines} 'accept failed' lines in {failing_for:?}:\n{text}"
    );
    assert!(
        text.contains("failures="),
        "the lines count failures:\n{text}"
    );
    eprintln!(
        "{SILENT_CONNECTIONS} silent connections under a limit of {DESCRIPTOR_LIMIT}: \
         /ping answered {failing_for:?} after accept first failed; {lines} log lines"
    );
    let _ = std::fs::remove_file(&log_path);
}
