//! Generating one spec, in a child process (the hidden `gen-one` command of this binary) so
//! that a crash or a hang of the generator is recorded, not fatal.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Generates `spec` in this process and prints the outcome as one line of JSON (the child's
/// side of [`generate`]).
pub fn gen_one(spec: &Path, name: &str, out: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(spec) {
        Ok(text) => text,
        Err(err) => {
            println!(
                "{}",
                json!({"ok": false, "ms": 0.0, "first": format!("io: {err}"), "all": []})
            );
            return ExitCode::SUCCESS;
        }
    };
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let result = std::panic::catch_unwind(|| {
        klue_codegen::configure()
            .generate_default_stubs(true)
            .generate_files_from_str(spec, name, &text)
    });
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let outcome = match result {
        Ok(Ok(files)) => match write_beside(out, &files) {
            Ok(()) => json!({"ok": true, "ms": ms, "lines": files.rust().lines().count()}),
            Err(err) => json!({"ok": false, "ms": ms, "first": format!("io: {err}"), "all": []}),
        },
        Ok(Err(klue_codegen::Error::Spec(diagnostics))) => {
            let all: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
            json!({"ok": false, "ms": ms, "first": all.first().copied().unwrap_or(""), "all": all})
        }
        Ok(Err(klue_codegen::Error::Internal { message, .. })) => {
            let first = format!("internal error: {message}");
            json!({"ok": false, "ms": ms, "first": first, "all": [first]})
        }
        Ok(Err(other)) => {
            let first = format!("error: {other}");
            json!({"ok": false, "ms": ms, "first": first, "all": [first]})
        }
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            let first = format!("panic: {text}");
            json!({"ok": false, "ms": ms, "first": first, "all": [first]})
        }
    };
    println!("{outcome}");
    ExitCode::SUCCESS
}

/// The outcome of generating one spec.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Whether it generated (the code is then in the `out` file).
    pub ok: bool,
    /// Time of the `generate_from_str` call (of the whole child when it failed), ms.
    pub ms: f64,
    /// Lines of generated code.
    pub lines: usize,
    /// The first problem, when it failed.
    pub first: String,
    /// Every problem reported.
    pub all: Vec<String>,
}

/// Generates one spec in a child process, with a time limit.
pub fn generate(
    spec: &Path,
    name: &str,
    out: &Path,
    timeout: Duration,
) -> Result<Generated, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let stderr_path = out.with_extension("stderr");
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| format!("{e}"))?;
    let mut child = Command::new(exe)
        .arg("gen-one")
        .arg(spec)
        .arg(name)
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("spawning the generator: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        let _ = pipe.read_to_string(&mut stdout);
    }
    let stderr_text = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let _ = std::fs::remove_file(&stderr_path);
    let failed = |first: String| Generated {
        ok: false,
        ms: start.elapsed().as_secs_f64() * 1e3,
        lines: 0,
        all: vec![first.clone()],
        first,
    };
    let Some(status) = status else {
        return Ok(failed(format!(
            "timeout: generation took over {} s",
            timeout.as_secs()
        )));
    };
    let Some(line) = stdout.lines().last().filter(|_| status.success()) else {
        let last = stderr_text.lines().rev().find(|l| !l.trim().is_empty());
        return Ok(failed(format!(
            "crash: generator exited with {status}: {}",
            last.unwrap_or("")
        )));
    };
    let v: Value = serde_json::from_str(line).map_err(|e| format!("bad child output: {e}"))?;
    Ok(Generated {
        ok: v["ok"].as_bool().unwrap_or(false),
        ms: v["ms"].as_f64().unwrap_or(0.0),
        lines: v["lines"].as_u64().unwrap_or(0) as usize,
        first: v["first"].as_str().unwrap_or("").to_owned(),
        all: v["all"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Writes the source to `out` and the spec JSON it `include_str!`s beside it.
fn write_beside(out: &Path, files: &klue_codegen::GeneratedFiles) -> std::io::Result<()> {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let files = files.clone().with_stem(&stem);
    std::fs::write(out.with_extension("json"), files.spec_json())?;
    std::fs::write(out, files.rust())
}
