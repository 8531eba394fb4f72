//! Elastic Beanstalk calls: applications, versions, environments, events, the CNAME swap.

use std::time::SystemTime;

use aws_sdk_elasticbeanstalk::types::{ConfigurationOptionSetting, EnvironmentStatus, S3Location};
use aws_sdk_elasticbeanstalk::Client;
use serde::Serialize;

use super::aws::{failed, CallError};
use super::names::cname_prefix;
use super::secrets::Secret;

const EB: &str = "Elastic Beanstalk";

/// An environment, as `klue envs` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// Its name.
    pub name: String,
    /// Its CNAME, `host[:port]`.
    pub cname: String,
    /// The version it runs.
    pub version: String,
    /// `Launching`, `Ready`, `Terminated`...
    pub status: String,
    /// `Green`, `Yellow`, `Red`, `Grey`.
    pub health: String,
    /// When it was created (seconds since 1970; RFC 3339 in JSON).
    #[serde(serialize_with = "serialize_rfc3339")]
    pub created: i64,
    /// Whether it serves the live CNAME.
    pub live: bool,
}

/// `secs` since 1970 as an RFC 3339 UTC time, `2026-12-07T11:05:00Z`.
pub fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(
        || secs.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

fn serialize_rfc3339<S: serde::Serializer>(secs: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339(*secs))
}

/// Whether the environment is gone or going.
fn is_gone(status: &str) -> bool {
    matches!(status, "Terminated" | "Terminating")
}

/// The application exists afterwards; returns whether it was created.
pub async fn ensure_application(client: &Client, name: &str) -> Result<bool, CallError> {
    let found = client
        .describe_applications()
        .application_names(name)
        .send()
        .await
        .map_err(failed(EB, "DescribeApplications"))?;
    if !found.applications().is_empty() {
        return Ok(false);
    }
    client
        .create_application()
        .application_name(name)
        .description("Created by klue deploy")
        .send()
        .await
        .map_err(failed(EB, "CreateApplication"))?;
    Ok(true)
}

/// Registers the bundle as `version` of the application; returns false when that version
/// already existed (a re-deploy of the same commit), which is then reused.
pub async fn create_version(
    client: &Client,
    application: &str,
    version: &str,
    bucket: &str,
    key: &str,
) -> Result<bool, CallError> {
    let existing = client
        .describe_application_versions()
        .application_name(application)
        .version_labels(version)
        .send()
        .await
        .map_err(failed(EB, "DescribeApplicationVersions"))?;
    if !existing.application_versions().is_empty() {
        return Ok(false);
    }
    let bundle = S3Location::builder().s3_bucket(bucket).s3_key(key).build();
    client
        .create_application_version()
        .application_name(application)
        .version_label(version)
        .description("Built and pushed by klue deploy")
        .source_bundle(bundle)
        .send()
        .await
        .map_err(failed(EB, "CreateApplicationVersion"))?;
    Ok(true)
}

/// A platform version, as CreateEnvironment takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Platform {
    /// A platform version's ARN.
    Arn(String),
    /// A solution stack name.
    SolutionStack(String),
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Arn(arn) => write!(f, "{arn}"),
            Self::SolutionStack(name) => write!(f, "solution stack {name}"),
        }
    }
}

/// The newest Ready version of the platform named `name` (`ListPlatformVersions`), None when
/// there is none.
pub async fn newest_platform(client: &Client, name: &str) -> Result<Option<String>, CallError> {
    let filter = |kind: &str, value: &str| {
        aws_sdk_elasticbeanstalk::types::PlatformFilter::builder()
            .r#type(kind)
            .operator("=")
            .values(value)
            .build()
    };
    let mut found: Vec<(Vec<u64>, String)> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_platform_versions()
            .filters(filter("PlatformName", name))
            .filters(filter("PlatformStatus", "Ready"))
            .max_records(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(failed(EB, "ListPlatformVersions"))?;
        found.extend(page.platform_summary_list().iter().filter_map(|p| {
            let version = p.platform_version()?;
            let numbers = version
                .split('.')
                .map(|n| n.parse().ok())
                .collect::<Option<_>>()?;
            Some((numbers, p.platform_arn()?.to_owned()))
        }));
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    Ok(found.into_iter().max().map(|(_, arn)| arn))
}

/// What a new environment is made of.
#[derive(Debug)]
pub struct NewEnvironment<'a> {
    /// The application.
    pub application: &'a str,
    /// The environment's name.
    pub name: &'a str,
    /// Its CNAME prefix.
    pub cname_prefix: &'a str,
    /// The version to run.
    pub version: &'a str,
    /// The platform version.
    pub platform: &'a Platform,
    /// The hosts' EC2 instance profile.
    pub instance_profile: &'a str,
    /// The role Elastic Beanstalk acts with.
    pub service_role: &'a str,
    /// EC2 instance type.
    pub instance_type: &'a str,
    /// EC2 key pair.
    pub key_pair: Option<&'a str>,
    /// The environment properties from env.secrets.
    pub secrets: &'a [(String, Secret)],
}

