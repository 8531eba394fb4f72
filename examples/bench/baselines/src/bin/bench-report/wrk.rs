//! Running wrk and parsing what it prints, and the CPU time of the server from `/proc`.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::{command_output, Args, Endpoint, Result};

/// What one wrk run printed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WrkResult {
    pub(crate) rps: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// Socket errors plus HTTP statuses >= 400, as counted by the scripts.
    pub(crate) errors: u64,
    /// wrk's "Non-2xx or 3xx responses" count.
    pub(crate) non2xx: u64,
    /// CPU time the server process spent per request (user + system), in microseconds: unlike
    /// req/s, barely moved by what else runs on the machine.
    pub(crate) cpu_us_per_req: Option<f64>,
}

/// User + system CPU seconds of process `pid`, from `/proc/<pid>/stat`.
pub(crate) fn process_cpu_seconds(pid: u32) -> Option<f64> {
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

pub(crate) fn run_wrk(
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
}
