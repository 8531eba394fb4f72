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

mod conformance;
mod report;
mod servers;
mod wrk;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use bench_baselines::{mint_token, DEFAULT_AUDIENCE, DEFAULT_SECRET};
use clap::Parser;

use crate::report::{render, Outcome, Run};
use crate::servers::measure_server;

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
