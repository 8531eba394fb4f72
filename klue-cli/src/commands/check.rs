//! `klue check`: reports every problem of the given specs.

use serde_json::json;

use super::UserError;
use crate::cli::CheckArgs;

/// Checks every spec; prints problems (stderr, or JSON on stdout) and fails when there are any.
pub fn run(args: &CheckArgs) -> Result<(), UserError> {
    let mut failed = 0usize;
    let mut report = Vec::new();
    for spec in &args.specs {
        match klue_codegen::check(spec) {
            Ok(()) => {
                if !args.json {
                    eprintln!("ok: {}", spec.display());
                }
                report.push(json!({"spec": spec, "ok": true, "problems": []}));
            }
            Err(klue_codegen::Error::Spec(diagnostics)) => {
                failed += 1;
                if !args.json {
                    eprintln!("{diagnostics}\n");
                }
                let problems: Vec<_> = diagnostics
                    .iter()
                    .map(|d| {
                        json!({
                            "file": d.file,
                            "line": d.position.map(|p| p.line),
                            "column": d.position.map(|p| p.column),
                            "pointer": d.pointer,
                            "message": d.message,
                            "help": d.help,
                        })
                    })
                    .collect();
                report.push(json!({"spec": spec, "ok": false, "problems": problems}));
            }
            Err(other) => {
                failed += 1;
                if !args.json {
                    eprintln!("error: {other}\n");
                }
                report.push(json!({"spec": spec, "ok": false, "problems": [{"message": other.to_string()}]}));
            }
        }
    }
    if args.json {
        println!("{}", serde_json::Value::Array(report));
    }
    if failed > 0 {
        return Err(UserError::plain(format!(
            "{failed} of {} spec(s) have problems",
            args.specs.len()
        )));
    }
    Ok(())
}
