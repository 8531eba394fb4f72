//! Run with: cargo run --release -p bench-baselines --bin bench-report -- --rounds 3 --duration 8
//!
//! The benchmark runner. It builds the servers (`cargo build --release -p bench -p
//! bench-baselines`), then, `--rounds` times and interleaved (raw hyper, klue generated,
//! axum, raw hyper, ...), starts each release binary on a free port, checks that it serves
//! the workload correctly, warms it up, measures `GET /ping` and `POST /v1/items` with `wrk`
//! and the scripts of `examples/bench/wrk/`, and kills it. The report gives the median of
//! the rounds per server and endpoint, and ratios against the raw hyper server: the machines
//! are shared and noisy, so absolute figures alone mean little.
//!
//! The report goes to `--out` (default `examples/bench/REPORT.md`) and to stdout; progress
//! goes to stderr.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bench_baselines::{mint_token, DEFAULT_AUDIENCE, DEFAULT_SECRET};
use clap::Parser;

type Error = Box<dyn std::error::Error>;
type Result<T, E = Error> = std::result::Result<T, E>;

/// Benchmarks the klue-generated server against raw hyper and axum and writes a report.
#[derive(Debug, Parser)]
struct Args {
    /// Seconds of each measured wrk run.
    #[arg(long, default_value_t = 8)]
    duration: u64,
    /// How many times the whole set of servers is measured (interleaved); medians are reported.
    #[arg(long, default_value_t = 3)]
    rounds: u32,
    /// wrk connections (-c).
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// wrk threads (-t).
    #[arg(long, default_value_t = 1)]
    threads: u32,
    /// Seconds of the discarded warm-up wrk run, per endpoint and server start (0: none).
    #[arg(long, default_value_t = 1)]
    warmup: u64,
    /// Where to write the markdown report (default: `<workspace>/examples/bench/REPORT.md`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Do not run `cargo build --release -p bench -p bench-baselines` first.
    #[arg(long)]
    skip_build: bool,
    /// Skip (with a loud warning in the report) a server whose binary is missing instead of failing.
    #[arg(long)]
    allow_missing: bool,
}

/// One measured server.
#[derive(Debug)]
struct Server {
    label: &'static str,
    bin: &'static str,
}

const SERVERS: [Server; 3] = [
    Server {
        label: "raw hyper",
        bin: "bench-raw-hyper",
    },
    Server {
        label: "klue generated",
        bin: "bench",
    },
    Server {
        label: "axum",
        bin: "bench-axum",
    },
];

/// One measured endpoint.
#[derive(Debug)]
struct Endpoint {
    label: &'static str,
    path: &'static str,
    script: &'static str,
}

const ENDPOINTS: [Endpoint; 2] = [
    Endpoint {
        label: "GET /ping",
        path: "/ping",
        script: "ping.lua",
    },
    Endpoint {
        label: "POST /v1/items",
        path: "/v1/items",
        script: "items.lua",
    },
];

/// The body `items.lua` sends.
const ITEM_BODY: &str = r#"{"name":"apple","price":1.5,"tags":["fruit","red"]}"#;
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// What one wrk run printed.
#[derive(Debug, Clone, Copy)]
struct WrkResult {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Socket errors plus HTTP statuses >= 400, as counted by the scripts.
    errors: u64,
    /// wrk's "Non-2xx or 3xx responses" count.
    non2xx: u64,
    /// CPU time the server process spent per request (user + system), in microseconds: unlike
    /// req/s, barely moved by what else runs on the machine.
    cpu_us_per_req: Option<f64>,
}

/// The results of one server start: one `WrkResult` per endpoint.
#[derive(Debug)]
struct Run {
    round: u32,
    server: usize,
    results: Vec<WrkResult>,
}

