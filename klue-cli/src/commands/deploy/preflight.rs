//! What `klue deploy` checks in AWS before it builds anything (and `klue deploy --check` alone):
//! read-only calls that fail in seconds where a deploy would fail after minutes of building.
//!
//! 1. a region (klue.yaml's `aws.region`, else aws-config's chain);
//! 2. credentials from aws-config's chain, resolved within [`CREDENTIALS_TIMEOUT`], and the
//!    account they belong to (STS `GetCallerIdentity`);
//! 3. Elastic Beanstalk answers with them (`DescribeEnvironments`): the live environment, the new
//!    environment's name still free, and on a first deploy the CNAME prefix available
//!    (`CheckDNSAvailability`);
//! 4. the bundle bucket is the account's or can be created (`HeadBucket`: 404 is fine, 403 is
//!    another account's);
//! 5. ECR gives a login token (`GetAuthorizationToken`);
//! 6. the platform: klue.yaml's ARN or solution stack, else the newest Ready version of its
//!    platform name (`ListPlatformVersions`; default: Docker on Amazon Linux 2023);
//! 7. the EC2 instance profile (with a role) and the service role exist (IAM
//!    `GetInstanceProfile`, `GetRole`; with `--create-roles` created when missing: [`roles`]).
//!
//! Any problem is a setup error (exit 2) naming the fix; nothing was built or changed.

use std::time::{Duration, Instant};

use aws_sdk_s3::config::ProvideCredentials as _;
use serde::Serialize;

use super::aws::{self, Clients};
use super::eb::{self, Platform};
use super::roles::{self, Roles};
use super::{ecr, Plan};
use crate::commands::service::ServiceConfig;
use crate::commands::UserError;

/// How long aws-config's chain may take to find credentials (it may ask the EC2 instance
/// metadata service, which does not answer off EC2).
pub const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(10);

/// What the checks found.
#[derive(Debug, Clone, Serialize)]
pub struct Preflight {
    /// The region in use.
    pub region: String,
    /// The account the credentials belong to.
    pub account: String,
    /// The platform version the new environment runs.
    pub platform: Platform,
    /// The live environment, if any.
    pub live: Option<String>,
    /// The CNAME prefix the new environment gets.
    pub cname_prefix: String,
    /// The live environment's CNAME prefix (klue.yaml's, or `<name>-<account suffix>`).
    pub live_prefix: String,
    /// The bundle bucket, and whether it exists already.
    pub bucket: String,
    /// Whether the bucket exists (else the deploy creates it).
    pub bucket_exists: bool,
    /// The instance profile and service role (what `--create-roles` created).
    pub roles: Roles,
    /// Seconds the checks took.
    pub secs: f64,
}

/// Runs the checks against `clients` (built for `config`).
pub async fn check(
    config: &ServiceConfig,
    plan: &Plan,
    clients: &Clients,
    create_roles: bool,
) -> Result<Preflight, UserError> {
    let start = Instant::now();
    if clients.region == aws::NO_REGION {
        return Err(UserError::new(
            "no AWS region: klue.yaml has no `aws: region:` and aws-config found none",
            "set `region:` under `aws:` in klue.yaml (or AWS_REGION / AWS_PROFILE's region)",
        ));
    }
    credentials(clients).await?;
    let account = aws::account(clients).await?;
    let config = &config.clone().with_live_prefix(&account);
    let envs = eb::environments(&clients.eb, &config.name, config.live_prefix())
        .await
        .map_err(UserError::from)?;
    if envs.iter().any(|e| e.name == plan.environment) {
        return Err(eb::exists_already(&plan.environment));
    }
    let live = envs.iter().find(|e| e.live).map(|e| e.name.clone());
    let cname_prefix = if live.is_some() {
        plan.environment.clone()
    } else {
        config.live_prefix().to_owned()
    };
    if !eb::dns_available(&clients.eb, &cname_prefix)
        .await
        .map_err(UserError::from)?
    {
        return Err(UserError::new(
            format!(
                "the CNAME prefix {cname_prefix} is taken: {cname_prefix}.<region>.elasticbeanstalk.com \
                 belongs to another environment (of another application or account)"
            ),
            "set `cname_prefix:` under `aws:` in klue.yaml to another prefix, or terminate the \
             environment that holds it",
        ));
    }
    let bucket = config.bucket(&account, &clients.region);
    let bucket_exists = super::s3::bucket_is_ours(&clients.s3, &bucket)
        .await
        .map_err(|err| {
            UserError::new(
                err.to_string(),
                "S3 bucket names are global: set `bucket:` under `aws:` in klue.yaml to a name of \
                 your own (e.g. with the account id)",
            )
        })?;
    ecr::login(&clients.ecr).await.map_err(UserError::from)?;
    let platform = platform(config, clients).await?;
    let roles = roles::check(&clients.iam, config, create_roles).await?;
    Ok(Preflight {
        region: clients.region.clone(),
        account,
        platform,
        live,
        cname_prefix,
        live_prefix: config.live_prefix().to_owned(),
        bucket,
        bucket_exists,
        roles,
        secs: start.elapsed().as_secs_f64(),
    })
}

