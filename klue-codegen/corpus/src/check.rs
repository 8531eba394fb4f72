//! Checking the generated code: klue-core is built once by `cargo check` in a scratch crate,
//! then every generated file is checked as a crate of its own by one `rustc --emit=metadata`
//! (`jobs` at a time, largest first), so that errors belong to their spec without any
//! bookkeeping and no check waits on cargo's lock of the target directory.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use klue_corpus::{rustc_diagnostics, CompileError};
use serde_json::Value;

use crate::serve::Link;

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
    /// A failure other than compile errors.
    pub fn failed(failure: String) -> Self {
        Checked {
            failure: Some(failure),
            ..Checked::default()
        }
    }

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
        let mut extern_core = OsString::from("klue_core=");
        extern_core.push(&self.dependency.rmeta);
        let args: Vec<OsString> = vec![
            "--crate-type".into(),
            "lib".into(),
            "--emit=metadata".into(),
            "--extern".into(),
            extern_core,
            "--out-dir".into(),
            self.out_dir.clone().into(),
        ];
        let checked = self.rustc(crate_name, file, &args, timeout);
        let _ = std::fs::remove_file(self.out_dir.join(format!("lib{crate_name}.rmeta")));
        checked
    }

    /// Compiles `root` (a stub server's crate root, see [`klue_corpus::stub_server_source`])
    /// into the executable `<out_dir>/<crate_name>`, linked against `link`, within `timeout`,
    /// in `codegen_units` (1 costs the least CPU, ~10% less than 16 for a 6 MB file; more
    /// shorten a build that runs alone on a core pool).
    pub fn build_server(
        &self,
        crate_name: &str,
        root: &Path,
        link: &Link,
        timeout: Duration,
        codegen_units: u32,
    ) -> (Checked, PathBuf) {
        let binary = self.out_dir.join(crate_name);
        let mut args: Vec<OsString> = vec!["--crate-type".into(), "bin".into()];
        // Fast to build: these binaries answer a few requests and are deleted.
        for flag in [
            "opt-level=0".to_owned(),
            "debuginfo=0".to_owned(),
            format!("codegen-units={codegen_units}"),
        ] {
            args.push("-C".into());
            args.push(flag.into());
        }
        for (name, rlib) in [("klue_core", &link.klue_core), ("tokio", &link.tokio)] {
            let mut arg = OsString::from(format!("{name}="));
            arg.push(rlib);
            args.push("--extern".into());
            args.push(arg);
        }
        for dir in &link.native {
            let mut arg = OsString::from("native=");
            arg.push(dir);
            args.push("-L".into());
            args.push(arg);
        }
        args.push("-o".into());
        args.push(binary.clone().into());
        (self.rustc(crate_name, root, &args, timeout), binary)
    }

    /// Runs `rustc` on `file` with `args` (after the common ones) within `timeout`, recording
    /// its time, peak memory and errors.
    fn rustc(
        &self,
        crate_name: &str,
        file: &Path,
        args: &[OsString],
        timeout: Duration,
    ) -> Checked {
        let diagnostics = self.out_dir.join(format!("{crate_name}.json"));
        let stderr = match std::fs::File::create(&diagnostics) {
            Ok(f) => f,
            Err(e) => return failed(format!("io: {}: {e}", diagnostics.display())),
        };
        let mut deps = OsString::from("dependency=");
        deps.push(&self.dependency.deps);
        let start = Instant::now();
        let child = Command::new(&self.rustc)
            .args(["--edition", "2021", "--crate-name"])
            .arg(crate_name)
            .args(["--error-format=json", "--cap-lints", "allow"])
            .arg("-L")
            .arg(deps)
            .args(args)
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => return failed(format!("spawning {:?}: {e}", self.rustc)),
        };
        let (status, peak_kib) = match wait_watching(child, start, timeout) {
            Ok(waited) => waited,
            Err(e) => return failed(e),
        };
        let secs = start.elapsed().as_secs_f64();
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

/// Waits for `child`, reading its peak memory as it runs; kills it after `timeout` (status
/// `None`).
fn wait_watching(
    mut child: std::process::Child,
    start: Instant,
    timeout: Duration,
) -> Result<(Option<std::process::ExitStatus>, Option<u64>), String> {
    let mut peak_kib = None;
    loop {
        // Read before reaping: the high-water mark is gone once the process is.
        if let Some(kib) = vm_hwm_kib(child.id()) {
            peak_kib = Some(kib);
        }
        match child.try_wait() {
            Ok(Some(status)) => return Ok((Some(status), peak_kib)),
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("waiting for rustc: {e}"));
            }
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Ok((None, peak_kib));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn failed(failure: String) -> Checked {
    Checked::failed(failure)
}

/// The peak resident memory of process `pid` so far (`VmHWM` of `/proc/<pid>/status`), KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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
