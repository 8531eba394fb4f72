//! The Docker engine the tests talk to: the machine's own when `docker info` answers, otherwise a
//! private `dockerd` (own socket, data and exec roots) that lives as long as the [`DockerEngine`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::install::ensure_apt;
use crate::process::{log_tail, wait_until, ServiceProcess};
use crate::SetupError;

/// A reachable Docker engine and the environment that points the docker CLI (and bollard) at it.
#[derive(Debug)]
pub struct DockerEngine {
    /// `DOCKER_HOST` for clients; `None` when the default socket is used.
    host: Option<String>,
    /// `DOCKER_CONFIG`: a private config dir so `docker login` never touches the user's.
    config_dir: PathBuf,
    /// The private dockerd's sockets and exec state (removed when it stops).
    run_dir: Option<PathBuf>,
    process: Option<ServiceProcess>,
}

impl DockerEngine {
    /// The machine's engine if it answers, else a private `dockerd` (its log and the docker
    /// client config under `work_dir`).
    pub fn start(work_dir: &Path) -> Result<Self, SetupError> {
        let config_dir = work_dir.join("docker-config");
        std::fs::create_dir_all(&config_dir)
            .map_err(|err| SetupError::new(format!("{}: {err}", config_dir.display())))?;
        ensure_apt("docker", "docker.io")?;
        let existing = Self {
            host: std::env::var("DOCKER_HOST").ok(),
            config_dir: config_dir.clone(),
            run_dir: None,
            process: None,
        };
        if existing.answers() {
            return Ok(existing);
        }
        ensure_apt("dockerd", "docker.io")?;
        // Unix socket paths are limited to ~100 bytes: sockets and exec state live in /tmp. The
        // data root too, so that two test runs never share one (and it goes when dockerd stops:
        // nothing in it is worth keeping, images are built locally).
        let run_dir = std::env::temp_dir().join(format!("klue-dockerd-{}", std::process::id()));
        let data_root = run_dir.join("data");
        for dir in [&run_dir, &data_root] {
            std::fs::create_dir_all(dir)
                .map_err(|err| SetupError::new(format!("{}: {err}", dir.display())))?;
        }
        let socket = run_dir.join("docker.sock");
        let log = work_dir.join("dockerd.log");
        let mut command = Command::new("dockerd");
        // No bridge and no iptables: containers use the host network (all on 127.0.0.1).
        command
            .args(["--iptables=false", "--bridge=none"])
            .arg(format!("--host=unix://{}", socket.display()))
            .arg(format!("--data-root={}", data_root.display()))
            .arg(format!("--exec-root={}", run_dir.join("exec").display()))
            .arg(format!(
                "--pidfile={}",
                run_dir.join("dockerd.pid").display()
            ));
        let mut process = ServiceProcess::spawn("dockerd", command, &log)?;
        let mut engine = Self {
            host: Some(format!("unix://{}", socket.display())),
            config_dir,
            run_dir: Some(run_dir.clone()),
            process: None,
        };
        let ready = wait_until(Duration::from_secs(60), || {
            process.check_running().is_ok() && engine.answers()
        });
        process.check_running()?;
        if !ready {
            return Err(SetupError::new(format!(
                "dockerd did not answer within 60 s; last lines of {}:\n{}",
                log.display(),
                log_tail(&log, 15)
            )));
        }
        engine.process = Some(process);
        Ok(engine)
    }

    fn answers(&self) -> bool {
        self.command()
            .args(["info", "--format", "{{.ServerVersion}}"])
            .output()
            .is_ok_and(|out| out.status.success())
    }

    /// A `docker` command pointed at this engine, with the private config dir.
    pub fn command(&self) -> Command {
        let mut command = Command::new("docker");
        command.envs(self.env());
        command
    }

    /// The environment that points docker clients at this engine.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![(
            "DOCKER_CONFIG".to_owned(),
            self.config_dir.display().to_string(),
        )];
        if let Some(host) = &self.host {
            env.push(("DOCKER_HOST".to_owned(), host.clone()));
        }
        env
    }

    /// The private dockerd's process id (also its process group's id); `None` for the
    /// machine's own engine.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ServiceProcess::id)
    }

    /// True when this engine was started by the test support (and ends with it).
    pub fn is_private(&self) -> bool {
        self.process.is_some()
    }
}

impl Drop for DockerEngine {
    fn drop(&mut self) {
        // Stop dockerd (its containers stop with it) before removing its sockets.
        drop(self.process.take());
        if let Some(dir) = &self.run_dir {
            unmount_below(dir);
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// dockerd leaves mounts in its exec root (`netns/default`, an nsfs bind mount) that would make
/// the directory impossible to remove: unmount everything below `dir`, deepest first.
fn unmount_below(dir: &Path) {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut points: Vec<&str> = mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|point| Path::new(point).starts_with(dir))
        .collect();
    points.sort_by_key(|point| std::cmp::Reverse(point.len()));
    for point in points {
        let _ = Command::new("umount").arg(point).status();
    }
}
