//! An Elastic Beanstalk emulator on 127.0.0.1 speaking the EB query API (form-encoded POST,
//! XML answers) for what `klue deploy`, `klue envs`, `klue cleanup`, `klue rollback` and
//! `klue logs` call. Environments are real: a container per environment, a CNAME listener per
//! environment that follows swaps, and terminating removes the container; `GET /_logs/<id>`
//! serves the log samples `klue logs` asks for. See [`EbEmulator`].

mod actions;
mod config;
mod envinfo;
mod iam;
mod launch;
mod params;
pub mod platforms;
mod proxy;
mod state;
mod xml;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

pub use launch::{read_dockerrun, Dockerrun, S3_AUTHORIZATION};
use state::State;
pub use state::{ACCOUNT, REGION};

use crate::SetupError;

/// Where the emulator finds the bundles, the images and the Docker engine.
#[derive(Debug, Clone)]
pub struct EbConfig {
    /// S3 endpoint (moto), e.g. `http://127.0.0.1:5000`; bundles are read path-style.
    pub s3_endpoint: String,
    /// Registry host images are pulled from, e.g. `127.0.0.1:5001`. Image names on an
    /// `*.amazonaws.com` (ECR) host are rewritten to it, since that host is not reachable.
    pub registry: String,
    /// Registry user (`AWS` for ECR).
    pub registry_username: String,
    /// Registry password.
    pub registry_password: String,
    /// Environment for the docker CLI (`DOCKER_HOST`, `DOCKER_CONFIG`).
    pub docker_env: Vec<(String, String)>,
    /// IAM endpoint (moto) asked whether the instance profile and service role of a new
    /// environment exist; `None` skips the check.
    pub iam_endpoint: Option<String>,
}

impl EbConfig {
    /// The image name to pull: ECR hosts replaced by the registry.
    pub fn registry_image(&self, image: &str) -> String {
        match image.split_once('/') {
            Some((host, rest)) if host.ends_with(".amazonaws.com") => {
                format!("{}/{rest}", self.registry)
            }
            _ => image.to_owned(),
        }
    }
}

/// An API error: code and message, answered with 400 in the query protocol's error document.
#[derive(Debug, Clone)]
pub struct ApiError {
    code: String,
    message: String,
}

impl ApiError {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// A summary of one environment, for assertions in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentView {
    pub name: String,
    pub id: String,
    pub version_label: String,
    pub status: String,
    pub health: String,
    /// `{prefix}.localhost:PORT` of the CNAME listener it owns (see [`cname_address`]).
    pub cname: String,
    /// The container id, once it was started.
    pub container: Option<String>,
    /// Names of its environment properties (values are not exposed).
    pub property_names: Vec<String>,
    /// Its option settings but the properties (whose values are not exposed): (namespace,
    /// name, value).
    pub options: Vec<(String, String, String)>,
    /// The platform version's ARN it was created with, if any.
    pub platform_arn: Option<String>,
}

/// The `127.0.0.1:PORT` a CNAME (`{prefix}.localhost:PORT`) is reached at: `.localhost` names
/// are the loopback (RFC 6761), but the system resolver may not know that.
pub fn cname_address(cname: &str) -> String {
    let port = cname.rsplit_once(':').map_or("80", |(_, port)| port);
    format!("127.0.0.1:{port}")
}

