//! `klue deploy --diff`: what a deploy would change against the live environment, without
//! building or changing anything.
//!
//! Compared: the version and the image (a version of klue's form `YYMMDD-HHMM-<count>-<sha>`
//! by its commit, `<count>-<sha>`: the time part is new at every build), the platform (solution
//! stack), the names of the environment properties (`aws:elasticbeanstalk:application:environment`;
//! values are compared in memory and never printed) and the option settings klue sets on
//! `CreateEnvironment`.
//!
//! AWS calls, all read-only: `DescribeEnvironments` (the live one), `DescribeConfigurationSettings`
//! (its platform, option settings and properties), `DescribeApplicationVersions` and S3
//! `GetObject` of its source bundle (the image its Dockerrun.aws.json names), and ECR
//! `GetAuthorizationToken` for the registry the new image would be pushed to (unless
//! `KLUE_REGISTRY`). Exit 0 no change, 2 changes, 1 any error.

use std::collections::BTreeMap;
use std::io::{Cursor, Read as _};

use serde::Serialize;

use super::aws::{self, failed, CallError, Clients};
use super::{eb, ecr, Prepared};
use crate::cli::DeployArgs;
use crate::commands::UserError;

/// The namespace of environment properties.
const PROPERTIES: &str = "aws:elasticbeanstalk:application:environment";
/// The namespace of the launch configuration options klue sets.
const LAUNCH: &str = "aws:autoscaling:launchconfiguration";

/// Exit status when something would change.
const EXIT_CHANGES: u8 = 2;

/// One compared value: what is live and what a deploy would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What is compared (`version`, `image`, `platform`, `<namespace>:<option>`).
    pub what: String,
    /// The live value (None: not set, or unknown).
    pub live: Option<String>,
    /// The deploy's value (None: not set).
    pub new: Option<String>,
    /// Whether they differ.
    pub changed: bool,
}

/// An environment property, by name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Property {
    /// Its name.
    pub name: String,
    /// `added`, `removed`, `value changed` or `same` (values are never shown).
    pub status: &'static str,
}

/// The whole comparison (`--json`).
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The live environment (None: there is none, a deploy would create it).
    pub live_environment: Option<String>,
    /// Whether anything would change.
    pub changed: bool,
    /// Version, image and platform.
    pub compared: Vec<Change>,
    /// Environment properties.
    pub properties: Vec<Property>,
    /// Option settings klue sets on CreateEnvironment.
    pub options: Vec<Change>,
}

/// What the live environment runs with.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// Its name.
    pub name: String,
    /// Its version label.
    pub version: String,
    /// The image of its bundle (None: unknown).
    pub image: Option<String>,
    /// Its solution stack.
    pub platform: Option<String>,
    /// Its option settings: (namespace, option) -> value.
    pub settings: BTreeMap<(String, String), String>,
}

/// What a deploy would make.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    /// The version.
    pub version: String,
    /// The image as pushed.
    pub image: String,
    /// The solution stack.
    pub platform: String,
    /// The option settings klue sets (not the properties): (namespace, option, value).
    pub options: Vec<(String, String, String)>,
    /// The properties: name and value (the value only compared).
    pub properties: Vec<(String, String)>,
}

/// `klue deploy --diff`: any error exits 1 (2 is "changes").
pub fn main(args: &DeployArgs) -> Result<(), UserError> {
    let diff = super::prepare(args)
        .and_then(|prepared| crate::commands::envs::runtime()?.block_on(diff(args, &prepared)))
        .map_err(|err| err.with_exit_status(crate::error::EXIT_FAILED))?;
    if args.json {
        println!("{}", serde_json::to_value(&diff).unwrap_or_default());
    } else {
        print!("{}", text(&diff));
    }
    if diff.changed {
        Err(UserError::reported(EXIT_CHANGES))
    } else {
        Ok(())
    }
}

