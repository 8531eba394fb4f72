//! The corpus run of issue 3: the pure parts (sampling, grouping of failures by cause,
//! parsing rustc's JSON diagnostics, the markdown report in `report.rs`), kept here so that
//! they are unit-tested fast. The slow work (generating hundreds of specs and checking the
//! output with `rustc`) is the `klue-corpus` binary's.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

mod fuzz_auth;
mod junit;
mod probe;
mod report;
mod serve_report;

pub use fuzz_auth::{fuzz_auth, FuzzAuth, BASIC_CREDENTIALS};
pub use junit::{junit_failures, Finding};
pub use probe::{
    fuzz_candidate, listening_port, probes, routed, server_trait, stub_server_source, Probe,
    FUZZ_MAX_OPERATIONS,
};
pub use report::{CheckTime, GithubResult, Report};
pub use serve_report::{FuzzRow, GithubServed, ServeReport};

/// A deterministic sample of `n` items of `sorted`, spread evenly over it: the items at
/// `i * len / n` for `i` in `0..n` (every k-th item, k = len / n, which may be fractional).
/// `n == 0` or `n >= len` takes everything.
pub fn sample<T: Clone>(sorted: &[T], n: usize) -> Vec<T> {
    let len = sorted.len();
    if n == 0 || n >= len {
        return sorted.to_vec();
    }
    (0..n).map(|i| sorted[i * len / n].clone()).collect()
}

/// The cause of a failure message, with what differs between similar messages taken out, so
/// that they group: only the first line is kept, quoted text (`` `..` ``, `'..'`, `".."`)
/// becomes `_` inside its quotes, numbers become `N`, JSON pointers `#/...` become `#/…`,
/// runs of whitespace become one space, and the result is cut to 160 characters.
pub fn normalize_cause(message: &str) -> String {
    let line = message.lines().next().unwrap_or("").trim();
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i == 0 { None } else { Some(chars[i - 1]) };
        let after_word = prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
        // An apostrophe inside a word ("can't") is not a quote.
        let is_quote = c == '`' || c == '"' || (c == '\'' && !after_word);
        if is_quote {
            if let Some(len) = chars[i + 1..].iter().position(|&d| d == c) {
                out.push(c);
                out.push('_');
                out.push(c);
                i += len + 2;
                continue;
            }
        }
        if c == '#' && chars.get(i + 1) == Some(&'/') {
            out.push_str("#/…");
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_digit() && !after_word {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push('N');
            continue;
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    let out = collapse_media_types(out.trim().trim_end_matches(['.', ':']));
    if out.chars().count() > 160 {
        let mut cut: String = out.chars().take(159).collect();
        cut.push('…');
        cut
    } else {
        out
    }
}

/// Replaces each run of media-type-like words (`application/pdf,`, `text/plain;`,
/// `charset=utf-N`, `*`) with `<media type>`, so that "responses of type X are not supported"
/// groups whatever X is.
fn collapse_media_types(text: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut in_run = false;
    for word in text.split(' ') {
        let core = word.trim_end_matches([',', ';']);
        let media = (core.contains('/') && !core.starts_with("#/") && !core.starts_with('/'))
            || (in_run && core.contains('='))
            || core == "*";
        if media {
            if !in_run {
                words.push("<media type>");
            }
            in_run = true;
        } else {
            in_run = false;
            words.push(word);
        }
    }
    words.join(" ")
}

/// The media types of a "... of type A, B are not supported yet" message, for the per-type
/// table; empty for any other message.
pub fn unsupported_media_types(message: &str) -> Vec<String> {
    let line = message.lines().next().unwrap_or("");
    let Some((_, rest)) = line.split_once(" of type ") else {
        return Vec::new();
    };
    let Some((types, _)) = rest.split_once(" are not supported") else {
        return Vec::new();
    };
    types.split(", ").map(|t| t.trim().to_owned()).collect()
}

/// One compiler error from rustc's `--error-format=json` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// `E0308 mismatched types`-style cause: the code (if any) and the normalized message.
    pub cause: String,
    /// The message as rustc wrote it (first line), with the line and the label of its primary
    /// span when it has one: ``mismatched types at line 3: expected `u8`, found `&str` ``.
    pub message: String,
}

/// What rustc reported for one crate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// Every error, in order, without the closing "aborting due to ..." line.
    pub errors: Vec<CompileError>,
    /// How many warnings (lints are capped with `--cap-lints allow`, so normally none).
    pub warnings: usize,
    /// The error count of rustc's closing "aborting due to N previous errors" line, if any.
    pub reported_errors: Option<usize>,
}

