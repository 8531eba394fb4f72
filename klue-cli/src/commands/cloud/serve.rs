//! `klue cloud serve` (hidden): the process that holds the local cloud's services. `klue cloud
//! up` starts it detached, in a process group of its own with no terminal input or output, so
//! that the shell's job control, ctrl-c and a closed terminal leave it alone; it runs until
//! SIGTERM (`klue cloud down`) or SIGINT.
//!
//! The services are klue-testsupport's [`TestServices`], as the deploy tests start them: each
//! ends with its process group when dropped, so stopping this process cleanly stops them all,
//! the emulator's containers first and the private dockerd last.

use std::path::Path;

use klue_testsupport::TestServices;

use super::state::{self, State};
use crate::commands::UserError;

/// Starts the services, writes the state, waits for a stop signal, stops them and removes the
/// state.
pub fn run() -> Result<(), UserError> {
    let dir = state::dir()?;
    std::fs::create_dir_all(&dir)
        .map_err(|err| UserError::plain(format!("{}: {err}", dir.display())))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| UserError::plain(format!("cannot start tokio: {err}")))?;
    // Signal handlers before the services: a TERM while they start must not kill this process
    // without their teardown.
    let mut signals = runtime.block_on(async { Signals::new() })?;
    eprintln!("klue cloud serve (pid {}): starting", std::process::id());
    let services = TestServices::start(&dir)
        .map_err(|err| UserError::plain(format!("the local cloud could not start: {err}")))?;
    let state = describe(&services);
    if let Err(err) = state.write(&dir) {
        drop(services);
        return Err(err);
    }
    eprintln!(
        "up: Elastic Beanstalk {}, moto {}, registry {}",
        state.eb_endpoint, state.moto_endpoint, state.registry
    );
    let name = runtime.block_on(signals.next());
    eprintln!("{name}: stopping the services");
    State::remove(&dir);
    drop(services);
    remove_registry_storage(&dir);
    eprintln!("stopped");
    Ok(())
}

/// The state of `services`, served by this process.
fn describe(services: &TestServices) -> State {
    let mut processes = vec![
        ("moto_server".to_owned(), services.moto.pid()),
        ("docker-registry".to_owned(), services.registry.pid()),
    ];
    if let Some(pid) = services.docker.pid() {
        processes.push(("dockerd".to_owned(), pid));
    }
    let mut env = services.client_env();
    env.extend(
        [
            ("KLUE_EB_ENDPOINT", services.eb.endpoint()),
            ("KLUE_ECR_ENDPOINT", services.moto.endpoint().to_owned()),
            ("KLUE_S3_ENDPOINT", services.moto.endpoint().to_owned()),
            ("KLUE_STS_ENDPOINT", services.moto.endpoint().to_owned()),
            ("KLUE_IAM_ENDPOINT", services.moto.endpoint().to_owned()),
            ("KLUE_REGISTRY", services.registry.host().to_owned()),
            ("KLUE_ENV_SCHEME", "http".to_owned()),
        ]
        .map(|(name, value)| (name.to_owned(), value)),
    );
    State {
        pid: std::process::id(),
        started: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        processes,
        eb_endpoint: services.eb.endpoint(),
        moto_endpoint: services.moto.endpoint().to_owned(),
        registry: services.registry.host().to_owned(),
        env,
    }
}

/// The registry's images are this run's pushes: nothing refers to them once the emulator's
/// memory is gone.
fn remove_registry_storage(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir.join("registry"));
}

/// The signals that stop the server; SIGHUP (the terminal `up` ran in closed) is caught and
/// ignored.
struct Signals {
    term: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Self, UserError> {
        use tokio::signal::unix::{signal, SignalKind};
        let listen = |kind| {
            signal(kind).map_err(|err| UserError::plain(format!("cannot catch signals: {err}")))
        };
        Ok(Self {
            term: listen(SignalKind::terminate())?,
            interrupt: listen(SignalKind::interrupt())?,
            hangup: listen(SignalKind::hangup())?,
        })
    }

    /// Waits for SIGTERM or SIGINT; its name.
    async fn next(&mut self) -> &'static str {
        loop {
            tokio::select! {
                _ = self.term.recv() => return "SIGTERM",
                _ = self.interrupt.recv() => return "SIGINT",
                _ = self.hangup.recv() => eprintln!("SIGHUP ignored: `klue cloud down` stops the local cloud"),
            }
        }
    }
}

impl std::fmt::Debug for Signals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signals")
    }
}
