//! `klue logs` against the live environment A: its events and a line the service itself logged
//! (the access log of a request made here, found by its `X-Request-Id`); `--json`; an unknown
//! environment refused (exit 2); `--follow` prints a request made while it runs, once, and
//! stops on ctrl-c with exit 0.

use std::io::BufRead;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use klue_testsupport::eb::cname_address;
use klue_testsupport::http::blocking_request;
use klue_testsupport::TestServices;

use super::{klue, klue_command};

/// `GET /v1/hello` on the live URL with `X-Request-Id: id`, which the access log records.
fn hello(live_url: &str, id: &str) {
    let host_port = live_url.trim_start_matches("http://").trim_end_matches('/');
    let url = format!("http://{}/v1/hello?name=logs", cname_address(host_port));
    let response =
        blocking_request("GET", &url, &[("x-request-id", id)], "").expect("GET /v1/hello");
    assert_eq!(response.status, 200, "{}", response.text());
}

/// The scenario's step 1b; `env` is A's environment, live at `live_url`.
pub fn logs_show_events_and_what_the_service_logged(
    services: &TestServices,
    dir: &Path,
    live_url: &str,
    env: &str,
) {
    let id = format!("klue-logs-e2e-{}", std::process::id());
    hello(live_url, &id);
    let run = klue(services, dir, &["logs"], &[], "logs.log");
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let event = format!("INFO  Successfully launched environment: {env}");
    assert!(
        run.stdout.lines().any(|l| l.ends_with(&event)),
        "an event line: {}",
        run.describe()
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("[i-") && l.contains(&id) && l.contains("request")),
        "the access log line of request {id}: {}",
        run.describe()
    );

    let run = klue(
        services,
        dir,
        &["logs", "--json", "--lines", "5"],
        &[],
        "logs-json.log",
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let events = lines.iter().filter(|l| l["type"] == "event").count();
    assert!((1..=5).contains(&events), "{}", run.stdout);
    assert!(
        lines.iter().any(|l| l["type"] == "log"
            && l["environment"] == env
            && l["line"]
                .as_str()
                .unwrap_or_default()
                .contains("request_id")),
        "{}",
        run.stdout
    );

    let run = klue(
        services,
        dir,
        &["logs", "--env", "nonexistent"],
        &[],
        "logs-unknown.log",
    );
    assert_eq!(run.code, Some(2), "{}", run.describe());
    assert!(
        run.stderr.contains("has no environment nonexistent") && run.stderr.contains("klue envs"),
        "{}",
        run.describe()
    );

    follow_prints_new_lines_once(services, dir, live_url);
}

/// `klue logs --follow`: a request made after its first tail shows up within a bound, once.
fn follow_prints_new_lines_once(services: &TestServices, dir: &Path, live_url: &str) {
    let mut child = klue_command(services, dir, &["logs", "--follow", "--lines", "5"], &[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("klue logs --follow starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let (lines, received) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed: Vec<String> = Vec::new();
    let wait_for = |needle: &str, bound: Duration, printed: &mut Vec<String>| {
        let deadline = Instant::now() + bound;
        while Instant::now() < deadline {
            if let Ok(line) = received.recv_timeout(Duration::from_millis(200)) {
                printed.push(line);
            }
            if printed.iter().any(|l| l.contains(needle)) {
                return true;
            }
        }
        false
    };
    // The first tail: the access log of the requests made so far.
    let first = wait_for("request_id=", Duration::from_secs(60), &mut printed);
    let id = format!("klue-logs-follow-{}", std::process::id());
    hello(live_url, &id);
    let started = Instant::now();
    let seen = first && wait_for(&id, Duration::from_secs(60), &mut printed);
    let latency = started.elapsed();
    // Two more rounds: the line must not come again.
    wait_for("never printed", Duration::from_secs(3), &mut printed);
    // ctrl-c ends it, with exit 0.
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            _ if Instant::now() > deadline => break None,
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "ctrl-c (SIGINT) stops --follow with exit 0"
    );
    assert!(
        seen,
        "no line with {id} within 60 s:\n{}",
        printed.join("\n")
    );
    assert_eq!(
        printed.iter().filter(|l| l.contains(&id)).count(),
        1,
        "printed once:\n{}",
        printed.join("\n")
    );
    eprintln!("klue logs --follow: the new request's log line in {latency:.1?}");
}
