//! The error every klue command reports: what went wrong, and a hint of what to do about it.

use std::fmt;
use std::process::ExitCode;

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
    /// The command printed this failure itself (a deploy's summary, the tests' report), so
    /// [`report`] prints nothing more: only the exit status is left to give.
    reported: bool,
    /// The exit status when it is not the cause's: `klue deploy --diff` exits 1 on any error.
    exit_status: Option<u8>,
    /// What the command adds to its `--json` error object (`klue deploy`'s `changed: false`).
    json_fields: Vec<(&'static str, serde_json::Value)>,
}

impl UserError {
    /// An error with a hint.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: Some(hint.into()),
            interrupted: false,
            step_failed: false,
            reported: false,
            exit_status: None,
            json_fields: Vec::new(),
        }
    }

    /// An error that speaks for itself.
    pub fn plain(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: None,
            interrupted: false,
            step_failed: false,
            reported: false,
            exit_status: None,
            json_fields: Vec::new(),
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

    /// A failure the command has reported itself, on stderr (and stdout with `--json`), that
    /// ends it with `exit_status`: a deploy whose step failed, tests that failed, `--diff`'s
    /// changes.
    pub fn reported(exit_status: u8) -> Self {
        UserError {
            reported: true,
            exit_status: Some(exit_status),
            ..UserError::plain("")
        }
    }

    /// Whether the command reported this failure itself.
    pub fn is_reported(&self) -> bool {
        self.reported
    }

    /// The same error, ending the command with `status` whatever its cause.
    pub fn with_exit_status(mut self, status: u8) -> Self {
        self.exit_status = Some(status);
        self
    }

    /// The same error, with `name: value` added to its `--json` object.
    pub fn with_json_field(
        mut self,
        name: &'static str,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.json_fields.push((name, value.into()));
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
        let mut out = serde_json::json!({
            "success": false,
            "code": code,
            "exit_status": self.exit_code(),
            "error": self.message,
            "hint": self.hint,
        });
        for (name, value) in &self.json_fields {
            out[*name] = value.clone();
        }
        out
    }

    /// The process exit status this error ends the command with: the one it was given, else 130
    /// when interrupted, 1 when the step failed, else 2.
    pub fn exit_code(&self) -> u8 {
        if let Some(status) = self.exit_status {
            status
        } else if self.interrupted {
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

/// Ends a command: its error (unless it reported it itself) on stderr, and with `json` as the
/// error object on stdout; returns the exit status. The one place every command's result
/// becomes the process's: the same status for the same cause in every command, 1 the step
/// failed, 2 it could not run.
pub fn report(result: Result<(), UserError>, json: bool) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if !err.is_reported() {
                eprintln!("{err}");
                if json {
                    println!("{}", err.to_json());
                }
            }
            ExitCode::from(err.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reported_failure_keeps_its_status_and_is_not_printed_again() {
        let err = UserError::reported(EXIT_FAILED);
        assert!(err.is_reported());
        assert_eq!(err.exit_code(), EXIT_FAILED);
        assert!(!UserError::plain("no klue.yaml").is_reported());
    }

    #[test]
    fn a_given_exit_status_and_json_fields_show_in_the_json_object() {
        let err = UserError::plain("no live environment")
            .with_exit_status(EXIT_FAILED)
            .with_json_field("changed", false);
        assert_eq!(err.exit_code(), EXIT_FAILED);
        let json = err.to_json();
        assert_eq!(json["code"], "setup");
        assert_eq!(json["exit_status"], 1);
        assert_eq!(json["changed"], false);
    }
}
