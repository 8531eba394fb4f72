//! A service's own files, as `klue build` and `klue deploy` read them: `klue.yaml` (what the
//! service is and where it ships) and `env.secrets` (which variables it needs from the deployer).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::UserError;

/// The service's settings file, in its root directory.
pub const KLUE_YAML: &str = "klue.yaml";
/// The list of secret variables, in the service's root directory.
pub const ENV_SECRETS: &str = "env.secrets";

/// `klue.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// The service's name: image name, Elastic Beanstalk application, live CNAME prefix.
    pub name: String,
    /// Where the live service answers (`run_acceptance_tests --live`).
    #[serde(default)]
    pub live_url: Option<String>,
    /// The port the server listens on in its container.
    #[serde(default = "default_port")]
    pub port: u16,
    /// The binary to ship [default: `name`].
    #[serde(default)]
    pub binary: Option<String>,
    /// The acceptance-test crate, relative to the service root.
    #[serde(default = "default_testaccept")]
    pub testaccept: PathBuf,
    /// Docker settings.
    pub docker: DockerConfig,
    /// AWS settings.
    #[serde(default)]
    pub aws: AwsConfig,
    /// How long the deploy commands wait (their flags override these).
    #[serde(default)]
    pub timeouts: Timeouts,
}

/// `timeouts:` of `klue.yaml`, in seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeouts {
    /// A new environment to be Ready and Green (`--ready-timeout`): EB takes 5-15 minutes to
    /// create one with a load balancer.
    pub ready: u64,
    /// An environment's /ping to answer before its acceptance tests (`--ping-timeout`).
    pub ping: u64,
    /// Environments to be terminated (`klue cleanup --timeout`).
    pub terminate: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            ready: 1200,
            ping: 120,
            terminate: 1200,
        }
    }
}

/// `docker:` of `klue.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerConfig {
    /// The registry (and path) images are tagged with: `<repo>/<name>:<version>`. For ECR,
    /// `<account>.dkr.ecr.<region>.amazonaws.com`.
    pub repo: String,
}

/// `aws:` of `klue.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    /// The region [default: the standard chain's, e.g. AWS_REGION or the profile's].
    #[serde(default)]
    pub region: Option<String>,
    /// EC2 instance type of the environment's hosts.
    #[serde(default = "default_instance_type")]
    pub instance_type: String,
    /// EC2 key pair for ssh to the hosts (none when empty).
    #[serde(default)]
    pub key_pair: Option<String>,
    /// ACM certificate for an HTTPS listener on the load balancer (none when empty).
    #[serde(default)]
    pub certificate_arn: Option<String>,
    /// Fewest hosts.
    #[serde(default = "default_hosts_min")]
    pub hosts_min: u32,
    /// Most hosts.
    #[serde(default = "default_hosts_max")]
    pub hosts_max: u32,
    /// S3 bucket for source bundles (default: `klue-bundles-<account id>-<region>`, one per
    /// account and region as Elastic Beanstalk's own; keys start with the service's name).
    #[serde(default)]
    pub bucket: Option<String>,
    /// The live environment's CNAME prefix: `<prefix>.<region>.elasticbeanstalk.com` (default:
    /// `<name>-<last 6 digits of the account id>`: CNAME prefixes are global, a bare name is
    /// likely taken). The deploy commands resolve the default once ([`ServiceConfig::with_live_prefix`]).
    #[serde(default)]
    pub cname_prefix: Option<String>,
    /// The Elastic Beanstalk platform: a platform name, whose newest Ready version is taken at
    /// each deploy (`ListPlatformVersions`), or one platform version's ARN
    /// (`arn:aws:elasticbeanstalk:...`).
    #[serde(default = "default_platform")]
    pub platform: String,
    /// A solution stack name instead of `platform` (the older way to name a platform version).
    #[serde(default)]
    pub solution_stack: Option<String>,
    /// The EC2 instance profile of the hosts (it needs ECR read rights to pull the image).
    #[serde(default = "default_instance_profile")]
    pub instance_profile: String,
    /// The role Elastic Beanstalk acts with (enhanced health, managed updates).
    #[serde(default = "default_service_role")]
    pub service_role: String,
}

impl Default for AwsConfig {
    fn default() -> Self {
        AwsConfig {
            region: None,
            instance_type: default_instance_type(),
            key_pair: None,
            certificate_arn: None,
            hosts_min: default_hosts_min(),
            hosts_max: default_hosts_max(),
            bucket: None,
            cname_prefix: None,
            platform: default_platform(),
            solution_stack: None,
            instance_profile: default_instance_profile(),
            service_role: default_service_role(),
        }
    }
}

fn default_port() -> u16 {
    8080
}
fn default_testaccept() -> PathBuf {
    PathBuf::from("testaccept")
}
fn default_instance_type() -> String {
    "t3.small".to_owned()
}
fn default_hosts_min() -> u32 {
    1
}
fn default_hosts_max() -> u32 {
    2
}
fn default_platform() -> String {
    DOCKER_PLATFORM.to_owned()
}
fn default_instance_profile() -> String {
    "aws-elasticbeanstalk-ec2-role".to_owned()
}
fn default_service_role() -> String {
    "aws-elasticbeanstalk-service-role".to_owned()
}

