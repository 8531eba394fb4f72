//! `DescribeConfigurationSettings` of an environment: its platform and the option settings it
//! was created with (properties included, values as EB returns them), for `klue deploy --diff`.
//!
//! AWS lists every option of the environment, defaults included; the emulator lists those given
//! to `CreateEnvironment` (the ones klue sets), which is what a diff compares.

use super::params::Params;
use super::state::Status;
use super::xml::{element, members, timestamp};
use super::{ApiError, Shared};

pub fn describe_configuration_settings(
    shared: &Shared,
    params: &Params,
) -> Result<String, ApiError> {
    let application = params.required("ApplicationName")?;
    let Some(name) = params.get("EnvironmentName") else {
        return Err(ApiError::new(
            "MissingParameter",
            "Either TemplateName or EnvironmentName must be given (klue's EB emulator knows no \
             templates).",
        ));
    };
    let state = shared.state();
    let env = state
        .environments
        .iter()
        .find(|e| e.application == application && e.name == name && e.status != Status::Terminated)
        .ok_or_else(|| {
            ApiError::new(
                "InvalidParameterValue",
                format!("No Environment found for EnvironmentName = '{name}'."),
            )
        })?;
    let settings = env.options.iter().map(|(namespace, option, value)| {
        [
            element("Namespace", namespace),
            element("OptionName", option),
            element("Value", value),
        ]
        .concat()
    });
    let member = [
        element("SolutionStackName", &env.solution_stack),
        element("PlatformArn", env.platform_arn.as_deref().unwrap_or("")),
        element("ApplicationName", &env.application),
        element("EnvironmentName", &env.name),
        element("DeploymentStatus", "deployed"),
        element("DateCreated", &timestamp(env.created)),
        element("DateUpdated", &timestamp(env.updated)),
        members("OptionSettings", settings),
    ]
    .concat();
    Ok(members("ConfigurationSettings", [member]))
}
