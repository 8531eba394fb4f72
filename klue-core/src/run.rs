//! The `main` of a klue service: arguments, logging, configuration, serving.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

#[cfg(feature = "cli")]
use clap::Parser;

use crate::config::{LogConfig, LogFormat, ServerConfig};
use crate::registry::ApiRouter;
use crate::server::{Server, ShutdownReport};

/// The exit status of a service stopped with requests still unanswered at the shutdown
/// timeout (`KLUE_SHUTDOWN_TIMEOUT`). The others: 0, stopped cleanly; 1, could not start
/// (configuration, address); 2, bad command line.
pub const EXIT_REQUESTS_DROPPED: u8 = 3;

/// Command-line arguments of a klue service binary (parsed by clap with the `cli` feature;
/// without it, only `PORT` and `HOST` are read, see [`ServerArgs::from_process`]).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "cli", derive(Parser))]
#[cfg_attr(feature = "cli", command(about = "A klue service"))]
pub struct ServerArgs {
    /// Port to listen on.
    #[cfg_attr(feature = "cli", arg(long, env = "PORT", default_value_t = DEFAULT_PORT))]
    pub port: u16,
    /// Address to listen on.
    #[cfg_attr(
        feature = "cli",
        arg(long, env = "HOST", default_value_t = IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    )]
    pub host: IpAddr,
    /// Serve klue's built-ins (/health, /version, /metrics, /openapi.json, /docs...) under
    /// this path prefix, e.g. `/_klue`, instead of at the root (overrides
    /// KLUE_BUILTINS_PREFIX). Paths the spec declares itself are the spec's either way.
    #[cfg_attr(feature = "cli", arg(long, value_parser = crate::config::builtins_prefix))]
    pub builtins_prefix: Option<String>,
}

/// The port a service listens on unless `--port` or `PORT` says otherwise.
const DEFAULT_PORT: u16 = 8080;

impl ServerArgs {
    /// The arguments of this process: its command line and `PORT` / `HOST` with the `cli`
    /// feature (`--help`, or a bad argument, exits as clap does: 0 / 2); without it `PORT` and
    /// `HOST` only (a malformed one exits 2, like a bad command line).
    pub fn from_process() -> Self {
        #[cfg(feature = "cli")]
        {
            ServerArgs::parse()
        }
        #[cfg(not(feature = "cli"))]
        {
            fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
                match std::env::var(name) {
                    Err(_) => default,
                    Ok(text) => text.parse().unwrap_or_else(|_| {
                        eprintln!("error: {name}='{text}' is malformed");
                        std::process::exit(2)
                    }),
                }
            }
            ServerArgs {
                port: var("PORT", DEFAULT_PORT),
                host: var("HOST", IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                builtins_prefix: None,
            }
        }
    }
}

/// Installs the log subscriber on stderr as the `KLUE_LOG*` variables say (see
/// [`init_logging_with`]); a malformed variable falls back to its default.
pub fn init_logging() {
    let log = ServerConfig::from_env()
        .map(|config| config.log)
        .unwrap_or_default();
    init_logging_with(&log);
}

