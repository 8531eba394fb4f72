//! `klue deploy`: ships the service to Elastic Beanstalk, switching the live environment only
//! after a new one passed the acceptance tests.
//!
//! Steps (each a line on stderr): build the image -> run it locally and run the acceptance tests
//! against it -> push it to ECR -> upload the source bundle to S3 -> `CreateApplicationVersion`
//! -> `CreateEnvironment <name>-<version>` -> wait for Ready and Green -> acceptance tests
//! against the new environment's CNAME -> `SwapEnvironmentCNAMEs` with the live environment.
//! The live environment is the one whose CNAME prefix (first DNS label of its CNAME) is the
//! live prefix (klue.yaml's `aws.cname_prefix`, default `<name>-<account id's last 6 digits>`,
//! resolved once per command by `aws::with_live_prefix`); the first deploy
//! creates its environment with that prefix.
//!
//! Everything is checked before anything changes: klue.yaml, the git tree (refused dirty unless
//! `--allow-dirty`), every variable of env.secrets set, a JWT key for the tests; then, before
//! the build, AWS itself (`preflight.rs`: region, credentials, Elastic Beanstalk, the CNAME
//! prefix, the bucket, ECR, the platform, the instance profile and service role), which `--check`
//! runs alone. `--create-roles` creates the missing IAM identities (`roles.rs`, over `iam.rs`).
//!
//! `klue deploy --diff` (`diff.rs`) compares what a deploy would make with the live environment
//! (read-only; exit 0 no change, 2 changes, 1 error); `klue rollback` (`rollback.rs`) makes the
//! environment the last deploy kept live again, after the same Ready/Green and acceptance-test
//! checks (`envtest.rs`, shared with the deploy's `test-environment` step); `klue logs`
//! (`logs.rs`, `tail.rs`) prints an environment's events and its instances' log tail.
//!
//! Endpoint overrides, for tests against emulators (all also in `klue deploy --help`):
//! - `AWS_ENDPOINT_URL` (every service) and `AWS_ENDPOINT_URL_<SERVICE>`, read by aws-config;
//! - `--eb-endpoint` / `KLUE_EB_ENDPOINT`, `--ecr-endpoint` / `KLUE_ECR_ENDPOINT`,
//!   `--s3-endpoint` / `KLUE_S3_ENDPOINT` (S3 then path-style), `--sts-endpoint` /
//!   `KLUE_STS_ENDPOINT`, `--iam-endpoint` / `KLUE_IAM_ENDPOINT`;
//! - `--registry` / `KLUE_REGISTRY=host:port`: push there (logging in with the ECR token's
//!   user and password) instead of the registry ECR's token names;
//! - `--env-scheme` / `KLUE_ENV_SCHEME=http|https` (default http): how environment CNAMEs
//!   (`host[:port]`) are addressed; a host under `.localhost` is reached at 127.0.0.1;
//! - `--poll-interval` / `KLUE_POLL_INTERVAL`, `--ready-timeout` / `KLUE_READY_TIMEOUT`.
//!
//! Credentials and region: aws-config's standard chain, the region of klue.yaml first.
//!
//! What an emulator must do for this module (as AWS does): give each environment a CNAME
//! `host[:port]` whose first DNS label is the `CNAMEPrefix` it was created with (e.g.
//! `hello.localhost:41234`, reached at 127.0.0.1:41234), swap CNAMEs on
//! `SwapEnvironmentCNAMEs`, pass the `aws:elasticbeanstalk:application:environment` option
//! settings to the container as its environment, and answer `DescribeEnvironments` by
//! `ApplicationName`. `DescribeEvents` is optional (its failure only hides events). `--diff`
//! also reads `DescribeConfigurationSettings` (the option settings an environment was created
//! with) and the live version's source bundle from S3. `klue logs` reads `DescribeEvents` (by
//! `StartTime` with `--follow`) and the tail: `RequestEnvironmentInfo`, then
//! `RetrieveEnvironmentInfo` listing each instance's sample with a URL to its text.

mod aws;
mod bundle;
mod diff;
mod eb;
mod ecr;
mod envtest;
mod iam;
pub mod logs;
mod names;
mod plan;
mod preflight;
mod prune;
mod registry;
mod roles;
pub mod rollback;
mod run;
mod s3;
mod secrets;
mod steps;
mod tail;
mod wait;

use std::path::PathBuf;

use super::build::version;
use super::service::ServiceConfig;
use super::UserError;
use crate::cli::{AwsArgs, DeployArgs};
use crate::error::{EXIT_FAILED, EXIT_SETUP};

pub use eb::{rfc3339, Environment};
pub use plan::Plan;
pub use prune::{cleanup, Cleaned};

