//! The error every klue command reports: what went wrong, and a hint of what to do about it.

use std::fmt;

/// Exit status when the step the command runs failed: a build, a test, a check that found
/// problems.
pub const EXIT_FAILED: u8 = 1;
/// Exit status when the command could not do its work (no server, no key, no klue.yaml, a dirty
/// tree, bad input...); clap's usage errors use 2 too.
pub const EXIT_SETUP: u8 = 2;
/// Exit status after ctrl-c or SIGTERM, as shells report a SIGINT death.
pub const EXIT_INTERRUPTED: u8 = 130;

/// A failure reported to the user: what went wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    interrupted: bool,
    step_failed: bool,
}

impl UserError {
    /// An error with a hint.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: Some(hint.into()),
            interrupted: false,
            step_failed: false,
        }
    }

    /// An error that speaks for itself.
    pub fn plain(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: None,
            interrupted: false,
            step_failed: false,
        }
    }

    pub(crate) fn interrupted(what: &str) -> Self {
        UserError {
            interrupted: true,
            ..UserError::plain(format!("{what}: the run was stopped"))
        }
    }

    /// The same error, saying that the command's step ran and failed (exit status 1) rather
    /// than that the command could not run it (2).
    pub fn step_failed(mut self) -> Self {
        self.step_failed = true;
        self
    }

    /// The error as `--json` prints it on stdout: `{"success": false, "code": "setup" |
    /// "failed" | "interrupted", "exit_status": N, "error": message, "hint": hint or null}`.
    pub fn to_json(&self) -> serde_json::Value {
        let code = if self.interrupted {
            "interrupted"
        } else if self.step_failed {
            "failed"
        } else {
            "setup"
        };
        serde_json::json!({
            "success": false,
            "code": code,
            "exit_status": self.exit_code(),
            "error": self.message,
            "hint": self.hint,
        })
    }

    /// The process exit status this error ends the command with: 130 when interrupted, 1 when
    /// the step failed, else 2.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            EXIT_INTERRUPTED
        } else if self.step_failed {
            EXIT_FAILED
        } else {
            EXIT_SETUP
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UserError {}
