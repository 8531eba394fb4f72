//! The deploy's progress on stderr (a line per step, a spinner while waiting), what each step
//! left behind, and the closing summary (text on stderr, `--json` on stdout).

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

/// A step's record, for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// The step's key.
    pub step: &'static str,
    /// `done`, `skipped` or `failed`.
    pub status: &'static str,
    /// What happened.
    pub detail: String,
    /// How long it took.
    pub seconds: f64,
}

/// Something a failed deploy leaves in AWS, and how to remove it.
#[derive(Debug, Clone, Serialize)]
pub struct LeftBehind {
    /// What it is.
    pub what: String,
    /// A command that removes it.
    pub remove: String,
}

/// The steps run so far.
#[derive(Debug)]
pub struct Progress {
    total: usize,
    current: usize,
    step: &'static str,
    started: Instant,
    /// Each step's record.
    pub records: Vec<StepRecord>,
    /// What exists now because of this deploy.
    pub left_behind: Vec<LeftBehind>,
}

impl Progress {
    /// Progress over `total` steps.
    pub fn new(total: usize) -> Self {
        Progress {
            total,
            current: 0,
            step: "",
            started: Instant::now(),
            records: Vec::new(),
            left_behind: Vec::new(),
        }
    }

    /// Announces the next step.
    pub fn start(&mut self, step: &'static str, what: &str) {
        self.current += 1;
        self.step = step;
        self.started = Instant::now();
        eprintln!("\n==> [{}/{}] {step}: {what}", self.current, self.total);
    }

    /// The current step succeeded.
    pub fn done(&mut self, detail: impl Into<String>) {
        let detail = detail.into();
        let seconds = self.started.elapsed().as_secs_f64();
        eprintln!("    ok ({seconds:.1}s): {detail}");
        self.records.push(StepRecord {
            step: self.step,
            status: "done",
            detail,
            seconds,
        });
    }

    /// The next step is skipped, loudly.
    pub fn skip(&mut self, step: &'static str, why: &str) {
        self.current += 1;
        eprintln!(
            "\n==> [{}/{}] {step}: SKIPPED: {why}",
            self.current, self.total
        );
        self.records.push(StepRecord {
            step,
            status: "skipped",
            detail: why.to_owned(),
            seconds: 0.0,
        });
    }

    /// The current step failed.
    pub fn fail(&mut self, detail: &str) {
        let seconds = self.started.elapsed().as_secs_f64();
        eprintln!("    FAILED ({seconds:.1}s)");
        self.records.push(StepRecord {
            step: self.step,
            status: "failed",
            detail: detail.to_owned(),
            seconds,
        });
    }

    /// The step that is running (or last ran).
    pub fn current_step(&self) -> &'static str {
        self.step
    }

    /// Notes something this deploy created.
    pub fn leave(&mut self, what: impl Into<String>, remove: impl Into<String>) {
        self.left_behind.push(LeftBehind {
            what: what.into(),
            remove: remove.into(),
        });
    }
}

/// The outcome of a deploy.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Deployed and live.
    pub success: bool,
    /// The service.
    pub name: String,
    /// The version.
    pub version: String,
    /// The image pushed (or built, when the push was not reached).
    pub image: String,
    /// The new environment.
    pub environment: String,
    /// The live environment after the deploy.
    pub live_environment: Option<String>,
    /// The live environment before it.
    pub previous_live_environment: Option<String>,
    /// Whether AWS was called at all (not when an earlier step failed).
    pub aws_called: bool,
    /// Whether CNAMEs were swapped.
    pub swapped: bool,
    /// The live URL (scheme + CNAME) after the deploy.
    pub live_url: Option<String>,
    /// Whether the acceptance tests were skipped.
    pub tests_skipped: bool,
    /// The step that failed.
    pub failed_step: Option<String>,
    /// Why.
    pub error: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// Each step.
    pub steps: Vec<StepRecord>,
    /// What a failed deploy left in AWS, with the commands that remove it.
    pub left_behind: Vec<LeftBehind>,
    /// The failed deploy's new environment, terminated (unless `--keep-failed`) so that it is
    /// never taken for the previous live one by `klue rollback` or `klue cleanup`.
    pub terminated_environment: Option<String>,
}

impl Summary {
    /// Prints the closing report: text on stderr, and JSON on stdout with `json`.
    pub fn print(&self, json: bool) {
        eprintln!();
        if self.success {
            eprintln!(
                "deployed {} {}: {} is live{}{}",
                self.name,
                self.version,
                self.environment,
                self.live_url
                    .as_ref()
                    .map(|u| format!(" at {u}"))
                    .unwrap_or_default(),
                match (&self.previous_live_environment, self.swapped) {
                    (Some(previous), true) => format!(
                        "; {previous} (the previous live environment) still runs: `klue cleanup` \
                         terminates old ones"
                    ),
                    _ => String::new(),
                }
            );
            if self.tests_skipped {
                eprintln!("WARNING: the acceptance tests were skipped (--skip-tests): this version went live untested");
            }
        } else {
            eprintln!(
                "deploy of {} {} FAILED at step {}: {}",
                self.name,
                self.version,
                self.failed_step.as_deref().unwrap_or("?"),
                self.error.as_deref().unwrap_or("")
            );
            if let Some(hint) = &self.hint {
                eprintln!("  hint: {hint}");
            }
            match (&self.previous_live_environment, self.aws_called) {
                (_, false) => eprintln!(
                    "AWS was not called: the live environment was not touched, no swap was made"
                ),
                (Some(live), true) => eprintln!(
                    "the live environment {live} was not touched: no swap, it still serves the live CNAME"
                ),
                (None, true) => eprintln!("no swap was made (there was no live environment)"),
            }
            if let Some(env) = &self.terminated_environment {
                eprintln!("the new environment {env} is being terminated");
            }
            if self.left_behind.is_empty() {
                let other = if self.terminated_environment.is_some() {
                    " else"
                } else {
                    ""
                };
                eprintln!("nothing{other} was left behind in AWS");
            } else {
                eprintln!("left behind (remove what you do not want to keep):");
                for item in &self.left_behind {
                    eprintln!("  - {}\n      {}", item.what, item.remove);
                }
            }
        }
        if json {
            println!("{}", serde_json::to_value(self).unwrap_or_default());
        }
    }
}

/// A spinner on stderr for a wait; hidden when stderr is not a terminal (then the caller's
/// `println` lines still show, as plain lines).
pub fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("    {spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Prints a line above the spinner (or plainly without a terminal).
pub fn println(bar: &ProgressBar, line: &str) {
    if bar.is_hidden() {
        eprintln!("{line}");
    } else {
        bar.println(line);
    }
}
