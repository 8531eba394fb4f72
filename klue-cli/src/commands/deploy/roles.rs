//! The two IAM identities an Elastic Beanstalk environment needs, checked by the preflight and
//! created by `klue deploy --create-roles`:
//!
//! - the **EC2 instance profile** of the hosts (klue.yaml `aws.instance_profile`, default
//!   `aws-elasticbeanstalk-ec2-role`): AWS refuses to create an environment without one, and the
//!   hosts pull the image from ECR with its role;
//! - the **service role** Elastic Beanstalk acts with (`aws.service_role`, default
//!   `aws-elasticbeanstalk-service-role`): enhanced health and managed updates.
//!
//! `--create-roles` creates what is missing with the trust policies and managed policies EB's
//! documentation gives for these defaults ("Managing Elastic Beanstalk instance profiles" and
//! "service roles"), plus ECR read for the instance role. It never changes an identity that
//! exists, apart from giving a profile with no role the instance role.

use serde::Serialize;

use super::iam::{Iam, Lookup};
use crate::commands::service::ServiceConfig;
use crate::commands::UserError;

/// The managed policies of the instance role.
pub const INSTANCE_POLICIES: &[&str] = &[
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkWorkerTier",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkMulticontainerDocker",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

/// The managed policies of the service role.
pub const SERVICE_POLICIES: &[&str] = &[
    "arn:aws:iam::aws:policy/service-role/AWSElasticBeanstalkEnhancedHealth",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy",
];

const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const EB_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"elasticbeanstalk.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"elasticbeanstalk"}}}]}"#;

/// What the check found (and `--create-roles` did).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Roles {
    /// The instance profile's name.
    pub instance_profile: String,
    /// The service role's name.
    pub service_role: String,
    /// What `--create-roles` created (`role NAME`, `instance profile NAME`, ...).
    pub created: Vec<String>,
    /// Checks the identity was not allowed to make (it may still deploy: EB will tell).
    pub unchecked: Vec<String>,
}

/// The name in an IAM ARN (`arn:aws:iam::1:role/path/NAME`), or the name itself.
fn name_of(id: &str) -> &str {
    if id.starts_with("arn:") {
        id.rsplit('/').next().unwrap_or(id)
    } else {
        id
    }
}

/// Checks both identities; with `create`, creates what is missing first.
pub async fn check(iam: &Iam, config: &ServiceConfig, create: bool) -> Result<Roles, UserError> {
    let mut roles = Roles {
        instance_profile: name_of(&config.aws.instance_profile).to_owned(),
        service_role: name_of(&config.aws.service_role).to_owned(),
        ..Roles::default()
    };
    instance_profile(iam, &mut roles, create).await?;
    let service_role = roles.service_role.clone();
    match iam.role(&service_role).await.map_err(UserError::from)? {
        Lookup::Found(()) => {}
        Lookup::Denied(why) => roles.unchecked.push(format!("role {service_role} ({why})")),
        Lookup::Missing if create => {
            iam.create_role(&service_role, EB_TRUST, SERVICE_POLICIES)
                .await
                .map_err(UserError::from)?;
            roles.created.push(format!("role {service_role}"));
        }
        Lookup::Missing => {
            return Err(missing(
                &format!("the Elastic Beanstalk service role {service_role} does not exist"),
                "service_role",
            ))
        }
    }
    Ok(roles)
}

/// The instance profile: it exists and has a role.
async fn instance_profile(iam: &Iam, roles: &mut Roles, create: bool) -> Result<(), UserError> {
    let profile = roles.instance_profile.clone();
    let found = iam
        .instance_profile(&profile)
        .await
        .map_err(UserError::from)?;
    let exists = match found {
        Lookup::Found(role_names) if !role_names.is_empty() => return Ok(()),
        Lookup::Denied(why) => {
            roles
                .unchecked
                .push(format!("instance profile {profile} ({why})"));
            return Ok(());
        }
        Lookup::Found(_) if !create => {
            return Err(missing(
                &format!("the EC2 instance profile {profile} has no role"),
                "instance_profile",
            ))
        }
        Lookup::Missing if !create => {
            return Err(missing(
                &format!("the EC2 instance profile {profile} does not exist"),
                "instance_profile",
            ))
        }
        Lookup::Found(_) => true,
        Lookup::Missing => false,
    };
    // The instance role has the profile's name, as the console's default does.
    match iam.role(&profile).await.map_err(UserError::from)? {
        Lookup::Found(()) => {}
        Lookup::Missing => {
            iam.create_role(&profile, EC2_TRUST, INSTANCE_POLICIES)
                .await
                .map_err(UserError::from)?;
            roles.created.push(format!("role {profile}"));
        }
        Lookup::Denied(why) => {
            return Err(UserError::new(
                format!("cannot create the instance profile's role {profile}: {why}"),
                "run with an identity allowed iam:GetRole, iam:CreateRole and \
                 iam:AttachRolePolicy, or have an administrator create it",
            ))
        }
    }
    iam.create_instance_profile(&profile, &profile, !exists)
        .await
        .map_err(UserError::from)?;
    roles.created.push(format!("instance profile {profile}"));
    Ok(())
}

/// A missing identity: the problem and both fixes.
fn missing(problem: &str, key: &str) -> UserError {
    UserError::new(
        problem.to_owned(),
        format!(
            "`klue deploy --check --create-roles` creates it with the policies Elastic Beanstalk \
             documents, or set `{key}:` under `aws:` in klue.yaml to one that exists"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_taken_out_of_arns() {
        assert_eq!(name_of("arn:aws:iam::1:role/service-role/eb"), "eb");
        assert_eq!(
            name_of("aws-elasticbeanstalk-ec2-role"),
            "aws-elasticbeanstalk-ec2-role"
        );
    }

    #[test]
    fn trust_policies_are_json_for_the_right_service() {
        for (doc, service) in [
            (EC2_TRUST, "ec2.amazonaws.com"),
            (EB_TRUST, "elasticbeanstalk.amazonaws.com"),
        ] {
            let value: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert_eq!(value["Statement"][0]["Principal"]["Service"], service);
        }
    }
}
