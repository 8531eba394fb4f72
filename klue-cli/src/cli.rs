//! The command-line definitions (clap), apart from what the commands do.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// klue: spec-first REST microservices in Rust.
#[derive(Debug, Parser)]
#[command(name = "klue", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether a failure is also printed as the JSON error object on stdout: the commands whose
    /// `--json` output is their report (a `--local` error included).
    pub fn json_errors(&self) -> bool {
        match &self.command {
            Command::Token(args) => args.json,
            Command::Envs(args) => args.json,
            Command::Cleanup(args) => args.json,
            Command::Logs(args) => args.json,
            Command::Deploy(args) => args.json,
            Command::Rollback(args) => args.json,
            Command::Test(args) => args.json,
            _ => false,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a JWT for the secret, audience and issuer in KLUE_JWT_* (the server's settings).
    Token(TokenArgs),
    /// Check OpenAPI specs; report every problem and warning (unknown keywords...) with its
    /// location. Exit 0 when no spec has an error (nor a warning, with --deny-warnings).
    Check(CheckArgs),
    /// Generate the code of a spec as a standalone crate (Cargo.toml + src/lib.rs, depending on
    /// klue-core), for reading or for compiling the spec on its own.
    Generate(GenerateArgs),
    /// Run the acceptance tests (testaccept/) against a running server: wait for its /ping, mint a
    /// test JWT, run the tests, summarize. The same as `run_acceptance_tests`.
    Test(crate::acceptance::Args),
    /// Create a new service: a crate with its spec, implementation, acceptance tests, klue.yaml,
    /// env.secrets, Docker and CI files, that builds and passes its tests right away.
    New(NewArgs),
    /// Build the service's Docker image `<repo>/<name>:<version>` (see klue.yaml).
    Build(BuildArgs),
    /// Ship the service to Elastic Beanstalk: build, test the image, push, create a new
    /// environment, test it, and only then swap it live.
    Deploy(DeployArgs),
    /// Make the previous environment (the one the last deploy kept) live again, after checking
    /// it is Ready and Green and passes the acceptance tests.
    Rollback(RollbackArgs),
    /// List the service's Elastic Beanstalk environments: version, health, which is live.
    Envs(EnvsArgs),
    /// Print an environment's Elastic Beanstalk events and the last lines of its instances'
    /// logs (the live environment unless --env); --follow keeps printing what is new.
    Logs(LogsArgs),
    /// Terminate non-live environments older than the newest --keep, and delete the versions,
    /// bundles and images no remaining environment runs (a dry run unless --yes).
    Cleanup(CleanupArgs),
    /// A local cloud to try `klue deploy` on: a Docker engine, a registry, moto and an Elastic
    /// Beanstalk emulator on 127.0.0.1 (`up`, `down`, `status`); commands use it with --local.
    Cloud(CloudArgs),
}

/// Arguments of `klue cloud`.
#[derive(Debug, clap::Args)]
#[command(after_help = CLOUD_AFTER_HELP)]
pub struct CloudArgs {
    /// What to do with the local cloud.
    #[command(subcommand)]
    pub command: CloudCommand,
}

/// `klue cloud`'s subcommands.
#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Start it in the background (or find it running), wait until it answers, and print its
    /// variables as `export` lines on stdout (`eval "$(klue cloud up)"` exports them).
    Up(CloudUpArgs),
    /// Stop it: its environments' containers, its services and its Docker engine. Not being
    /// up is not an error.
    Down,
    /// Exit 0 and print its variables when it is up, else exit 1.
    Status,
    /// The process that holds the services (`up` starts it detached).
    #[command(hide = true)]
    Serve,
}

/// Arguments of `klue cloud up`.
#[derive(Debug, clap::Args)]
pub struct CloudUpArgs {
    /// Seconds to wait for the services (the first time includes installing them).
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    pub timeout: u64,
}

const CLOUD_AFTER_HELP: &str = "\
The services are those klue's deploy tests use: the machine's Docker engine (or a private
dockerd), Debian's docker-registry, moto_server (S3, ECR, STS) and klue's Elastic Beanstalk
emulator, which runs each environment as a container reached at <prefix>.localhost:PORT. What is
missing is installed the first time (apt-get docker.io docker-registry, pip moto[server]; as
root). State and logs: $XDG_STATE_HOME/klue/cloud (default ~/.local/state/klue/cloud).