/// Everything the report needs.
#[derive(Debug)]
struct Outcome {
    runs: Vec<Run>,
    /// Per server: whether it was measured (false: missing binary, skipped).
    present: Vec<bool>,
    /// Problems found: (server index, text).
    flags: BTreeSet<(usize, String)>,
}

/// Kills the server when dropped, whatever happened in between.
#[derive(Debug)]
struct ServerGuard {
    child: Child,
    label: &'static str,
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("    {} stopped", self.label);
    }
}

fn main() {
    let args = Args::parse();
    if let Err(err) = run(&args) {
        eprintln!("bench-report: error: {err}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<()> {
    if args.rounds == 0 || args.duration == 0 {
        return Err("--rounds and --duration must be at least 1".into());
    }
    if args.threads == 0 || args.connections < args.threads {
        return Err("wrk needs --threads >= 1 and --connections >= --threads".into());
    }
    let root = workspace_root()?;
    let wrk = find_in_path("wrk").ok_or(
        "`wrk` was not found in PATH. Install it (Debian/Ubuntu: `apt-get install -y wrk`) and retry.",
    )?;
    let scripts = root.join("examples/bench/wrk");
    for endpoint in &ENDPOINTS {
        let script = scripts.join(endpoint.script);
        if !script.is_file() {
            return Err(format!("wrk script {} is missing", script.display()).into());
        }
    }

    if !args.skip_build {
        build(&root)?;
    }

    let target = target_dir(&root);
    let mut present = Vec::new();
    let mut warnings = Vec::new();
    for server in &SERVERS {
        let bin = target.join("release").join(server.bin);
        let found = bin.is_file();
        if !found {
            let text = format!(
                "the {} server binary {} does not exist (build it with `cargo build --release -p {}`)",
                server.label,
                bin.display(),
                if server.bin == "bench" { "bench" } else { "bench-baselines" },
            );
            if !args.allow_missing {
                return Err(format!("{text}; pass --allow-missing to skip it").into());
            }
            eprintln!("WARNING: {text}: SKIPPED (--allow-missing)");
            warnings.push(format!(
                "**WARNING: the {} server was NOT measured**: {text}; skipped because of `--allow-missing`.",
                server.label
            ));
        }
        present.push(found);
    }

    let token = mint_token(
        DEFAULT_SECRET.as_bytes(),
        "bench-user",
        DEFAULT_AUDIENCE,
        3600,
    )?;
    let logs = target.join("bench-report");
    std::fs::create_dir_all(&logs)?;
    let mut outcome = Outcome {
        runs: Vec::new(),
        present,
        flags: BTreeSet::new(),
    };
    let started = SystemTime::now();
    let load_before = read_trimmed("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" ") + " (1/5/15 min)");
    for round in 1..=args.rounds {
        for (index, server) in SERVERS.iter().enumerate() {
            if !outcome.present[index] {
                continue;
            }
            eprintln!("[round {round}/{}] {}", args.rounds, server.label);
            let bin = target.join("release").join(server.bin);
            let log = logs.join(format!("{}-round{round}.log", server.bin));
            let results = measure_server(
                args,
                server,
                &bin,
                &log,
                &wrk,
                &scripts,
                &token,
                &mut |flag| {
                    outcome.flags.insert((index, flag));
                },
            )?;
            outcome.runs.push(Run {
                round,
                server: index,
                results,
            });
        }
    }

    let report = render(args, &outcome, &warnings, started, load_before.as_deref());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("examples/bench/REPORT.md"));
    if let Some(parent) = out.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)?;
        }
    }
    std::fs::write(&out, &report)
        .map_err(|err| format!("could not write {}: {err}", out.display()))?;
    eprintln!("report written to {}", out.display());
    print!("{report}");
    Ok(())
}

