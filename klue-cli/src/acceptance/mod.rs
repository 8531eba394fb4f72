//! `run_acceptance_tests` (also `klue test`): runs a service's acceptance tests, the `testaccept`
//! crate, against a running server, as the original klue-microservice's command did.
//!
//! The steps: pick the target (a local port, a host, a docker image started for the run, or the
//! service's live URL), wait until its `GET /ping` answers 200 `{}`, mint a test JWT with the
//! server's `KLUE_JWT_*` settings, then `cargo test` the acceptance crate with the target and the
//! token in `KLUE_SERVER_HOST`, `KLUE_SERVER_PORT`, `KLUE_SERVER_SCHEME` and `KLUE_JWT_TOKEN`
//! (the original's names), streaming each test's outcome and ending with a summary.
//!
//! Acceptance tests are `#[ignore = "acceptance test: run with run_acceptance_tests"]`, so a plain
//! `cargo test` lists them as ignored; this command runs them with `--include-ignored`.

mod docker;
mod libtest;
mod ping;
mod report;
mod target;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use clap::ArgGroup;
use klue_core::{Authenticator, JwtConfig};
use tokio::io::{AsyncBufReadExt, BufReader};

pub use libtest::{Outcome, TestResult};
pub use report::{Style, Summary};
pub use target::{Scheme, Target, TargetKind};

/// The `sub` of the token minted for the tests.
pub const TEST_USER: &str = "klue-acceptance-test";

/// Flags of `run_acceptance_tests` and `klue test`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(ArgGroup::new("target").args(["local", "host", "image", "live"])))]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Test the server on 127.0.0.1 (port 8080 or --port); the default target.
    #[arg(long)]
    pub local: bool,
    /// Test the server on this host, at --port; https with --https or port 443.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// The server's port, with --local or --host [default: 8080, or 443 with --https].
    #[arg(long, value_name = "PORT", conflicts_with_all = ["image", "live"])]
    pub port: Option<u16>,
    /// Talk https to --host (implied by port 443).
    #[arg(long, requires = "host")]
    pub https: bool,
    /// Start this docker image for the run (`docker run --network host`, the KLUE_JWT_*
    /// variables, `--port` a free port), then stop and remove it.
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Test the service's live URL: `live_url` in ./klue.yaml.
    #[arg(long)]
    pub live: bool,
    /// A PEM file of certificates to trust for an https server with a private CA (also read
    /// from KLUE_SERVER_CA_FILE); the tests get it as KLUE_SERVER_CA_FILE.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for the server's GET /ping to answer 200 {}.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// The acceptance-test crate to run.
    #[arg(long, value_name = "DIR", default_value = "testaccept")]
    pub testaccept: PathBuf,
    /// Print a machine-readable summary (JSON) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Run only the tests whose name contains one of these.
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
}

/// The private CA to trust: `--ca-file`, else `KLUE_SERVER_CA_FILE`; its absolute path (for the
/// tests, which run in another directory) and its PEM text.
fn ca_file(args: &Args) -> Result<Option<(PathBuf, Vec<u8>)>, Error> {
    let path = match &args.ca_file {
        Some(path) => path.clone(),
        None => match std::env::var_os("KLUE_SERVER_CA_FILE").filter(|v| !v.is_empty()) {
            Some(path) => PathBuf::from(path),
            None => return Ok(None),
        },
    };
    let unreadable = |err: std::io::Error| {
        Error::new(
            format!("cannot read the CA file {}: {err}", path.display()),
            "give a PEM file of the certificate(s) the server's TLS certificate chains to",
        )
    };
    let pem = std::fs::read(&path).map_err(unreadable)?;
    let absolute = std::fs::canonicalize(&path).map_err(unreadable)?;
    Ok(Some((absolute, pem)))
}

const AFTER_HELP: &str = "\
The tests get KLUE_SERVER_HOST, KLUE_SERVER_PORT, KLUE_SERVER_SCHEME and KLUE_JWT_TOKEN (a token
for the user 'klue-acceptance-test', minted with KLUE_JWT_SECRET or KLUE_JWT_PRIVATE_KEY and
KLUE_JWT_AUDIENCE / KLUE_JWT_ISSUER: the server's settings).

Progress goes to stderr; the summary ('N passed, M failed' and each failure) to stdout.
Exit status: 0 all tests passed, 1 a test failed or none ran, 2 the tests could not be run
(no server, no key, no docker, ...), 130 interrupted.";

/// Exit status when a test failed or none ran.
const EXIT_FAILED: u8 = 1;
pub use crate::error::UserError as Error;

/// Runs the acceptance tests as `args` say and prints the report; failed tests are an error
/// already reported, with exit status 1 (see `--help`). This is the whole command; both
/// binaries call it.
pub fn main(args: &Args) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::plain(format!("cannot start tokio: {err}")))?;
    let summary = runtime.block_on(run(args, Style::for_stderr()))?;
    summary.print(args.json);
    if summary.success() {
        Ok(())
    } else {
        Err(Error::reported(EXIT_FAILED))
    }
}