/// The option settings klue gives a new environment (the properties aside): `klue deploy
/// --diff` compares the live environment's with these.
pub fn klue_options(new: &NewEnvironment<'_>) -> Vec<(&'static str, &'static str, String)> {
    const LAUNCH: &str = "aws:autoscaling:launchconfiguration";
    let mut options = vec![
        (LAUNCH, "InstanceType", new.instance_type.to_owned()),
        (
            LAUNCH,
            "IamInstanceProfile",
            new.instance_profile.to_owned(),
        ),
        (
            "aws:elasticbeanstalk:environment",
            "ServiceRole",
            new.service_role.to_owned(),
        ),
        // The load balancer and enhanced health ask /ping, which every klue service answers.
        (
            "aws:elasticbeanstalk:environment:process:default",
            "HealthCheckPath",
            "/ping".to_owned(),
        ),
        (
            "aws:elasticbeanstalk:application",
            "Application Healthcheck URL",
            "/ping".to_owned(),
        ),
        (
            "aws:elasticbeanstalk:healthreporting:system",
            "SystemType",
            "enhanced".to_owned(),
        ),
    ];
    if let Some(key_pair) = new.key_pair {
        options.push((LAUNCH, "EC2KeyName", key_pair.to_owned()));
    }
    options
}

/// `CreateEnvironment`. Secrets are sent as environment properties and nowhere else.
pub async fn create_environment(
    client: &Client,
    new: &NewEnvironment<'_>,
) -> Result<(), CallError> {
    let setting = |namespace: &str, option: &str, value: &str| {
        ConfigurationOptionSetting::builder()
            .namespace(namespace)
            .option_name(option)
            .value(value)
            .build()
    };
    let mut request = client
        .create_environment()
        .application_name(new.application)
        .environment_name(new.name)
        .cname_prefix(new.cname_prefix)
        .version_label(new.version)
        .description(format!(
            "{} {}, by klue deploy",
            new.application, new.version
        ));
    for (namespace, option, value) in klue_options(new) {
        request = request.option_settings(setting(namespace, option, &value));
    }
    request = match new.platform {
        Platform::Arn(arn) => request.platform_arn(arn),
        Platform::SolutionStack(name) => request.solution_stack_name(name),
    };
    for (name, value) in new.secrets {
        request = request.option_settings(setting(
            "aws:elasticbeanstalk:application:environment",
            name,
            value.expose(),
        ));
    }
    request
        .send()
        .await
        .map_err(failed(EB, "CreateEnvironment"))?;
    Ok(())
}

/// The application's environments (terminated ones left out), oldest first, with the live one
/// marked: the one whose CNAME prefix is `live_prefix`.
pub async fn environments(
    client: &Client,
    application: &str,
    live_prefix: &str,
) -> Result<Vec<Environment>, CallError> {
    let mut envs: Vec<Environment> = describe(client, application)
        .await?
        .iter()
        .map(|env| {
            let cname = env.cname().unwrap_or_default().to_owned();
            let status = env
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            Environment {
                name: env.environment_name().unwrap_or_default().to_owned(),
                live: !is_gone(&status) && !cname.is_empty() && cname_prefix(&cname) == live_prefix,
                cname,
                version: env.version_label().unwrap_or_default().to_owned(),
                health: env
                    .health()
                    .map(|h| h.as_str().to_owned())
                    .unwrap_or_default(),
                status,
                created: env.date_created().map(|d| d.secs()).unwrap_or(0),
            }
        })
        .filter(|env| !is_gone(&env.status))
        .collect();
    envs.sort_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)));
    Ok(envs)
}

/// `DescribeEnvironments` of the application, without deleted ones (`IncludeDeleted=false`).
async fn describe(
    client: &Client,
    application: &str,
) -> Result<Vec<aws_sdk_elasticbeanstalk::types::EnvironmentDescription>, CallError> {
    let found = client
        .describe_environments()
        .application_name(application)
        .include_deleted(false)
        .send()
        .await
        .map_err(failed(EB, "DescribeEnvironments"))?;
    Ok(found.environments().to_vec())
}

/// One environment by name (None when it does not exist or is terminated).
pub async fn environment(
    client: &Client,
    application: &str,
    name: &str,
    live_prefix: &str,
) -> Result<Option<Environment>, CallError> {
    Ok(environments(client, application, live_prefix)
        .await?
        .into_iter()
        .find(|env| env.name == name))
}