/// Reads the live environment and compares.
async fn diff(args: &DeployArgs, prepared: &Prepared) -> Result<Diff, UserError> {
    let plan = &prepared.plan;
    let clients = aws::clients(prepared.config.aws.region.as_deref(), &args.aws).await;
    let config = &aws::with_live_prefix(&prepared.config, &clients).await?;
    let registry = match &plan.registry_override {
        Some(registry) => registry.clone(),
        None => ecr::login(&clients.ecr).await?.registry,
    };
    let platform = super::preflight::platform(config, &clients).await?;
    let new = eb::NewEnvironment {
        application: &config.name,
        name: &plan.environment,
        cname_prefix: config.live_prefix(),
        version: &plan.version,
        platform: &platform,
        instance_type: &config.aws.instance_type,
        key_pair: config.key_pair(),
        instance_profile: &config.aws.instance_profile,
        service_role: &config.aws.service_role,
        secrets: &prepared.secrets,
    };
    let options = eb::klue_options(&new)
        .into_iter()
        .map(|(namespace, option, value)| (namespace.to_owned(), option.to_owned(), value))
        .collect();
    let planned = Planned {
        version: plan.version.clone(),
        image: format!("{registry}/{}:{}", config.name, plan.version),
        platform: platform.to_string(),
        options,
        properties: prepared
            .secrets
            .iter()
            .map(|(name, value)| (name.clone(), value.expose().to_owned()))
            .collect(),
    };
    let envs = eb::environments(&clients.eb, &config.name, config.live_prefix()).await?;
    let live = match envs.into_iter().find(|e| e.live) {
        Some(env) => {
            let by_stack = matches!(platform, eb::Platform::SolutionStack(_));
            Some(live_state(&clients, &config.name, env, by_stack).await?)
        }
        None => None,
    };
    Ok(compare(live.as_ref(), &planned))
}

/// The live environment's settings and image.
/// `by_stack`: klue.yaml names a solution stack, so the live one's is compared (else its
/// platform ARN).
async fn live_state(
    clients: &Clients,
    application: &str,
    env: eb::Environment,
    by_stack: bool,
) -> Result<Live, CallError> {
    let described = clients
        .eb
        .describe_configuration_settings()
        .application_name(application)
        .environment_name(&env.name)
        .send()
        .await
        .map_err(failed("Elastic Beanstalk", "DescribeConfigurationSettings"))?;
    let mut live = Live {
        name: env.name,
        version: env.version,
        ..Live::default()
    };
    for description in described.configuration_settings() {
        // As `Platform` displays: an ARN, or "solution stack <name>".
        live.platform = if by_stack {
            description
                .solution_stack_name()
                .map(|name| format!("solution stack {name}"))
        } else {
            description.platform_arn().map(str::to_owned)
        };
        for setting in description.option_settings() {
            if let (Some(namespace), Some(option)) = (setting.namespace(), setting.option_name()) {
                live.settings.insert(
                    (namespace.to_owned(), option.to_owned()),
                    setting.value().unwrap_or_default().to_owned(),
                );
            }
        }
    }
    live.image = bundle_image(clients, application, &live.version).await?;
    Ok(live)
}

/// The image the source bundle of `version` runs (its Dockerrun.aws.json's `Image.Name`);
/// None when the version or its bundle does not say.
async fn bundle_image(
    clients: &Clients,
    application: &str,
    version: &str,
) -> Result<Option<String>, CallError> {
    let versions = clients
        .eb
        .describe_application_versions()
        .application_name(application)
        .version_labels(version)
        .send()
        .await
        .map_err(failed("Elastic Beanstalk", "DescribeApplicationVersions"))?;
    let Some(bundle) = versions
        .application_versions()
        .first()
        .and_then(|v| v.source_bundle())
    else {
        return Ok(None);
    };
    let (Some(bucket), Some(key)) = (bundle.s3_bucket(), bundle.s3_key()) else {
        return Ok(None);
    };
    let object = clients
        .s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(failed("S3", "GetObject"))?;
    let bytes = object.body.collect().await.map_err(|err| CallError {
        service: "S3",
        operation: "GetObject",
        message: err.to_string(),
    })?;
    Ok(dockerrun_image(&bytes.into_bytes()))
}

/// `Image.Name` of the Dockerrun.aws.json in a zipped bundle.
fn dockerrun_image(zip: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).ok()?;
    let mut file = archive.by_name("Dockerrun.aws.json").ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["Image"]["Name"].as_str().map(str::to_owned)
}

