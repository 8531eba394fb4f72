//! Generating the corpus: GitHub's spec first and alone (timed, median of three runs), then
//! the sample `jobs` at a time, each spec in a child process ([`generate`]); what failed is
//! grouped by cause into the report.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use klue_corpus::{group, group_occurrences, GithubResult, Report};
use serde_json::Value;

use crate::generate::{generate, Generated};
use crate::{api_name, file_size};

/// Generates GitHub's spec (`github_spec`) into `code`, three times when it generates, and
/// reports the median time; `None` when the spec is missing.
pub fn github(
    github_spec: &Path,
    specs_dir: &Path,
    code: &Path,
    timeout: Duration,
) -> Result<Option<GithubResult>, String> {
    if !github_spec.is_file() {
        eprintln!(
            "klue-corpus: {} not found: GitHub left out",
            github_spec.display()
        );
        return Ok(None);
    }
    let text = std::fs::read_to_string(github_spec).map_err(|e| e.to_string())?;
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
    // Timed over three runs, each in a fresh process, and reported by the median: one run
    // right after the binary was built is often slowed by the machine's disk and caches.
    let mut g = generate(github_spec, "github", code, timeout)?;
    let mut runs_ms = vec![g.ms];
    if g.ok {
        for _ in 0..2 {
            runs_ms.push(generate(github_spec, "github", code, timeout)?.ms);
        }
        let mut sorted = runs_ms.clone();
        sorted.sort_by(f64::total_cmp);
        g.ms = sorted[sorted.len() / 2];
    }
    eprintln!(
        "klue-corpus: github codegen {:.0} ms (median of {:.0?}), ok: {}",
        g.ms, runs_ms, g.ok
    );
    Ok(Some(GithubResult {
        path: github_spec
            .strip_prefix(specs_dir)
            .unwrap_or(github_spec)
            .to_string_lossy()
            .into_owned(),
        operations,
        schemas,
        codegen_ms: g.ms,
        codegen_runs_ms: runs_ms,
        generate_error: (!g.ok).then(|| g.first.clone()),
        generate_groups: group_occurrences(
            g.all
                .iter()
                .map(|m| (klue_corpus::normalize_cause(m), m.as_str())),
        ),
        lines: g.lines,
        bytes: if g.ok { file_size(code) } else { 0 },
        ..GithubResult::default()
    }))
}

/// Generates each of `sampled` (named `names`) into `gen_dir/spec_NNNN.rs`, `jobs` at a time,
/// records the outcome in `report`, and returns the ids of those that generated.
pub fn sample(
    sampled: &[std::path::PathBuf],
    names: &[String],
    gen_dir: &Path,
    jobs: usize,
    timeout: Duration,
    report: &mut Report,
) -> Result<Vec<usize>, String> {
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
    report.generated_bytes = ok_ids
        .iter()
        .map(|i| file_size(&gen_dir.join(format!("spec_{i:04}.rs"))))
        .sum();
    let mut times: Vec<(f64, usize)> = ok_ids.iter().map(|&i| (generated[i].ms, i)).collect();
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let Some(&(max, i)) = times.last() {
        report.codegen_ms_median = times[times.len() / 2].0;
        report.codegen_ms_max = (max, names[i].clone());
    }
    group_failures(report, &generated, names);
    eprintln!(
        "klue-corpus: generated {}/{} in {:.0} s",
        report.generated, report.sampled, report.generate_secs
    );
    Ok(ok_ids)
}

/// The specs that did not generate, grouped by their first problem, by every problem, and by
/// the media types they name that klue does not support.
fn group_failures(report: &mut Report, generated: &[Generated], names: &[String]) {
    let failed = || generated.iter().enumerate().filter(|(_, g)| !g.ok);
    report.generate_groups = group(failed().map(|(i, g)| {
        (
            klue_corpus::normalize_cause(&g.first),
            names[i].as_str(),
            g.first.as_str(),
        )
    }));
    report.generate_all_groups = group(failed().flat_map(|(i, g)| {
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
    }));
    report.media_types = group(failed().flat_map(|(i, g)| {
        g.all.iter().flat_map(move |m| {
            klue_corpus::unsupported_media_types(m)
                .into_iter()
                .map(move |t| (t, names[i].as_str(), m.as_str()))
        })
    }));
}