/// Parses rustc's `--error-format=json` output (its stderr: one JSON diagnostic a line, with
/// `"$message_type": "diagnostic"`; other lines, such as a panic's, are skipped). Notes,
/// help and `failure-note` lines are not counted; neither is the closing "aborting due to"
/// error, whose count goes to [`Diagnostics::reported_errors`].
pub fn rustc_diagnostics(stderr: &str) -> Diagnostics {
    let mut out = Diagnostics::default();
    for line in stderr.lines() {
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if value.get("$message_type").and_then(Value::as_str) != Some("diagnostic") {
            continue;
        }
        let text = value.get("message").and_then(Value::as_str).unwrap_or("");
        match value.get("level").and_then(Value::as_str) {
            Some("warning") => out.warnings += 1,
            Some("error") | Some("error: internal compiler error") => {
                if let Some(rest) = text.strip_prefix("aborting due to ") {
                    out.reported_errors = Some(aborting_count(rest));
                    continue;
                }
                out.errors.push(compile_error(&value, text));
            }
            _ => {}
        }
    }
    out
}

/// The count of "aborting due to N previous errors; ..." ("aborting due to previous error"
/// in older compilers: 1).
fn aborting_count(rest: &str) -> usize {
    let first = rest.split_whitespace().next().unwrap_or("");
    first.parse().unwrap_or(1)
}

fn compile_error(diagnostic: &Value, text: &str) -> CompileError {
    let code = diagnostic
        .get("code")
        .and_then(|c| c.get("code"))
        .and_then(Value::as_str);
    let normalized = normalize_cause(text);
    let cause = match code {
        Some(code) => format!("{code} {normalized}"),
        None => normalized,
    };
    let mut message = text.lines().next().unwrap_or("").to_owned();
    let primary = diagnostic
        .get("spans")
        .and_then(Value::as_array)
        .and_then(|spans| {
            spans.iter().find(|s| {
                s.get("is_primary")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            })
        });
    if let Some(span) = primary {
        if let Some(line) = span.get("line_start").and_then(Value::as_u64) {
            let _ = write!(message, " at line {line}");
        }
        if let Some(label) = span.get("label").and_then(Value::as_str) {
            let _ = write!(message, ": {label}");
        }
    }
    CompileError { cause, message }
}

/// Failures that share a cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The normalized cause.
    pub cause: String,
    /// How many specs have it (each spec counted once).
    pub specs: usize,
    /// Up to three of them.
    pub examples: Vec<String>,
    /// One original message, before normalization.
    pub sample_message: String,
}

/// Groups `(cause, spec, original message)` triples by cause, counting each spec once per
/// cause; the largest groups first, ties by cause.
pub fn group<'a>(failures: impl IntoIterator<Item = (String, &'a str, &'a str)>) -> Vec<Group> {
    let mut by_cause: BTreeMap<String, (Vec<&str>, &str)> = BTreeMap::new();
    for (cause, spec, message) in failures {
        let entry = by_cause.entry(cause).or_insert((Vec::new(), message));
        if !entry.0.contains(&spec) {
            entry.0.push(spec);
        }
    }
    let mut groups: Vec<Group> = by_cause
        .into_iter()
        .map(|(cause, (specs, message))| Group {
            cause,
            specs: specs.len(),
            examples: specs.iter().take(3).map(|s| (*s).to_owned()).collect(),
            sample_message: first_line(message, 140),
        })
        .collect();
    groups.sort_by(|a, b| b.specs.cmp(&a.specs).then_with(|| a.cause.cmp(&b.cause)));
    groups
}

/// Groups `(cause, message)` pairs of one spec by cause, counting occurrences: the examples
/// are the occurrence numbers (`#1`, `#2`, ...) and `specs` the count.
pub fn group_occurrences<'a>(problems: impl IntoIterator<Item = (String, &'a str)>) -> Vec<Group> {
    let numbered: Vec<(String, String, &str)> = problems
        .into_iter()
        .enumerate()
        .map(|(n, (cause, message))| (cause, format!("#{}", n + 1), message))
        .collect();
    group(
        numbered
            .iter()
            .map(|(cause, n, message)| (cause.clone(), n.as_str(), *message)),
    )
}

