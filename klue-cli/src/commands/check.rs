//! `klue check`: reports every problem of the given specs.

use serde_json::json;

use klue_codegen::Severity;

use super::UserError;
use crate::cli::CheckArgs;

/// Checks every spec; prints problems and warnings (stderr, or JSON on stdout) and fails when
/// there are errors, or warnings with `--deny-warnings`.
pub fn run(args: &CheckArgs) -> Result<(), UserError> {
    let mut failed = 0usize;
    let mut report = Vec::new();
    for spec in &args.specs {
        match klue_codegen::check_with_warnings(spec) {
            Ok(warnings) => {
                // Notes say how klue reads the spec; only warnings can be denied.
                let denied = warnings.iter().any(|w| w.severity == Severity::Warning);
                let ok = !denied || !args.deny_warnings;
                failed += usize::from(!ok);
                if !args.json {
                    print_warnings(spec, &warnings, ok);
                }
                report.push(json!({
                    "spec": spec,
                    "ok": ok,
                    "problems": [],
                    "warnings": warnings.iter().map(located).collect::<Vec<_>>(),
                }));
            }
            Err(klue_codegen::Error::Spec(diagnostics)) => {
                failed += 1;
                if !args.json {
                    eprintln!("{diagnostics}\n");
                }
                let problems: Vec<_> = diagnostics.iter().map(located).collect();
                report
                    .push(json!({"spec": spec, "ok": false, "problems": problems, "warnings": []}));
            }
            Err(other) => {
                failed += 1;
                if !args.json {
                    eprintln!("error: {other}\n");
                }
                report.push(json!({
                    "spec": spec,
                    "ok": false,
                    "problems": [{"message": other.to_string()}],
                    "warnings": [],
                }));
            }
        }
    }
    if args.json {
        println!("{}", serde_json::Value::Array(report));
    }
    if failed > 0 {
        let denied = if args.deny_warnings {
            " (warnings denied)"
        } else {
            ""
        };
        return Err(UserError::plain(format!(
            "{failed} of {} spec(s) have problems{denied}",
            args.specs.len()
        ))
        .step_failed());
    }
    Ok(())
}

/// The warnings of a spec without errors, then its verdict line.
fn print_warnings(spec: &std::path::Path, warnings: &[klue_codegen::Diagnostic], ok: bool) {
    for warning in warnings {
        eprintln!("{}\n", warning.as_warning());
    }
    let verdict = if ok { "ok" } else { "error" };
    let notes = warnings
        .iter()
        .filter(|w| w.severity == Severity::Note)
        .count();
    let counted = [(warnings.len() - notes, "warning"), (notes, "note")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>();
    if counted.is_empty() {
        eprintln!("{verdict}: {}", spec.display());
    } else {
        eprintln!("{verdict}: {} ({})", spec.display(), counted.join(", "));
    }
}

/// A diagnostic as JSON: file, line, column, pointer, message, help.
fn located(d: &klue_codegen::Diagnostic) -> serde_json::Value {
    json!({
        "file": d.file,
        "line": d.position.map(|p| p.line),
        "column": d.position.map(|p| p.column),
        "pointer": d.pointer,
        "message": d.message,
        "help": d.help,
        "severity": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        },
    })
}