/// `klue deploy`. A refusal (before anything changed) is the error, its `--json` object saying
/// `changed: false`; a deploy that failed at a step prints its summary and exits 1.
pub fn main(args: &DeployArgs) -> Result<(), UserError> {
    if args.diff {
        return diff::main(args);
    }
    let refused = |err: UserError| err.with_json_field("changed", false);
    let mut prepared = prepare(args).map_err(refused)?;
    if args.dry_run {
        if args.json {
            println!(
                "{}",
                serde_json::to_value(&prepared.plan).unwrap_or_default()
            );
        } else {
            print!("{}", prepared.plan.text());
            println!("dry run: nothing was built, pushed, created or changed");
        }
        return Ok(());
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            // On stderr only, as it always was (no `--json` object).
            eprintln!("error: cannot start tokio: {err}");
            return Err(UserError::reported(EXIT_SETUP));
        }
    };
    // Read-only checks in AWS, before anything is built: a setup error exits 2 in seconds.
    let clients = runtime.block_on(aws::clients(
        prepared.config.aws.region.as_deref(),
        &args.aws,
    ));
    let found = runtime
        .block_on(preflight::check(
            &prepared.config,
            &prepared.plan,
            &clients,
            args.create_roles,
        ))
        .map_err(refused)?;
    eprint!("{}", found.text());
    prepared.platform = Some(found.platform.clone());
    prepared.plan.bucket = found.bucket.clone();
    prepared.config.aws.cname_prefix = Some(found.live_prefix.clone());
    if args.check {
        if args.json {
            println!("{}", serde_json::to_value(&found).unwrap_or_default());
        }
        return Ok(());
    }
    let summary = runtime.block_on(run::deploy(args, prepared));
    summary.print(args.json);
    if summary.success {
        Ok(())
    } else {
        Err(UserError::reported(EXIT_FAILED))
    }
}

/// What was checked and decided before anything changes.
#[derive(Debug)]
pub struct Prepared {
    dir: PathBuf,
    config: ServiceConfig,
    secrets: Vec<(String, secrets::Secret)>,
    plan: Plan,
    /// The platform version, resolved by the preflight.
    platform: Option<eb::Platform>,
}

/// Checks everything that can be checked without changing anything.
fn prepare(args: &DeployArgs) -> Result<Prepared, UserError> {
    let dir = super::service::root(args.build.dir.as_deref());
    let config = ServiceConfig::load(&dir)?;
    let secrets = secrets::read(&dir, |name| std::env::var(name).ok())?;
    let version = version::version(
        &dir,
        args.build.version_label.as_deref(),
        args.build.allow_dirty,
    )?;
    if !args.skip_tests && !args.diff {
        tests_runnable(
            &dir,
            &config,
            "--skip-tests (the live environment then changes untested)",
        )?;
    }
    let plan = Plan::new(
        &config,
        plan::PlanInputs {
            version,
            registry_override: args.registry.clone().filter(|r| !r.is_empty()),
            secrets: secrets.iter().map(|(name, _)| name.clone()).collect(),
            skip_tests: args.skip_tests,
            ready_timeout: args.ready_timeout.unwrap_or(config.timeouts.ready),
            env_scheme: args.aws.env_scheme.clone(),
        },
    );
    Ok(Prepared {
        dir,
        config,
        secrets,
        plan,
        platform: None,
    })
}

/// Whether the acceptance tests can run: the crate `testaccept:` names exists and a JWT key is
/// set to mint their token. `skip` is the flag that skips them, for the hint.
fn tests_runnable(
    dir: &std::path::Path,
    config: &ServiceConfig,
    skip: &str,
) -> Result<(), UserError> {
    let testaccept = dir.join(&config.testaccept).join("Cargo.toml");
    if !testaccept.is_file() {
        return Err(UserError::new(
            format!("no acceptance tests: {} is missing", testaccept.display()),
            format!("set `testaccept:` in klue.yaml to the acceptance-test crate, or pass {skip}"),
        ));
    }
    let jwt = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    if !jwt("KLUE_JWT_SECRET") && !jwt("KLUE_JWT_PRIVATE_KEY") {
        return Err(UserError::new(
            "the acceptance tests need a JWT key to mint their token: KLUE_JWT_SECRET is not set",
            "export KLUE_JWT_SECRET (the service's secret, as in env.secrets)",
        ));
    }
    Ok(())
}

/// The service's environments, for `klue envs` and `klue cleanup`.
pub async fn list_environments(
    config: &ServiceConfig,
    aws_args: &AwsArgs,
) -> Result<(Vec<Environment>, String), UserError> {
    let clients = aws::clients(config.aws.region.as_deref(), aws_args).await;
    let config = &aws::with_live_prefix(config, &clients).await?;
    let envs = eb::environments(&clients.eb, &config.name, config.live_prefix()).await?;
    Ok((envs, clients.region))
}