/// The platform a deploy takes the newest version of, unless klue.yaml names another.
pub const DOCKER_PLATFORM: &str = "Docker running on 64bit Amazon Linux 2023";

impl ServiceConfig {
    /// Reads and checks `dir/klue.yaml`.
    pub fn load(dir: &Path) -> Result<Self, UserError> {
        let path = dir.join(KLUE_YAML);
        let text = std::fs::read_to_string(&path).map_err(|err| {
            UserError::new(
                format!("cannot read {}: {err}", path.display()),
                "run from the service's root directory (where klue.yaml is), pass --dir DIR, or \
                 create a service with `klue new NAME`",
            )
        })?;
        Self::parse(&text, &path)
    }

    /// Parses and checks `klue.yaml` text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, UserError> {
        let config: ServiceConfig = klue_core::yaml::from_str(text).map_err(|err| {
            UserError::new(
                format!("{}: {err}", path.display()),
                "see the klue.yaml that `klue new` writes for every setting",
            )
        })?;
        let mut problems = Vec::new();
        if !valid_name(&config.name) {
            problems.push(format!(
                "name '{}' is not lowercase letters, digits and hyphens starting with a letter",
                config.name
            ));
        }
        if config.docker.repo.trim().is_empty() || config.docker.repo.ends_with('/') {
            problems.push(
                "docker.repo must be a registry host (and path), without a trailing /".to_owned(),
            );
        }
        if config.aws.hosts_min == 0 || config.aws.hosts_min > config.aws.hosts_max {
            problems.push(format!(
                "aws.hosts_min ({}) must be at least 1 and at most aws.hosts_max ({})",
                config.aws.hosts_min, config.aws.hosts_max
            ));
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(UserError::new(
                format!("{}: {}", path.display(), problems.join("; ")),
                "fix the setting named",
            ))
        }
    }

    /// The binary to ship.
    pub fn binary(&self) -> &str {
        self.binary.as_deref().unwrap_or(&self.name)
    }

    /// The image tag `<repo>/<name>:<version>`.
    pub fn image(&self, version: &str) -> String {
        image_tag(&self.docker.repo, &self.name, version)
    }

    /// The certificate ARN, when one is set.
    pub fn certificate_arn(&self) -> Option<&str> {
        self.aws
            .certificate_arn
            .as_deref()
            .filter(|a| !a.trim().is_empty())
    }

    /// The key pair, when one is set.
    pub fn key_pair(&self) -> Option<&str> {
        self.aws
            .key_pair
            .as_deref()
            .filter(|k| !k.trim().is_empty())
    }

    /// The platform as a plan says it.
    pub fn platform_text(&self) -> String {
        match &self.aws.solution_stack {
            Some(stack) if !stack.trim().is_empty() => format!("solution stack {stack}"),
            _ if self.aws.platform.starts_with("arn:") => format!("platform {}", self.aws.platform),
            _ => format!("the newest {}", self.aws.platform),
        }
    }

    /// The S3 bucket for source bundles in `account` and `region`.
    pub fn bucket(&self, account: &str, region: &str) -> String {
        self.aws
            .bucket
            .clone()
            .filter(|b| !b.trim().is_empty())
            .unwrap_or_else(|| format!("klue-bundles-{account}-{region}"))
    }

    /// The live environment's CNAME prefix given in klue.yaml (or resolved), if any.
    pub fn explicit_live_prefix(&self) -> Option<&str> {
        self.aws
            .cname_prefix
            .as_deref()
            .filter(|p| !p.trim().is_empty())
    }

    /// This configuration with the live CNAME prefix resolved for `account`.
    pub fn with_live_prefix(mut self, account: &str) -> Self {
        if self.explicit_live_prefix().is_none() {
            let suffix = &account[account.len().saturating_sub(6)..];
            self.aws.cname_prefix = Some(format!("{}-{suffix}", self.name));
        }
        self
    }

    /// The live environment's CNAME prefix. The deploy commands resolve the default before
    /// asking AWS anything about environments; unresolved, it is the service's name.
    pub fn live_prefix(&self) -> &str {
        self.explicit_live_prefix().unwrap_or(&self.name)
    }
}

/// `<repo>/<name>:<version>`.
pub fn image_tag(repo: &str, name: &str, version: &str) -> String {
    format!("{repo}/{name}:{version}")
}

/// A service name: lowercase ASCII letters, digits and hyphens, starting with a letter, not
/// ending with a hyphen, at most 40 characters (it names a crate, an image and an application).
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && name.len() <= 40
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The variable names listed in `dir/env.secrets` (none when the file is missing): one a line,
/// `#` starts a comment.
pub fn secret_names(dir: &Path) -> Result<Vec<String>, UserError> {
    let path = dir.join(ENV_SECRETS);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => {
            return Err(UserError::plain(format!(
                "cannot read {}: {err}",
                path.display()
            )))
        }
    };
    parse_secret_names(&text, &path)
}

