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
