//! The docker CLI, as `klue build` and `klue deploy` use it: its output streamed to stderr
//! (stdout is for klue's own data), failures turned into errors with hints.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::commands::UserError;

/// Fails with a hint when the docker CLI is missing or its engine is not reachable.
pub fn check() -> Result<(), UserError> {
    let output = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdin(Stdio::null())
        .output();
    match output {
        Err(err) => Err(UserError::new(
            format!("cannot run the docker CLI: {err}"),
            "install Docker (the docker CLI and engine)",
        )),
        Ok(output) if !output.status.success() => Err(UserError::new(
            format!(
                "the docker engine is not reachable: {}",
                first_line(&output.stderr)
            ),
            "start the docker daemon (e.g. `sudo systemctl start docker`) or point DOCKER_HOST \
             at one",
        )),
        Ok(_) => Ok(()),
    }
}

/// Runs `docker ARGS`, its output (both streams) going to stderr as it comes.
pub fn stream(args: &[&str], what: &str) -> Result<(), UserError> {
    eprintln!("docker: {}", args.join(" "));
    let status = Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .stderr(Stdio::inherit())
        .status()
        .map_err(|err| UserError::plain(format!("cannot run the docker CLI: {err}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(UserError::new(
            format!("docker could not {what} (its output is above)"),
            "fix what docker reports, then run klue again",
        )
        .step_failed())
    }
}

/// Runs `docker ARGS` and returns its stdout, trimmed.
pub fn output(args: &[&str]) -> Result<String, UserError> {
    let output = Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| UserError::plain(format!("cannot run the docker CLI: {err}")))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(UserError::plain(format!(
            "docker {} failed: {}",
            args.join(" "),
            first_line(&output.stderr)
        )))
    }
}

/// `docker login REGISTRY -u USER --password-stdin`: the password never goes on a command line
/// (which every user's `ps` shows) nor into a log.
pub fn login(registry: &str, user: &str, password: &str) -> Result<(), UserError> {
    eprintln!("docker: login {registry} -u {user} --password-stdin");
    let mut child = Command::new("docker")
        .args(["login", registry, "-u", user, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(std::io::stderr())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| UserError::plain(format!("cannot run the docker CLI: {err}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(password.as_bytes())
            .map_err(|err| UserError::plain(format!("docker login: {err}")))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|err| UserError::plain(format!("docker login: {err}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(UserError::new(
            format!(
                "docker login to {registry} failed: {}",
                first_line(&output.stderr)
            ),
            "check that the registry is reachable from here; for a test registry, set \
             KLUE_REGISTRY to its host:port",
        ))
    }
}

/// The size of a local image, in bytes.
pub fn image_size(image: &str) -> Result<u64, UserError> {
    output(&["image", "inspect", "--format", "{{.Size}}", image])?
        .parse()
        .map_err(|_| UserError::plain(format!("docker did not report the size of {image}")))
}

fn first_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message")
        .trim()
        .to_owned()
}

/// `12.3 MB` for a byte count (decimal units, as docker shows them).
pub fn human_size(bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    if mb >= 1.0 {
        format!("{mb:.1} MB")
    } else {
        format!("{:.1} kB", bytes as f64 / 1000.0)
    }
}
