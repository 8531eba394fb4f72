//! The part of the report on generated servers: started, routed, fuzzed.

use std::fmt::Write as _;

use crate::{percent, Group};

/// How GitHub's stub server did.
#[derive(Debug, Clone, Default)]
pub struct GithubServed {
    /// It started and served its spec.
    pub started: bool,
    /// Why not.
    pub failure: Option<String>,
    /// Operations probed, and those not routed.
    pub probed: usize,
    /// Operations not routed: `(operation, answer)`.
    pub unrouted: Vec<(String, String)>,
    /// Seconds building its binary.
    pub build_secs: f64,
}

/// One spec of the fuzzed subset.
#[derive(Debug, Clone, Default)]
pub struct FuzzRow {
    /// The spec.
    pub spec: String,
    /// Its operations.
    pub operations: usize,
    /// Seconds schemathesis took.
    pub secs: f64,
    /// Why the run did not finish, if it did not.
    pub error: Option<String>,
    /// Valid requests refused (`positive_data_acceptance`).
    pub refused_valid: usize,
    /// Invalid requests accepted (`negative_data_rejection`).
    pub accepted_invalid: usize,
    /// Other findings.
    pub other: usize,
    /// Findings of a known cause that is no defect of klue (`Finding::known_cause`).
    pub known: usize,
}

/// Servers started from the sample, and the fuzzed subset.
#[derive(Debug, Clone, Default)]
pub struct ServeReport {
    /// Whether servers were built and started (else only `rustc --emit=metadata` checks ran).
    pub enabled: bool,
    /// Stub servers started (listening, `/openapi.json` served).
    pub started: usize,
    /// Specs whose server did not start, by cause.
    pub start_groups: Vec<Group>,
    /// Operations probed over the started servers.
    pub probed: usize,
    /// Of those, not routed to their operation.
    pub unrouted: usize,
    /// Operations not routed, by answer (a spec counted once per cause).
    pub unrouted_groups: Vec<Group>,
    /// GitHub's server.
    pub github: Option<GithubServed>,
    /// The rule that chose the fuzzed subset.
    pub fuzz_rule: String,
    /// schemathesis' settings.
    pub fuzz_settings: String,
    /// The fuzzed specs.
    pub fuzzed: Vec<FuzzRow>,
    /// Findings by cause (a spec counted once per cause).
    pub fuzz_groups: Vec<Group>,
}

impl ServeReport {
    /// Valid requests refused over the subset.
    pub fn refused_valid(&self) -> usize {
        self.fuzzed.iter().map(|r| r.refused_valid).sum()
    }

    /// Invalid requests accepted over the subset.
    pub fn accepted_invalid(&self) -> usize {
        self.fuzzed.iter().map(|r| r.accepted_invalid).sum()
    }

    /// Findings of a known cause, over all fuzzed specs.
    pub fn known(&self) -> usize {
        self.fuzzed.iter().map(|r| r.known).sum()
    }

    /// Summary lines.
    pub fn summary(&self, compiled: usize) -> Vec<String> {
        if !self.enabled {
            return vec!["servers: not started (--no-start)".to_owned()];
        }
        let mut lines = vec![format!(
            "servers: {}/{} compiled stub servers started ({:.1}%); {} of {} operations not routed",
            self.started,
            compiled,
            percent(self.started, compiled),
            self.unrouted,
            self.probed,
        )];
        if let Some(g) = &self.github {
            lines.push(format!(
                "github server: started: {}, {} of {} operations not routed{}",
                g.started,
                g.unrouted.len(),
                g.probed,
                g.failure
                    .as_deref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default()
            ));
        }
        let errors = self.fuzzed.iter().filter(|r| r.error.is_some()).count();
        lines.push(format!(
            "schemathesis: {} specs, {} valid requests refused, {} invalid requests accepted, {} \
             other findings ({} of all findings of a known cause), {} runs with errors",
            self.fuzzed.len(),
            self.refused_valid(),
            self.accepted_invalid(),
            self.fuzzed.iter().map(|r| r.other).sum::<usize>(),
            self.known(),
            errors
        ));
        lines
    }

    /// The markdown sections.
    pub fn markdown(&self, md: &mut String, compiled: usize, table: fn(&mut String, &[Group])) {
        let _ = writeln!(md, "## Servers started\n");
        if !self.enabled {
            let _ = writeln!(md, "Not run (`--no-start`).\n");
            return;
        }
        let _ = writeln!(
            md,
            "Each generated file that compiles is built into a stub server (the trait's default \
             methods: every operation answers 501 `NOT_IMPLEMENTED`), started on 127.0.0.1, asked \
             for `/openapi.json`, then sent one request per operation (parameters `1`, no body), \
             which must be routed to its operation: no 404, 405 or 5xx other than 501. A path \
             with a selector (`/#X-Amz-Target=...`, `/request/{{id}}?cmd=diff`) is sent its \
             selector as query parameters.\n"
        );
        let _ = writeln!(
            md,
            "| what | count | % |\n| --- | ---: | ---: |\n| compiled | {compiled} | |\n\
             | started | {} | {:.1} |\n| operations probed | {} | |\n| not routed | {} | {:.2} |\n",
            self.started,
            percent(self.started, compiled),
            self.probed,
            self.unrouted,
            percent(self.unrouted, self.probed),
        );
        if let Some(g) = &self.github {
            let _ = writeln!(
                md,
                "GitHub: started: {}; {} operations probed, {} not routed; built in {:.0} s{}\n",
                if g.started { "yes" } else { "no" },
                g.probed,
                g.unrouted.len(),
                g.build_secs,
                g.failure
                    .as_deref()
                    .map(|f| format!("; {f}"))
                    .unwrap_or_default()
            );
            for (operation, answer) in g.unrouted.iter().take(10) {
                let _ = writeln!(md, "- `{operation}`: {answer}");
            }
            if !g.unrouted.is_empty() {
                let _ = writeln!(md);
            }
        }
        let _ = writeln!(md, "### Servers that did not start, by cause\n");
        table(md, &self.start_groups);
        let _ = writeln!(md, "### Operations not routed, by answer\n");
        table(md, &self.unrouted_groups);
        self.fuzz_markdown(md, table);
    }

    fn fuzz_markdown(&self, md: &mut String, table: fn(&mut String, &[Group])) {
        let _ = writeln!(md, "## schemathesis on stub servers\n");
        let _ = writeln!(
            md,
            "Subset: {}\n\nRun: {}\n",
            self.fuzz_rule, self.fuzz_settings
        );
        if self.fuzzed.is_empty() {
            let _ = writeln!(md, "No spec fuzzed.\n");
            return;
        }
        let _ = writeln!(
            md,
            "| spec | operations | valid refused | invalid accepted | other | time | error |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | --- |"
        );
        for r in &self.fuzzed {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {:.0} s | {} |",
                r.spec,
                r.operations,
                r.refused_valid,
                r.accepted_invalid,
                r.other,
                r.secs,
                r.error.as_deref().unwrap_or("")
            );
        }
        let _ = writeln!(
            md,
            "\nTotal: {} valid requests refused, {} invalid requests accepted; {} of all findings \
             have a known cause that is no defect of klue (named after `→` below: a documented \
             limit that generation notes, or schemathesis' own reading of a pattern).\n",
            self.refused_valid(),
            self.accepted_invalid(),
            self.known()
        );
        let _ = writeln!(md, "### Findings, by cause\n");
        table(md, &self.fuzz_groups);
    }
}
