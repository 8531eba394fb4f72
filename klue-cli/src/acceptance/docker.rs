//! `--image`: the service's image run with the docker CLI for the duration of the tests.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command as StdCommand, Stdio};

use tokio::process::Command;

use super::target::{Scheme, Target, TargetKind};
use super::Error;

/// A running container, stopped and removed when dropped: on success, on failure, on ctrl-c and
/// on a panic alike.
#[derive(Debug)]
pub(super) struct Container {
    id: String,
    image: String,
    port: u16,
}

impl Container {
    /// Checks that docker is usable, then runs `image` on a free port of the host network with
    /// the `KLUE_JWT_*` variables of this process, as `docker run -d --rm --network host -e
    /// KLUE_JWT_SECRET ... IMAGE --port PORT`.
    pub(super) async fn start(image: &str) -> Result<Self, Error> {
        check_docker().await?;
        let port = free_port()?;
        let mut command = Command::new("docker");
        command.args(["run", "-d", "--rm", "--network", "host"]);
        // `-e NAME` without a value: docker copies the value from its own environment, so
        // secrets stay off command lines (which `ps` shows to every user).
        let mut names: Vec<String> = std::env::vars_os()
            .filter_map(|(name, _)| name.into_string().ok())
            .filter(|name| name.starts_with("KLUE_JWT_") && name != "KLUE_JWT_TOKEN")
            .collect();
        names.sort();
        for name in &names {
            command.args(["-e", name]);
        }
        command
            .arg(image)
            .args(["--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // The pull progress and docker's own errors, as they come.
            .stderr(Stdio::inherit());
        eprintln!(
            "docker: run -d --rm --network host{} {image} --port {port}",
            names.iter().map(|n| format!(" -e {n}")).collect::<String>()
        );
        let output = command
            .output()
            .await
            .map_err(|err| Error::plain(format!("cannot run the docker CLI: {err}")))?;
        let id = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || id.is_empty() {
            return Err(Error::new(
                format!("docker could not start {image} (its message is above)"),
                "check the image name (`docker images`), or pull it first (`docker pull IMAGE`)",
            ));
        }
        Ok(Container {
            id,
            image: image.to_owned(),
            port,
        })
    }

    /// Where the container's service listens.
    pub(super) fn target(&self) -> Target {
        Target {
            scheme: Scheme::Http,
            host: "127.0.0.1".to_owned(),
            port: self.port,
            kind: TargetKind::Image {
                image: self.image.clone(),
                container: short(&self.id).to_owned(),
            },
        }
    }

    /// Copies the container's last log lines to stderr, to show why it did not become ready.
    pub(super) async fn print_logs(&self) {
        eprintln!("docker: last logs of container {}:", short(&self.id));
        let status = Command::new("docker")
            .args(["logs", "--tail", "50", &self.id])
            .stdin(Stdio::null())
            // Our stdout is for the report: the container's output is a log, so stderr.
            .stdout(std::io::stderr())
            .stderr(Stdio::inherit())
            .status()
            .await;
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("docker: (no logs: the container is gone; with --rm docker removes it when it exits)");
        }
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        // Blocking on purpose: drop runs on every way out (including a dropped future after
        // ctrl-c) and the container must be gone before the process exits.
        eprintln!("docker: stopping container {}", short(&self.id));
        let quiet = |args: &[&str]| {
            StdCommand::new("docker")
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        // `--rm` removes it once stopped; `rm --force` covers a stop that did not work.
        if !quiet(&["stop", "--time", "5", &self.id]) {
            quiet(&["rm", "--force", &self.id]);
        }
    }
}

/// Fails with a hint when the docker CLI is missing or its engine is not reachable.
async fn check_docker() -> Result<(), Error> {
    let output = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdin(Stdio::null())
        .output()
        .await;
    match output {
        Err(err) if err.kind() == ErrorKind::NotFound => Err(Error::new(
            "--image needs the docker CLI, and there is no `docker` on PATH",
            "install Docker (the docker CLI and engine), or start the service yourself and use \
             --local or --host H --port P",
        )),
        Err(err) => Err(Error::plain(format!("cannot run the docker CLI: {err}"))),
        Ok(output) if !output.status.success() => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let why = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no message")
                .trim();
            Err(Error::new(
                format!("the docker engine is not reachable: {why}"),
                "start the docker daemon (e.g. `sudo systemctl start docker`) or point \
                 DOCKER_HOST at one; or start the service yourself and use --local or --host H \
                 --port P",
            ))
        }
        Ok(_) => Ok(()),
    }
}

/// A port of 127.0.0.1 free right now. Another process could take it before the container
/// binds it; the ping wait then fails and names the port.
fn free_port() -> Result<u16, Error> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|err| Error::plain(format!("cannot find a free port: {err}")))
}

/// The 12-character id docker shows.
fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
