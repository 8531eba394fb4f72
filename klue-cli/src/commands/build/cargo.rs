//! The release binary, linked statically so that a `FROM scratch` image can run it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::profile::Profile;
use crate::commands::UserError;

/// Builds `binary` of the crate in `dir` for `target` with `profile` and
/// `-C target-feature=+crt-static` and returns the executable's path (read from cargo's JSON
/// messages, so CARGO_TARGET_DIR and workspaces are honoured). Cargo's progress and diagnostics
/// go to stderr.
pub fn build_static(
    dir: &Path,
    binary: &str,
    target: &str,
    profile: Profile,
) -> Result<PathBuf, UserError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = dir.join("Cargo.toml");
    let profile_args = profile.cargo_args(dir);
    eprintln!(
        "cargo: RUSTFLAGS=\"-C target-feature=+crt-static\" build {} --target {target} \
         --bin {binary} --manifest-path {}",
        profile_args.join(" "),
        manifest.display()
    );
    let mut child = Command::new(&cargo)
        .arg("build")
        .args(&profile_args)
        .args(["--target", target, "--bin", binary])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--message-format=json-render-diagnostics")
        // With --target, RUSTFLAGS reaches only the target's crates, not build scripts and
        // proc macros (which must stay dynamic to be loaded).
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|err| {
            UserError::new(
                format!("cannot run '{}': {err}", cargo.to_string_lossy()),
                "install Rust with cargo (rustup.rs)",
            )
        })?;
    let mut executable = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(path) = artifact_executable(&line, binary) {
                executable = Some(path);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|err| UserError::plain(format!("waiting for cargo: {err}")))?;
    if !status.success() {
        return Err(UserError::new(
            "cargo build failed (its errors are above)",
            format!(
                "fix the build; a missing static target wants `rustup target add {target}`, and \
                 glibc's static libraries (Debian: libc6-dev)"
            ),
        )
        .step_failed());
    }
    executable.ok_or_else(|| {
        UserError::new(
            format!("cargo built no binary named '{binary}'"),
            "set `binary:` in klue.yaml to the [[bin]] to ship",
        )
    })
}

/// The executable of a `compiler-artifact` message for the binary `binary`.
fn artifact_executable(line: &str, binary: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" || message["target"]["name"] != binary {
        return None;
    }
    let is_bin = message["target"]["kind"]
        .as_array()
        .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
    if !is_bin {
        return None;
    }
    message["executable"].as_str().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_come_from_bin_artifacts_only() {
        let bin = r#"{"reason":"compiler-artifact","target":{"name":"hello","kind":["bin"]},"executable":"/t/hello"}"#;
        let lib = r#"{"reason":"compiler-artifact","target":{"name":"hello","kind":["lib"]},"executable":null}"#;
        assert_eq!(
            artifact_executable(bin, "hello"),
            Some(PathBuf::from("/t/hello"))
        );
        assert_eq!(artifact_executable(lib, "hello"), None);
        assert_eq!(artifact_executable(bin, "other"), None);
        assert_eq!(artifact_executable("not json", "hello"), None);
    }
}