/// Parses `env.secrets` text; `path` names it in errors.
pub fn parse_secret_names(text: &str, path: &Path) -> Result<Vec<String>, UserError> {
    let mut names = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let name = line.split('#').next().unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(UserError::new(
                format!(
                    "{}:{}: '{name}' is not a variable name",
                    path.display(),
                    number + 1
                ),
                "list one variable NAME a line (letters, digits, _); never a value: values come \
                 from the deployer's environment",
            ));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// The directory a command works in: `--dir`, else the nearest directory holding `klue.yaml`
/// from the current one up (as cargo finds `Cargo.toml`), else the current one (whose missing
/// `klue.yaml` is then reported).
pub fn root(dir: Option<&Path>) -> PathBuf {
    if let Some(dir) = dir {
        return dir.to_path_buf();
    }
    std::env::current_dir()
        .ok()
        .and_then(|cwd| service_root(&cwd))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The nearest of `start` and its ancestors that holds a `klue.yaml`.
fn service_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(KLUE_YAML).is_file())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "name: hello\ndocker:\n  repo: 127.0.0.1:5000\n";

    #[test]
    fn the_service_root_is_found_from_a_subdirectory() {
        let dir = std::env::temp_dir().join(format!("klue-root-{}", std::process::id()));
        let nested = dir.join("svc/src/deep");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(service_root(&nested), None);
        std::fs::write(dir.join("svc").join(KLUE_YAML), MINIMAL).unwrap();
        assert_eq!(service_root(&nested), Some(dir.join("svc")));
        assert_eq!(service_root(&dir.join("svc")), Some(dir.join("svc")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn defaults_fill_what_is_left_out() {
        let config = ServiceConfig::parse(MINIMAL, Path::new("klue.yaml")).expect("parses");
        assert_eq!(config.port, 8080);
        assert_eq!(config.binary(), "hello");
        assert_eq!(
            config.bucket("123456789012", "eu-west-1"),
            "klue-bundles-123456789012-eu-west-1"
        );
        assert_eq!(
            config
                .clone()
                .with_live_prefix("123456789012")
                .live_prefix(),
            "hello-789012"
        );
        assert_eq!(config.image("v1"), "127.0.0.1:5000/hello:v1");
        assert_eq!((config.aws.hosts_min, config.aws.hosts_max), (1, 2));
        assert_eq!(config.certificate_arn(), None);
        let t = &config.timeouts;
        assert_eq!((t.ready, t.ping, t.terminate), (1200, 120, 1200));
    }

    #[test]
    fn timeouts_and_the_cname_prefix_are_read() {
        let yaml = format!(
            "{MINIMAL}aws:\n  cname_prefix: hello-a1b2\ntimeouts:\n  ready: 1800\n  ping: 30\n"
        );
        let config = ServiceConfig::parse(&yaml, Path::new("klue.yaml")).expect("parses");
        assert_eq!(
            config
                .clone()
                .with_live_prefix("123456789012")
                .live_prefix(),
            "hello-a1b2"
        );
        let t = &config.timeouts;
        assert_eq!((t.ready, t.ping, t.terminate), (1800, 30, 1200));
        assert_eq!(config.live_prefix(), "hello-a1b2");
        let typo = format!("{MINIMAL}timeouts:\n  redy: 5\n");
        let err = ServiceConfig::parse(&typo, Path::new("klue.yaml")).unwrap_err();
        assert!(err.to_string().contains("redy"), "{err}");
    }

    #[test]
    fn typos_and_bad_values_are_refused() {
        let typo = format!("{MINIMAL}aws:\n  instance_typ: t3.micro\n");
        let err = ServiceConfig::parse(&typo, Path::new("klue.yaml")).unwrap_err();
        assert!(err.message.contains("instance_typ"), "{}", err.message);
        let bad = "name: Hello_World\ndocker:\n  repo: r\naws:\n  hosts_min: 3\n  hosts_max: 2\n";
        let err = ServiceConfig::parse(bad, Path::new("klue.yaml")).unwrap_err();
        assert!(err.message.contains("Hello_World"), "{}", err.message);
        assert!(err.message.contains("hosts_min (3)"), "{}", err.message);
    }

    #[test]
    fn secret_names_skip_comments_and_refuse_values() {
        let names = parse_secret_names(
            "# secrets\nKLUE_JWT_SECRET\n\nDB_PASSWORD  # the db\nKLUE_JWT_SECRET\n",
            Path::new("env.secrets"),
        )
        .expect("parses");
        assert_eq!(names, ["KLUE_JWT_SECRET", "DB_PASSWORD"]);
        let err = parse_secret_names("A=b\n", Path::new("env.secrets")).unwrap_err();
        assert!(err.message.contains("env.secrets:1"), "{}", err.message);
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("hello"));
        assert!(valid_name("my-service2"));
        for bad in ["", "Hello", "1x", "a_b", "a-", "a--b"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