/// `CARGO_MANIFEST_DIR` is `<root>/examples/bench/baselines`; the root is the nearest
/// ancestor whose `Cargo.toml` declares `[workspace]`.
fn workspace_root() -> Result<PathBuf> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .skip(1)
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|toml| toml.lines().any(|line| line.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("no workspace Cargo.toml above {}", manifest_dir.display()).into())
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn build(root: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building: cargo build --release -p bench -p bench-baselines");
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "bench", "-p", "bench-baselines"])
        .current_dir(root)
        .stdout(std::io::stderr())
        .status()
        .map_err(|err| format!("could not run cargo: {err}"))?;
    if !status.success() {
        return Err(format!("cargo build failed ({status})").into());
    }
    Ok(())
}

/// Starts one server, checks it, warms it up, measures every endpoint and kills it.
#[allow(clippy::too_many_arguments)]
fn measure_server(
    args: &Args,
    server: &Server,
    bin: &Path,
    log: &Path,
    wrk: &Path,
    scripts: &Path,
    token: &str,
    flag: &mut dyn FnMut(String),
) -> Result<Vec<WrkResult>> {
    let port = free_port()?;
    let log_file = File::create(log)?;
    let child = Command::new(bin)
        .args(["--port", &port.to_string()])
        .env("KLUE_JWT_SECRET", DEFAULT_SECRET)
        .env("KLUE_JWT_AUDIENCE", DEFAULT_AUDIENCE)
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .map_err(|err| format!("could not start {}: {err}", bin.display()))?;
    let mut guard = ServerGuard {
        child,
        label: server.label,
    };
    eprintln!(
        "    started {} on port {port} (log: {})",
        bin.display(),
        log.display()
    );
    wait_ready(&mut guard, port, log)?;

    for problem in conformance(port, token) {
        eprintln!("    WARNING: {problem}");
        flag(problem);
    }

    if args.warmup > 0 {
        for endpoint in &ENDPOINTS {
            run_wrk(args, wrk, scripts, endpoint, port, token, args.warmup)?;
        }
    }
    let mut results = Vec::new();
    let pid = guard.child.id();
    for endpoint in &ENDPOINTS {
        let cpu_before = process_cpu_seconds(pid);
        let mut result = run_wrk(args, wrk, scripts, endpoint, port, token, args.duration)?;
        #[allow(clippy::cast_precision_loss)]
        let requests = result.rps * args.duration as f64;
        result.cpu_us_per_req = match (cpu_before, process_cpu_seconds(pid)) {
            (Some(before), Some(after)) if requests > 0.0 => {
                Some((after - before) * 1e6 / requests)
            }
            _ => None,
        };
        eprintln!(
            "    {:<15} {:>9.0} req/s  p50 {:.2} ms  p99 {:.2} ms  errors {}  non-2xx {}",
            endpoint.label, result.rps, result.p50_ms, result.p99_ms, result.errors, result.non2xx
        );
        if result.errors > 0 || result.non2xx > 0 {
            flag(format!(
                "{}: wrk counted {} errors and {} non-2xx/3xx responses",
                endpoint.label, result.errors, result.non2xx
            ));
        }
        results.push(result);
    }
    if let Some(status) = guard.child.try_wait()? {
        flag(format!(
            "the server exited ({status}) during the measurement"
        ));
    }
    Ok(results)
}

/// User + system CPU seconds of process `pid`, from `/proc/<pid>/stat`.
fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    let ticks: f64 = command_output("getconf", &["CLK_TCK"])
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(100.0);
    Some((utime + stime) / ticks)
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