/// Installs the log subscriber on stderr (written by a background thread, see
/// [`flush_logs`](crate::flush_logs)): `log.filter` (per-module levels, e.g.
/// `info,klue_core=debug,hyper=warn`), text or JSON lines, and the access log unless
/// `log.access_log` is false. Does nothing when a subscriber is already installed.
pub fn init_logging_with(log: &LogConfig) {
    let mut filter = tracing_subscriber::EnvFilter::try_new(&log.filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if !log.access_log {
        if let Ok(off) = "klue::access=off".parse() {
            filter = filter.add_directive(off);
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::log_writer::StderrLines)
        // Colours for a terminal only: escape codes garble files and log collectors.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match log.format {
        LogFormat::Human => builder
            .fmt_fields(crate::log_format::HumanFields)
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

/// Parses [`ServerArgs`], reads [`ServerConfig::from_env`], and serves `apis` until the process
/// is interrupted. Errors are printed and give a failing exit code: 1 when the service cannot
/// start (configuration, address), 2 for a bad command line, [`EXIT_REQUESTS_DROPPED`] when
/// it stopped with requests unanswered at the shutdown timeout; 0 after a clean stop.
///
/// ```no_run
/// # static INFO: klue_core::ApiInfo = klue_core::ApiInfo {
/// #     name: "demo", title: "demo", version: "1", spec_json: "{}",
/// # };
/// # fn router() -> klue_core::ApiRouter { klue_core::ApiRouter::new(&INFO) }
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     klue_core::run([router()]).await
/// }
/// ```
pub async fn run(apis: impl IntoIterator<Item = ApiRouter>) -> ExitCode {
    let config = match ServerConfig::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    serve_with(apis.into_iter().fold(Server::new(config), Server::api)).await
}

/// Like [`run`], for a service with a typed configuration `C` (see [`crate::config::load`]):
/// reads the server's and the service's configuration, and when either has a problem stops
/// with one message naming every missing or malformed key; else lets `setup` add the APIs
/// (and hooks, health checks, reporters) and serves.
///
/// ```no_run
/// # static INFO: klue_core::ApiInfo = klue_core::ApiInfo {
/// #     name: "demo", title: "demo", version: "1", spec_json: "{}",
/// # };
/// # fn router(_: String) -> klue_core::ApiRouter { klue_core::ApiRouter::new(&INFO) }
/// #[derive(serde::Deserialize)]
/// struct Config {
///     database_url: String,
/// }
///
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     klue_core::run_configured(|config: Config, server| {
///         server.api(router(config.database_url))
///     })
///     .await
/// }
/// ```
pub async fn run_configured<C, F>(setup: F) -> ExitCode
where
    C: serde::de::DeserializeOwned,
    F: FnOnce(C, Server) -> Server,
{
    let server_config = ServerConfig::from_env();
    let service_config = crate::config::load::<C>();
    match (server_config, service_config) {
        (Ok(server_config), Ok(service_config)) => {
            serve_with(setup(service_config, Server::new(server_config))).await
        }
        (server, service) => {
            let problems: Vec<String> = [server.err(), service.err()]
                .into_iter()
                .flatten()
                .flat_map(|err| err.problems)
                .collect();
            eprintln!("error: {}", crate::config::ConfigError { problems });
            ExitCode::FAILURE
        }
    }
}

/// Like [`run`], for a [`Server`] the service has set up itself (hooks, health checks,
/// reporters, versioned APIs): parses [`ServerArgs`], initialises logging from the server's
/// configuration and serves until SIGTERM or SIGINT, then drains in-flight requests.
pub async fn serve_with(mut server: Server) -> ExitCode {
    let args = ServerArgs::from_process();
    if let Some(prefix) = args.builtins_prefix {
        server.config.builtins_prefix = prefix;
    }
    init_logging_with(&server.config.log);
    let addr = SocketAddr::new(args.host, args.port);
    let bound = match server.bind(addr).await {
        Ok(bound) => bound,
        Err(err) => {
            crate::log_writer::flush();
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match bound.local_addr() {
        Ok(addr) => tracing::info!("listening on http://{addr}"),
        Err(err) => tracing::warn!(error = %err, "listening, address unknown"),
    }
    let report = bound.serve_until_drained(stop_signal()).await;
    let code = shutdown_exit_code(&report);
    crate::log_writer::flush();
    code
}

/// The exit status of a service that ran until stopped: 0 when every connection finished
/// within the shutdown timeout, [`EXIT_REQUESTS_DROPPED`] when requests were dropped (logged
/// with their number, so that an orchestrator or a deploy script sees an unclean stop).
pub fn shutdown_exit_code(report: &ShutdownReport) -> ExitCode {
    if report.is_clean() {
        tracing::info!("stopped");
        ExitCode::SUCCESS
    } else {
        tracing::error!(
            requests_dropped = report.requests_dropped,
            connections_cut = report.connections_cut,
            "stopped with {} requests dropped at the shutdown timeout",
            report.requests_dropped
        );
        ExitCode::from(EXIT_REQUESTS_DROPPED)
    }
}

/// SIGINT (ctrl-c) or, on Unix, SIGTERM (what Docker and Elastic Beanstalk send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
