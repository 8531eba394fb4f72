//! What the emulator keeps: applications, application versions, environments and events.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::xml::{element, members, timestamp};

/// The account and region the emulator reports in ARNs.
pub const ACCOUNT: &str = "123456789012";
/// The region in ARNs and events.
pub const REGION: &str = "us-east-1";

/// An application.
#[derive(Debug, Clone)]
pub struct Application {
    pub name: String,
    pub description: String,
    pub created: SystemTime,
}

/// An application version: a label and its source bundle in S3.
#[derive(Debug, Clone)]
pub struct AppVersion {
    pub application: String,
    pub label: String,
    pub description: String,
    pub bucket: String,
    pub key: String,
    pub created: SystemTime,
}

/// Lifecycle of an environment, as EB names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Launching,
    Ready,
    Terminating,
    Terminated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Launching => "Launching",
            Self::Ready => "Ready",
            Self::Terminating => "Terminating",
            Self::Terminated => "Terminated",
        }
    }
}

/// Health colour (and the enhanced health status that goes with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Grey,
    Green,
    Red,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grey => "Grey",
            Self::Green => "Green",
            Self::Red => "Red",
        }
    }

    fn status(self) -> &'static str {
        match self {
            Self::Grey => "Pending",
            Self::Green => "Ok",
            Self::Red => "Severe",
        }
    }
}

/// An environment: one container of one version, reachable through its CNAME.
#[derive(Debug, Clone)]
pub struct Environment {
    pub id: String,
    pub name: String,
    pub application: String,
    pub version_label: String,
    pub solution_stack: String,
    pub platform_arn: Option<String>,
    pub cname_prefix: Option<String>,
    /// `{prefix}.localhost:PORT` of a CNAME listener; follows `SwapEnvironmentCNAMEs`.
    pub cname: String,
    /// `127.0.0.1:PORT` of the container itself, once it runs.
    pub backend: Option<String>,
    pub container: Option<String>,
    pub status: Status,
    pub health: Health,
    /// `aws:elasticbeanstalk:application:environment` properties (values never logged).
    pub properties: Vec<(String, String)>,
    /// Every option setting given to `CreateEnvironment`: (namespace, option, value).
    pub options: Vec<(String, String, String)>,
    pub created: SystemTime,
    pub updated: SystemTime,
}

/// An event, as `DescribeEvents` lists them (newest first).
#[derive(Debug, Clone)]
pub struct Event {
    pub date: SystemTime,
    pub application: String,
    pub environment: Option<String>,
    pub version_label: Option<String>,
    pub severity: &'static str,
    pub message: String,
}

/// Everything the emulator knows.
#[derive(Debug, Default)]
pub struct State {
    pub applications: BTreeMap<String, Application>,
    pub versions: Vec<AppVersion>,
    pub environments: Vec<Environment>,
    pub events: Vec<Event>,
    /// Log samples of `RequestEnvironmentInfo`, oldest first.
    pub env_info: Vec<super::envinfo::EnvInfo>,
    next_id: u64,
}

impl State {
    /// A new environment id (`e-` and ten characters, like EB's).
    pub fn new_environment_id(&mut self) -> String {
        self.next_id += 1;
        format!("e-klue{:06}", self.next_id)
    }

    pub fn environment(&self, id: &str) -> Option<&Environment> {
        self.environments.iter().find(|env| env.id == id)
    }

    pub fn environment_mut(&mut self, id: &str) -> Option<&mut Environment> {
        self.environments.iter_mut().find(|env| env.id == id)
    }

    /// The environment that is not terminated and currently owns `cname`.
    pub fn cname_owner(&self, cname: &str) -> Option<&Environment> {
        self.environments
            .iter()
            .find(|env| env.cname == cname && env.status != Status::Terminated)
    }

    /// Records an event for an environment.
    pub fn event(&mut self, env_id: &str, severity: &'static str, message: impl Into<String>) {
        let (application, environment, version_label) = match self.environment(env_id) {
            Some(env) => (
                env.application.clone(),
                Some(env.name.clone()),
                Some(env.version_label.clone()),
            ),
            None => return,
        };
        self.events.push(Event {
            date: SystemTime::now(),
            application,
            environment,
            version_label,
            severity,
            message: message.into(),
        });
    }
}

fn arn(kind: &str, path: &str) -> String {
    format!("arn:aws:elasticbeanstalk:{REGION}:{ACCOUNT}:{kind}/{path}")
}

impl Application {
    pub fn xml(&self, versions: &[AppVersion]) -> String {
        let labels = versions
            .iter()
            .filter(|version| version.application == self.name)
            .map(|version| crate::eb::xml::escape(&version.label));
        [
            element("ApplicationName", &self.name),
            element("Description", &self.description),
            element("DateCreated", &timestamp(self.created)),
            element("DateUpdated", &timestamp(self.created)),
            members("Versions", labels),
            element("ApplicationArn", &arn("application", &self.name)),
        ]
        .concat()
    }
}

impl AppVersion {
    pub fn xml(&self) -> String {
        [
            element("ApplicationName", &self.application),
            element("VersionLabel", &self.label),
            element("Description", &self.description),
            format!(
                "<SourceBundle>{}{}</SourceBundle>",
                element("S3Bucket", &self.bucket),
                element("S3Key", &self.key)
            ),
            element("DateCreated", &timestamp(self.created)),
            element("DateUpdated", &timestamp(self.created)),
            element("Status", "PROCESSED"),
            element(
                "ApplicationVersionArn",
                &arn(
                    "applicationversion",
                    &format!("{}/{}", self.application, self.label),
                ),
            ),
        ]
        .concat()
    }
}

impl Environment {
    pub fn xml(&self) -> String {
        [
            element("EnvironmentName", &self.name),
            element("EnvironmentId", &self.id),
            element("ApplicationName", &self.application),
            element("VersionLabel", &self.version_label),
            element("SolutionStackName", &self.solution_stack),
            element("PlatformArn", self.platform_arn.as_deref().unwrap_or("")),
            element("EndpointURL", self.backend.as_deref().unwrap_or("")),
            element("CNAME", &self.cname),
            element("DateCreated", &timestamp(self.created)),
            element("DateUpdated", &timestamp(self.updated)),
            element("Status", self.status.as_str()),
            element("AbortableOperationInProgress", "false"),
            element("Health", self.health.as_str()),
            element("HealthStatus", self.health.status()),
            "<Tier><Name>WebServer</Name><Type>Standard</Type><Version>1.0</Version></Tier>"
                .to_owned(),
            element(
                "EnvironmentArn",
                &arn(
                    "environment",
                    &format!("{}/{}", self.application, self.name),
                ),
            ),
        ]
        .concat()
    }
}

impl Event {
    pub fn xml(&self) -> String {
        let mut out = vec![
            element("EventDate", &timestamp(self.date)),
            element("Message", &self.message),
            element("ApplicationName", &self.application),
            element("Severity", self.severity),
        ];
        if let Some(name) = &self.environment {
            out.push(element("EnvironmentName", name));
        }
        if let Some(label) = &self.version_label {
            out.push(element("VersionLabel", label));
        }
        out.concat()
    }
}
