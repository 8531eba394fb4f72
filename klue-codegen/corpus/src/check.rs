//! Checking the generated code: klue-core is built once by `cargo check` in a scratch crate,
//! then every generated file is checked as a crate of its own by one `rustc --emit=metadata`
//! (`jobs` at a time, largest first), so that errors belong to their spec without any
//! bookkeeping and no check waits on cargo's lock of the target directory.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use klue_corpus::{
    group, group_occurrences, rustc_diagnostics, CheckTime, CompileError, GithubResult, Report,
};
use serde_json::Value;

/// klue-core, checked: what a generated file needs to be checked by `rustc`.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// klue-core's `.rmeta`, for `--extern klue_core=`.
    pub rmeta: PathBuf,
    /// The directory of its dependencies, for `-L dependency=`.
    pub deps: PathBuf,
}

/// Builds klue-core (`cargo check`, in a scratch crate at `dir` that depends on it, with the
/// workspace's lock file and `target` as the target directory).
pub fn build_dependency(dir: &Path, root: &Path, target: &Path) -> Result<Dependency, String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let core = root.join("klue-core");
    let manifest = format!(
        "[package]\nname = \"klue-corpus-dependency\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\nklue-core = {{ path = {:?} }}\n\n[workspace]\n",
        core.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    // The workspace's lock file: the same dependency versions, and nothing to resolve.
    let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["check", "--message-format=json", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo check of klue-core failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    klue_core_rmeta(&stdout)
        .and_then(|rmeta| {
            let deps = rmeta.parent()?.to_path_buf();
            Some(Dependency { rmeta, deps })
        })
        .ok_or_else(|| "cargo check did not report klue-core's .rmeta".to_owned())
}

/// klue-core's `.rmeta` in the `compiler-artifact` messages of `cargo --message-format=json`.
fn klue_core_rmeta(cargo_stdout: &str) -> Option<PathBuf> {
    cargo_stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == "klue_core")
        .flat_map(|v| {
            v["filenames"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
        })
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .find(|f| f.extension().is_some_and(|e| e == "rmeta"))
}

/// Runs the checks.
#[derive(Debug)]
pub struct Checker {
    /// The compiler: `RUSTC`, else `rustc` (the one cargo uses).
    pub rustc: OsString,
    /// klue-core, built.
    pub dependency: Dependency,
    /// Where `rustc` writes (its `.rmeta`, deleted after the check) and where its JSON
    /// diagnostics go (`<crate>.json`, kept with `--keep`).
    pub out_dir: PathBuf,
    /// Keep the diagnostics.
    pub keep: bool,
}

/// The outcome of one check.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Wall time of the `rustc`, seconds.
    pub secs: f64,
    /// Its peak resident memory (`VmHWM`), KiB, when it could be read.
    pub peak_kib: Option<u64>,
    /// Its errors.
    pub errors: Vec<CompileError>,
    /// A failure other than compile errors: a timeout, or `rustc` ending without an error.
    pub failure: Option<String>,
}

impl Checked {
    /// Whether the file checked without error.
    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.failure.is_none()
    }

    /// Each problem as `(cause, message)`: the errors, or the failure.
    pub fn problems(&self) -> Vec<(String, &str)> {
        let mut problems: Vec<(String, &str)> = self
            .errors
            .iter()
            .map(|e| (e.cause.clone(), e.message.as_str()))
            .collect();
        if let Some(failure) = &self.failure {
            problems.push((klue_corpus::normalize_cause(failure), failure.as_str()));
        }
        problems
    }
}

