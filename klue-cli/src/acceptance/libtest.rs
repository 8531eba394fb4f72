//! Reading the output of `cargo test` (libtest's pretty format) line by line: each test's outcome
//! as it arrives, then the panic message of each failure from the `failures:` section.

use serde::Serialize;

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// `ok`.
    Passed,
    /// `FAILED`.
    Failed,
    /// `ignored` (none with `--include-ignored`, but a test binary may still say so).
    Skipped,
}

/// One test's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestResult {
    /// The test's name, as libtest prints it (`module::name`).
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// For a failure: where it panicked (`file:line:column`), when libtest said so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// For a failure: the first lines of its panic message (the assertion that failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// How many lines of a panic message the summary keeps: an `assert_eq!` takes three.
const MESSAGE_LINES: usize = 6;

/// Accumulates outcomes from libtest's output, one line at a time.
#[derive(Debug, Default)]
pub(super) struct Parser {
    results: Vec<TestResult>,
    /// The test whose `---- NAME stdout ----` block is being read, and the block's lines.
    block: Option<(String, Vec<String>)>,
}

impl Parser {
    /// Feeds one line; returns the outcome it announces, if it is a `test NAME ... RESULT` line.
    pub(super) fn line(&mut self, line: &str) -> Option<&TestResult> {
        if let Some(result) = result_line(line) {
            self.close_block();
            self.results.push(result);
            return self.results.last();
        }
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"))
        {
            self.close_block();
            self.block = Some((name.to_owned(), Vec::new()));
        } else if line == "failures:" || line.starts_with("test result: ") {
            // The list of failed names after the blocks, or the end of a test binary.
            self.close_block();
        } else if line.starts_with("running ")
            && (line.ends_with(" tests") || line.ends_with(" test"))
        {
            self.close_block();
        } else if let Some((_, lines)) = &mut self.block {
            lines.push(line.to_owned());
        }
        None
    }

    /// Every outcome seen.
    pub(super) fn finish(mut self) -> Vec<TestResult> {
        self.close_block();
        self.results
    }

    /// Attaches the block just read to the last failure of that name still without a message.
    fn close_block(&mut self) {
        let Some((name, lines)) = self.block.take() else {
            return;
        };
        let (location, message) = panic_message(&name, &lines);
        if let Some(result) = self
            .results
            .iter_mut()
            .rev()
            .find(|r| r.name == name && r.outcome == Outcome::Failed && r.message.is_none())
        {
            result.location = location;
            result.message = Some(message);
        }
    }
}

/// `test NAME ... ok|FAILED|ignored[, reason]`.
fn result_line(line: &str) -> Option<TestResult> {
    let rest = line.strip_prefix("test ")?;
    let (name, result) = rest.rsplit_once(" ... ")?;
    let outcome = match result {
        "ok" => Outcome::Passed,
        "FAILED" => Outcome::Failed,
        r if r.starts_with("ignored") => Outcome::Skipped,
        _ => return None,
    };
    let name = name.strip_suffix(" - should panic").unwrap_or(name);
    Some(TestResult {
        name: name.to_owned(),
        outcome,
        location: None,
        message: None,
    })
}

/// From a failure's captured output: where it panicked, and the first lines of the message.
fn panic_message(name: &str, lines: &[String]) -> (Option<String>, String) {
    // `thread 'NAME' panicked at FILE:LINE:COL:` then the message (Rust >= 1.73); recent
    // versions put the thread's id after its name: `thread 'NAME' (1234) panicked at`.
    let start = lines
        .iter()
        .position(|l| l.starts_with(&format!("thread '{name}'")) && l.contains(" panicked at "))
        .or_else(|| {
            lines
                .iter()
                .position(|l| l.starts_with("thread '") && l.contains(" panicked at "))
        });
    let (location, body) = match start {
        Some(i) => {
            let after = lines[i].split_once(" panicked at ").map_or("", |(_, a)| a);
            match after.strip_suffix(':') {
                Some(location) => (Some(location.to_owned()), &lines[i + 1..]),
                // Older libtest: `panicked at 'message', file:line:col` on one line.
                None => (None, &lines[i..]),
            }
        }
        None => (None, lines),
    };
    let message: Vec<&str> = body
        .iter()
        .map(String::as_str)
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| {
            !l.starts_with("note: run with `RUST_BACKTRACE") && !l.starts_with("stack backtrace:")
        })
        .take(MESSAGE_LINES)
        .collect();
    let message = message.join("\n").trim_end().to_owned();
    let message = if message.is_empty() {
        "(no panic message)".to_owned()
    } else {
        message
    };
    (location, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "
running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s


running 3 tests
test has_ping ... ok
test has_auth_version ... FAILED
test slow - should panic ... ok
test later ... ignored, needs a server

failures:

---- has_auth_version stdout ----

thread 'has_auth_version' (4760) panicked at testaccept/tests/helloworld.rs:41:5:
assertion `left == right` failed: Authorization: 'Bearer1234567890' was not refused
  left: 200
 right: 401
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    has_auth_version

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.02s
";

    #[test]
    fn outcomes_stream_and_failures_get_their_assertion() {
        let mut parser = Parser::default();
        let mut streamed = Vec::new();
        for line in OUTPUT.lines() {
            if let Some(result) = parser.line(line) {
                streamed.push((result.name.clone(), result.outcome));
            }
        }
        assert_eq!(
            streamed,
            [
                ("has_ping".to_owned(), Outcome::Passed),
                ("has_auth_version".to_owned(), Outcome::Failed),
                ("slow".to_owned(), Outcome::Passed),
                ("later".to_owned(), Outcome::Skipped),
            ]
        );
        let results = parser.finish();
        let failed = &results[1];
        assert_eq!(
            failed.location.as_deref(),
            Some("testaccept/tests/helloworld.rs:41:5")
        );
        assert_eq!(
            failed.message.as_deref(),
            Some(
                "assertion `left == right` failed: Authorization: 'Bearer1234567890' was not \
                 refused\n  left: 200\n right: 401"
            )
        );
        assert_eq!(results[0].message, None);
    }

    #[test]
    fn old_style_panics_and_bare_output_still_give_a_message() {
        let lines: Vec<String> = [
            "thread 'x' panicked at 'boom', src/lib.rs:1:1",
            "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            panic_message("x", &lines),
            (
                None,
                "thread 'x' panicked at 'boom', src/lib.rs:1:1".to_owned()
            )
        );
        assert_eq!(
            panic_message("x", &[]),
            (None, "(no panic message)".to_owned())
        );
    }
}
