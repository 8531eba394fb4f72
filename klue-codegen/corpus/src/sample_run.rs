//! The compile stage of a corpus run over GitHub's spec and the sample: each generated file is
//! either checked (`rustc --emit=metadata`) or, by default, built into a stub server that is
//! started and probed, and for the fuzzed subset run under schemathesis while it serves.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use klue_corpus::{
    group, group_occurrences, normalize_cause, server_trait, stub_server_source, CheckTime,
    FuzzRow, GithubResult, GithubServed, Report,
};

use crate::check::{build_dependency, Checked, Checker};
use crate::fuzz::{Fuzzed, Fuzzer};
use crate::serve::{build_runtime, start_and_probe, Link, Started};

/// What [`check_sample`] checks, and how.
#[derive(Debug)]
pub struct Checking<'a> {
    /// The specs that generated (indexes into `names`).
    pub ok_ids: &'a [usize],
    /// Every sampled spec's name.
    pub names: &'a [String],
    /// Where `spec_NNNN.rs` and `github.rs` were generated.
    pub gen_dir: &'a Path,
    /// Scratch space.
    pub check_dir: &'a Path,
    /// The workspace root.
    pub root: &'a Path,
    /// The target directory of klue-core's build.
    pub target: &'a Path,
    /// Checks at a time.
    pub jobs: usize,
    /// One spec's time limit (GitHub's is four times as long).
    pub timeout: Duration,
    /// Keep the diagnostics.
    pub keep: bool,
    /// Build, start and probe servers (else only check).
    pub serve: Option<Serving>,
}

/// How servers are started and fuzzed.
#[derive(Debug)]
pub struct Serving {
    /// How long a server may take to listen.
    pub start_timeout: Duration,
    /// schemathesis, when the subset is fuzzed.
    pub fuzzer: Option<Fuzzer>,
    /// The specs fuzzed (indexes into `names`).
    pub fuzz_ids: BTreeSet<usize>,
    /// The rule that chose them, for the report.
    pub fuzz_rule: String,
}

/// What one spec's file gave.
#[derive(Debug, Default)]
struct Outcome {
    checked: Checked,
    started: Option<Started>,
    fuzzed: Option<Fuzzed>,
}

/// Builds the runtime, then handles GitHub's generated file and the sample's, `jobs` at a time
/// (GitHub's first, then the sample largest first); records the outcome in `report` and
/// `github`.
pub fn check_sample(
    report: &mut Report,
    github: &mut Option<GithubResult>,
    c: &Checking<'_>,
) -> Result<(), String> {
    report.check_jobs = c.jobs;
    report.check_timeout_secs = c.timeout.as_secs();
    let start = Instant::now();
    let (dependency, link) = match &c.serve {
        Some(_) => {
            let (dependency, link) = build_runtime(&c.check_dir.join("runtime"), c.root, c.target)?;
            (dependency, Some(link))
        }
        None => (
            build_dependency(&c.check_dir.join("dependency"), c.root, c.target)?,
            None,
        ),
    };
    report.dependency_secs = start.elapsed().as_secs_f64();
    eprintln!(
        "klue-corpus: klue-core built in {:.0} s",
        report.dependency_secs
    );
    let out_dir = c.check_dir.join("out");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let checker = Checker {
        rustc: std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()),
        dependency,
        out_dir,
        keep: c.keep,
    };
    let one = |crate_name: &str, file: &Path, timeout: Duration, fuzz: bool| match (&link, &c.serve)
    {
        (Some(link), Some(serving)) => {
            serve_one(&checker, link, serving, crate_name, file, timeout, fuzz)
        }
        _ => Outcome {
            checked: checker.check(crate_name, file, timeout),
            ..Outcome::default()
        },
    };
    report.serve.enabled = c.serve.is_some();

    // GitHub's file first, then the sample largest first, `jobs` at a time: while GitHub's
    // long, mostly single-threaded build runs, the other workers go through the sample.
    let github_file = github
        .as_ref()
        .filter(|g| g.generate_error.is_none())
        .map(|g| {
            eprintln!(
                "klue-corpus: compiling github ({} bytes) with the sample",
                g.bytes
            );
            c.gen_dir.join("github.rs")
        });
    let mut queue: Vec<Job> = c
        .ok_ids
        .iter()
        .map(|&id| {
            let file = c.gen_dir.join(format!("spec_{id:04}.rs"));
            let bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
            Job {
                id: Some(id),
                file,
                bytes,
            }
        })
        .collect();
    queue.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.id.cmp(&b.id)));
    if let Some(file) = github_file {
        queue.insert(
            0,
            Job {
                id: None,
                file,
                bytes: 0,
            },
        );
    }
    let start = Instant::now();
    let results: Vec<Mutex<Option<Outcome>>> = queue.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let sample_len = c.ok_ids.len();
    std::thread::scope(|scope| {
        for _ in 0..c.jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = queue.get(i) else {
                    break;
                };
                let outcome = match job.id {
                    None => {
                        let outcome = one("github", &job.file, c.timeout * 4, false);
                        eprintln!(
                            "klue-corpus: github compiled in {:.0} s, compiles: {}",
                            outcome.checked.secs,
                            outcome.checked.ok()
                        );
                        outcome
                    }
                    Some(id) => {
                        let fuzz = c.serve.as_ref().is_some_and(|s| s.fuzz_ids.contains(&id));
                        let outcome = one(&format!("spec_{id:04}"), &job.file, c.timeout, fuzz);
                        log_outcome(&c.names[id], &outcome);
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if n % 25 == 0 || n == sample_len {
                            eprintln!(
                                "klue-corpus: compiled {n}/{sample_len} in {:.0} s",
                                start.elapsed().as_secs_f64()
                            );
                        }
                        outcome
                    }
                };
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(outcome);
                }
            });
        }
    });
    report.check_secs = start.elapsed().as_secs_f64();
    let mut outcomes = Vec::with_capacity(queue.len());
    for (job, slot) in queue.iter().zip(results) {
        let outcome = slot
            .into_inner()
            .ok()
            .flatten()
            .ok_or("a compile thread panicked")?;
        match (job.id, github.as_mut()) {
            (Some(id), _) => outcomes.push((id, job.bytes, outcome)),
            (None, Some(g)) => record_github(report, g, outcome),
            (None, None) => {}
        }
    }
    record_compiles(report, c.names, &mut outcomes);
    if let Some(serving) = &c.serve {
        record_servers(report, c.names, serving, &outcomes);
    }
    Ok(())
}

