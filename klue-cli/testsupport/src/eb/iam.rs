//! What `CreateEnvironment` asks IAM, as AWS does: the instance profile and the service role in
//! the option settings must exist. The emulator asks moto's IAM (the same account klue's
//! preflight and `--create-roles` talk to), so a missing identity fails here as it would on AWS.

use super::params::OptionSetting;
use super::ApiError;
use crate::http::request;
use crate::moto::{iam_form, IAM_HEADERS};

const LAUNCH: &str = "aws:autoscaling:launchconfiguration";
const ENVIRONMENT: &str = "aws:elasticbeanstalk:environment";

/// Checks the identities named in `settings` against IAM at `endpoint`.
pub async fn check_identities(endpoint: &str, settings: &[OptionSetting]) -> Result<(), ApiError> {
    let value = |namespace: &str, name: &str| {
        settings
            .iter()
            .find(|s| s.namespace == namespace && s.name == name)
            .map(|s| last_segment(&s.value).to_owned())
    };
    if let Some(profile) = value(LAUNCH, "IamInstanceProfile") {
        let found = exists(
            endpoint,
            "GetInstanceProfile",
            "InstanceProfileName",
            &profile,
        )
        .await?;
        if !found {
            return Err(invalid(
                LAUNCH,
                "IamInstanceProfile",
                &profile,
                "Instance profile",
            ));
        }
    }
    if let Some(role) = value(ENVIRONMENT, "ServiceRole") {
        if !exists(endpoint, "GetRole", "RoleName", &role).await? {
            return Err(invalid(ENVIRONMENT, "ServiceRole", &role, "Role"));
        }
    }
    Ok(())
}

/// The name in an IAM ARN, or the name itself.
fn last_segment(id: &str) -> &str {
    if id.starts_with("arn:") {
        id.rsplit('/').next().unwrap_or(id)
    } else {
        id
    }
}

/// AWS's refusal of an option value.
fn invalid(namespace: &str, option: &str, value: &str, what: &str) -> ApiError {
    ApiError::new(
        "InvalidParameterValue",
        format!(
            "Configuration validation exception: Invalid option value: '{value}' (Namespace: \
             '{namespace}', OptionName: '{option}'): {what} {value} does not exist."
        ),
    )
}

/// One IAM Get call: 200 found, 404 (`NoSuchEntity`) missing.
async fn exists(endpoint: &str, action: &str, key: &str, name: &str) -> Result<bool, ApiError> {
    let body = iam_form(action, &[(key, name)]);
    let answer = request("POST", &format!("{endpoint}/"), &IAM_HEADERS, body)
        .await
        .map_err(|err| ApiError::new("InternalFailure", format!("asking IAM: {err}")))?;
    match answer.status {
        200 => Ok(true),
        404 => Ok(false),
        status => Err(ApiError::new(
            "InternalFailure",
            format!("IAM {action} answered {status}: {}", answer.text()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_their_entity() {
        assert_eq!(last_segment("arn:aws:iam::1:instance-profile/a/p"), "p");
        assert_eq!(last_segment("p"), "p");
        let refusal = invalid(LAUNCH, "IamInstanceProfile", "p", "Instance profile");
        assert!(refusal
            .message
            .contains("Instance profile p does not exist"));
    }
}