fn wait_ready(guard: &mut ServerGuard, port: u16, log: &Path) -> Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Some(status) = guard.child.try_wait()? {
            return Err(format!(
                "{} exited ({status}) before answering GET /ping; its log ({}):\n{}",
                guard.label,
                log.display(),
                log_tail(log)
            )
            .into());
        }
        let last = match http_request(port, "GET", "/ping", &[], "") {
            Ok(response) if response.status == 200 => return Ok(()),
            Ok(response) => format!("GET /ping answered {}", response.status),
            Err(err) => err.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "{} did not answer GET /ping with 200 on port {port} within {} s (last: {last}); its log ({}):\n{}",
                guard.label,
                READY_TIMEOUT.as_secs(),
                log.display(),
                log_tail(log)
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Checks that the server does the work being measured; returns the problems found.
fn conformance(port: u16, token: &str) -> Vec<String> {
    let bearer = format!("Bearer {token}");
    let json = ("Content-Type", "application/json");
    let with_token = [("Authorization", bearer.as_str()), json];
    let bad_token = [("Authorization", "Bearer not.a.jwt"), json];
    let items = "/v1/items";
    let checks: [Check<'_>; 8] = [
        ("GET /ping", "GET", "/ping", &[], "", 200, None),
        (
            "POST /v1/items (valid)",
            "POST",
            items,
            &with_token,
            ITEM_BODY,
            200,
            None,
        ),
        (
            "POST /v1/items (no Authorization)",
            "POST",
            items,
            &[json],
            ITEM_BODY,
            401,
            Some("AUTHORIZATION_HEADER_MISSING"),
        ),
        (
            "POST /v1/items (bad token)",
            "POST",
            items,
            &bad_token,
            ITEM_BODY,
            401,
            Some("TOKEN_INVALID"),
        ),
        (
            "POST /v1/items (invalid body)",
            "POST",
            items,
            &with_token,
            r#"{"name":"","price":-1}"#,
            400,
            Some("INVALID_PARAMETER"),
        ),
        (
            "POST /v1/items (bad JSON)",
            "POST",
            items,
            &with_token,
            r#"{"name":"#,
            400,
            Some("INVALID_PARAMETER"),
        ),
        (
            "GET /nope",
            "GET",
            "/nope",
            &[],
            "",
            404,
            Some("ROUTE_NOT_FOUND"),
        ),
        (
            "DELETE /ping",
            "DELETE",
            "/ping",
            &[],
            "",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
    ];
    let mut problems = Vec::new();
    for check in checks {
        match run_check(port, check) {
            Ok(item) if check.0 == "POST /v1/items (valid)" => {
                let id_ok = item["id"]
                    .as_str()
                    .and_then(|id| uuid::Uuid::parse_str(id).ok())
                    .is_some_and(|id| id.get_version_num() == 4);
                if !id_ok
                    || item["name"] != "apple"
                    || item["price"] != 1.5
                    || item["tags"] != serde_json::json!(["fruit", "red"])
                {
                    problems.push(format!("{}: unexpected item {item}", check.0));
                }
            }
            Ok(_) => {}
            Err(problem) => problems.push(problem),
        }
    }
    problems
}

/// (what, method, path, headers, body, expected status, expected error code).
type Check<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a str,
    u16,
    Option<&'a str>,
);

fn run_check(port: u16, check: Check<'_>) -> Result<serde_json::Value, String> {
    let (what, method, path, headers, body, status, code) = check;
    let response = http_request(port, method, path, headers, body)
        .map_err(|err| format!("{what}: request failed: {err}"))?;
    let excerpt: String = response.body.chars().take(200).collect();
    if response.status != status {
        return Err(format!(
            "{what}: expected {status}, got {} {excerpt}",
            response.status
        ));
    }
    let value: serde_json::Value = serde_json::from_str(&response.body)
        .map_err(|err| format!("{what}: the body is not JSON ({err}): {excerpt}"))?;
    if let Some(code) = code {
        let envelope_ok = value["status"] == status
            && value["error"] == code
            && value["error_description"].is_string()
            && value["error_id"]
                .as_str()
                .and_then(|id| uuid::Uuid::parse_str(id).ok())
                .is_some();
        if !envelope_ok {
            return Err(format!(
                "{what}: expected the error envelope with error {code}, got {excerpt}"
            ));
        }
    }
    Ok(value)
}

#[derive(Debug)]
struct HttpResponse {
    status: u16,
    body: String,
}

/// A minimal HTTP/1.1 client (one request per connection) for readiness and conformance checks.
fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<HttpResponse> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    if !body.is_empty() || method == "POST" {
        let _ = write!(request, "Content-Length: {}\r\n", body.len());
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, payload) = text
        .split_once("\r\n\r\n")
        .ok_or("incomplete HTTP response")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or("malformed HTTP status line")?;
    let chunked = head.lines().any(|line| {
        line.to_ascii_lowercase()
            .replace(' ', "")
            .starts_with("transfer-encoding:chunked")
    });
    let body = if chunked {
        dechunk(payload)
    } else {
        payload.to_owned()
    };
    Ok(HttpResponse { status, body })
}