/// Events of the environment newer than `since`, oldest first: (time, severity, message).
pub async fn events_since(
    client: &Client,
    application: &str,
    environment: &str,
    since: SystemTime,
) -> Result<Vec<(SystemTime, String, String)>, CallError> {
    let found = client
        .describe_events()
        .application_name(application)
        .environment_name(environment)
        .start_time(aws_sdk_elasticbeanstalk::primitives::DateTime::from(since))
        .send()
        .await
        .map_err(failed(EB, "DescribeEvents"))?;
    let mut events: Vec<(SystemTime, String, String)> = found
        .events()
        .iter()
        .filter_map(|event| {
            let when = SystemTime::try_from(*event.event_date()?).ok()?;
            (when > since).then(|| {
                (
                    when,
                    event
                        .severity()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    event.message().unwrap_or_default().to_owned(),
                )
            })
        })
        .collect();
    events.sort_by_key(|(when, _, _)| *when);
    Ok(events)
}

/// `SwapEnvironmentCNAMEs`: `new` takes `live`'s CNAME and the other way round.
pub async fn swap(client: &Client, new: &str, live: &str) -> Result<(), CallError> {
    client
        .swap_environment_cnames()
        .source_environment_name(new)
        .destination_environment_name(live)
        .send()
        .await
        .map_err(failed(EB, "SwapEnvironmentCNAMEs"))?;
    Ok(())
}

/// The refusal of a deploy whose environment `name` exists already (this version was deployed).
pub fn exists_already(name: &str) -> crate::commands::UserError {
    crate::commands::UserError::new(
        format!("environment {name} exists already"),
        "this version was deployed before: commit a change (a new version) or terminate it \
         (`klue cleanup`, or aws elasticbeanstalk terminate-environment)",
    )
}

/// `CheckDNSAvailability`: whether an environment can be created with `prefix` as its CNAME
/// prefix.
pub async fn dns_available(client: &Client, prefix: &str) -> Result<bool, CallError> {
    let out = client
        .check_dns_availability()
        .cname_prefix(prefix)
        .send()
        .await
        .map_err(failed(EB, "CheckDNSAvailability"))?;
    Ok(out.available().unwrap_or(false))
}

/// `TerminateEnvironment`.
pub async fn terminate(client: &Client, name: &str) -> Result<(), CallError> {
    client
        .terminate_environment()
        .environment_name(name)
        .send()
        .await
        .map_err(failed(EB, "TerminateEnvironment"))?;
    Ok(())
}

/// Whether a status is a state EB will not leave by itself for Ready.
pub fn is_dead(status: &str) -> bool {
    is_gone(status) || status == EnvironmentStatus::Aborting.as_str()
}

/// An application version: its label, its source bundle in S3 and when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The version label (the image's tag too).
    pub label: String,
    /// The bundle's bucket.
    pub bucket: String,
    /// The bundle's key.
    pub key: String,
}

/// Every version of the application (`DescribeApplicationVersions`, all pages).
pub async fn versions(client: &Client, application: &str) -> Result<Vec<Version>, CallError> {
    let mut versions = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_application_versions()
            .application_name(application)
            .max_records(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(failed(EB, "DescribeApplicationVersions"))?;
        versions.extend(page.application_versions().iter().map(|v| {
            let bundle = v.source_bundle();
            Version {
                label: v.version_label().unwrap_or_default().to_owned(),
                bucket: bundle
                    .and_then(|b| b.s3_bucket())
                    .unwrap_or_default()
                    .to_owned(),
                key: bundle
                    .and_then(|b| b.s3_key())
                    .unwrap_or_default()
                    .to_owned(),
            }
        }));
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => return Ok(versions),
        }
    }
}

/// The application's environments that are not yet Terminated (Terminating ones too), as
/// (name, status, version label).
pub async fn unterminated(
    client: &Client,
    application: &str,
) -> Result<Vec<(String, String, String)>, CallError> {
    Ok(describe(client, application)
        .await?
        .iter()
        .map(|env| {
            (
                env.environment_name().unwrap_or_default().to_owned(),
                env.status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                env.version_label().unwrap_or_default().to_owned(),
            )
        })
        .filter(|(_, status, _)| status != "Terminated")
        .collect())
}

/// `DeleteApplicationVersion`, leaving its bundle to the caller (who deletes it from S3).
pub async fn delete_version(
    client: &Client,
    application: &str,
    label: &str,
) -> Result<(), CallError> {
    client
        .delete_application_version()
        .application_name(application)
        .version_label(label)
        .delete_source_bundle(false)
        .send()
        .await
        .map_err(failed(EB, "DeleteApplicationVersion"))?;
    Ok(())
}