/// What identifies a version's source: the commit (`<count>-<sha>[-dirty]`) of a label of
/// klue's form `YYMMDD-HHMM-<count>-<sha>`, else the whole label.
pub fn source_of(version: &str) -> &str {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let mut parts = version.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(day), Some(time), Some(rest)) if digits(day, 6) && digits(time, 4) => rest,
        _ => version,
    }
}

/// An image with its tag's source ([`source_of`]): `repo:tag` -> (`repo`, source).
fn image_source(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, source_of(tag)),
        _ => (image, ""),
    }
}

/// Compares; pure.
pub fn compare(live: Option<&Live>, planned: &Planned) -> Diff {
    let change = |what: &str, live: Option<String>, new: Option<String>, changed: bool| Change {
        what: what.to_owned(),
        live,
        new,
        changed,
    };
    let Some(live) = live else {
        return Diff {
            live_environment: None,
            changed: true,
            compared: vec![change("version", None, Some(planned.version.clone()), true)],
            properties: Vec::new(),
            options: Vec::new(),
        };
    };
    let image_changed = live
        .image
        .as_deref()
        .is_none_or(|image| image_source(image) != image_source(&planned.image));
    let compared = vec![
        change(
            "version",
            Some(live.version.clone()),
            Some(planned.version.clone()),
            source_of(&live.version) != source_of(&planned.version),
        ),
        change(
            "image",
            live.image.clone(),
            Some(planned.image.clone()),
            image_changed,
        ),
        change(
            "platform",
            live.platform.clone(),
            Some(planned.platform.clone()),
            live.platform.as_deref() != Some(planned.platform.as_str()),
        ),
    ];
    let properties = compare_properties(live, planned);
    let options = compare_options(live, planned);
    let changed = compared.iter().chain(&options).any(|c| c.changed)
        || properties.iter().any(|p| p.status != "same");
    Diff {
        live_environment: Some(live.name.clone()),
        changed,
        compared,
        properties,
        options,
    }
}

/// Properties by name: presence, and whether the value differs (never the value).
fn compare_properties(live: &Live, planned: &Planned) -> Vec<Property> {
    let live_props: BTreeMap<&str, &str> = live
        .settings
        .iter()
        .filter(|((namespace, _), _)| namespace == PROPERTIES)
        .map(|((_, name), value)| (name.as_str(), value.as_str()))
        .collect();
    let new_props: BTreeMap<&str, &str> = planned
        .properties
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let mut names: Vec<&str> = live_props.keys().chain(new_props.keys()).copied().collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|name| Property {
            name: name.to_owned(),
            status: match (live_props.get(name), new_props.get(name)) {
                (None, _) => "added",
                (_, None) => "removed",
                (Some(a), Some(b)) if a != b => "value changed",
                _ => "same",
            },
        })
        .collect()
}

/// The option settings klue sets, and those it sets no more (EC2KeyName).
fn compare_options(live: &Live, planned: &Planned) -> Vec<Change> {
    let mut keys: Vec<(&str, &str)> = planned
        .options
        .iter()
        .map(|(namespace, option, _)| (namespace.as_str(), option.as_str()))
        .collect();
    if !keys.contains(&(LAUNCH, "EC2KeyName")) {
        keys.push((LAUNCH, "EC2KeyName"));
    }
    keys.into_iter()
        .map(|(namespace, option)| {
            let live_value = live
                .settings
                .get(&(namespace.to_owned(), option.to_owned()))
                .filter(|v| !v.is_empty())
                .cloned();
            let new_value = planned
                .options
                .iter()
                .find(|(n, o, _)| n == namespace && o == option)
                .map(|(_, _, v)| v.clone());
            Change {
                what: format!("{namespace}:{option}"),
                changed: live_value != new_value,
                live: live_value,
                new: new_value,
            }
        })
        .collect()
}

