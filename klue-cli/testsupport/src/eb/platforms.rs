//! The platforms the emulator offers (`ListPlatformVersions`), and what `CreateEnvironment`
//! checks about the platform and IAM as AWS does: exactly one of `PlatformArn` and
//! `SolutionStackName`, a platform ARN it knows, and an EC2 instance profile (AWS no longer makes
//! a default one: an environment without one fails).

use super::params::{OptionSetting, Params};
use super::state::REGION;
use super::xml::{element, members};
use super::ApiError;

/// The Docker platform's name.
pub const DOCKER: &str = "Docker running on 64bit Amazon Linux 2023";

/// The versions offered, oldest first; the last is the newest (a deploy must take it).
pub const VERSIONS: [&str; 3] = ["4.3.9", "4.4.0", "4.10.1"];

/// A version's ARN, as AWS writes it (no account: AWS owns the platform).
pub fn arn(version: &str) -> String {
    format!("arn:aws:elasticbeanstalk:{REGION}::platform/{DOCKER}/{version}")
}

/// `ListPlatformVersions`, honouring `PlatformName` and `PlatformStatus` filters with `=`.
pub fn list_platform_versions(params: &Params) -> Result<String, ApiError> {
    let mut name_ok = true;
    let mut status_ok = true;
    for i in 1.. {
        let Some(kind) = params.get(&format!("Filters.member.{i}.Type")) else {
            break;
        };
        let values = params.list(&format!("Filters.member.{i}.Values"));
        match kind {
            "PlatformName" => name_ok &= values.iter().any(|v| v == DOCKER),
            "PlatformStatus" => status_ok &= values.iter().any(|v| v == "Ready"),
            _ => {}
        }
    }
    let summaries = VERSIONS
        .iter()
        .filter(|_| name_ok && status_ok)
        .map(|version| {
            [
                element("PlatformArn", &arn(version)),
                element("PlatformOwner", "AWSElasticBeanstalk"),
                element("PlatformStatus", "Ready"),
                element("PlatformCategory", "Docker"),
                element("OperatingSystemName", "Amazon Linux 2023"),
                element("PlatformVersion", version),
                element("PlatformBranchName", DOCKER),
            ]
            .concat()
        });
    Ok(members("PlatformSummaryList", summaries))
}

/// The platform of a new environment, as `DescribeEnvironments` shows it (its
/// `SolutionStackName`), or the error AWS gives.
pub fn check_create(params: &Params, settings: &[OptionSetting]) -> Result<String, ApiError> {
    let invalid = |message: String| ApiError::new("InvalidParameterValue", message);
    let platform = match (params.get("PlatformArn"), params.get("SolutionStackName")) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "You cannot specify both a PlatformArn and a SolutionStackName.".to_owned(),
            ))
        }
        (Some(arn_given), None) => {
            let version = VERSIONS.iter().find(|v| arn(v) == arn_given);
            match version {
                Some(version) => format!("64bit Amazon Linux 2023 v{version} running Docker"),
                None => return Err(invalid(format!("No Platform named '{arn_given}' found."))),
            }
        }
        (None, Some(stack)) => stack.to_owned(),
        (None, None) => {
            return Err(invalid(
                "No platform: specify a PlatformArn or a SolutionStackName.".to_owned(),
            ))
        }
    };
    let has_profile = settings.iter().any(|s| {
        s.namespace == "aws:autoscaling:launchconfiguration"
            && s.name == "IamInstanceProfile"
            && !s.value.is_empty()
    });
    if !has_profile {
        return Err(invalid(
            "Environment must have instance profile associated with it.".to_owned(),
        ));
    }
    Ok(platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_listed_for_the_docker_platform_only() {
        let params = |name: &str| {
            Params::from_pairs(&[
                ("Filters.member.1.Type", "PlatformName"),
                ("Filters.member.1.Operator", "="),
                ("Filters.member.1.Values.member.1", name),
            ])
        };
        let listed = list_platform_versions(&params(DOCKER)).unwrap();
        assert_eq!(listed.matches("<member>").count(), VERSIONS.len());
        assert!(listed.contains(&arn("4.10.1")), "{listed}");
        let none = list_platform_versions(&params("Tomcat 10")).unwrap();
        assert_eq!(none.matches("<member>").count(), 0);
    }

    #[test]
    fn creating_needs_one_known_platform_and_an_instance_profile() {
        let profile = OptionSetting {
            namespace: "aws:autoscaling:launchconfiguration".into(),
            name: "IamInstanceProfile".into(),
            value: "aws-elasticbeanstalk-ec2-role".into(),
        };
        let newest = arn("4.10.1");
        let ok = Params::from_pairs(&[("PlatformArn", newest.as_str())]);
        assert!(check_create(&ok, std::slice::from_ref(&profile)).is_ok());
        let no_profile = check_create(&ok, &[]).unwrap_err();
        assert!(
            no_profile.message.contains("instance profile"),
            "{no_profile:?}"
        );
        let unknown = Params::from_pairs(&[("PlatformArn", "arn:aws:elasticbeanstalk:x")]);
        assert!(check_create(&unknown, std::slice::from_ref(&profile)).is_err());
        let both =
            Params::from_pairs(&[("PlatformArn", newest.as_str()), ("SolutionStackName", "s")]);
        assert!(check_create(&both, std::slice::from_ref(&profile)).is_err());
        assert!(check_create(&Params::from_pairs(&[]), &[profile]).is_err());
    }
}
