//! Reading schemathesis' JUnit report: one [`Finding`] per failing test case of an operation.

/// One failure schemathesis found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The operation (`POST /items`).
    pub operation: String,
    /// The check that failed, with its code (`ST201 Schema-violating request accepted`).
    pub check: String,
    /// What was wrong with the request (`Invalid component: Missing `a` at query`), or the
    /// first line schemathesis explains the failure with.
    pub detail: String,
    /// The answer's status line (`[200] OK`).
    pub answer: String,
    /// Why the server refused the request, when it answered with a 4xx in klue's error
    /// envelope (its `error_description`); else empty.
    pub refusal: String,
}

impl Finding {
    /// The cause this finding is grouped by: the check and the detail, and for a refusal
    /// the server's reason.
    pub fn cause(&self) -> String {
        if self.refusal.is_empty() {
            format!("{}: {}", self.check, self.detail)
        } else {
            format!("{}: {}", self.check, self.refusal)
        }
    }

    /// A finding whose cause is known and is not a defect of klue: a documented limit that
    /// code generation notes, or data schemathesis (Python's `re`) judges by another reading
    /// of the spec's pattern than the ECMA/Java one klue applies.
    pub fn known_cause(&self) -> Option<&'static str> {
        let valid_refused = self.check.starts_with("ST202");
        let text = format!("{} {}", self.detail, self.refusal);
        if valid_refused && text.contains("out of range for a 64-bit integer") {
            Some("documented limit: an integer without `format` is 64-bit (a note at generation)")
        } else if valid_refused && text.contains("expected object, got") {
            Some(
                "documented limit: `properties` without `type` is an object (a note at generation)",
            )
        } else if text.contains("pattern") && text.contains("\\p{") {
            Some("schemathesis: Python's `re` has no `\\p{..}` classes, so its data does not follow the pattern")
        } else if text.contains("pattern")
            // schemathesis shows its reading, `\&\&`, escaped.
            && (text.contains("&&") || text.contains("\\&\\&"))
        {
            Some("schemathesis: Python's `re` reads the class intersection `&&` as literal characters")
        } else {
            None
        }
    }
}

/// The findings of a JUnit report written by `schemathesis run --report junit`.
pub fn junit_failures(xml: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    for case in xml.split("<testcase ").skip(1) {
        let operation = attribute(case, "name").unwrap_or_default();
        let Some(start) = case.find("<failure") else {
            continue;
        };
        let Some(text_start) = case[start..].find('>').map(|i| start + i + 1) else {
            continue;
        };
        let text_end = case[text_start..]
            .find("</failure>")
            .map_or(case.len(), |i| text_start + i);
        let text = unescape(&case[text_start..text_end]);
        findings.extend(failures_of(&operation, &text));
    }
    findings
}

/// The numbered failures (`1. Test Case ID: ...`) of one operation's failure text.
fn failures_of(operation: &str, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut current: Option<Finding> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(check) = trimmed.strip_prefix("- ") {
            if let Some(done) = current.take() {
                findings.push(done);
            }
            current = Some(Finding {
                operation: operation.to_owned(),
                check: check.to_owned(),
                detail: String::new(),
                answer: String::new(),
                refusal: String::new(),
            });
            continue;
        }
        let Some(finding) = current.as_mut() else {
            continue;
        };
        if trimmed.starts_with('[') && trimmed.ends_with(':') && finding.answer.is_empty() {
            finding.answer = trimmed.trim_end_matches(':').to_owned();
        } else if finding.answer.starts_with("[4") && finding.refusal.is_empty() {
            finding.refusal = error_description(trimmed).unwrap_or_default();
        } else if let Some(component) = trimmed.strip_prefix("Invalid component: ") {
            finding.detail = format!("invalid {component}");
        } else if finding.detail.is_empty()
            && finding.answer.is_empty()
            && !trimmed.is_empty()
            && !trimmed.starts_with("Expected:")
        {
            finding.detail = trimmed.to_owned();
        }
    }
    findings.extend(current);
    findings
}

