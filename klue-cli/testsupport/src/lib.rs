//! Test services for klue's deploy tests, all on 127.0.0.1 and started by the tests themselves:
//! a Docker engine, a registry with the credentials moto's ECR token decodes to, `moto_server`
//! for S3, ECR and STS, and an Elastic Beanstalk emulator ([`eb::EbEmulator`]) that runs real
//! containers. `klue cloud up` (klue-cli) runs the same [`TestServices`] as a local cloud to
//! try `klue deploy --local` on; that is why this crate is a dependency of klue-cli and is
//! published with it.
//!
//! Rust tests have no global teardown: [`TestServices`] ends every process it started when it
//! is dropped (each runs in a process group of its own), so a test binary that needs them holds
//! one value for the whole scenario. With `CI=true` a service that cannot be had is a test
//! failure ([`TestServices::require`] panics with the reason); elsewhere the test is skipped
//! with a loud message.

pub mod docker;
pub mod eb;
pub mod http;
pub mod image;
pub mod install;
pub mod moto;
pub mod process;
pub mod registry;

use std::path::{Path, PathBuf};

use docker::DockerEngine;
use eb::{EbConfig, EbEmulator};
use moto::Moto;
use registry::Registry;

/// Why a service could not be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(String);

impl SetupError {
    /// An error with a message that says what failed and what was seen.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// All services of the deploy tests. Fields drop in order: the emulator's containers first,
/// the Docker engine last.
#[derive(Debug)]
pub struct TestServices {
    /// The Elastic Beanstalk emulator.
    pub eb: EbEmulator,
    /// The registry (stands in for ECR's registry host).
    pub registry: Registry,
    /// moto: S3 and ECR.
    pub moto: Moto,
    /// The Docker engine.
    pub docker: DockerEngine,
    work_dir: PathBuf,
}

impl TestServices {
    /// Starts everything, logs under `work_dir` (e.g. `target/e2e`).
    pub fn start(work_dir: &Path) -> Result<Self, SetupError> {
        std::fs::create_dir_all(work_dir)
            .map_err(|err| SetupError::new(format!("{}: {err}", work_dir.display())))?;
        let docker = DockerEngine::start(work_dir)?;
        let moto = Moto::start(work_dir)?;
        let credentials = moto.ecr_credentials()?;
        let registry = Registry::start(work_dir, credentials)?;
        let eb = EbEmulator::start(EbConfig {
            s3_endpoint: moto.endpoint().to_owned(),
            registry: registry.host().to_owned(),
            registry_username: registry.credentials().username.clone(),
            registry_password: registry.credentials().password.clone(),
            docker_env: docker.env(),
            iam_endpoint: Some(moto.endpoint().to_owned()),
        })?;
        Ok(Self {
            eb,
            registry,
            moto,
            docker,
            work_dir: work_dir.to_owned(),
        })
    }

    /// [`TestServices::start`] under the rules of the house: with `CI=true` a failure panics
    /// (the test fails and says why); otherwise it prints a loud notice and returns `None`, and
    /// the caller skips.
    pub fn require(test: &str) -> Option<Self> {
        let work_dir = e2e_dir();
        match Self::start(&work_dir) {
            Ok(services) => Some(services),
            Err(err) if is_ci() => {
                panic!("{test}: the test services could not be started (CI=true, so this fails): {err}")
            }
            Err(err) => {
                eprintln!(
                    "\n==================== SKIPPED: {test} ====================\n\
                     the test services (docker, registry, moto, EB emulator) could not be \
                     started:\n{err}\n(with CI=true this is a failure)\n\
                     =========================================================\n"
                );
                None
            }
        }
    }

    /// Where logs and state of the services live.
    pub fn work_dir(&self) -> &Path {
        &self.work_dir
    }

    /// Environment variables that point AWS SDK clients and docker at these services:
    /// test credentials, region, docker host/config.
    pub fn client_env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("AWS_ACCESS_KEY_ID".to_owned(), "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY".to_owned(), "testing".to_owned()),
            ("AWS_REGION".to_owned(), eb::REGION.to_owned()),
            ("AWS_DEFAULT_REGION".to_owned(), eb::REGION.to_owned()),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ];
        env.extend(self.docker.env());
        env
    }
}

/// True when running under CI (`CI=true`).
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The workspace root (this crate lives in `klue-cli/testsupport`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("klue-cli/testsupport is two levels below the workspace")
        .to_owned()
}

/// `target/e2e` of the workspace (or `$CARGO_TARGET_DIR/e2e`): logs, registry storage, docker
/// data and the static builds of the deploy tests.
pub fn e2e_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
        .join("e2e")
}
