//! `klue cloud up`, `down` and `status`: start the detached server, stop it, say whether it runs.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::state::{self, signal, State};
use crate::commands::UserError;

/// How long `down` waits for the server to stop its services before killing what is left
/// (each service gets 15 s after SIGTERM; containers go with the emulator).
const STOP_TIMEOUT: Duration = Duration::from_secs(90);

/// `klue cloud up`: the running cloud's variables, or start one and wait until it answers.
pub fn up(timeout: Duration) -> Result<(), UserError> {
    let dir = state::dir()?;
    if let Some(state) = State::read(&dir)? {
        if state.serving() {
            eprintln!(
                "the local cloud is already up (pid {}): Elastic Beanstalk {}",
                state.pid, state.eb_endpoint
            );
            print!("{}", state.exports());
            return Ok(());
        }
        eprintln!(
            "a stale local cloud state (pid {} is gone): stopping what it left",
            state.pid
        );
        stop_leftovers(&state);
        State::remove(&dir);
    }
    std::fs::create_dir_all(&dir)
        .map_err(|err| UserError::plain(format!("{}: {err}", dir.display())))?;
    let started = Instant::now();
    let log = dir.join("serve.log");
    eprintln!(
        "starting the local cloud: a Docker engine, a registry, moto (S3, ECR, STS, IAM) and the \
         Elastic Beanstalk emulator on 127.0.0.1 (the first time, missing packages are installed: \
         docker.io, docker-registry, moto[server]); logs in {}",
        dir.display()
    );
    let mut child = spawn_server(&log)?;
    let state = loop {
        if let Some(state) = State::read(&dir)?.filter(|s| s.pid == child.id()) {
            break state;
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(UserError::new(
                format!(
                    "the local cloud did not start ({status}); last lines of {}:\n{}",
                    log.display(),
                    klue_testsupport::process::log_tail(&log, 20)
                ),
                format!("the services' logs are in {}", dir.display()),
            ));
        }
        if started.elapsed() > timeout {
            // Its signal handler stops whatever it started once starting returns.
            signal("TERM", child.id(), false);
            return Err(UserError::new(
                format!(
                    "the local cloud did not answer within {} s; it is being stopped",
                    timeout.as_secs()
                ),
                format!(
                    "see {} (installing packages can take long: raise --timeout)",
                    log.display()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    eprintln!(
        "the local cloud is up in {:.0} s (pid {}): Elastic Beanstalk {}, moto {}, registry {}\n\
         deploy to it with `klue deploy --local` (also `klue envs --local`, `klue rollback \
         --local`, `klue cleanup --local`), or `eval \"$(klue cloud up)\"` to export its \
         variables; stop it with `klue cloud down`",
        started.elapsed().as_secs_f64(),
        state.pid,
        state.eb_endpoint,
        state.moto_endpoint,
        state.registry
    );
    print!("{}", state.exports());
    Ok(())
}

/// `klue cloud serve` in a process group of its own, detached from the terminal: stdin from
/// /dev/null and its output to `log`, so that `eval "$(klue cloud up)"` does not wait for it.
fn spawn_server(log: &Path) -> Result<std::process::Child, UserError> {
    let exe = std::env::current_exe()
        .map_err(|err| UserError::plain(format!("cannot find the klue executable: {err}")))?;
    let out = std::fs::File::create(log)
        .and_then(|out| Ok((out.try_clone()?, out)))
        .map_err(|err| UserError::plain(format!("creating {}: {err}", log.display())))?;
    let mut command = Command::new(exe);
    // The services see none of the user's AWS settings: moto_server fails on an AWS_PROFILE it
    // does not know, and nothing of the real account belongs in the local cloud.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    command
        .args(["cloud", "serve"])
        .stdin(Stdio::null())
        .stdout(out.0)
        .stderr(out.1)
        .process_group(0)
        .spawn()
        .map_err(|err| UserError::plain(format!("starting klue cloud serve: {err}")))
}

/// `klue cloud down`: stop the server (which stops its services) and remove the state.
pub fn down() -> Result<(), UserError> {
    let dir = state::dir()?;
    let Some(state) = State::read(&dir)? else {
        eprintln!("the local cloud is not up: nothing to stop");
        return Ok(());
    };
    let started = Instant::now();
    if state.serving() {
        eprintln!("stopping the local cloud (pid {})", state.pid);
        signal("TERM", state.pid, false);
        let deadline = Instant::now() + STOP_TIMEOUT;
        while state.serving() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        if state.serving() {
            eprintln!(
                "pid {} did not stop within {} s: killing it and its services",
                state.pid,
                STOP_TIMEOUT.as_secs()
            );
            signal("KILL", state.pid, false);
        }
    } else {
        eprintln!(
            "the local cloud's server (pid {}) is gone: stopping what it left",
            state.pid
        );
    }
    stop_leftovers(&state);
    State::remove(&dir);
    let open: Vec<u16> = state
        .ports()
        .into_iter()
        .filter(|port| klue_testsupport::process::port_open(*port))
        .collect();
    if !open.is_empty() {
        eprintln!("warning: ports {open:?} of the local cloud still answer");
    }
    eprintln!(
        "the local cloud is down ({:.0} s): its services, containers and Docker engine stopped",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Kills the process group of each service of `state` that still runs (a server that was
/// killed could not stop them).
fn stop_leftovers(state: &State) {
    for (name, pid) in &state.processes {
        if state::alive(*pid, name) {
            eprintln!("killing {name} (pid {pid}) and its process group");
            signal("KILL", *pid, true);
        }
    }
}

/// `klue cloud status`: exit 0 and the variables when up, else exit 1.
pub fn status() -> Result<(), UserError> {
    let dir = state::dir()?;
    match State::read(&dir)? {
        Some(state) if state.serving() => {
            eprintln!(
                "the local cloud is up (pid {}): Elastic Beanstalk {}, moto {}, registry {}; \
                 logs in {}",
                state.pid,
                state.eb_endpoint,
                state.moto_endpoint,
                state.registry,
                dir.display()
            );
            print!("{}", state.exports());
            Ok(())
        }
        Some(state) => Err(UserError::new(
            format!(
                "the local cloud is not up: its server (pid {}) is gone",
                state.pid
            ),
            "`klue cloud down` cleans up what it left, `klue cloud up` starts it again",
        )
        .step_failed()),
        None => Err(
            UserError::new("the local cloud is not up", "start it with `klue cloud up`")
                .step_failed(),
        ),
    }
}
