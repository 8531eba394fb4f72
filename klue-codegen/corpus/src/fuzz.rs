//! Fuzzing a stub server with schemathesis: valid data must not be refused
//! (`positive_data_acceptance`) and invalid data must be refused with a 4xx
//! (`negative_data_rejection`; a 5xx, the stub's 501 among them, is no rejection). The
//! statuses each check expects are in `.ci/corpus-schemathesis.toml`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use klue_corpus::{fuzz_auth, junit_failures, Finding};
use serde_json::Value;

/// How schemathesis is run.
#[derive(Debug, Clone)]
pub struct Fuzzer {
    /// The command (`schemathesis`, or `python3 -m schemathesis.cli`).
    pub command: Vec<String>,
    /// Its configuration file, shared by every spec (each spec's run gets a copy with its
    /// credentials appended).
    pub config: PathBuf,
    /// Examples per operation.
    pub max_examples: u32,
    /// The seed, so that a run is reproducible.
    pub seed: u64,
    /// Scratch space (reports, hypothesis' files).
    pub work: PathBuf,
    /// A token the stub servers accept (signed with their secret).
    pub token: String,
    /// The time limit of one spec's run.
    pub timeout: Duration,
}

/// The outcome of fuzzing one server.
#[derive(Debug, Clone, Default)]
pub struct Fuzzed {
    /// Seconds it took.
    pub secs: f64,
    /// Why it did not run to the end (schemathesis' own error, a timeout).
    pub error: Option<String>,
    /// What it found.
    pub findings: Vec<Finding>,
}

impl Fuzzer {
    /// Runs schemathesis against the server on `port`, serving `served`, named `name` in its
    /// files.
    pub fn fuzz(&self, name: &str, port: u16, served: &Value) -> Fuzzed {
        let start = Instant::now();
        let junit = self.work.join(format!("{name}.junit.xml"));
        let log = self.work.join(format!("{name}.log"));
        let _ = std::fs::remove_file(&junit);
        let mut fuzzed = Fuzzed::default();
        let Ok(out) = std::fs::File::create(&log) else {
            fuzzed.error = Some(format!("cannot write {}", log.display()));
            return fuzzed;
        };
        let err = out.try_clone();
        // The shared settings plus this spec's credentials, one table per security scheme.
        let auth = fuzz_auth(served, &self.token);
        let config = self.work.join(format!("{name}.schemathesis.toml"));
        let written = std::fs::read_to_string(&self.config)
            .and_then(|base| std::fs::write(&config, base + &auth.config));
        if let Err(e) = written {
            fuzzed.error = Some(format!("cannot write {}: {e}", config.display()));
            return fuzzed;
        }
        let mut command = Command::new(&self.command[0]);
        command
            .args(&self.command[1..])
            .arg("--no-color")
            .arg("--config-file")
            .arg(&config)
            .arg("run")
            .arg(format!("http://127.0.0.1:{port}/openapi.json"))
            .args([
                "--checks",
                "positive_data_acceptance,negative_data_rejection",
                "--phases",
                "examples,coverage,fuzzing",
                "--generation-database",
                "none",
                "--request-timeout",
                "10",
                "--report",
                "junit",
                "--report-junit-path",
            ])
            .arg(&junit)
            .arg("--max-examples")
            .arg(self.max_examples.to_string())
            .arg("--seed")
            .arg(self.seed.to_string())
            .args(auth.header.iter().flat_map(|h| ["--header", h]))
            .current_dir(&self.work)
            .stdin(Stdio::null())
            .stdout(out);
        if let Ok(err) = err {
            command.stderr(err);
        }
        let status = match command.spawn() {
            Ok(child) => wait(child, self.timeout),
            Err(e) => Err(format!("cannot run schemathesis: {e}")),
        };
        fuzzed.secs = start.elapsed().as_secs_f64();
        let xml = std::fs::read_to_string(&junit).unwrap_or_default();
        fuzzed.findings = junit_failures(&xml);
        // Exit 1 is "failures found"; anything else without a report is an error of the run.
        match status {
            Ok(0 | 1) if !xml.is_empty() => {}
            Ok(code) => fuzzed.error = Some(last_line(&log, code)),
            Err(e) => fuzzed.error = Some(e),
        }
        fuzzed
    }
}

fn wait(mut child: std::process::Child, timeout: Duration) -> Result<i32, String> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(status.code().unwrap_or(-1));
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "timeout: schemathesis took over {} s",
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn last_line(log: &Path, code: i32) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    format!("schemathesis exited with {code}: {}", last.trim())
}
