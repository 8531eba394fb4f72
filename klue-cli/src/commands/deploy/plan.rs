//! The plan of a deploy: everything decided before anything changes, printed by `--dry-run` and
//! at the start of a real deploy.

use serde::Serialize;

use super::names::environment_name;
use crate::commands::service::ServiceConfig;

/// What a deploy will do.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The service.
    pub name: String,
    /// The version being deployed.
    pub version: String,
    /// The image `klue build` makes.
    pub image: String,
    /// The registry pushed to instead of ECR's (KLUE_REGISTRY), if any.
    pub registry_override: Option<String>,
    /// The new environment.
    pub environment: String,
    /// `live_url` of klue.yaml.
    pub live_url: Option<String>,
    /// The region klue.yaml names (None: the AWS chain's).
    pub region: Option<String>,
    /// The bundle's bucket.
    pub bucket: String,
    /// The bundle's key.
    pub key: String,
    /// The container port.
    pub port: u16,
    /// Autoscaling.
    pub hosts_min: u32,
    /// Autoscaling.
    pub hosts_max: u32,
    /// EC2 instance type.
    pub instance_type: String,
    /// EC2 key pair.
    pub key_pair: Option<String>,
    /// Whether an HTTPS listener is added.
    pub https_listener: bool,
    /// The platform, as klue.yaml names it (a name is resolved to its newest version).
    pub platform: String,
    /// The names of the secrets (never their values).
    pub secrets: Vec<String>,
    /// The acceptance tests.
    pub testaccept: String,
    /// Whether the tests are skipped.
    pub skip_tests: bool,
    /// The ready timeout, in seconds.
    pub ready_timeout: u64,
    /// The scheme of environment URLs.
    pub env_scheme: String,
    /// The steps.
    pub steps: Vec<PlannedStep>,
}

/// A step of a deploy, in the order they run: what the plan lists and what `run.rs` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployStep {
    /// Build the image.
    Build,
    /// Run the image locally and the acceptance tests against it.
    TestImage,
    /// Push the image to ECR.
    Push,
    /// Upload the source bundle to S3.
    Bundle,
    /// `CreateApplicationVersion`.
    Version,
    /// `CreateEnvironment`.
    Environment,
    /// Wait for Ready and Green.
    Wait,
    /// The acceptance tests against the new environment.
    TestEnvironment,
    /// `SwapEnvironmentCNAMEs` with the live environment.
    GoLive,
}

impl DeployStep {
    /// Every step, in the order they run.
    pub const ALL: [DeployStep; 9] = [
        DeployStep::Build,
        DeployStep::TestImage,
        DeployStep::Push,
        DeployStep::Bundle,
        DeployStep::Version,
        DeployStep::Environment,
        DeployStep::Wait,
        DeployStep::TestEnvironment,
        DeployStep::GoLive,
    ];

    /// Its short stable key, in the plan, the progress lines and `--json`.
    pub fn key(self) -> &'static str {
        match self {
            DeployStep::Build => "build",
            DeployStep::TestImage => "test-image",
            DeployStep::Push => "push",
            DeployStep::Bundle => "bundle",
            DeployStep::Version => "version",
            DeployStep::Environment => "environment",
            DeployStep::Wait => "wait",
            DeployStep::TestEnvironment => "test-environment",
            DeployStep::GoLive => "go-live",
        }
    }

    /// Whether `--skip-tests` skips it.
    pub fn is_test(self) -> bool {
        matches!(self, DeployStep::TestImage | DeployStep::TestEnvironment)
    }
}

/// One step of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStep {
    /// A short stable key (`build`, `push`, ...): [`DeployStep::key`].
    pub key: &'static str,
    /// What it does.
    pub detail: String,
    /// Whether it is skipped (`--skip-tests`).
    pub skipped: bool,
}