/// One file to compile: a spec of the sample (`id`), or GitHub's (`None`).
struct Job {
    id: Option<usize>,
    file: PathBuf,
    bytes: u64,
}

/// GitHub's outcome, in `g` and the report.
fn record_github(report: &mut Report, g: &mut GithubResult, outcome: Outcome) {
    g.check_secs = outcome.checked.secs;
    g.check_peak_kib = outcome.checked.peak_kib;
    g.compiles = Some(outcome.checked.ok());
    g.compile_groups = group_occurrences(outcome.checked.problems());
    if let Some(started) = outcome.started {
        report.serve.github = Some(GithubServed {
            started: started.started,
            failure: started.failure,
            probed: started.probed,
            unrouted: started.unrouted,
            build_secs: outcome.checked.secs,
        });
    }
}

fn log_outcome(name: &str, outcome: &Outcome) {
    if !outcome.checked.ok() {
        let first = outcome.checked.problems().first().map(|p| p.1.to_owned());
        eprintln!(
            "klue-corpus: {name} fails to compile: {}",
            first.unwrap_or_default()
        );
    }
    if let Some(started) = &outcome.started {
        if let Some(failure) = &started.failure {
            eprintln!("klue-corpus: {name}'s server fails: {failure}");
        }
        if let Some((operation, answer)) = started.unrouted.first() {
            eprintln!(
                "klue-corpus: {name}: {} operations not routed, e.g. {operation}: {answer}",
                started.unrouted.len()
            );
        }
    }
    if let Some(fuzzed) = &outcome.fuzzed {
        eprintln!(
            "klue-corpus: {name}: schemathesis {:.0} s, {} findings{}",
            fuzzed.secs,
            fuzzed.findings.len(),
            fuzzed
                .error
                .as_deref()
                .map(|e| format!(", error: {e}"))
                .unwrap_or_default()
        );
    }
}

/// Builds, starts, probes (and maybe fuzzes) one stub server; the binary is deleted after.
fn serve_one(
    checker: &Checker,
    link: &Link,
    serving: &Serving,
    crate_name: &str,
    file: &Path,
    timeout: Duration,
    fuzz: bool,
) -> Outcome {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let Some(trait_name) = server_trait(&text) else {
        return Outcome {
            checked: Checked::failed("no server trait in the generated file".to_owned()),
            ..Outcome::default()
        };
    };
    let absolute = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let root = checker.out_dir.join(format!("{crate_name}_main.rs"));
    let source = stub_server_source(&absolute.to_string_lossy(), trait_name);
    if let Err(e) = std::fs::write(&root, source) {
        return Outcome {
            checked: Checked::failed(format!("io: {}: {e}", root.display())),
            ..Outcome::default()
        };
    }
    // GitHub's build is the longest: 16 codegen units let its back end use the idle core at
    // the end of the run; the sample's builds, two at a time, cost less CPU in one.
    let codegen_units = if crate_name == "github" { 16 } else { 1 };
    let (checked, binary) = checker.build_server(crate_name, &root, link, timeout, codegen_units);
    if !checker.keep {
        let _ = std::fs::remove_file(&root);
    }
    if !checked.ok() {
        let _ = std::fs::remove_file(&binary);
        return Outcome {
            checked,
            ..Outcome::default()
        };
    }
    let fuzzer = serving.fuzzer.as_ref().filter(|_| fuzz);
    let (started, fuzzed) = start_and_probe(&binary, serving.start_timeout, |port, served| {
        fuzzer.map(|f| f.fuzz(crate_name, port, served))
    });
    let _ = std::fs::remove_file(&binary);
    Outcome {
        checked,
        started: Some(started),
        fuzzed: fuzzed.flatten(),
    }
}