impl Checker {
    /// Checks `file` as the crate root of a library named `crate_name`, within `timeout`.
    pub fn check(&self, crate_name: &str, file: &Path, timeout: Duration) -> Checked {
        let diagnostics = self.out_dir.join(format!("{crate_name}.json"));
        let stderr = match std::fs::File::create(&diagnostics) {
            Ok(f) => f,
            Err(e) => return failed(format!("io: {}: {e}", diagnostics.display())),
        };
        let mut extern_core = OsString::from("klue_core=");
        extern_core.push(&self.dependency.rmeta);
        let mut deps = OsString::from("dependency=");
        deps.push(&self.dependency.deps);
        let start = Instant::now();
        let child = Command::new(&self.rustc)
            .args(["--edition", "2021", "--crate-type", "lib", "--crate-name"])
            .arg(crate_name)
            .args([
                "--emit=metadata",
                "--error-format=json",
                "--cap-lints",
                "allow",
            ])
            .arg("-L")
            .arg(deps)
            .arg("--extern")
            .arg(extern_core)
            .arg("--out-dir")
            .arg(&self.out_dir)
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) => return failed(format!("spawning {:?}: {e}", self.rustc)),
        };
        let mut peak_kib = None;
        let status = loop {
            // Read before reaping: the high-water mark is gone once the process is.
            if let Some(kib) = vm_hwm_kib(child.id()) {
                peak_kib = Some(kib);
            }
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) => {}
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return failed(format!("waiting for rustc: {e}"));
                }
            }
            if start.elapsed() > timeout {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let secs = start.elapsed().as_secs_f64();
        let _ = std::fs::remove_file(self.out_dir.join(format!("lib{crate_name}.rmeta")));
        let text = std::fs::read_to_string(&diagnostics).unwrap_or_default();
        if !self.keep {
            let _ = std::fs::remove_file(&diagnostics);
        }
        let mut checked = Checked {
            secs,
            peak_kib,
            ..Checked::default()
        };
        let Some(status) = status else {
            checked.failure = Some(format!("timeout: check took over {} s", timeout.as_secs()));
            return checked;
        };
        checked.errors = rustc_diagnostics(&text).errors;
        if !status.success() && checked.errors.is_empty() {
            let last = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty() && !l.starts_with('{'));
            checked.failure = Some(format!(
                "crash: rustc exited with {status} without an error: {}",
                last.unwrap_or("")
            ));
        }
        checked
    }
}

fn failed(failure: String) -> Checked {
    Checked {
        failure: Some(failure),
        ..Checked::default()
    }
}

/// The peak resident memory of process `pid` so far (`VmHWM` of `/proc/<pid>/status`), KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

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
}