`klue deploy --local` (and `envs`, `rollback`, `cleanup`, `deploy --diff` with --local) use it
with test credentials, and KLUE_JWT_SECRET when unset; without --local klue never uses it, and
--local never falls back to AWS. Environments live as long as the local cloud: `down` forgets
them.";

/// Arguments of `klue new`.
#[derive(Debug, clap::Args)]
#[command(after_help = NEW_AFTER_HELP)]
pub struct NewArgs {
    /// The service's name: lowercase letters, digits and hyphens.
    pub name: String,
    /// Where to create it [default: ./NAME]; must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// A klue checkout to build the service with, for people developing klue: adds a
    /// `[patch.crates-io]` section pointing klue's crates at it (a relative path when it is
    /// near the service).
    #[arg(long, value_name = "DIR", env = "KLUE_PATH")]
    pub klue_path: Option<PathBuf>,
}

const NEW_AFTER_HELP: &str = "\
The new service depends on klue's crates by version (klue-core, klue-codegen, and
klue-testaccept for its acceptance tests), the version of this klue. Its Cargo.lock is made by
`cargo generate-lockfile --offline` (from the crates cargo has already downloaded); when that is
not possible, klue says so and the first build makes it. Prints the new directory on stdout.";

/// Which Dockerfile `klue build` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DockerfileKind {
    /// Compile here (static release binary), copy it into a FROM scratch image.
    Scratch,
    /// Compile inside Docker (rust image), then the same FROM scratch image.
    MultiStage,
}

/// How to build the image, shared by `klue build` and `klue deploy`.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildOptionArgs {
    /// The service's root directory (where klue.yaml is) [default: .].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Build even when the git tree has uncommitted changes (the version then ends in -dirty).
    #[arg(long)]
    pub allow_dirty: bool,
    /// Use this version instead of `YYMMDD-HHMM-<commit count>-<short sha>`.
    #[arg(long, value_name = "VERSION")]
    pub version_label: Option<String>,
    /// Which Dockerfile.
    #[arg(long, value_enum, default_value_t = DockerfileKind::Scratch)]
    pub dockerfile: DockerfileKind,
    /// The Rust target of the static binary.
    #[arg(
        long,
        value_name = "TRIPLE",
        default_value = "x86_64-unknown-linux-gnu"
    )]
    pub target: String,
    /// Build with `[profile.release]` (a `klue new` service's: thin LTO, one codegen unit: the
    /// smallest, fastest binary, and a slower rebuild) instead of `[profile.image]` (release
    /// optimisation, no LTO, 16 codegen units, incremental, stripped: seconds to rebuild after
    /// a small change; klue defines it when the manifest does not).
    #[arg(long)]
    pub release_lto: bool,
}

/// Arguments of `klue build`.
#[derive(Debug, clap::Args)]
#[command(after_help = BUILD_AFTER_HELP)]
pub struct BuildArgs {
    /// How to build.
    #[command(flatten)]
    pub build: BuildOptionArgs,
    /// Print {image, version, size_bytes, seconds} as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

const BUILD_AFTER_HELP: &str = "\
The version is YYMMDD-HHMM-<commit count>-<short sha> (UTC); a dirty git tree is refused unless
--allow-dirty. The default image is FROM scratch: the binary built with [profile.image]
(--release-lto: [profile.release]) and linked statically
(RUSTFLAGS=\"-C target-feature=+crt-static\"), the host's /etc/ssl/certs/ca-certificates.crt,
user 65534, the version as label io.klue.version and env KLUE_CONTAINER_VERSION (/version's
`container`), the port of klue.yaml exposed and in PORT. Docker's output streams to stderr;
the image name (or --json) goes to stdout, its size to stderr.";

/// Where AWS is: the standard chain (profiles, env, SSO), with endpoint overrides for tests.
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// Elastic Beanstalk endpoint URL (e.g. an emulator) [default: AWS_ENDPOINT_URL_ELASTIC_BEANSTALK,
    /// AWS_ENDPOINT_URL, or AWS's].
    #[arg(long, env = "KLUE_EB_ENDPOINT", value_name = "URL")]
    pub eb_endpoint: Option<String>,
    /// ECR endpoint URL (e.g. moto_server) [default: AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL, or AWS's].
    #[arg(long, env = "KLUE_ECR_ENDPOINT", value_name = "URL")]
    pub ecr_endpoint: Option<String>,
    /// S3 endpoint URL (e.g. moto_server; path-style addressing) [default: AWS_ENDPOINT_URL_S3,
    /// AWS_ENDPOINT_URL, or AWS's].
    #[arg(long, env = "KLUE_S3_ENDPOINT", value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// STS endpoint URL (e.g. moto_server), asked which account deploys [default:
    /// AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, or AWS's].
    #[arg(long, env = "KLUE_STS_ENDPOINT", value_name = "URL")]
    pub sts_endpoint: Option<String>,
    /// IAM endpoint URL (e.g. moto_server), asked for the instance profile and service role
    /// [default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, or AWS's].
    #[arg(long, env = "KLUE_IAM_ENDPOINT", value_name = "URL")]
    pub iam_endpoint: Option<String>,
    /// The scheme of environment URLs (their CNAME) for acceptance tests and /ping.
    #[arg(long, env = "KLUE_ENV_SCHEME", value_name = "SCHEME", default_value = "http",
          value_parser = ["http", "https"])]
    pub env_scheme: String,
    /// Use the local cloud `klue cloud up` started (its endpoints, test credentials, registry
    /// and Docker engine) instead of AWS; an error when it is not up.
    #[arg(long)]
    pub local: bool,
}

