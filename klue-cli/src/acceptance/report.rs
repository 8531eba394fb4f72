//! What the run ends with: the streamed progress lines, the summary, and its JSON form.

use std::fmt::Write as _;
use std::io::IsTerminal;

use serde_json::json;

use super::libtest::{Outcome, TestResult};
use super::target::Target;

/// Whether stderr progress lines are colored: on a terminal, unless `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colors when stderr is a terminal and `NO_COLOR` is unset.
    pub fn for_stderr() -> Self {
        Style {
            color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// No colors.
    pub fn plain() -> Self {
        Style { color: false }
    }

    /// `test NAME ... ok|FAILED|ignored`, as libtest says it.
    pub fn progress(self, result: &TestResult) -> String {
        let (word, color) = match result.outcome {
            Outcome::Passed => ("ok", "32"),
            Outcome::Failed => ("FAILED", "31"),
            Outcome::Skipped => ("ignored", "33"),
        };
        if self.color {
            format!("test {} ... \x1b[{color}m{word}\x1b[0m", result.name)
        } else {
            format!("test {} ... {word}", result.name)
        }
    }
}

/// Every test's outcome, and how cargo ended.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The server tested.
    pub target: Target,
    /// Each test's outcome, in the order they ended.
    pub tests: Vec<TestResult>,
    /// cargo's exit code (`None` when it was killed by a signal).
    pub cargo_exit_code: Option<i32>,
}

impl Summary {
    /// A summary of `tests` run against `target`.
    pub fn new(target: Target, tests: Vec<TestResult>, cargo_exit_code: Option<i32>) -> Self {
        Summary {
            target,
            tests,
            cargo_exit_code,
        }
    }

    fn count(&self, outcome: Outcome) -> usize {
        self.tests.iter().filter(|t| t.outcome == outcome).count()
    }

    /// Tests that passed.
    pub fn passed(&self) -> usize {
        self.count(Outcome::Passed)
    }

    /// Tests that failed.
    pub fn failed(&self) -> usize {
        self.count(Outcome::Failed)
    }

    /// True when at least one test ran, none failed, and cargo agreed.
    pub fn success(&self) -> bool {
        self.passed() > 0 && self.failed() == 0 && self.cargo_exit_code == Some(0)
    }

    /// `N passed, M failed` (`, K skipped` when some were), the closing line.
    pub fn counts_line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed(), self.failed());
        let skipped = self.count(Outcome::Skipped);
        if skipped > 0 {
            let _ = write!(line, ", {skipped} skipped");
        }
        line
    }

    /// The failures (name, where, first lines of the panic message), then the counts line.
    pub fn human(&self) -> String {
        let mut text = String::new();
        let failures: Vec<&TestResult> = self
            .tests
            .iter()
            .filter(|t| t.outcome == Outcome::Failed)
            .collect();
        if !failures.is_empty() {
            text.push_str("\nfailures:\n");
            for failure in failures {
                let _ = write!(text, "  {}", failure.name);
                if let Some(location) = &failure.location {
                    let _ = write!(text, " (at {location})");
                }
                text.push('\n');
                for line in failure.message.as_deref().unwrap_or("").lines() {
                    let _ = writeln!(text, "    {line}");
                }
            }
            text.push('\n');
        }
        text.push_str(&self.counts_line());
        text
    }

    /// The machine-readable summary.
    pub fn json(&self) -> serde_json::Value {
        json!({
            "success": self.success(),
            "target": {
                "url": self.target.url(),
                "scheme": self.target.scheme.as_str(),
                "host": self.target.host,
                "port": self.target.port,
            },
            "passed": self.passed(),
            "failed": self.failed(),
            "skipped": self.count(Outcome::Skipped),
            "cargo_exit_code": self.cargo_exit_code,
            "tests": self.tests,
        })
    }

    /// Prints the report: the summary on stdout (or the JSON there, and the summary on stderr),
    /// and why a run without failures still failed on stderr.
    pub fn print(&self, json: bool) {
        if self.passed() + self.failed() == 0 {
            eprintln!(
                "error: no test ran\n  hint: check the test-name filters, and that the \
                 acceptance tests compiled (cargo's messages are above)"
            );
        } else if self.failed() == 0 && self.cargo_exit_code != Some(0) {
            let status = self
                .cargo_exit_code
                .map_or("a signal".to_owned(), |c| format!("status {c}"));
            eprintln!(
                "error: cargo test ended with {status} though no test failed (its messages are \
                 above)"
            );
        }
        if json {
            eprintln!("{}", self.human());
            println!("{}", self.json());
        } else {
            println!("{}", self.human());
        }
    }
}