/// Builds klue-core, checks GitHub's generated file alone, then the sample's, `jobs` at a time
/// and largest first; records the outcome in `report` and `github`.
pub fn check_sample(
    report: &mut Report,
    github: &mut Option<GithubResult>,
    c: &Checking<'_>,
) -> Result<(), String> {
    report.check_jobs = c.jobs;
    report.check_timeout_secs = c.timeout.as_secs();
    let start = Instant::now();
    let dependency = build_dependency(&c.check_dir.join("dependency"), c.root, c.target)?;
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

    // GitHub alone, so that its time and memory are its own.
    if let Some(g) = github.as_mut().filter(|g| g.generate_error.is_none()) {
        eprintln!("klue-corpus: checking github ({} bytes)", g.bytes);
        let checked = checker.check("github", &c.gen_dir.join("github.rs"), c.timeout * 4);
        g.check_secs = checked.secs;
        g.check_peak_kib = checked.peak_kib;
        g.compiles = Some(checked.ok());
        g.compile_groups = group_occurrences(checked.problems());
        eprintln!(
            "klue-corpus: github checked in {:.0} s, compiles: {}",
            checked.secs,
            checked.ok()
        );
    }

    // The sample, largest first, `jobs` at a time.
    let mut queue: Vec<(usize, PathBuf, u64)> = c
        .ok_ids
        .iter()
        .map(|&id| {
            let file = c.gen_dir.join(format!("spec_{id:04}.rs"));
            let bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
            (id, file, bytes)
        })
        .collect();
    queue.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let start = Instant::now();
    let results: Vec<Mutex<Option<Checked>>> = queue.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..c.jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((id, file, _)) = queue.get(i) else {
                    break;
                };
                let checked = checker.check(&format!("spec_{id:04}"), file, c.timeout);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if !checked.ok() {
                    let first = checked.problems().first().map(|p| p.1.to_owned());
                    eprintln!(
                        "klue-corpus: {} fails to compile: {}",
                        c.names[*id],
                        first.unwrap_or_default()
                    );
                }
                if n % 25 == 0 || n == queue.len() {
                    eprintln!(
                        "klue-corpus: checked {n}/{} in {:.0} s",
                        queue.len(),
                        start.elapsed().as_secs_f64()
                    );
                }
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(checked);
                }
            });
        }
    });
    report.check_secs = start.elapsed().as_secs_f64();
    let mut checks = Vec::with_capacity(queue.len());
    for ((id, _, bytes), slot) in queue.iter().zip(results) {
        let checked = slot
            .into_inner()
            .ok()
            .flatten()
            .ok_or("a check thread panicked")?;
        checks.push((*id, *bytes, checked));
    }
    report.check_sum_secs = checks.iter().map(|(_, _, c)| c.secs).sum();
    report.compiled = checks.iter().filter(|(_, _, c)| c.ok()).count();
    report.compile_groups = group(checks.iter().flat_map(|(id, _, checked)| {
        checked
            .problems()
            .into_iter()
            .map(|(cause, message)| (cause, c.names[*id].as_str(), message))
    }));
    report.compile_first_groups = group(checks.iter().filter_map(|(id, _, checked)| {
        let problems = checked.problems();
        let (cause, message) = problems.into_iter().next()?;
        Some((cause, c.names[*id].as_str(), message))
    }));
    checks.sort_by(|a, b| b.2.secs.total_cmp(&a.2.secs));
    report.slowest_checks = checks
        .iter()
        .take(10)
        .map(|(id, bytes, checked)| CheckTime {
            spec: c.names[*id].clone(),
            bytes: *bytes,
            secs: checked.secs,
            peak_kib: checked.peak_kib,
            ok: checked.ok(),
        })
        .collect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn klue_core_rmeta_is_found_in_cargo_messages() {
        let lines = [
            r#"{"reason":"compiler-artifact","target":{"name":"serde"},"filenames":["/t/debug/deps/libserde-1.rmeta"]}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"klue_core"},"filenames":["/t/debug/deps/libklue_core-2.rmeta"]}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ];
        assert_eq!(
            klue_core_rmeta(&lines.join("\n")),
            Some(PathBuf::from("/t/debug/deps/libklue_core-2.rmeta"))
        );
        assert_eq!(klue_core_rmeta(lines[0]), None);
    }

    /// A checker in a fresh scratch directory, with a klue-core that the checked code does
    /// not use (rustc loads an `--extern` only when it is used).
    fn scratch_checker(name: &str) -> Checker {
        let out_dir =
            std::env::temp_dir().join(format!("klue-corpus-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out_dir);
        std::fs::create_dir_all(&out_dir).unwrap();
        Checker {
            rustc: std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()),
            dependency: Dependency {
                rmeta: out_dir.join("libklue_core.rmeta"),
                deps: out_dir.clone(),
            },
            out_dir,
            keep: false,
        }
    }

    #[test]
    fn checks_pass_fail_and_time_out() {
        let checker = scratch_checker("check");
        let good = checker.out_dir.join("good.rs");
        let bad = checker.out_dir.join("bad.rs");
        std::fs::write(&good, "pub fn f() -> u8 { let unused = 1; 2 }\n").unwrap();
        std::fs::write(&bad, "pub fn f() -> u8 {\n    \"a\"\n}\n").unwrap();
        let limit = Duration::from_secs(300);

        let passed = checker.check("spec_0001", &good, limit);
        assert!(passed.ok(), "{passed:?}");
        assert!(passed.secs > 0.0);

        let failed = checker.check("spec_0002", &bad, limit);
        assert!(!failed.ok());
        assert_eq!(failed.failure, None);
        assert_eq!(
            failed.problems(),
            vec![(
                "E0308 mismatched types".to_owned(),
                "mismatched types at line 2: expected `u8`, found `&str`"
            )]
        );

        let timed_out = checker.check("spec_0003", &good, Duration::ZERO);
        assert_eq!(
            timed_out.failure.as_deref(),
            Some("timeout: check took over 0 s")
        );
        assert_eq!(timed_out.problems()[0].0, "timeout: check took over N s");

        // Nothing is left behind: no `.rmeta`, no diagnostics.
        let mut left: Vec<String> = std::fs::read_dir(&checker.out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec!["bad.rs", "good.rs"]);
        let _ = std::fs::remove_dir_all(&checker.out_dir);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_peak_memory_of_this_process_is_read() {
        assert!(vm_hwm_kib(std::process::id()).is_some_and(|kib| kib > 0));
    }
}