/// Arguments of `klue deploy`.
#[derive(Debug, clap::Args)]
#[command(after_help = DEPLOY_AFTER_HELP)]
pub struct DeployArgs {
    /// How to build.
    #[command(flatten)]
    pub build: BuildOptionArgs,
    /// Where AWS is.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print the plan and stop: nothing is built, pushed, created or changed, AWS is not called.
    #[arg(long)]
    pub dry_run: bool,
    /// Check AWS (region, credentials, Elastic Beanstalk, the CNAME prefix, the bucket, ECR) with
    /// read-only calls and stop: nothing is built or changed. Every deploy runs these first.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,
    /// Create the EC2 instance profile and the Elastic Beanstalk service role of klue.yaml when
    /// they are missing, with the managed policies EB documents (and ECR read for the hosts).
    #[arg(long, conflicts_with = "dry_run")]
    pub create_roles: bool,
    /// Print what a deploy would change against the live environment (version, image, the
    /// names of environment properties, option settings) and stop: nothing is built or
    /// changed. Exit status 0 no change, 2 changes, 1 any error.
    #[arg(long, conflicts_with_all = ["check", "dry_run"])]
    pub diff: bool,
    /// Skip the acceptance tests (of the image and of the new environment). Said loudly.
    #[arg(long)]
    pub skip_tests: bool,
    /// When the deploy fails after creating its environment, keep that environment (to look
    /// at it) instead of terminating it. A kept failed environment counts as a non-live one
    /// for `klue cleanup --keep` and could be taken by `klue rollback`: remove it when done.
    #[arg(long)]
    pub keep_failed: bool,
    /// Push to this registry (`host[:port]`) instead of the one ECR's authorization token names
    /// (a test registry); the ECR repository and token are still used.
    #[arg(long, env = "KLUE_REGISTRY", value_name = "HOST:PORT")]
    pub registry: Option<String>,
    /// Seconds to wait for the new environment to be Ready and Green [default: klue.yaml's
    /// `timeouts: ready:`, 1200].
    #[arg(long, env = "KLUE_READY_TIMEOUT", value_name = "SECS")]
    pub ready_timeout: Option<u64>,
    /// Seconds between two looks at the new environment while waiting.
    #[arg(
        long,
        env = "KLUE_POLL_INTERVAL",
        value_name = "SECS",
        default_value_t = 10.0
    )]
    pub poll_interval: f64,
    /// Seconds the acceptance tests wait for a /ping answer [default: klue.yaml's
    /// `timeouts: ping:`, 120].
    #[arg(long, value_name = "SECS")]
    pub ping_timeout: Option<u64>,
    /// Print a summary as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,
}

const DEPLOY_AFTER_HELP: &str = "\
Steps: build -> run the image locally and run the acceptance tests against it -> push to ECR
(repository created when missing, docker login with the ECR token) -> source bundle
(Dockerrun.aws.json v1 + .ebextensions) uploaded to S3 (bucket created when missing) ->
CreateApplicationVersion (application created when missing) -> CreateEnvironment
<name>-<version> -> wait for Ready and Green -> acceptance tests against the new environment ->
SwapEnvironmentCNAMEs with the live environment, or, when there is none, the new environment was
created with the live CNAME prefix.

