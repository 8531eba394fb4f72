//! Starting a server, waiting until it answers, measuring it and stopping it.

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bench_baselines::{DEFAULT_AUDIENCE, DEFAULT_SECRET};

use crate::conformance::{conformance, http_request};
use crate::wrk::{process_cpu_seconds, run_wrk, WrkResult};
use crate::{Args, Result, Server, ENDPOINTS};

const READY_TIMEOUT: Duration = Duration::from_secs(30);

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

/// Starts one server, checks it, warms it up, measures every endpoint and kills it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn measure_server(
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