/// What the server tasks share.
#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    config: EbConfig,
    /// Labels and names the containers of this emulator instance.
    instance: String,
    /// `http://127.0.0.1:PORT` of the emulator: the log URLs it hands out point here.
    base_url: String,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn event(&self, env_id: &str, severity: &'static str, message: impl Into<String>) {
        self.state().event(env_id, severity, message);
    }

    fn status(&self, env_id: &str) -> Option<state::Status> {
        self.state().environment(env_id).map(|env| env.status)
    }

    fn prefix_available(&self, state: &State, prefix: &str) -> bool {
        !state.environments.iter().any(|env| {
            env.status != state::Status::Terminated && env.cname_prefix.as_deref() == Some(prefix)
        })
    }

    /// Runs the docker CLI; `stdin` is written to its input, `env` added to its environment.
    async fn docker(
        &self,
        args: &[&str],
        stdin: Option<&str>,
        env: &[(String, String)],
    ) -> Result<String, String> {
        use tokio::io::AsyncWriteExt;
        let mut command = tokio::process::Command::new("docker");
        command
            .args(args)
            .envs(self.config.docker_env.iter().map(|(k, v)| (k, v)))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let what = format!("docker {}", args.first().copied().unwrap_or_default());
        let mut child = command.spawn().map_err(|err| format!("{what}: {err}"))?;
        if let Some(mut input) = child.stdin.take() {
            if let Some(text) = stdin {
                input
                    .write_all(text.as_bytes())
                    .await
                    .map_err(|err| format!("{what}: {err}"))?;
            }
        }
        let out = child
            .wait_with_output()
            .await
            .map_err(|err| format!("{what}: {err}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "{what} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    async fn container_running(&self, container: &str) -> bool {
        self.docker(
            &["inspect", "--format", "{{.State.Running}}", container],
            None,
            &[],
        )
        .await
        .is_ok_and(|out| out.trim() == "true")
    }
}

/// The emulator: an HTTP server on 127.0.0.1 with its own runtime. Dropping it removes every
/// container it started and stops its listeners.
#[derive(Debug)]
pub struct EbEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl EbEmulator {
    /// Starts the emulator on a free port of 127.0.0.1.
    pub fn start(config: EbConfig) -> Result<Self, SetupError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("klue-eb-emulator")
            .enable_all()
            .build()
            .map_err(|err| SetupError::new(format!("EB emulator runtime: {err}")))?;
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .map_err(|err| SetupError::new(format!("EB emulator: binding 127.0.0.1:0: {err}")))?;
        let addr = listener
            .local_addr()
            .map_err(|err| SetupError::new(format!("EB emulator: {err}")))?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            config,
            instance: format!("{}-{}", std::process::id(), addr.port()),
            base_url: format!("http://{addr}"),
        });
        runtime.spawn(serve(listener, Arc::clone(&shared)));
        Ok(Self {
            addr,
            shared,
            runtime: Some(runtime),
        })
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL for the Elastic Beanstalk client.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The environments it knows, oldest first (terminated ones included).
    pub fn environments(&self) -> Vec<EnvironmentView> {
        self.shared
            .state()
            .environments
            .iter()
            .map(|env| EnvironmentView {
                name: env.name.clone(),
                id: env.id.clone(),
                version_label: env.version_label.clone(),
                status: env.status.as_str().to_owned(),
                health: env.health.as_str().to_owned(),
                cname: env.cname.clone(),
                container: env.container.clone(),
                property_names: env.properties.iter().map(|(k, _)| k.clone()).collect(),
                options: env
                    .options
                    .iter()
                    .filter(|(namespace, _, _)| {
                        namespace != "aws:elasticbeanstalk:application:environment"
                    })
                    .cloned()
                    .collect(),
                platform_arn: env.platform_arn.clone(),
            })
            .collect()
    }

    /// The labels of the application versions it knows, oldest first.
    pub fn version_labels(&self) -> Vec<String> {
        self.shared
            .state()
            .versions
            .iter()
            .map(|v| v.label.clone())
            .collect()
    }

    /// Names of the containers this emulator runs now (via `docker ps`).
    pub fn running_containers(&self) -> Vec<String> {
        let out = std::process::Command::new("docker")
            .envs(self.shared.config.docker_env.iter().map(|(k, v)| (k, v)))
            .args(["ps", "-q", "--no-trunc", "--filter"])
            .arg(format!("label=klue-eb-emulator={}", self.shared.instance))
            .output();
        match out {
            Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl Drop for EbEmulator {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
        let ids = std::process::Command::new("docker")
            .envs(self.shared.config.docker_env.iter().map(|(k, v)| (k, v)))
            .args(["ps", "-aq", "--filter"])
            .arg(format!("label=klue-eb-emulator={}", self.shared.instance))
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        let ids: Vec<&str> = ids.split_whitespace().collect();
        if !ids.is_empty() {
            let _ = std::process::Command::new("docker")
                .envs(self.shared.config.docker_env.iter().map(|(k, v)| (k, v)))
                .args(["rm", "-f"])
                .args(&ids)
                .output();
        }
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&shared), request));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// `GET /_logs/<id>`: a log sample's text, where AWS's presigned S3 URL would be.
fn log_sample(shared: &Shared, id: &str) -> hyper::Response<Full<Bytes>> {
    let (status, text) = match envinfo::sample_text(shared, id) {
        Some(text) => (200, text),
        None => (404, format!("no log sample {id}\n")),
    };
    hyper::Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(text)))
        .expect("static response parts are valid")
}

async fn handle(
    shared: Arc<Shared>,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let request_id = uuid::Uuid::new_v4().to_string();
    if request.method() == hyper::Method::GET {
        if let Some(id) = request.uri().path().strip_prefix(envinfo::LOGS_PATH) {
            return Ok(log_sample(&shared, id));
        }
    }
    let is_post = request.method() == hyper::Method::POST;
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let (status, xml) = if !is_post {
        let err = ApiError::new(
            "InvalidHttpRequest",
            "The EB query API takes POST requests.",
        );
        (405, xml::error(&err.code, &err.message, &request_id))
    } else {
        let params = params::Params::parse(&body);
        match actions::dispatch(&shared, &params).await {
            Ok(result) => {
                let action = params.get("Action").unwrap_or_default();
                (200, xml::response(action, &result, &request_id))
            }
            Err(err) => (400, xml::error(&err.code, &err.message, &request_id)),
        }
    };
    let response = hyper::Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .header("x-amzn-requestid", &request_id)
        .body(Full::new(Bytes::from(xml)))
        .expect("static response parts are valid");
    Ok(response)
}