The live environment is the one whose CNAME prefix (first DNS label) is the service's name.
Every variable listed in env.secrets must be set: each becomes an environment property of the
new environment (values never printed). The acceptance tests need KLUE_JWT_SECRET (or
KLUE_JWT_PRIVATE_KEY) to mint their token.

AWS: aws-config's standard chain (AWS_PROFILE, AWS_ACCESS_KEY_ID..., SSO) and klue.yaml's
aws.region. Endpoint overrides for tests: AWS_ENDPOINT_URL (every service), the
--eb-endpoint/--ecr-endpoint/--s3-endpoint flags (or KLUE_EB_ENDPOINT, KLUE_ECR_ENDPOINT,
KLUE_S3_ENDPOINT), KLUE_REGISTRY (push there), KLUE_ENV_SCHEME=http. A CNAME host under
.localhost is reached at 127.0.0.1. Exit status: 0 deployed and live, 1 a step failed (what
was left behind is listed), 2 bad setup found before anything changed.

--diff compares with the live environment: the version and image (a version of klue's form
YYMMDD-HHMM-<count>-<sha> is compared by its commit, <count>-<sha>, since the time part changes
with every build), the names of the environment properties (values are never shown; a value
that differs is reported as `value changed` without it), and the option settings klue sets on
CreateEnvironment (from DescribeConfigurationSettings) and the platform. Exit status: 0 no
change, 2 changes, 1 any error (bad setup included).";

/// Arguments of `klue rollback`.
#[derive(Debug, clap::Args)]
#[command(after_help = ROLLBACK_AFTER_HELP)]
pub struct RollbackArgs {
    /// The service's root directory (where klue.yaml is) [default: .].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Where AWS is.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The environment to make live [default: the previous one, see below].
    #[arg(long, value_name = "ENV")]
    pub to: Option<String>,
    /// Skip the acceptance tests against the environment before it goes live. Said loudly.
    #[arg(long)]
    pub skip_tests: bool,
    /// Seconds the acceptance tests wait for a /ping answer [default: klue.yaml's
    /// `timeouts: ping:`, 120].
    #[arg(long, value_name = "SECS")]
    pub ping_timeout: Option<u64>,
    /// Print {success, live_before, live_after, version, swapped, live_url} as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

const ROLLBACK_AFTER_HELP: &str = "\
The previous environment is the newest non-live, non-terminated environment of the application
that a deploy kept: one that served the live CNAME and was swapped out (its CNAME prefix is no
longer its own name). Environments left by failed deploys never served live and are not chosen,
nor the one a rollback replaced (--to names any environment). Before the swap it must be Ready and Green and pass the acceptance
tests (testaccept of klue.yaml, KLUE_JWT_SECRET) against its CNAME; then SwapEnvironmentCNAMEs
with the live environment, which keeps running. Exit status: 0 rolled back, 1 the environment
is not Ready/Green, failed its tests or the swap failed (nothing swapped), 2 could not start (no
live or no previous environment, no klue.yaml, AWS unreachable). AWS and endpoints as for
`klue deploy`.";

/// Arguments of `klue envs`.
#[derive(Debug, clap::Args)]
pub struct EnvsArgs {
    /// The service's root directory (where klue.yaml is) [default: .].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Where AWS is.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print the environments as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `klue logs`.
#[derive(Debug, clap::Args)]
#[command(after_help = LOGS_AFTER_HELP)]
pub struct LogsArgs {
    /// The service's root directory (where klue.yaml is) [default: .].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Where AWS is.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The environment [default: the live one].
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Keep printing new events and new log lines until ctrl-c.
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// How many of the newest events, and of the last lines of each log file, to print first.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub lines: usize,
    /// Seconds between two rounds of --follow.
    #[arg(
        long,
        env = "KLUE_POLL_INTERVAL",
        value_name = "SECS",
        default_value_t = 5.0
    )]
    pub poll_interval: f64,
    /// Seconds to wait for the instances' log tail after requesting it.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub tail_timeout: u64,
    /// Print one JSON object a line on stdout: {"type": "event", time, severity, message} or
    /// {"type": "log", instance, file, line}, each with its environment.
    #[arg(long)]
    pub json: bool,
}