/// Picks the target, waits for it, runs the tests and collects their outcomes. A container started
/// for `--image` is stopped and removed before this returns, whatever happened (ctrl-c included).
pub async fn run(args: &Args, style: Style) -> Result<Summary, Error> {
    let manifest = testaccept_manifest(&args.testaccept)?;
    // Mint before starting anything, so a missing key costs no container start.
    let token = mint_token()?;
    let choice = target::choose(args)?;
    let timeout = Duration::from_secs(args.timeout);
    let ca = ca_file(args)?;
    // The container lives outside the interruptible part: dropping it stops it, so it is
    // stopped on every way out of this function.
    let mut container: Option<docker::Container> = None;
    let work = async {
        let target = match choice {
            target::Choice::Ready(target) => target,
            target::Choice::Image(image) => {
                let started = docker::Container::start(&image).await?;
                let target = started.target();
                container = Some(started);
                target
            }
        };
        eprintln!("target: {}", target.describe());
        if let Err(err) =
            ping::wait(&target, timeout, ca.as_ref().map(|(_, pem)| pem.as_slice())).await
        {
            if let Some(container) = &container {
                container.print_logs().await;
            }
            return Err(err);
        }
        eprintln!("ping: {}/ping answered 200 {{}}", target.url());
        let ca_path = ca.as_ref().map(|(path, _)| path.as_path());
        run_tests(&manifest, &target, &token, ca_path, &args.filters, style).await
    };
    tokio::select! {
        result = work => result,
        what = interrupted() => Err(Error::interrupted(what)),
    }
}

/// `DIR/Cargo.toml`, after checking it is there.
fn testaccept_manifest(dir: &Path) -> Result<PathBuf, Error> {
    let manifest = dir.join("Cargo.toml");
    if manifest.is_file() {
        Ok(manifest)
    } else {
        Err(Error::new(
            format!(
                "no acceptance-test crate at '{}' (no {})",
                dir.display(),
                manifest.display()
            ),
            "run from the service's root directory, or pass --testaccept DIR",
        ))
    }
}

/// A token for [`TEST_USER`], signed the way the server verifies it.
fn mint_token() -> Result<String, Error> {
    let bad_config = |err: klue_core::auth::AuthConfigError| {
        Error::new(err.to_string(), "fix the KLUE_JWT_* variable it names")
    };
    let config = JwtConfig::from_env().map_err(bad_config)?;
    if config.secret.is_none() && config.private_key_pem.is_none() {
        return Err(Error::new(
            "no JWT key to mint the test token with: KLUE_JWT_SECRET is not set",
            "export KLUE_JWT_SECRET=<the server's secret> (and KLUE_JWT_AUDIENCE / \
             KLUE_JWT_ISSUER if the server sets them)",
        ));
    }
    let algorithm = format!("{:?}", config.algorithm);
    let authenticator = Authenticator::new(config).map_err(bad_config)?;
    authenticator
        .mint(TEST_USER, serde_json::Map::new())
        .map_err(|err| {
            Error::new(
                format!("cannot mint the test token: {}", err.description()),
                format!(
                    "KLUE_JWT_ALGORITHM is {algorithm}: export KLUE_JWT_SECRET for HS*, \
                     KLUE_JWT_PRIVATE_KEY (PEM text or path) for RS*/PS*/ES*/EdDSA"
                ),
            )
        })
}

/// Runs `cargo test` on the acceptance crate, streaming each outcome to stderr.
async fn run_tests(
    manifest: &Path,
    target: &Target,
    token: &str,
    ca_file: Option<&std::path::Path>,
    filters: &[String],
    style: Style,
) -> Result<Summary, Error> {
    // Under `cargo run` (or a cargo test), $CARGO is the cargo that started us: use the same one.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = tokio::process::Command::new(&cargo);
    command
        .arg("test")
        .arg("--manifest-path")
        .arg(manifest)
        // Every test binary runs even when an earlier one has failures.
        .args(["--tests", "--no-fail-fast", "--"])
        .args(["--include-ignored", "--test-threads=4"])
        .args(filters)
        .env("KLUE_SERVER_HOST", &target.host)
        .env("KLUE_SERVER_PORT", target.port.to_string())
        .env("KLUE_SERVER_SCHEME", target.scheme.as_str())
        .env("KLUE_JWT_TOKEN", token)
        .envs(ca_file.map(|path| ("KLUE_SERVER_CA_FILE", path)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // cargo's own progress and compile errors go straight to our stderr.
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    eprintln!(
        "running: {} test --manifest-path {} --tests --no-fail-fast -- --include-ignored \
         --test-threads=4{}",
        cargo.to_string_lossy(),
        manifest.display(),
        filters.iter().map(|f| format!(" {f}")).collect::<String>()
    );
    let mut child = command.spawn().map_err(|err| {
        Error::new(
            format!("cannot run '{}': {err}", cargo.to_string_lossy()),
            "install Rust with cargo (rustup.rs), or set CARGO to cargo's path",
        )
    })?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::plain("cargo's stdout was not captured"))?;
    let mut lines = BufReader::new(stdout).lines();
    let mut parser = libtest::Parser::default();
    while let Some(line) = lines
        .next_line()
        .await
        .map_err(|err| Error::plain(format!("reading cargo's output: {err}")))?
    {
        if let Some(result) = parser.line(&line) {
            eprintln!("{}", style.progress(result));
        }
    }
    let status = child
        .wait()
        .await
        .map_err(|err| Error::plain(format!("waiting for cargo: {err}")))?;
    Ok(Summary::new(target.clone(), parser.finish(), status.code()))
}

/// Resolves on ctrl-c (or SIGTERM on unix), naming which.
async fn interrupted() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => "interrupted (ctrl-c)",
                _ = term.recv() => "terminated (SIGTERM)",
            };
        }
    }
    // Without a ctrl-c handler there is nothing to wait for: never resolve.
    match tokio::signal::ctrl_c().await {
        Ok(()) => "interrupted (ctrl-c)",
        Err(_) => std::future::pending().await,
    }
}
