//! `klue cloud up` / `down` / `status`: a local cloud to try `klue deploy` on, all on 127.0.0.1.
//!
//! It is the deploy tests' services, reused as they are (klue-testsupport's `TestServices`): a
//! Docker engine (the machine's, or a private dockerd), a registry, moto (S3, ECR, STS, IAM) and the
//! Elastic Beanstalk emulator, which runs each environment as a container behind a CNAME
//! listener `<prefix>.localhost:PORT`. What is missing is installed the first time (apt-get
//! docker.io and docker-registry, pip `moto[server]`), as for the tests.
//!
//! `up` starts `klue cloud serve` (`serve.rs`) detached, in a process group of its own, waits
//! until its services answer, then prints their variables as `export` lines on stdout (so that
//! `eval "$(klue cloud up)"` works) and a summary on stderr. The server keeps the state file
//! (`state.rs`: pid, endpoints, variables) in `$XDG_STATE_HOME/klue/cloud` (default
//! `~/.local/state/klue/cloud`), the services' logs next to it, for as long as it runs. `up`
//! while up prints the same variables; `down` stops the server, which stops the emulator's
//! containers, the services and the private dockerd, and removes the state; `down` while down
//! says so and succeeds (`control.rs`).
//!
//! How a command finds it (`local.rs`): only with `--local` (`klue deploy --local`, `envs`,
//! `rollback`, `cleanup`, `deploy --diff`), never on its own. An automatic pick-up ("the local
//! cloud is up, so use it") would send a real-AWS user's deploy to the emulator because a
//! forgotten local cloud still runs, and, the day it is down, the same command typed for the
//! local cloud would go to AWS. With the flag, each command says where it goes: `--local`
//! with no local cloud up is an error (exit 2) and never falls back to AWS; `--local` sets test
//! credentials and removes AWS_PROFILE, AWS_SESSION_TOKEN and AWS_ENDPOINT_URL*, so real
//! credentials never reach it; an endpoint flag (or KLUE_*_ENDPOINT) that points elsewhere is
//! refused; and without `--local` the state file is not even read. It announces itself on
//! stderr ("using the local cloud at ..."). The one way around the flag is the user's own
//! `eval "$(klue cloud up)"`, which exports the same variables into their shell; after `down`
//! they point at closed ports, so a deploy fails to connect rather than reach AWS.

mod control;
mod local;
mod serve;
pub mod state;

use std::time::Duration;

pub use local::apply;

use super::UserError;
use crate::cli::{CloudArgs, CloudCommand};

/// `klue cloud`.
pub fn run(args: &CloudArgs) -> Result<(), UserError> {
    match &args.command {
        CloudCommand::Up(up) => control::up(Duration::from_secs(up.timeout)),
        CloudCommand::Down => control::down(),
        CloudCommand::Status => control::status(),
        CloudCommand::Serve => serve::run(),
    }
}