fn record_compiles(report: &mut Report, names: &[String], outcomes: &mut [(usize, u64, Outcome)]) {
    report.check_sum_secs = outcomes.iter().map(|(_, _, o)| o.checked.secs).sum();
    report.compiled = outcomes.iter().filter(|(_, _, o)| o.checked.ok()).count();
    report.compile_groups = group(outcomes.iter().flat_map(|(id, _, o)| {
        o.checked
            .problems()
            .into_iter()
            .map(|(cause, message)| (cause, names[*id].as_str(), message))
    }));
    report.compile_first_groups = group(outcomes.iter().filter_map(|(id, _, o)| {
        let problems = o.checked.problems();
        let (cause, message) = problems.into_iter().next()?;
        Some((cause, names[*id].as_str(), message))
    }));
    outcomes.sort_by(|a, b| b.2.checked.secs.total_cmp(&a.2.checked.secs));
    report.slowest_checks = outcomes
        .iter()
        .take(10)
        .map(|(id, bytes, o)| CheckTime {
            spec: names[*id].clone(),
            bytes: *bytes,
            secs: o.checked.secs,
            peak_kib: o.checked.peak_kib,
            ok: o.checked.ok(),
        })
        .collect();
}

fn record_servers(
    report: &mut Report,
    names: &[String],
    serving: &Serving,
    outcomes: &[(usize, u64, Outcome)],
) {
    let serve = &mut report.serve;
    let started: Vec<(usize, &Started)> = outcomes
        .iter()
        .filter_map(|(id, _, o)| Some((*id, o.started.as_ref()?)))
        .collect();
    serve.started = started.iter().filter(|(_, s)| s.started).count();
    serve.start_groups = group(started.iter().filter_map(|(id, s)| {
        let failure = s.failure.as_deref()?;
        Some((normalize_cause(failure), names[*id].as_str(), failure))
    }));
    serve.probed = started.iter().map(|(_, s)| s.probed).sum();
    serve.unrouted = started.iter().map(|(_, s)| s.unrouted.len()).sum();
    serve.unrouted_groups = group(started.iter().flat_map(|(id, s)| {
        s.unrouted.iter().map(|(operation, answer)| {
            (
                normalize_cause(answer),
                names[*id].as_str(),
                operation.as_str(),
            )
        })
    }));
    serve.fuzz_rule = serving.fuzz_rule.clone();
    if let Some(f) = &serving.fuzzer {
        serve.fuzz_settings = format!(
            "schemathesis, checks positive_data_acceptance and negative_data_rejection, phases \
             examples, coverage and fuzzing, {} examples per operation, seed {}, statuses as \
             `.ci/corpus-schemathesis.toml` says",
            f.max_examples, f.seed
        );
    }
    let mut fuzzed: Vec<(usize, &Fuzzed, usize)> = outcomes
        .iter()
        .filter_map(|(id, _, o)| {
            let operations = o.started.as_ref().map_or(0, |s| s.probed);
            Some((*id, o.fuzzed.as_ref()?, operations))
        })
        .collect();
    fuzzed.sort_by_key(|(id, _, _)| *id);
    serve.fuzzed = fuzzed
        .iter()
        .map(|(id, f, operations)| {
            let count = |code: &str| {
                f.findings
                    .iter()
                    .filter(|x| x.check.starts_with(code))
                    .count()
            };
            let refused_valid = count("ST202");
            let accepted_invalid = count("ST201");
            FuzzRow {
                spec: names[*id].clone(),
                operations: *operations,
                secs: f.secs,
                error: f.error.clone(),
                refused_valid,
                accepted_invalid,
                other: f.findings.len() - refused_valid - accepted_invalid,
                known: f
                    .findings
                    .iter()
                    .filter(|x| x.known_cause().is_some())
                    .count(),
            }
        })
        .collect();
    serve.fuzz_groups = group(fuzzed.iter().flat_map(|(id, f, _)| {
        f.findings.iter().map(|x| {
            let cause = normalize_cause(&x.cause());
            let cause = match x.known_cause() {
                Some(known) => format!("{cause} → {known}"),
                None => cause,
            };
            (cause, names[*id].as_str(), x.operation.as_str())
        })
    }));
}
