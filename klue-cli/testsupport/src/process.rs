//! Child processes that never outlive their owner: each service runs in its own process group,
//! and dropping its [`ServiceProcess`] ends the whole group (TERM, then KILL).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::SetupError;

/// A background service started by the test support; ended with its process group on drop.
#[derive(Debug)]
pub struct ServiceProcess {
    name: String,
    child: Child,
    log: PathBuf,
}

impl ServiceProcess {
    /// Starts `command` in a new process group, stdout and stderr appended to `log`.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> Result<Self, SetupError> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|err| SetupError::new(format!("creating {}: {err}", dir.display())))?;
        }
        let out = std::fs::File::create(log)
            .map_err(|err| SetupError::new(format!("creating {}: {err}", log.display())))?;
        let err_out = out
            .try_clone()
            .map_err(|err| SetupError::new(format!("{}: {err}", log.display())))?;
        // A process group of its own: ending the group also ends what the service started
        // (dockerd's containerd, moto's workers).
        command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err_out)
            .process_group(0);
        let child = command
            .spawn()
            .map_err(|err| SetupError::new(format!("starting {name}: {err}")))?;
        Ok(Self {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
        })
    }

    /// The service's log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The process id (also the process group id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// An error if the process has exited, naming its log's last lines.
    pub fn check_running(&mut self) -> Result<(), SetupError> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(SetupError::new(format!(
                "{} exited ({status}); last lines of {}:\n{}",
                self.name,
                self.log.display(),
                log_tail(&self.log, 15)
            ))),
            Err(err) => Err(SetupError::new(format!("{}: {err}", self.name))),
        }
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        signal_group("TERM", &group);
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                // The leader is gone; make sure nothing else of the group is left.
                signal_group("KILL", &group);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!(
            "klue-testsupport: {} did not stop on TERM, killing it",
            self.name
        );
        signal_group("KILL", &group);
        let _ = self.child.wait();
    }
}

/// `kill -SIG -- -PGID` through the kill command: the workspace forbids `unsafe` (libc::kill).
fn signal_group(signal: &str, group: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last `lines` lines of a log file (for error messages).
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs a command to completion; its output goes into the error when it fails.
pub fn run(what: &str, command: &mut Command) -> Result<String, SetupError> {
    let out = command.stdin(Stdio::null()).output().map_err(|err| {
        SetupError::new(format!(
            "{what}: cannot run {:?}: {err}",
            command.get_program()
        ))
    })?;
    if !out.status.success() {
        return Err(SetupError::new(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True when `program` is found on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Polls `ready` every 200 ms until it is true or `timeout` passes.
pub fn wait_until(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if ready() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A port on 127.0.0.1 that was free a moment ago (the OS picks it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("binding 127.0.0.1:0")
}

/// True when something accepts TCP connections on 127.0.0.1:`port`.
pub fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(300),
    )
    .is_ok()
}

/// A finished command for a test's failure message: its exit code, its stdout, and the last 60
/// lines of its stderr.
pub fn describe_run(code: Option<i32>, stdout: &str, stderr: &str) -> String {
    let tail: Vec<&str> = stderr.lines().rev().take(60).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    format!(
        "exit {code:?}\n--- stdout\n{stdout}\n--- stderr (last 60 lines)\n{}",
        tail.join("\n")
    )
}
