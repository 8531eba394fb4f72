//! The EB API calls `klue deploy`, `klue envs`, `klue cleanup` and `klue rollback` make, one
//! function each (`DescribeConfigurationSettings`, for `klue deploy --diff`, in config.rs;
//! `RequestEnvironmentInfo` and `RetrieveEnvironmentInfo`, for `klue logs`, in envinfo.rs).
//! Each returns the inner XML of its `<XResult>` or an [`ApiError`].

use std::sync::Arc;
use std::time::SystemTime;

use super::params::Params;
use super::state::{AppVersion, Application, Environment, Health, Status};
use super::xml::{element, members};
use super::{envinfo, iam, launch, platforms, proxy, ApiError, Shared};

/// The namespace of an environment's properties (environment variables of the container).
const PROPERTIES_NAMESPACE: &str = "aws:elasticbeanstalk:application:environment";

pub async fn dispatch(shared: &Arc<Shared>, params: &Params) -> Result<String, ApiError> {
    let action = params.required("Action")?;
    match action {
        "CreateApplication" => create_application(shared, params),
        "DescribeApplications" => describe_applications(shared, params),
        "CreateApplicationVersion" => create_application_version(shared, params),
        "DescribeApplicationVersions" => describe_application_versions(shared, params),
        "DeleteApplicationVersion" => delete_application_version(shared, params),
        "CreateEnvironment" => create_environment(shared, params).await,
        "DescribeEnvironments" => describe_environments(shared, params),
        "DescribeEvents" => describe_events(shared, params),
        "SwapEnvironmentCNAMEs" => swap_cnames(shared, params),
        "TerminateEnvironment" => terminate_environment(shared, params),
        "CheckDNSAvailability" => check_dns(shared, params),
        "ListPlatformVersions" => platforms::list_platform_versions(params),
        "DescribeConfigurationSettings" => {
            super::config::describe_configuration_settings(shared, params)
        }
        "RequestEnvironmentInfo" => envinfo::request_environment_info(shared, params),
        "RetrieveEnvironmentInfo" => envinfo::retrieve_environment_info(shared, params),
        other => Err(ApiError::new(
            "InvalidAction",
            format!("The action {other} is not valid for this web service (klue's EB emulator)."),
        )),
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new("InvalidParameterValue", message)
}

fn create_application(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let name = params.required("ApplicationName")?;
    let mut state = shared.state();
    if state.applications.contains_key(name) {
        return Err(invalid(format!("Application {name} already exists.")));
    }
    let app = Application {
        name: name.to_owned(),
        description: params.get("Description").unwrap_or_default().to_owned(),
        created: SystemTime::now(),
    };
    let xml = format!("<Application>{}</Application>", app.xml(&state.versions));
    state.applications.insert(name.to_owned(), app);
    Ok(xml)
}

fn describe_applications(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let names = params.list("ApplicationNames");
    let state = shared.state();
    let apps = state
        .applications
        .values()
        .filter(|app| names.is_empty() || names.contains(&app.name))
        .map(|app| app.xml(&state.versions));
    Ok(members("Applications", apps))
}

fn create_application_version(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let application = params.required("ApplicationName")?;
    let label = params.required("VersionLabel")?;
    let mut state = shared.state();
    if !state.applications.contains_key(application) {
        if params.flag("AutoCreateApplication") == Some(true) {
            state.applications.insert(
                application.to_owned(),
                Application {
                    name: application.to_owned(),
                    description: String::new(),
                    created: SystemTime::now(),
                },
            );
        } else {
            return Err(invalid(format!(
                "No Application named '{application}' found."
            )));
        }
    }
    if state
        .versions
        .iter()
        .any(|v| v.application == application && v.label == label)
    {
        return Err(invalid(format!(
            "Application Version {label} already exists."
        )));
    }
    let version = AppVersion {
        application: application.to_owned(),
        label: label.to_owned(),
        description: params.get("Description").unwrap_or_default().to_owned(),
        bucket: params.required("SourceBundle.S3Bucket")?.to_owned(),
        key: params.required("SourceBundle.S3Key")?.to_owned(),
        created: SystemTime::now(),
    };
    let xml = format!("<ApplicationVersion>{}</ApplicationVersion>", version.xml());
    state.versions.push(version);
    Ok(xml)
}

fn describe_application_versions(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let application = params.get("ApplicationName");
    let labels = params.list("VersionLabels");
    let state = shared.state();
    let versions = state
        .versions
        .iter()
        .rev()
        .filter(|v| application.is_none_or(|app| v.application == app))
        .filter(|v| labels.is_empty() || labels.contains(&v.label))
        .map(AppVersion::xml);
    Ok(members("ApplicationVersions", versions))
}

/// As AWS: refused while an environment not yet Terminated runs the version. The bundle stays
/// in S3 (klue asks for `DeleteSourceBundle=false` and deletes it itself).
fn delete_application_version(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let application = params.required("ApplicationName")?;
    let label = params.required("VersionLabel")?;
    let mut state = shared.state();
    let users: Vec<&str> = state
        .environments
        .iter()
        .filter(|e| e.application == application && e.version_label == label)
        .filter(|e| e.status != Status::Terminated)
        .map(|e| e.name.as_str())
        .collect();
    if !users.is_empty() {
        return Err(invalid(format!(
            "Unable to delete application version {label} because it is being used by \
             environment(s): {}",
            users.join(", ")
        )));
    }
    let before = state.versions.len();
    state
        .versions
        .retain(|v| !(v.application == application && v.label == label));
    if state.versions.len() == before {
        return Err(invalid(format!(
            "No Application Version named '{label}' found."
        )));
    }
    Ok(String::new())
}

async fn create_environment(shared: &Arc<Shared>, params: &Params) -> Result<String, ApiError> {
    let application = params.required("ApplicationName")?;
    let name = params.required("EnvironmentName")?;
    let label = params.required("VersionLabel")?;
    let settings = params.option_settings();
    let properties: Vec<(String, String)> = settings
        .iter()
        .filter(|s| s.namespace == PROPERTIES_NAMESPACE)
        .map(|s| (s.name.clone(), s.value.clone()))
        .collect();
    let cname_prefix = params.get("CNAMEPrefix").map(str::to_owned);
    {
        let state = shared.state();
        if !state.applications.contains_key(application) {
            return Err(invalid(format!(
                "No Application named '{application}' found."
            )));
        }
        if !state
            .versions
            .iter()
            .any(|v| v.application == application && v.label == label)
        {
            return Err(invalid(format!(
                "No Application Version named '{label}' found."
            )));
        }
        if state
            .environments
            .iter()
            .any(|env| env.name == name && env.status != Status::Terminated)
        {
            return Err(invalid(format!("Environment {name} already exists.")));
        }
        if let Some(prefix) = &cname_prefix {
            if !shared.prefix_available(&state, prefix) {
                return Err(invalid(format!("DNS name ({prefix}) is not available.")));
            }
        }
    }
    let platform = platforms::check_create(params, &settings)?;
    if let Some(endpoint) = &shared.config.iam_endpoint {
        iam::check_identities(endpoint, &settings).await?;
    }
    // The environment's CNAME: a listener that forwards to whichever environment owns it.
    // Without a prefix EB derives the CNAME from the environment name.
    let cname_label = cname_prefix
        .clone()
        .unwrap_or_else(|| name.to_ascii_lowercase());
    let cname = proxy::listen(shared, &cname_label).await.map_err(|err| {
        ApiError::new(
            "InternalFailure",
            format!("cannot open a CNAME listener: {err}"),
        )
    })?;
    let now = SystemTime::now();
    let mut state = shared.state();
    let env = Environment {
        id: state.new_environment_id(),
        name: name.to_owned(),
        application: application.to_owned(),
        version_label: label.to_owned(),
        solution_stack: platform,
        platform_arn: params.get("PlatformArn").map(str::to_owned),
        cname_prefix,
        cname,
        backend: None,
        container: None,
        status: Status::Launching,
        health: Health::Grey,
        properties,
        options: settings
            .iter()
            .map(|s| (s.namespace.clone(), s.name.clone(), s.value.clone()))
            .collect(),
        created: now,
        updated: now,
    };
    let xml = env.xml();
    let id = env.id.clone();
    state.environments.push(env);
    state.event(&id, "INFO", "createEnvironment is starting.");
    drop(state);
    tokio::spawn(launch::launch(Arc::clone(shared), id));
    Ok(xml)
}

fn describe_environments(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let application = params.get("ApplicationName");
    let label = params.get("VersionLabel");
    let ids = params.list("EnvironmentIds");
    let names = params.list("EnvironmentNames");
    // EB's default: recently terminated environments are listed too.
    let include_deleted = params.flag("IncludeDeleted").unwrap_or(true);
    let state = shared.state();
    let envs = state
        .environments
        .iter()
        .filter(|env| application.is_none_or(|app| env.application == app))
        .filter(|env| label.is_none_or(|label| env.version_label == label))
        .filter(|env| ids.is_empty() || ids.contains(&env.id))
        .filter(|env| names.is_empty() || names.contains(&env.name))
        .filter(|env| include_deleted || env.status != Status::Terminated)
        .map(Environment::xml);
    Ok(members("Environments", envs))
}

fn describe_events(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let application = params.get("ApplicationName");
    let env_name = params.get("EnvironmentName");
    let env_id = params.get("EnvironmentId");
    let max = params
        .get("MaxRecords")
        .and_then(|m| m.parse().ok())
        .unwrap_or(1000usize);
    let state = shared.state();
    let id_name = env_id.map(|id| {
        state
            .environment(id)
            .map(|env| env.name.clone())
            .unwrap_or_default()
    });
    // As AWS: on or after StartTime, before EndTime.
    let start = params.get("StartTime").map(parse_time).transpose()?;
    let end = params.get("EndTime").map(parse_time).transpose()?;
    let events = state
        .events
        .iter()
        .rev()
        .filter(|e| start.is_none_or(|start| e.date >= start))
        .filter(|e| end.is_none_or(|end| e.date < end))
        .filter(|e| application.is_none_or(|app| e.application == app))
        .filter(|e| env_name.is_none_or(|name| e.environment.as_deref() == Some(name)))
        .filter(|e| {
            id_name
                .as_deref()
                .is_none_or(|name| e.environment.as_deref() == Some(name))
        })
        .take(max)
        .map(|e| e.xml());
    Ok(members("Events", events))
}

/// A time parameter (ISO 8601, as the SDK sends it).
fn parse_time(text: &str) -> Result<SystemTime, ApiError> {
    super::xml::parse_timestamp(text)
        .ok_or_else(|| invalid(format!("Invalid date format: {text} (expected ISO 8601)")))
}

/// Finds an environment by `{prefix}EnvironmentId` or `{prefix}EnvironmentName` (not terminated).
pub(super) fn find_env(shared: &Shared, params: &Params, prefix: &str) -> Result<String, ApiError> {
    let id_key = format!("{prefix}EnvironmentId");
    let name_key = format!("{prefix}EnvironmentName");
    let state = shared.state();
    let live = |env: &&Environment| env.status != Status::Terminated;
    let found = if let Some(id) = params.get(&id_key) {
        state.environments.iter().filter(live).find(|e| e.id == id)
    } else if let Some(name) = params.get(&name_key) {
        state
            .environments
            .iter()
            .filter(live)
            .find(|e| e.name == name)
    } else {
        return Err(ApiError::new(
            "MissingParameter",
            format!("Either {id_key} or {name_key} must be given."),
        ));
    };
    found.map(|env| env.id.clone()).ok_or_else(|| {
        let which = params
            .get(&id_key)
            .map(|id| format!("EnvironmentId = '{id}'"))
            .or_else(|| {
                params
                    .get(&name_key)
                    .map(|n| format!("EnvironmentName = '{n}'"))
            })
            .unwrap_or_default();
        invalid(format!("No Environment found for {which}."))
    })
}

fn swap_cnames(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let source = find_env(shared, params, "Source")?;
    let destination = find_env(shared, params, "Destination")?;
    if source == destination {
        return Err(invalid("Source and destination environments must differ."));
    }
    let mut state = shared.state();
    for id in [&source, &destination] {
        let env = state.environment(id).expect("found above");
        if env.status != Status::Ready {
            return Err(invalid(format!(
                "Environment named {} is in an invalid state for this operation. Must be Ready.",
                env.name
            )));
        }
    }
    let (a, b) = {
        let a = state.environment(&source).expect("found above");
        let b = state.environment(&destination).expect("found above");
        (
            (a.cname.clone(), a.cname_prefix.clone(), a.name.clone()),
            (b.cname.clone(), b.cname_prefix.clone(), b.name.clone()),
        )
    };
    let now = SystemTime::now();
    for (id, (cname, prefix, _)) in [(&source, b.clone()), (&destination, a.clone())] {
        let env = state.environment_mut(id).expect("found above");
        env.cname = cname;
        env.cname_prefix = prefix;
        env.updated = now;
    }
    let message = format!(
        "Completed swapping CNAMEs for environments '{}' and '{}'.",
        a.2, b.2
    );
    state.event(&source, "INFO", message.clone());
    state.event(&destination, "INFO", message);
    Ok(String::new())
}

fn terminate_environment(shared: &Arc<Shared>, params: &Params) -> Result<String, ApiError> {
    let id = find_env(shared, params, "")?;
    let mut state = shared.state();
    let env = state.environment_mut(&id).expect("found above");
    if env.status == Status::Terminating {
        return Err(invalid(format!(
            "Environment named {} is in an invalid state for this operation. Must be Ready.",
            env.name
        )));
    }
    env.status = Status::Terminating;
    env.updated = SystemTime::now();
    let xml = env.xml();
    state.event(&id, "INFO", "terminateEnvironment is starting.");
    drop(state);
    tokio::spawn(launch::terminate(Arc::clone(shared), id));
    Ok(xml)
}

fn check_dns(shared: &Shared, params: &Params) -> Result<String, ApiError> {
    let prefix = params.required("CNAMEPrefix")?;
    let available = shared.prefix_available(&shared.state(), prefix);
    Ok([
        element("Available", if available { "true" } else { "false" }),
        element(
            "FullyQualifiedCNAME",
            &format!("{prefix}.{}.elasticbeanstalk.com", super::state::REGION),
        ),
    ]
    .concat())
}