/// The diff as text, for stdout.
pub fn text(diff: &Diff) -> String {
    let Some(live) = &diff.live_environment else {
        return "no live environment: a deploy would create it (everything is new)\n".to_owned();
    };
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".to_owned());
    let mark = |changed: bool| if changed { "*" } else { " " };
    let mut out = format!("against the live environment {live} (* = would change):\n");
    for c in diff.compared.iter().chain(&diff.options) {
        out.push_str(&format!(
            "{} {}: {}{}\n",
            mark(c.changed),
            c.what,
            shown(&c.live),
            if c.live == c.new {
                String::new()
            } else {
                format!(" -> {}", shown(&c.new))
            }
        ));
    }
    for p in &diff.properties {
        out.push_str(&format!(
            "{} environment property {}: {}\n",
            mark(p.status != "same"),
            p.name,
            p.status
        ));
    }
    out.push_str(if diff.changed {
        "a deploy would change the live service\n"
    } else {
        "no change: a deploy would make what is live (a new environment of the same commit)\n"
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Live {
        let mut settings = BTreeMap::new();
        let mut set = |namespace: &str, option: &str, value: &str| {
            settings.insert((namespace.to_owned(), option.to_owned()), value.to_owned());
        };
        set(LAUNCH, "InstanceType", "t3.micro");
        set(PROPERTIES, "KLUE_JWT_SECRET", "s3cret");
        set(PROPERTIES, "OLD", "x");
        set(
            "aws:elasticbeanstalk:environment",
            "EnvironmentType",
            "LoadBalanced",
        );
        Live {
            name: "hello-261207-1812-3-abc1234".into(),
            version: "261207-1812-3-abc1234".into(),
            image: Some("reg:5000/hello:261207-1812-3-abc1234".into()),
            platform: Some("Docker".into()),
            settings,
        }
    }

    fn planned() -> Planned {
        Planned {
            version: "261207-1830-3-abc1234".into(),
            image: "reg:5000/hello:261207-1830-3-abc1234".into(),
            platform: "Docker".into(),
            options: vec![(LAUNCH.into(), "InstanceType".into(), "t3.micro".into())],
            properties: vec![
                ("KLUE_JWT_SECRET".into(), "s3cret".into()),
                ("OLD".into(), "x".into()),
            ],
        }
    }

    #[test]
    fn the_same_commit_is_no_change() {
        let diff = compare(Some(&live()), &planned());
        assert!(!diff.changed, "{diff:?}");
        assert!(text(&diff).contains("no change"), "{}", text(&diff));
    }

    #[test]
    fn changes_are_found_and_values_never_shown() {
        let mut planned = planned();
        planned.version = "261207-1830-4-def5678".into();
        planned.image = "reg:5000/hello:261207-1830-4-def5678".into();
        planned.options[0].2 = "t3.small".into();
        planned.properties = vec![
            ("KLUE_JWT_SECRET".into(), "an0ther".into()),
            ("HELLO_GREETING".into(), "Howdy".into()),
        ];
        let diff = compare(Some(&live()), &planned);
        assert!(diff.changed);
        let changed: Vec<&str> = diff
            .compared
            .iter()
            .chain(&diff.options)
            .filter(|c| c.changed)
            .map(|c| c.what.as_str())
            .collect();
        assert_eq!(
            changed,
            [
                "version",
                "image",
                "aws:autoscaling:launchconfiguration:InstanceType"
            ]
        );
        let props: Vec<(&str, &str)> = diff
            .properties
            .iter()
            .map(|p| (p.name.as_str(), p.status))
            .collect();
        assert_eq!(
            props,
            [
                ("HELLO_GREETING", "added"),
                ("KLUE_JWT_SECRET", "value changed"),
                ("OLD", "removed")
            ]
        );
        let shown = format!("{}{}", text(&diff), serde_json::to_string(&diff).unwrap());
        for secret in ["s3cret", "an0ther", "Howdy"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("t3.micro -> t3.small"), "{shown}");
    }

    #[test]
    fn no_live_environment_is_a_change_and_labels_compare_by_commit() {
        let diff = compare(None, &planned());
        assert!(diff.changed && diff.live_environment.is_none());
        assert_eq!(source_of("261207-1812-3-abc1234"), "3-abc1234");
        assert_eq!(source_of("261207-1812-3-abc1234-dirty"), "3-abc1234-dirty");
        assert_eq!(source_of("v1.2"), "v1.2");
        let mut other = live();
        other.image = None;
        assert!(
            compare(Some(&other), &planned()).changed,
            "an unknown image"
        );
        let bundle = super::super::bundle::zip(&[(
            "Dockerrun.aws.json".to_owned(),
            r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"r/hello:v1"}}"#.to_owned(),
        )])
        .unwrap();
        assert_eq!(dockerrun_image(&bundle).as_deref(), Some("r/hello:v1"));
    }
}