/// The inputs of a plan besides klue.yaml.
#[derive(Debug, Clone)]
pub struct PlanInputs {
    /// The version.
    pub version: String,
    /// KLUE_REGISTRY.
    pub registry_override: Option<String>,
    /// The secret names.
    pub secrets: Vec<String>,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--ready-timeout`.
    pub ready_timeout: u64,
    /// `--env-scheme`.
    pub env_scheme: String,
}

impl Plan {
    /// The plan for `config` at `inputs.version`.
    pub fn new(config: &ServiceConfig, inputs: PlanInputs) -> Self {
        let version = inputs.version;
        let name = config.name.clone();
        let image = config.image(&version);
        let environment = environment_name(&name, &version);
        // The default bucket's name has the account id, known after the preflight (which sets
        // it in the plan): a dry run shows the pattern.
        let bucket = config.bucket(
            "<account>",
            config.aws.region.as_deref().unwrap_or("<region>"),
        );
        let key = format!("{name}/{version}.zip");
        let testaccept = config.testaccept.display().to_string();
        let https_listener = config.certificate_arn().is_some();
        let key_pair = config.key_pair().map(str::to_owned);
        let mut plan = Plan {
            name,
            version,
            image,
            registry_override: inputs.registry_override,
            environment,
            live_url: config.live_url.clone(),
            region: config.aws.region.clone().filter(|r| !r.trim().is_empty()),
            bucket,
            key,
            port: config.port,
            hosts_min: config.aws.hosts_min,
            hosts_max: config.aws.hosts_max,
            instance_type: config.aws.instance_type.clone(),
            key_pair,
            https_listener,
            platform: config.platform_text(),
            secrets: inputs.secrets,
            testaccept,
            skip_tests: inputs.skip_tests,
            ready_timeout: inputs.ready_timeout,
            env_scheme: inputs.env_scheme,
            steps: Vec::new(),
        };
        plan.steps = DeployStep::ALL
            .into_iter()
            .map(|step| PlannedStep {
                key: step.key(),
                detail: plan.detail(step, config),
                skipped: plan.skip_tests && step.is_test(),
            })
            .collect();
        plan
    }

    /// What `step` will do, for the plan's list.
    fn detail(&self, step: DeployStep, config: &ServiceConfig) -> String {
        let Plan {
            name,
            version,
            image,
            environment,
            bucket,
            key,
            testaccept,
            ..
        } = self;
        match step {
            DeployStep::Build => format!("static release binary, FROM scratch image {image}"),
            DeployStep::TestImage => {
                format!("run {image} on a free port, acceptance tests in {testaccept}")
            }
            DeployStep::Push => format!(
                "ECR repository {name} (created when missing), docker login with the ECR \
                 token, push {}",
                match &self.registry_override {
                    Some(registry) => format!("{registry}/{name}:{version} (KLUE_REGISTRY)"),
                    None => format!("<ECR registry>/{name}:{version}"),
                }
            ),
            DeployStep::Bundle => format!(
                "Dockerrun.aws.json v1 (the pushed image, port {}) + .ebextensions (hosts \
                 {}-{}, health check /ping, rolling updates, {}) -> s3://{bucket}/{key} \
                 (bucket created when missing)",
                self.port,
                self.hosts_min,
                self.hosts_max,
                if self.https_listener {
                    "HTTPS listener"
                } else {
                    "no HTTPS listener: no certificate_arn"
                },
            ),
            DeployStep::Version => format!(
                "CreateApplicationVersion {name} {version} (application {name} created when \
                 missing)"
            ),
            DeployStep::Environment => format!(
                "CreateEnvironment {environment}: {}, {}, instance profile {}, service role {}, \
                 health /ping (enhanced), key pair {}, {}",
                self.platform,
                self.instance_type,
                config.aws.instance_profile,
                config.aws.service_role,
                self.key_pair.as_deref().unwrap_or("none"),
                match self.secrets.len() {
                    0 => "no secrets".to_owned(),
                    n => format!(
                        "{n} secret environment propert{}",
                        if n == 1 { "y" } else { "ies" }
                    ),
                }
            ),
            DeployStep::Wait => format!(
                "until {environment} is Ready and Green (timeout {}s), showing its events",
                self.ready_timeout
            ),
            DeployStep::TestEnvironment => format!(
                "acceptance tests in {testaccept} against {}://<{environment}'s CNAME>",
                self.env_scheme
            ),
            DeployStep::GoLive => format!(
                "SwapEnvironmentCNAMEs {environment} <-> the live environment (CNAME prefix \
                 {name}); with no live environment, {environment} was created with that prefix"
            ),
        }
    }
    /// The plan as text.
    pub fn text(&self) -> String {
        let mut out = format!("deploy {} {}\n", self.name, self.version);
        let field = |out: &mut String, name: &str, value: &str| {
            out.push_str(&format!("  {name:<12} {value}\n"));
        };
        field(&mut out, "image", &self.image);
        field(&mut out, "environment", &self.environment);
        field(
            &mut out,
            "region",
            self.region
                .as_deref()
                .unwrap_or("from the AWS chain (AWS_REGION, profile)"),
        );
        field(
            &mut out,
            "live",
            &format!(
                "the environment whose CNAME prefix is '{}'{}",
                self.name,
                self.live_url
                    .as_deref()
                    .map(|url| format!(", serving {url}"))
                    .unwrap_or_default()
            ),
        );
        let secrets = if self.secrets.is_empty() {
            "none (env.secrets lists none)".to_owned()
        } else {
            format!(
                "{} (values from this shell, never shown)",
                self.secrets.join(", ")
            )
        };
        field(&mut out, "secrets", &secrets);
        out.push_str("steps:\n");
        for (index, step) in self.steps.iter().enumerate() {
            out.push_str(&format!(
                "  {}. {:<17} {}{}\n",
                index + 1,
                step.key,
                if step.skipped {
                    "SKIPPED (--skip-tests): "
                } else {
                    ""
                },
                step.detail
            ));
        }
        out
    }
}