/// The first line of `text`, cut to `max` characters.
fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim_end();
    if line.chars().count() > max {
        let mut cut: String = line.chars().take(max - 1).collect();
        cut.push('…');
        cut
    } else {
        line.to_owned()
    }
}

/// `part` of `whole` in percent (0 when `whole` is 0).
pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// `YYYY-MM-DD HH:MM UTC` for seconds since the Unix epoch.
pub fn utc_timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3_600,
        rem % 3_600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sample_is_even_exact_and_deterministic() {
        let items: Vec<usize> = (0..10).collect();
        assert_eq!(sample(&items, 0), items);
        assert_eq!(sample(&items, 10), items);
        assert_eq!(sample(&items, 25), items);
        assert_eq!(sample(&items, 5), vec![0, 2, 4, 6, 8]);
        assert_eq!(sample(&items, 3), vec![0, 3, 6]);
        let big: Vec<usize> = (0..2_600).collect();
        let taken = sample(&big, 200);
        assert_eq!(taken.len(), 200);
        assert_eq!(taken, sample(&big, 200));
        assert!(taken.windows(2).all(|w| w[0] < w[1]));
        assert!(sample::<usize>(&[], 5).is_empty());
    }

    #[test]
    fn causes_group_similar_messages() {
        assert_eq!(
            normalize_cause("unresolved reference '#/components/schemas/Foo'"),
            normalize_cause("unresolved reference '#/components/schemas/Bar'")
        );
        assert_eq!(
            normalize_cause("operationId 'get-thing' cannot name a Rust method"),
            "operationId '_' cannot name a Rust method"
        );
        assert_eq!(
            normalize_cause("cannot find type `FooBar` in this scope"),
            "cannot find type `_` in this scope"
        );
        assert_eq!(
            normalize_cause("invalid OpenAPI 3.0: expected 12 items at line 3 column 40\nmore"),
            "invalid OpenAPI N: expected N items at line N column N"
        );
        assert_eq!(
            normalize_cause("unknown variant \"x\", expected one of `a`, `b`"),
            "unknown variant \"_\", expected one of `_`, `_`"
        );
        // Apostrophes in words are not quotes; digits in identifiers stay.
        assert_eq!(
            normalize_cause("can't use u8 here, it's `x`"),
            "can't use u8 here, it's `_`"
        );
        assert_eq!(
            normalize_cause("bad  pointer #/a/b/0 here"),
            "bad pointer #/… here"
        );
        assert!(normalize_cause(&"x".repeat(500)).chars().count() <= 160);
        let media = "responses of type <media type> are not supported yet";
        assert_eq!(
            normalize_cause("responses of type application/pdf are not supported yet"),
            media
        );
        assert_eq!(
            normalize_cause(
                "responses of type application/xml; charset=utf-8, text/plain; charset=utf-8, \
                 */* are not supported yet"
            ),
            media
        );
        assert_eq!(
            normalize_cause("responses of type xml are not supported yet"),
            "responses of type xml are not supported yet"
        );
        assert_eq!(
            unsupported_media_types("bodies of type text/plain, */* are not supported yet"),
            vec!["text/plain", "*/*"]
        );
        assert!(unsupported_media_types("mismatched types").is_empty());
    }

    /// One line of rustc's `--error-format=json` output.
    fn diagnostic(level: &str, message: &str, code: Option<&str>, spans: Value) -> String {
        let code = code.map(|c| json!({"code": c, "explanation": null}));
        json!({"$message_type": "diagnostic", "message": message, "code": code, "level": level,
            "spans": spans, "children": [], "rendered": format!("{level}: {message}\n")})
        .to_string()
    }

    #[test]
    fn rustc_json_errors_are_parsed() {
        let span = json!([
            {"file_name": "gen/spec_0004.rs", "line_start": 3, "is_primary": false, "label": null},
            {"file_name": "gen/spec_0004.rs", "line_start": 7, "is_primary": true,
             "label": "expected `u8`, found `&str`"}
        ]);
        let lines = [
            diagnostic("error", "mismatched types", Some("E0308"), span),
            diagnostic(
                "warning",
                "unused variable: `x`",
                Some("unused_variables"),
                json!([]),
            ),
            diagnostic("note", "the type is defined here", None, json!([])),
            "thread 'rustc' panicked: not json".to_owned(),
            diagnostic(
                "error",
                "cannot find type `Foo` in this scope",
                Some("E0412"),
                json!([]),
            ),
            diagnostic(
                "error",
                "aborting due to 2 previous errors; 1 warning emitted",
                None,
                json!([]),
            ),
            diagnostic(
                "failure-note",
                "For more information about an error, try `rustc --explain E0308`.",
                None,
                json!([]),
            ),
        ];
        let parsed = rustc_diagnostics(&lines.join("\n"));
        assert_eq!(
            parsed.errors,
            vec![
                CompileError {
                    cause: "E0308 mismatched types".to_owned(),
                    message: "mismatched types at line 7: expected `u8`, found `&str`".to_owned(),
                },
                CompileError {
                    cause: "E0412 cannot find type `_` in this scope".to_owned(),
                    message: "cannot find type `Foo` in this scope".to_owned(),
                },
            ]
        );
        assert_eq!(parsed.warnings, 1);
        assert_eq!(parsed.reported_errors, Some(2));
        assert_eq!(parsed.reported_errors, Some(parsed.errors.len()));
    }

    #[test]
    fn rustc_json_error_counts() {
        let one = diagnostic("error", "aborting due to 1 previous error", None, json!([]));
        assert_eq!(rustc_diagnostics(&one).reported_errors, Some(1));
        assert!(rustc_diagnostics(&one).errors.is_empty());
        let old = diagnostic("error", "aborting due to previous error", None, json!([]));
        assert_eq!(rustc_diagnostics(&old).reported_errors, Some(1));
        // A clean check: nothing on stderr, or warnings only.
        assert_eq!(rustc_diagnostics(""), Diagnostics::default());
        let warning = diagnostic("warning", "unused import", None, json!([]));
        let clean = rustc_diagnostics(&format!("{warning}\n{warning}\n"));
        assert!(clean.errors.is_empty());
        assert_eq!((clean.warnings, clean.reported_errors), (2, None));
        // An internal compiler error counts as an error.
        let ice = diagnostic(
            "error: internal compiler error",
            "unexpected panic",
            None,
            json!([]),
        );
        assert_eq!(rustc_diagnostics(&ice).errors.len(), 1);
    }

    #[test]
    fn groups_count_each_spec_once_largest_first() {
        let groups = group([
            ("b".to_owned(), "s1", "b1"),
            ("a".to_owned(), "s1", "a1"),
            ("a".to_owned(), "s1", "a2"),
            ("a".to_owned(), "s2", "a3"),
            ("c".to_owned(), "s3", "c1"),
        ]);
        let summary: Vec<(&str, usize)> =
            groups.iter().map(|g| (g.cause.as_str(), g.specs)).collect();
        assert_eq!(summary, vec![("a", 2), ("b", 1), ("c", 1)]);
        assert_eq!(groups[0].examples, vec!["s1", "s2"]);
        assert_eq!(groups[0].sample_message, "a1");
        let long = group([("x".to_owned(), "s", "line one\nline two")]);
        assert_eq!(long[0].sample_message, "line one");
        let occurrences = group_occurrences([
            (
                "E0308 mismatched types".to_owned(),
                "mismatched types at line 3",
            ),
            ("E0412 cannot find type".to_owned(), "cannot find type `A`"),
            (
                "E0308 mismatched types".to_owned(),
                "mismatched types at line 9",
            ),
        ]);
        assert_eq!(occurrences[0].cause, "E0308 mismatched types");
        assert_eq!(occurrences[0].specs, 2);
        assert_eq!(occurrences[0].examples, vec!["#1", "#3"]);
        assert_eq!(occurrences[1].examples, vec!["#2"]);
    }

    #[test]
    fn dates_and_percents() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00 UTC");
        assert_eq!(
            utc_timestamp(951_782_400 + 3_600 + 60),
            "2000-02-29 01:01 UTC"
        );
        assert_eq!(percent(1, 0), 0.0);
        assert_eq!(percent(1, 4), 25.0);
    }
}