fn dechunk(mut payload: &str) -> String {
    let mut body = String::new();
    while let Some((size, rest)) = payload.split_once("\r\n") {
        let size =
            usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        body.push_str(&rest[..size]);
        payload = rest[size..].trim_start_matches("\r\n");
    }
    body
}

fn run_wrk(
    args: &Args,
    wrk: &Path,
    scripts: &Path,
    endpoint: &Endpoint,
    port: u16,
    token: &str,
    seconds: u64,
) -> Result<WrkResult> {
    let script = scripts.join(endpoint.script);
    let url = format!("http://127.0.0.1:{port}{}", endpoint.path);
    let output = Command::new(wrk)
        .arg(format!("-t{}", args.threads))
        .arg(format!("-c{}", args.connections))
        .arg(format!("-d{seconds}s"))
        .arg("-s")
        .arg(&script)
        .arg(&url)
        .env("TOKEN", token)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("could not run wrk: {err}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let parsed = if output.status.success() {
        parse_wrk(&stdout)
    } else {
        None
    };
    parsed.ok_or_else(|| {
        format!(
            "wrk on {url} failed ({}) or printed no RESULT line:\n{stdout}{stderr}",
            output.status
        )
        .into()
    })
}

/// Reads `RESULT rps=… p50_ms=… p99_ms=… errors=…` and wrk's non-2xx count.
fn parse_wrk(stdout: &str) -> Option<WrkResult> {
    let line = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("RESULT "))?;
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    };
    let non2xx = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    Some(WrkResult {
        rps: field("rps")?.parse().ok()?,
        p50_ms: field("p50_ms")?.parse().ok()?,
        p99_ms: field("p99_ms")?.parse().ok()?,
        errors: field("errors")?.parse().ok()?,
        non2xx,
        cpu_us_per_req: None,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Median figures of one server on one endpoint.
#[derive(Debug, Clone, Copy)]
struct Summary {
    rps: f64,
    rps_min: f64,
    rps_max: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    non2xx: u64,
    /// Median server CPU microseconds per request, when measured.
    cpu_us: Option<f64>,
}

fn summarize(outcome: &Outcome, server: usize, endpoint: usize) -> Option<Summary> {
    let results: Vec<WrkResult> = outcome
        .runs
        .iter()
        .filter(|run| run.server == server)
        .map(|run| run.results[endpoint])
        .collect();
    if results.is_empty() {
        return None;
    }
    let rps: Vec<f64> = results.iter().map(|r| r.rps).collect();
    Some(Summary {
        rps_min: rps.iter().copied().fold(f64::INFINITY, f64::min),
        rps_max: rps.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        rps: median(rps),
        p50_ms: median(results.iter().map(|r| r.p50_ms).collect()),
        p99_ms: median(results.iter().map(|r| r.p99_ms).collect()),
        errors: results.iter().map(|r| r.errors).sum(),
        non2xx: results.iter().map(|r| r.non2xx).sum(),
        cpu_us: {
            let cpu: Vec<f64> = results.iter().filter_map(|r| r.cpu_us_per_req).collect();
            (!cpu.is_empty()).then(|| median(cpu))
        },
    })
}

/// The median over rounds of `server`'s req/s divided by raw hyper's in the same round. Rounds
/// run the servers back to back, so this pairs measurements taken under the same machine load.
fn paired_ratio(outcome: &Outcome, server: usize, endpoint: usize) -> Option<f64> {
    let rps_of = |server: usize, round: u32| {
        outcome
            .runs
            .iter()
            .find(|run| run.server == server && run.round == round)
            .map(|run| run.results[endpoint].rps)
    };
    let ratios: Vec<f64> = outcome
        .runs
        .iter()
        .filter(|run| run.server == server)
        .filter_map(|run| {
            let base = rps_of(0, run.round)?;
            (base > 0.0).then(|| run.results[endpoint].rps / base)
        })
        .collect();
    (!ratios.is_empty()).then(|| median(ratios))
}

fn render(
    args: &Args,
    outcome: &Outcome,
    warnings: &[String],
    started: SystemTime,
    load_before: Option<&str>,
) -> String {
    let mut md = String::new();
    let cpus = command_output("nproc", &[]).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into())
    });
    let kernel = command_output("uname", &["-r"]).unwrap_or_else(|| "?".into());
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")?
                    .split_once(':')
                    .map(|(_, m)| m.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let wrk_version = command_output("wrk", &["-v"])
        .and_then(|v| v.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "wrk".into());

    let _ = writeln!(md, "# klue benchmark report\n");
    for warning in warnings {
        let _ = writeln!(md, "> {warning}\n");
    }
    let _ = writeln!(md, "- Date: {}", utc_date(started));
    let _ = writeln!(
        md,
        "- Machine: {cpus} CPUs (`nproc`), {cpu_model}, Linux `{kernel}` (`uname -r`); \
         load average before the run: {}",
        load_before.unwrap_or("?")
    );
    let _ = writeln!(
        md,
        "- wrk: `{wrk_version}`, on the same machine as the servers: `wrk -t{} -c{} -d{}s -s <script>`, \
         scripts from `examples/bench/wrk/`",
        args.threads, args.connections, args.duration
    );
    let _ = writeln!(
        md,
        "- {} round(s), servers interleaved in the order raw hyper, klue generated, axum; each \
         server start is checked for conformance and warmed up ({} s of wrk per endpoint, \
         discarded); the figures are the medians of the rounds (errors: the sum)",
        args.rounds, args.warmup
    );
    let _ = writeln!(
        md,
        "- Compare the ratios, not the absolute figures: the machines are shared and noisy. \
         \"per-round ratio\" divides each server's req/s by raw hyper's in the same round (measured \
         back to back) and takes the median over rounds: the figure least sensitive to load drift. \
         \"server CPU µs/req\" is the server process's user+system time (`/proc/<pid>/stat`) during \
         the measured run divided by the requests served (lower is better): it does not depend on \
         how much CPU other processes leave the server.\n"
    );

    for (e, endpoint) in ENDPOINTS.iter().enumerate() {
        let _ = writeln!(md, "## `{}`\n", endpoint.label);
        let _ = writeln!(
            md,
            "| server | req/s (median) | req/s min–max | p50 ms | p99 ms | errors | req/s vs raw hyper | per-round ratio (median) | server CPU µs/req | CPU vs raw hyper |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let baseline = summarize(outcome, 0, e).map(|s| s.rps);
        let baseline_cpu = summarize(outcome, 0, e).and_then(|s| s.cpu_us);
        for (s, server) in SERVERS.iter().enumerate() {
            let Some(summary) = summarize(outcome, s, e) else {
                let why = if outcome.present[s] {
                    "no data"
                } else {
                    "**SKIPPED: binary missing**"
                };
                let _ = writeln!(md, "| {} | {why} | | | | | | | | |", server.label);
                continue;
            };
            let errors = if summary.errors > 0 || summary.non2xx > 0 {
                format!("**⚠ {} ({} non-2xx)**", summary.errors, summary.non2xx)
            } else {
                "0".to_owned()
            };
            let ratio = match baseline {
                Some(base) if base > 0.0 => format!("{:.2}", summary.rps / base),
                _ => "n/a".to_owned(),
            };
            let paired =
                paired_ratio(outcome, s, e).map_or_else(|| "n/a".to_owned(), |r| format!("{r:.2}"));
            let cpu = summary
                .cpu_us
                .map_or_else(|| "n/a".to_owned(), |c| format!("{c:.1}"));
            let cpu_ratio = match (summary.cpu_us, baseline_cpu) {
                (Some(c), Some(b)) if b > 0.0 => format!("{:.2}", c / b),
                _ => "n/a".to_owned(),
            };
            let _ = writeln!(
                md,
                "| {} | {:.0} | {:.0}–{:.0} | {:.2} | {:.2} | {errors} | {ratio} | {paired} | {cpu} | {cpu_ratio} |",
                server.label,
                summary.rps,
                summary.rps_min,
                summary.rps_max,
                summary.p50_ms,
                summary.p99_ms
            );
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "## Flags\n");
    if outcome.flags.is_empty() && warnings.is_empty() {
        let _ = writeln!(
            md,
            "None: every server passed the conformance checks, and wrk counted no errors and no \
             non-2xx responses.\n"
        );
    } else {
        for warning in warnings {
            let _ = writeln!(md, "- ⚠ {warning}");
        }
        for (server, text) in &outcome.flags {
            let _ = writeln!(md, "- ⚠ **{}**: {text}", SERVERS[*server].label);
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "## Every round\n");
    let mut header = String::from("| round | server |");
    let mut rule = String::from("|---:|---|");
    for endpoint in &ENDPOINTS {
        let _ = write!(header, " `{}` req/s | p99 ms |", endpoint.label);
        rule.push_str("---:|---:|");
    }
    let _ = writeln!(md, "{header}\n{rule}");
    for run in &outcome.runs {
        let _ = write!(md, "| {} | {} |", run.round, SERVERS[run.server].label);
        for result in &run.results {
            let _ = write!(md, " {:.0} | {:.2} |", result.rps, result.p99_ms);
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md);

    let _ = writeln!(md, "## How to reproduce\n");
    let _ = writeln!(
        md,
        "`cargo run --release -p bench-baselines --bin bench-report` (needs `wrk`; options: \
         `--rounds {} --duration {} --connections {} --threads {} --warmup {}`, `--out FILE`, \
         `--skip-build`, `--allow-missing`). This run: `bench-report {}`.",
        args.rounds,
        args.duration,
        args.connections,
        args.threads,
        args.warmup,
        std::env::args().skip(1).collect::<Vec<_>>().join(" ")
    );
    md
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
}

/// `YYYY-MM-DD HH:MM UTC` without a date crate (civil-from-days, proleptic Gregorian).
fn utc_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrk_output() {
        let out = "Running 2s test @ http://127.0.0.1:1/ping\n  Non-2xx or 3xx responses: 7\n\
                   RESULT rps=81234 p50_ms=0.35 p99_ms=1.20 errors=3\n";
        let r = parse_wrk(out).unwrap();
        assert_eq!(r.rps, 81234.0);
        assert_eq!(r.p50_ms, 0.35);
        assert_eq!(r.p99_ms, 1.2);
        assert_eq!(r.errors, 3);
        assert_eq!(r.non2xx, 7);
        assert!(parse_wrk("nothing").is_none());
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn dates() {
        assert_eq!(utc_date(UNIX_EPOCH), "1970-01-01 00:00 UTC");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // 2024-02-29 12:34:56
        assert_eq!(utc_date(t), "2024-02-29 12:34 UTC");
    }

    #[test]
    fn dechunks() {
        assert_eq!(dechunk("2\r\n{}\r\n0\r\n\r\n"), "{}");
    }
}