/// The platform version a new environment runs.
pub(super) async fn platform(
    config: &ServiceConfig,
    clients: &Clients,
) -> Result<Platform, UserError> {
    if let Some(stack) = config
        .aws
        .solution_stack
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        return Ok(Platform::SolutionStack(stack.to_owned()));
    }
    let name = &config.aws.platform;
    if name.starts_with("arn:") {
        return Ok(Platform::Arn(name.clone()));
    }
    match eb::newest_platform(&clients.eb, name)
        .await
        .map_err(UserError::from)?
    {
        Some(arn) => Ok(Platform::Arn(arn)),
        None => Err(UserError::new(
            format!(
                "no Ready version of the platform \"{name}\" in {}",
                clients.region
            ),
            "set `platform:` under `aws:` in klue.yaml to a platform name (`aws elasticbeanstalk \
             list-platform-branches`) or a platform version's ARN",
        )),
    }
}

/// Credentials from aws-config's chain, or a setup error saying where it looked.
async fn credentials(clients: &Clients) -> Result<(), UserError> {
    let hint = "configure credentials: AWS_PROFILE (after `aws sso login` or `aws configure`), or \
                AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
    let Some(provider) = clients.shared.credentials_provider() else {
        return Err(UserError::new("no AWS credentials provider", hint));
    };
    match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) => Err(UserError::new(
            format!("no AWS credentials: {}", aws::error_chain(&err)),
            hint,
        )),
        Err(_) => Err(UserError::new(
            format!(
                "no AWS credentials: aws-config's chain found none within {} s",
                CREDENTIALS_TIMEOUT.as_secs()
            ),
            hint,
        )),
    }
}

impl Preflight {
    /// The lines `klue deploy` prints on stderr.
    pub fn text(&self) -> String {
        let live = match &self.live {
            Some(live) => format!("live environment {live}"),
            None => format!(
                "no live environment: the first deploy takes the CNAME prefix {} (available)",
                self.cname_prefix
            ),
        };
        let bucket = if self.bucket_exists {
            format!("bucket {} is the account's", self.bucket)
        } else {
            format!("bucket {} will be created", self.bucket)
        };
        let roles = &self.roles;
        let mut iam = format!(
            "instance profile {}, service role {}",
            roles.instance_profile, roles.service_role
        );
        if !roles.created.is_empty() {
            iam.push_str(&format!(" (created: {})", roles.created.join(", ")));
        }
        let mut text = format!(
            "preflight: region {}, account {}, Elastic Beanstalk answers ({live}), {bucket}, \
             ECR gives a login, platform {}, {iam} ({:.1} s)\n",
            self.region, self.account, self.platform, self.secs
        );
        for what in &roles.unchecked {
            text.push_str(&format!(
                "warning: not allowed to check the {what}; Elastic Beanstalk will refuse the \
                 environment if it is missing\n"
            ));
        }
        text
    }
}