const LOGS_AFTER_HELP: &str = "\
Prints the environment's events (DescribeEvents), then the last lines of every instance's logs:
RequestEnvironmentInfo InfoType=tail, RetrieveEnvironmentInfo until newer samples appear (at
most --tail-timeout), and the text behind each sample's URL (a presigned S3 URL), each line
prefixed by its instance id. With --follow, every --poll-interval: the events after the last
one printed and a new tail request, printing only the lines not printed before. stdout is the
data, stderr what is being read. Exit status: 0 (also when --follow is stopped with ctrl-c), 1
no log tail within --tail-timeout (with --follow: a warning, it goes on), 2 could not start (no
such environment, no live one, no klue.yaml, AWS unreachable). AWS and endpoints as for `klue
deploy`.";

/// Arguments of `klue cleanup`.
#[derive(Debug, clap::Args)]
pub struct CleanupArgs {
    /// The service's root directory (where klue.yaml is) [default: .].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Where AWS is.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// How many of the newest non-live environments to keep.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub keep: usize,
    /// Terminate them and delete the versions, bundles and images no remaining environment
    /// runs; without it, only list them.
    #[arg(long, conflicts_with = "dry_run")]
    pub yes: bool,
    /// Only list what would be terminated and deleted (the default without --yes).
    #[arg(long)]
    pub dry_run: bool,
    /// The registry the images were pushed to with `klue deploy --registry` (they are deleted
    /// there, through its HTTP API, instead of with ECR's BatchDeleteImage).
    #[arg(long, env = "KLUE_REGISTRY", value_name = "HOST:PORT")]
    pub registry: Option<String>,
    /// Seconds to wait for the environments to be Terminated before deleting their versions
    /// [default: klue.yaml's `timeouts: terminate:`, 1200].
    #[arg(long, env = "KLUE_CLEANUP_TIMEOUT", value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Seconds between two looks at the terminating environments.
    #[arg(
        long,
        env = "KLUE_POLL_INTERVAL",
        value_name = "SECS",
        default_value_t = 10.0
    )]
    pub poll_interval: f64,
    /// Print what was (or would be) terminated and deleted as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `klue token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// The user id, put in `sub`.
    #[arg(long, default_value = "test-user")]
    pub sub: String,
    /// An extra claim, `name=value`; the value is read as JSON when it parses, else as a string.
    /// Repeatable.
    #[arg(long = "claim", value_name = "NAME=VALUE")]
    pub claims: Vec<String>,
    /// Print a JSON object with the token and its claims instead of the bare token.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `klue generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The spec (YAML or JSON).
    pub spec: PathBuf,
    /// The directory to write the crate into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// The crate's name (default: `<spec file stem>-api` made a valid package name:
    /// `stripe.com.json` gives `stripe-com-api`).
    #[arg(long)]
    pub name: Option<String>,
    /// Depend on klue-core at this path instead of by version (its own directory, e.g.
    /// `klue/klue-core`); takes precedence over --klue-path.
    #[arg(long, value_name = "DIR")]
    pub klue_core_path: Option<PathBuf>,
    /// A klue checkout: depend on klue-core by version and add a `[patch.crates-io]` section
    /// pointing klue's crates at the checkout (a relative path when it is near), as `klue new
    /// --klue-path` does.
    #[arg(long, value_name = "DIR", env = "KLUE_PATH")]
    pub klue_path: Option<PathBuf>,
    /// Generate only the server side (trait, request types, router).
    #[arg(long, conflicts_with = "client_only")]
    pub server_only: bool,
    /// Also write a runnable stub server (src/main.rs, written only when absent: it is yours to
    /// edit): every trait method has a default answering 501 NOT_IMPLEMENTED, so `cargo run --
    /// --port 8080` serves every operation (and the built-ins) before any is written.
    #[arg(long, conflicts_with = "client_only")]
    pub server_stub: bool,
    /// Generate only the client side.
    #[arg(long)]
    pub client_only: bool,
    /// Hand this `http: bearer` scheme's tokens to the handler (or a registered verifier)
    /// instead of verifying them as klue JWTs, as for API keys sent as `Bearer sk_...`.
    /// Schemes whose `bearerFormat` is not `JWT` are opaque already. Repeatable.
    #[arg(long, value_name = "SCHEME")]
    pub opaque_bearer: Vec<String>,
}

/// Arguments of `klue check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Spec files (YAML or JSON).
    #[arg(required = true)]
    pub specs: Vec<PathBuf>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Fail on warnings too (unknown keywords, what klue works around), not only on errors.
    #[arg(long)]
    pub deny_warnings: bool,
}