/// The `error_description` of a klue error envelope schemathesis shows as `` `{...}` ``.
fn error_description(line: &str) -> Option<String> {
    let json = line.strip_prefix('`')?.strip_suffix('`')?;
    let body: serde_json::Value = serde_json::from_str(json).ok()?;
    body["error_description"].as_str().map(str::to_owned)
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#10;", "\n")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schemathesis_report_is_read() {
        let xml = include_str!("../testdata/schemathesis.junit.xml");
        let findings = junit_failures(xml);
        assert_eq!(
            findings,
            vec![
                Finding {
                    operation: "POST /items".to_owned(),
                    check: "ST201 Schema-violating request accepted".to_owned(),
                    detail: "invalid Missing request body".to_owned(),
                    answer: "[200] OK".to_owned(),
                    refusal: String::new(),
                },
                Finding {
                    operation: "GET /q".to_owned(),
                    check: "ST201 Schema-violating request accepted".to_owned(),
                    detail: "invalid Missing `a` at query".to_owned(),
                    answer: "[200] OK".to_owned(),
                    refusal: String::new(),
                },
            ]
        );
        assert_eq!(
            findings[1].cause(),
            "ST201 Schema-violating request accepted: invalid Missing `a` at query"
        );
    }

    #[test]
    fn several_failures_of_one_operation_and_a_passing_case() {
        let xml = "<testsuites><testcase name=\"GET /a\" time=\"1\"/>\
                   <testcase name=\"POST /b\" time=\"1\"><failure type=\"failure\" message=\"x\">\
                   1. Test Case ID: a\n\n- ST202 Schema-valid request rejected\n\n    \
                   Valid data should have been accepted\n    Expected: 2xx\n\n[400] Bad Request:\n\n\
                   2. Test Case ID: b\n\n- ST201 Schema-violating request accepted\n\n    \
                   Invalid data should have been rejected\n    Invalid component: `x` at body\n\n\
                   [501] Not Implemented:\n</failure></testcase></testsuites>";
        let findings = junit_failures(xml);
        assert_eq!(findings.len(), 2);
        assert_eq!(
            findings[0].cause(),
            "ST202 Schema-valid request rejected: Valid data should have been accepted"
        );
        assert_eq!(findings[0].answer, "[400] Bad Request");
        assert_eq!(findings[1].detail, "invalid `x` at body");
        assert_eq!(findings[1].answer, "[501] Not Implemented");
    }

    #[test]
    fn a_refusal_is_grouped_by_the_servers_reason_and_known_causes_are_named() {
        let case = |check: &str, component: &str, answer: &str, body: &str| {
            format!(
                "<testcase name=\"POST /b\" time=\"1\"><failure type=\"failure\" message=\"x\">\
                 1. Test Case ID: a\n\n- {check}\n\n    Some data\n{component}\n{answer}:\n\n    \
                 `{body}`\n\nReproduce with:\n\n    curl -X POST\n</failure></testcase>"
            )
        };
        let range = case(
            "ST202 Schema-valid request rejected",
            "",
            "[400] Bad Request",
            r#"{"status":400,"error":"INVALID_PARAMETER","error_description":"Invalid request: body /n: 1e30 is out of range for a 64-bit integer"}"#,
        );
        let found = junit_failures(&range);
        assert_eq!(
            found[0].cause(),
            "ST202 Schema-valid request rejected: Invalid request: body /n: 1e30 is out of range for a 64-bit integer"
        );
        assert!(found[0].known_cause().unwrap().contains("64-bit"));

        let pattern = case(
            "ST202 Schema-valid request rejected",
            "",
            "[400] Bad Request",
            r#"{"error_description":"Invalid request: body /t: does not match pattern '^[\\p{L}]*$'"}"#,
        );
        assert!(junit_failures(&pattern)[0]
            .known_cause()
            .unwrap()
            .contains("no `\\p{..}`"));

        let intersection = case(
            "ST201 Schema-violating request accepted",
            "    Invalid component: in body - n: Value not matching the '[ -~\\&\\&\\[^|]\\]+' pattern",
            "[501] Not Implemented",
            r#"{"status":501,"error":"NOT_IMPLEMENTED"}"#,
        );
        let found = junit_failures(&intersection);
        assert_eq!(found[0].refusal, "", "a 501 is no refusal");
        assert!(found[0].known_cause().unwrap().contains("`&&`"));

        let real = case(
            "ST202 Schema-valid request rejected",
            "",
            "[400] Bad Request",
            r#"{"error_description":"Invalid request: body /a: expected string, got 1"}"#,
        );
        assert_eq!(junit_failures(&real)[0].known_cause(), None);
    }
}
